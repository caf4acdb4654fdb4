#include "workloads/flows/generators.hpp"

#include <algorithm>
#include <numeric>
#include <utility>
#include <vector>

#include "sim/rng.hpp"

namespace spinel::workloads::flows {

namespace {

// A random permutation without fixed points: shuffled, then each fixed
// point swapped with its successor's partner (as spinel's packet benchmark
// draws case A). With racks, each partner in the own rack is swapped with
// the first later partner for which both ends leave their racks.
std::vector<std::uint32_t> partners(const PatternConfig& c, std::uint32_t n) {
  std::vector<std::uint32_t> partner(n);
  std::iota(partner.begin(), partner.end(), 0u);
  sim::Rng rng(c.seed, "permutation");
  rng.shuffle(partner.begin(), partner.end());
  for (std::uint32_t i = 0; i < n; ++i) {
    if (partner[i] == i) std::swap(partner[i], partner[(i + 1) % n]);
  }
  if (c.rack_size == 0) return partner;
  const auto rack = [&](std::uint32_t r) { return r / c.rack_size; };
  for (std::uint32_t i = 0; i < n; ++i) {
    if (rack(partner[i]) != rack(i)) continue;
    for (std::uint32_t k = 1; k < n; ++k) {
      const std::uint32_t j = (i + k) % n;
      if (rack(partner[j]) != rack(i) && rack(partner[i]) != rack(j)) {
        std::swap(partner[i], partner[j]);
        break;
      }
    }
  }
  return partner;
}

}  // namespace

std::string problem(const PatternConfig& c, std::uint32_t ranks) {
  if (ranks < 2) return "a flow pattern needs a job of at least 2 ranks";
  switch (c.pattern) {
    case Pattern::permutation:
      // Possible when no rack holds more than half the ranks.
      if (c.rack_size != 0 && std::uint64_t{std::min(c.rack_size, ranks)} * 2 > ranks) {
        return "rack_size: racks of " + std::to_string(c.rack_size) + " ranks in a job of " +
               std::to_string(ranks) +
               ": every rank cannot send outside its rack (a rack may hold at most half the "
               "ranks)";
      }
      return "";
    case Pattern::incast:
      if (c.receiver >= ranks) {
        return "receiver: rank " + std::to_string(c.receiver) + ", but the job's ranks are 0.." +
               std::to_string(ranks - 1);
      }
      if (c.senders == 0 || c.senders >= ranks) {
        return "senders: between 1 and " + std::to_string(ranks - 1) + " (the other ranks), got " +
               std::to_string(c.senders);
      }
      return "";
    case Pattern::all_to_all:
      return "";
  }
  return "";
}

FlowList generate(const PatternConfig& c, std::uint32_t ranks) {
  FlowList list;
  list.source = "the generated flows";
  list.nodes = ranks;
  auto add = [&](std::uint32_t src, std::uint32_t dst) {
    Flow f;
    f.id = static_cast<std::uint32_t>(list.flows.size() + 1);
    f.src = src;
    f.dst = dst;
    f.size_bytes = c.size_bytes;
    f.start_ps = c.start_ps;
    list.flows.push_back(f);
  };
  switch (c.pattern) {
    case Pattern::permutation: {
      const std::vector<std::uint32_t> partner = partners(c, ranks);
      for (std::uint32_t r = 0; r < ranks; ++r) add(r, partner[r]);
      break;
    }
    case Pattern::incast:
      for (std::uint32_t k = 1; k <= c.senders; ++k) add((c.receiver + k) % ranks, c.receiver);
      break;
    case Pattern::all_to_all:
      for (std::uint32_t s = 0; s < ranks; ++s) {
        for (std::uint32_t d = 0; d < ranks; ++d) {
          if (s != d) add(s, d);
        }
      }
      break;
  }
  return list;
}

}  // namespace spinel::workloads::flows
