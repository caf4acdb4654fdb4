#include "workloads/compute_speed.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/error.hpp"

namespace spinel::workloads {

void ComputeSpeed::add_change(std::uint32_t rank, sim::Time at_ps, double factor) {
  if (rank >= changes_.size()) throw sim::InternalError("compute speed: no such rank");
  auto& list = changes_[rank];
  // Kept by time; a later fault at the same time overrides an earlier one.
  const auto at = std::upper_bound(list.begin(), list.end(), at_ps,
                                   [](sim::Time t, const SpeedChange& c) { return t < c.at_ps; });
  list.insert(at, SpeedChange{at_ps, factor});
}

void ComputeSpeed::slow_from(std::uint32_t rank, sim::Time at_ps, double factor) {
  if (!(factor >= 1.0)) throw sim::InternalError("compute speed: a slowdown factor below 1");
  add_change(rank, at_ps, factor);
}

void ComputeSpeed::hang_from(std::uint32_t rank, sim::Time at_ps) {
  add_change(rank, at_ps, std::numeric_limits<double>::infinity());
}

sim::Time ComputeSpeed::finish_ps(std::uint32_t rank, sim::Time start_ps, sim::Time work_ps) const {
  const auto& changes = changes_[rank];
  if (changes.empty()) return start_ps + work_ps;  // exact: no rounding for healthy ranks
  double factor = 1.0;
  std::size_t i = 0;
  for (; i < changes.size() && changes[i].at_ps <= start_ps; ++i) factor = changes[i].factor;
  // Walk the speed changes still to come, spending the work at each
  // interval's speed until it runs out.
  sim::Time t = start_ps;
  auto left = static_cast<double>(work_ps);  // healthy-compute picoseconds still to do
  for (; i < changes.size(); ++i) {
    if (!std::isinf(factor)) {
      const double can = static_cast<double>(changes[i].at_ps - t) / factor;
      if (left <= can) break;
      left -= can;
    }
    t = changes[i].at_ps;
    factor = changes[i].factor;
  }
  if (std::isinf(factor)) return sim::kForever;
  return t + static_cast<sim::Time>(std::llround(left * factor));
}

}  // namespace spinel::workloads
