#include "transport/planner.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/push_relabel_max_flow.hpp>
#include <numeric>
#include <string>

#include "sim/error.hpp"

namespace spinel::transport {

using topology::LinkId;

bool PathPlanner::usable(const topology::SwitchPaths& paths, std::uint32_t p) const {
  for (LinkId l : paths.path(p)) {
    if (capacity_[l] <= 0) return false;
  }
  return true;
}

void PathPlanner::add(const PlanItem& item, double sign) {
  for (LinkId l : item.paths->path(item.choice)) {
    if (local_[l] == 0) {
      touched_.push_back(l);
      local_[l] = static_cast<std::uint32_t>(touched_.size());
    }
    bytes_[l] += sign * item.weight;
  }
}

void PathPlanner::clear() {
  if (bytes_.size() != capacity_.size()) {
    bytes_.assign(capacity_.size(), 0.0);
    local_.assign(capacity_.size(), 0);
  }
  for (LinkId l : touched_) {
    bytes_[l] = 0;
    local_[l] = 0;
  }
  touched_.clear();
}

double PathPlanner::max_load(std::span<const PlanItem> items) {
  clear();
  for (const PlanItem& item : items) add(item, 1.0);
  double worst = 0;
  for (LinkId l : touched_) worst = std::max(worst, level(l));
  return worst;
}

bool PathPlanner::plan(std::span<PlanItem> items, bool start_given) {
  moves_ = 0;
  clear();
  std::vector<std::uint32_t> order;
  for (std::uint32_t i = 0; i < items.size(); ++i) {
    if (items[i].fixed) {
      add(items[i], 1.0);
    } else {
      order.push_back(i);
    }
  }
  // Heaviest first: they are the hardest to fit once links fill up.
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return items[a].weight > items[b].weight;
  });
  std::vector<std::uint32_t> start(items.size());
  for (std::uint32_t i = 0; i < items.size(); ++i) start[i] = items[i].choice;

  for (const std::uint32_t i : order) {
    PlanItem& item = items[i];
    const topology::SwitchPaths& paths = *item.paths;
    bool found = false;
    std::uint32_t best = 0;
    double best_cost = 0;
    double best_sum = 0;
    for (std::uint32_t p = 0; p < paths.count; ++p) {
      if (!usable(paths, p)) continue;
      double cost = 0;
      double sum = 0;
      for (LinkId l : paths.path(p)) {
        const double bytes = l < bytes_.size() ? bytes_[l] : 0.0;
        cost = std::max(cost, (bytes + item.weight) / capacity_[l]);
        sum += bytes / capacity_[l];
      }
      // The path whose worst link ends least loaded; among equals, the
      // emptiest path, so that later items still find room.
      if (!found || cost < best_cost || (cost == best_cost && sum < best_sum)) {
        found = true;
        best = p;
        best_cost = cost;
        best_sum = sum;
      }
    }
    if (!found) return false;
    item.choice = best;
    add(item, 1.0);
  }

  if (start_given) {
    double greedy_max = 0;
    for (LinkId l : touched_) greedy_max = std::max(greedy_max, level(l));
    std::vector<std::uint32_t> greedy(items.size());
    bool start_ok = true;
    for (std::uint32_t i = 0; i < items.size(); ++i) {
      greedy[i] = items[i].choice;
      if (!items[i].fixed) {
        items[i].choice = start[i];
        start_ok =
            start_ok && start[i] < items[i].paths->count && usable(*items[i].paths, start[i]);
      }
    }
    if (start_ok && max_load(items) < greedy_max) {
      // Keep the start; max_load left its loads in place.
    } else {
      for (std::uint32_t i = 0; i < items.size(); ++i) items[i].choice = greedy[i];
      (void)max_load(items);
    }
  }
  local_search(items);
  return true;
}

