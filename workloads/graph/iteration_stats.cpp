#include "workloads/graph/iteration_stats.hpp"

#include <algorithm>

namespace spinel::workloads::graph {
namespace {

using Interval = std::pair<sim::Time, sim::Time>;

// Sorts and merges overlapping intervals.
void merge(std::vector<Interval>& v) {
  std::sort(v.begin(), v.end());
  std::size_t out = 0;
  for (const Interval& i : v) {
    if (out > 0 && i.first <= v[out - 1].second) {
      v[out - 1].second = std::max(v[out - 1].second, i.second);
    } else {
      v[out++] = i;
    }
  }
  v.resize(out);
}

sim::Time length(const std::vector<Interval>& merged) {
  sim::Time t = 0;
  for (const auto& [a, b] : merged) t += b - a;
  return t;
}

// |a \ b| for merged interval lists.
sim::Time length_outside(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  sim::Time overlap = 0;
  std::size_t j = 0;
  for (const auto& [s, e] : a) {
    while (j < b.size() && b[j].second <= s) ++j;
    for (std::size_t k = j; k < b.size() && b[k].first < e; ++k) {
      overlap += std::min(e, b[k].second) - std::max(s, b[k].first);
    }
  }
  return length(a) - overlap;
}

}  // namespace

std::vector<IterationStats> iteration_stats(const GraphRun& run) {
  const Program& p = run.program();
  const std::uint32_t n = p.rank_count();
  std::vector<IterationStats> out;
  if (n == 0) return out;
  std::vector<Interval> compute;
  std::vector<Interval> comm;
  std::map<std::string, std::vector<Interval>> by_group;
  for (std::uint32_t it = 0; it < p.iterations; ++it) {
    IterationStats s;
    s.iteration = it;
    s.start_ps = sim::kForever;
    bool complete = true;
    for (std::uint32_t r = 0; r < n && complete; ++r) {
      const std::uint32_t per = static_cast<std::uint32_t>(p.ranks[r].size()) / p.iterations;
      for (std::uint32_t i = it * per; i < (it + 1) * per; ++i) {
        const OpTiming& t = run.timing(r, i);
        if (t.end_ps == sim::kForever) {
          complete = false;
          break;
        }
        s.start_ps = std::min(s.start_ps, t.start_ps);
        s.end_ps = std::max(s.end_ps, t.end_ps);
      }
    }
    if (!complete) break;
    if (s.start_ps == sim::kForever) s.start_ps = s.end_ps;  // ranks with no ops
    std::map<std::string, sim::Time> exposed_sum;
    sim::Time compute_sum = 0;
    sim::Time exposed_total = 0;
    for (std::uint32_t r = 0; r < n; ++r) {
      const std::uint32_t per = static_cast<std::uint32_t>(p.ranks[r].size()) / p.iterations;
      compute.clear();
      comm.clear();
      for (auto& [kind, v] : by_group) v.clear();
      for (std::uint32_t i = it * per; i < (it + 1) * per; ++i) {
        const Op& op = p.ranks[r].ops[i];
        const OpTiming& t = run.timing(r, i);
        if (op.kind == OpKind::compute) {
          compute.emplace_back(t.start_ps, t.end_ps);
          continue;
        }
        comm.emplace_back(t.start_ps, t.end_ps);
        const std::string kind = op.communicator == kNoCommunicator
                                     ? std::string("p2p")
                                     : group_kind(p.communicators[op.communicator].name);
        by_group[kind].emplace_back(t.start_ps, t.end_ps);
      }
      merge(compute);
      merge(comm);
      compute_sum += length(compute);
      exposed_total += length_outside(comm, compute);
      for (auto& [kind, v] : by_group) {
        merge(v);
        exposed_sum[kind] += length_outside(v, compute);
      }
    }
    s.compute_ps = compute_sum / n;
    s.exposed_comm_ps = exposed_total / n;
    s.bubble_ps = s.duration_ps() - s.compute_ps - s.exposed_comm_ps;
    for (const auto& [kind, total] : exposed_sum) s.exposed_by_group_ps[kind] = total / n;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace spinel::workloads::graph
