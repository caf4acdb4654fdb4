#include "workloads/pccl/ring.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

namespace spinel::pccl {

std::vector<PeerId> ring_by_id(std::vector<PeerId> peers) {
  std::sort(peers.begin(), peers.end());
  return peers;
}

double ring_bottleneck_gbps(const std::vector<std::size_t>& order,
                            const std::vector<std::vector<double>>& bw) {
  double worst = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < order.size(); ++i) {
    worst = std::min(worst, bw[order[i]][order[(i + 1) % order.size()]]);
  }
  return worst;
}

namespace {

double ring_sum(const std::vector<std::size_t>& order, const std::vector<std::vector<double>>& bw) {
  double sum = 0;
  for (std::size_t i = 0; i < order.size(); ++i) sum += bw[order[i]][order[(i + 1) % order.size()]];
  return sum;
}

bool better(const std::vector<std::size_t>& a, const std::vector<std::size_t>& b,
            const std::vector<std::vector<double>>& bw) {
  const double ba = ring_bottleneck_gbps(a, bw);
  const double bb = ring_bottleneck_gbps(b, bw);
  if (ba != bb) return ba > bb;
  return ring_sum(a, bw) > ring_sum(b, bw);
}

}  // namespace

std::vector<PeerId> optimise_ring(const std::vector<PeerId>& peers,
                                  const std::vector<std::vector<double>>& bw) {
  const std::size_t n = peers.size();
  if (n <= 2) return ring_by_id(peers);
  // Index 0 is the lowest id, so that rotations need not be searched.
  std::vector<std::size_t> by_id(n);
  std::iota(by_id.begin(), by_id.end(), 0);
  std::sort(by_id.begin(), by_id.end(), [&](auto a, auto b) { return peers[a] < peers[b]; });
  std::vector<std::size_t> best = by_id;
  if (n <= kExactRingPeers) {
    std::vector<std::size_t> order = by_id;
    while (std::next_permutation(order.begin() + 1, order.end())) {
      if (better(order, best, bw)) best = order;
    }
  } else {
    // Greedy: always the fastest unused edge onwards; then reverse segments
    // (2-opt) while that improves the ring.
    std::vector<std::size_t> order{by_id[0]};
    std::vector<bool> used(n, false);
    used[by_id[0]] = true;
    while (order.size() < n) {
      std::size_t pick = n;
      for (std::size_t c : by_id) {
        if (!used[c] && (pick == n || bw[order.back()][c] > bw[order.back()][pick])) pick = c;
      }
      used[pick] = true;
      order.push_back(pick);
    }
    if (better(order, best, bw)) best = order;
    for (bool improved = true; improved;) {
      improved = false;
      for (std::size_t i = 1; i + 1 < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
          std::vector<std::size_t> cand = best;
          std::reverse(cand.begin() + static_cast<std::ptrdiff_t>(i),
                       cand.begin() + static_cast<std::ptrdiff_t>(j) + 1);
          if (better(cand, best, bw)) {
            best = std::move(cand);
            improved = true;
          }
        }
      }
    }
  }
  std::vector<PeerId> ring;
  for (std::size_t i : best) ring.push_back(peers[i]);
  return ring;
}

}  // namespace spinel::pccl
