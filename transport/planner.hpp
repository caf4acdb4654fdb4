#pragma once
// Central path planning for the `planned` and `split` policies: which of its
// equal-cost paths each connection (or subflow) of a group takes, so that the
// group's most loaded link is as lightly loaded as the planner can make it.
// Pure functions of their inputs (no randomness), so plans are deterministic.
#include <cstdint>
#include <span>
#include <vector>

#include "topology/routing.hpp"

namespace spinel::transport {

// One thing to place: `weight` bytes on one of the switch paths in `paths`.
struct PlanItem {
  double weight = 1;
  const topology::SwitchPaths* paths = nullptr;
  // In: the start assignment (PathPlanner::plan with `start_given`) or, for
  // fixed items, the path they keep. Out: the chosen path.
  std::uint32_t choice = 0;
  bool fixed = false;  // background load only: never moved
};

class PathPlanner {
 public:
  // `capacity` per physical link in bytes per ps; 0 marks a link that is down
  // (paths crossing it are never chosen). Read at each plan(), not copied.
  explicit PathPlanner(const std::vector<double>& capacity) : capacity_(capacity) {}

  // Chooses a path for every item that is not fixed, minimising the maximum
  // over links of (sum of weights crossing it) / capacity. Greedy, largest
  // weight first (ties by position), each to the path whose links end least
  // loaded; with `start_given`, the items' incoming choices are a competing
  // start and the better of the two is kept; then local search moves items
  // off the most loaded link while that lowers it without raising another
  // link to its level. The result's maximum is never above the start's.
  // Returns false (and leaves choices unspecified) if some free item has no
  // path without a down link.
  bool plan(std::span<PlanItem> items, bool start_given);

  // The maximum of load / capacity over links with the items' current choices.
  [[nodiscard]] double max_load(std::span<const PlanItem> items);

  // Number of local-search moves in the last plan() (for tests and tuning).
  [[nodiscard]] std::uint64_t moves() const { return moves_; }

 private:
  [[nodiscard]] bool usable(const topology::SwitchPaths& paths, std::uint32_t p) const;
  void add(const PlanItem& item, double sign);
  void clear();
  [[nodiscard]] double level(topology::LinkId l) const { return bytes_[l] / capacity_[l]; }
  void local_search(std::span<PlanItem> items);

  const std::vector<double>& capacity_;
  std::vector<double> bytes_;  // per link, sparse use: reset through touched_
  std::vector<topology::LinkId> touched_;
  std::vector<std::uint32_t> local_;  // link -> index in touched_ + 1, 0 = untouched
  std::uint64_t moves_ = 0;
};

// Decomposes a bipartite multigraph in which every vertex (left and right)
// has degree parts * m into `parts` m-regular spanning factors, by one
// max-flow per factor (Boost.Graph push-relabel). `mult` is left x right,
// row-major: the number of edges between left a and right b. Returns one
// left x right matrix per factor. Throws InternalError if the graph is not
// regular.
std::vector<std::vector<std::uint32_t>> regular_factors(std::uint32_t left, std::uint32_t right,
                                                        std::vector<std::uint32_t> mult,
                                                        std::uint32_t parts, std::uint32_t m);

}  // namespace spinel::transport