void PathPlanner::local_search(std::span<PlanItem> items) {
  // Free items crossing each touched link, by the link's local index.
  std::vector<std::vector<std::uint32_t>> on(touched_.size());
  std::uint32_t free_items = 0;
  for (std::uint32_t i = 0; i < items.size(); ++i) {
    if (items[i].fixed) continue;
    ++free_items;
    for (LinkId l : items[i].paths->path(items[i].choice)) on[local_[l] - 1].push_back(i);
  }
  const std::uint64_t cap = 8ULL * free_items + 1000;
  while (moves_ < cap) {
    LinkId worst = topology::kNoLink;
    double level_max = -1;
    for (LinkId l : touched_) {
      const double x = level(l);
      if (x > level_max || (x == level_max && l < worst)) {
        level_max = x;
        worst = l;
      }
    }
    if (worst == topology::kNoLink) return;
    // Moving an item off the worst link helps only if no link it lands on
    // reaches the worst link's level: then (maximum, links at the maximum)
    // falls lexicographically, so the search ends.
    std::uint32_t best_item = 0;
    std::uint32_t best_path = 0;
    double best_level = level_max;
    for (const std::uint32_t i : on[local_[worst] - 1]) {
      const PlanItem& item = items[i];
      const auto current = item.paths->path(item.choice);
      for (std::uint32_t p = 0; p < item.paths->count; ++p) {
        if (p == item.choice || !usable(*item.paths, p)) continue;
        double reached = 0;
        for (LinkId l : item.paths->path(p)) {
          if (std::find(current.begin(), current.end(), l) != current.end()) continue;
          reached = std::max(reached, (bytes_[l] + item.weight) / capacity_[l]);
        }
        if (reached < best_level) {
          best_level = reached;
          best_item = i;
          best_path = p;
        }
      }
    }
    if (best_level >= level_max) return;
    PlanItem& item = items[best_item];
    for (LinkId l : item.paths->path(item.choice)) {
      auto& list = on[local_[l] - 1];
      list.erase(std::find(list.begin(), list.end(), best_item));
    }
    add(item, -1.0);
    item.choice = best_path;
    add(item, 1.0);
    if (on.size() < touched_.size()) on.resize(touched_.size());
    for (LinkId l : item.paths->path(item.choice)) on[local_[l] - 1].push_back(best_item);
    ++moves_;
  }
}

std::vector<std::vector<std::uint32_t>> regular_factors(std::uint32_t left, std::uint32_t right,
                                                        std::vector<std::uint32_t> mult,
                                                        std::uint32_t parts, std::uint32_t m) {
  using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
  using Graph = boost::adjacency_list<
      boost::vecS, boost::vecS, boost::directedS, boost::no_property,
      boost::property<
          boost::edge_capacity_t, long,
          boost::property<boost::edge_residual_capacity_t, long,
                          boost::property<boost::edge_reverse_t, Traits::edge_descriptor>>>>;
  using Edge = Traits::edge_descriptor;
  for (std::uint32_t a = 0; a < left; ++a) {
    const auto row = mult.begin() + static_cast<std::ptrdiff_t>(a) * right;
    if (std::accumulate(row, row + right, std::uint64_t{0}) != std::uint64_t{parts} * m) {
      throw sim::InternalError("regular_factors: left vertex " + std::to_string(a) +
                               " has the wrong degree");
    }
  }
  std::vector<std::vector<std::uint32_t>> factors;
  for (std::uint32_t j = 0; j < parts; ++j) {
    // Source 0, left 1..left, right left+1..left+right, sink last. Every
    // vertex may take m: a maximum flow of m x left is an m-factor, and one
    // exists because the rest of the graph is (parts - j) x m regular.
    const std::uint32_t sink = left + right + 1;
    Graph g(sink + 1);
    auto capacity = boost::get(boost::edge_capacity, g);
    auto residual = boost::get(boost::edge_residual_capacity, g);
    auto reverse = boost::get(boost::edge_reverse, g);
    const auto add_edge = [&](std::uint32_t u, std::uint32_t v, long cap) {
      const Edge e = boost::add_edge(u, v, g).first;
      const Edge back = boost::add_edge(v, u, g).first;
      capacity[e] = cap;
      capacity[back] = 0;
      reverse[e] = back;
      reverse[back] = e;
      return e;
    };
    for (std::uint32_t a = 0; a < left; ++a) add_edge(0, 1 + a, m);
    for (std::uint32_t b = 0; b < right; ++b) add_edge(1 + left + b, sink, m);
    std::vector<std::pair<std::size_t, Edge>> middle;
    for (std::uint32_t a = 0; a < left; ++a) {
      for (std::uint32_t b = 0; b < right; ++b) {
        const std::size_t k = static_cast<std::size_t>(a) * right + b;
        if (mult[k] > 0) middle.emplace_back(k, add_edge(1 + a, 1 + left + b, mult[k]));
      }
    }
    const long flow = boost::push_relabel_max_flow(g, 0, sink);
    if (flow != static_cast<long>(m) * left) {
      throw sim::InternalError("regular_factors: the multigraph is not regular");
    }
    std::vector<std::uint32_t> factor(mult.size(), 0);
    for (const auto& [k, e] : middle) {
      const auto used = static_cast<std::uint32_t>(capacity[e] - residual[e]);
      factor[k] = used;
      mult[k] -= used;
    }
    factors.push_back(std::move(factor));
  }
  return factors;
}

}  // namespace spinel::transport
