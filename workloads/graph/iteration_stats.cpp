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

// The intersection of two merged lists, merged.
std::vector<Interval> intersect(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  std::vector<Interval> out;
  std::size_t j = 0;
  for (const auto& [s, e] : a) {
    while (j < b.size() && b[j].second <= s) ++j;
    for (std::size_t k = j; k < b.size() && b[k].first < e; ++k) {
      const sim::Time from = std::max(s, b[k].first);
      const sim::Time to = std::min(e, b[k].second);
      if (from < to) out.emplace_back(from, to);
    }
  }
  return out;
}

// How much of a merged list lies in [from, to).
sim::Time length_in(const std::vector<Interval>& v, sim::Time from, sim::Time to) {
  sim::Time t = 0;
  for (const auto& [s, e] : v) {
    if (e <= from) continue;
    if (s >= to) break;
    t += std::min(e, to) - std::max(s, from);
  }
  return t;
}

// One rank's time, as merged lists: its GPU busy, communication it waits
// on in flight (all, and per group kind), and those overlapping compute.
struct RankTime {
  std::vector<Interval> compute;
  std::vector<Interval> comm;
  std::vector<Interval> comm_hidden;
  std::map<std::string, std::vector<Interval>> group;
  std::map<std::string, std::vector<Interval>> group_hidden;
};

RankTime rank_time(const GraphRun& run, std::uint32_t r) {
  const Program& p = run.program();
  RankTime t;
  for (std::uint32_t i = 0; i < p.ranks[r].size(); ++i) {
    const Op& op = p.ranks[r].ops[i];
    const OpTiming& timing = run.timing(r, i);
    if (timing.end_ps == sim::kForever) continue;
    if (op.kind == OpKind::compute) {
      t.compute.emplace_back(timing.start_ps, timing.end_ps);
      continue;
    }
    // A receive waits on the network only once its send has started.
    const sim::Time from = std::min(run.busy_from_ps(r, i), timing.end_ps);
    t.comm.emplace_back(from, timing.end_ps);
    const std::string kind = op.communicator == kNoCommunicator
                                 ? std::string("p2p")
                                 : group_kind(p.communicators[op.communicator].name);
    t.group[kind].emplace_back(from, timing.end_ps);
  }
  merge(t.compute);
  merge(t.comm);
  t.comm_hidden = intersect(t.comm, t.compute);
  for (auto& [kind, v] : t.group) {
    merge(v);
    t.group_hidden[kind] = intersect(v, t.compute);
  }
  return t;
}

}  // namespace

std::vector<IterationStats> iteration_stats(const GraphRun& run) {
  const Program& p = run.program();
  const std::uint32_t n = p.rank_count();
  std::vector<IterationStats> out;
  if (n == 0) return out;
  // Each finished iteration's window: from the previous one's end (the
  // job's first op for the first) to its own last op.
  sim::Time previous_end = run.start_ps();
  for (std::uint32_t it = 0; it < p.iterations; ++it) {
    IterationStats s;
    s.iteration = it;
    s.start_ps = previous_end;
    s.end_ps = previous_end;
    bool complete = true;
    for (std::uint32_t r = 0; r < n && complete; ++r) {
      const auto per = static_cast<std::uint32_t>(p.ranks[r].size()) / p.iterations;
      for (std::uint32_t i = it * per; i < (it + 1) * per; ++i) {
        const OpTiming& t = run.timing(r, i);
        if (t.end_ps == sim::kForever) {
          complete = false;
          break;
        }
        s.end_ps = std::max(s.end_ps, t.end_ps);
      }
    }
    if (!complete) break;
    previous_end = s.end_ps;
    out.push_back(std::move(s));
  }
  if (out.empty()) return out;
  std::vector<sim::Time> compute(out.size(), 0);
  std::vector<sim::Time> exposed(out.size(), 0);
  std::vector<std::map<std::string, sim::Time>> by_group(out.size());
  for (std::uint32_t r = 0; r < n; ++r) {
    const RankTime t = rank_time(run, r);
    for (std::size_t k = 0; k < out.size(); ++k) {
      const sim::Time a = out[k].start_ps;
      const sim::Time b = out[k].end_ps;
      compute[k] += length_in(t.compute, a, b);
      exposed[k] += length_in(t.comm, a, b) - length_in(t.comm_hidden, a, b);
      for (const auto& [kind, v] : t.group) {
        by_group[k][kind] += length_in(v, a, b) - length_in(t.group_hidden.at(kind), a, b);
      }
    }
  }
  for (std::size_t k = 0; k < out.size(); ++k) {
    IterationStats& s = out[k];
    s.compute_ps = compute[k] / n;
    s.exposed_comm_ps = exposed[k] / n;
    s.bubble_ps = s.duration_ps() - s.compute_ps - s.exposed_comm_ps;
    for (const auto& [kind, total] : by_group[k]) s.exposed_by_group_ps[kind] = total / n;
  }
  return out;
}

}  // namespace spinel::workloads::graph
