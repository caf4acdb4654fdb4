#pragma once
// How fast each rank's GPU computes over time: host faults make a rank
// `factor` times slower from some moment on (a straggler), or hang it (it
// never finishes its compute again). Shared by the collective jobs' compute
// model and the workload graph's executor.
#include <cstdint>
#include <vector>

#include "sim/time.hpp"

namespace spinel::workloads {

class ComputeSpeed {
 public:
  explicit ComputeSpeed(std::uint32_t ranks) : changes_(ranks) {}

  void slow_from(std::uint32_t rank, sim::Time at_ps, double factor);
  void hang_from(std::uint32_t rank, sim::Time at_ps);
  // When `rank` has done `work_ps` of healthy compute, starting at `start_ps`
  // (sim::kForever if it hangs first); a change part-way through stretches
  // the work still to do.
  [[nodiscard]] sim::Time finish_ps(std::uint32_t rank, sim::Time start_ps,
                                    sim::Time work_ps) const;

 private:
  void add_change(std::uint32_t rank, sim::Time at_ps, double factor);
  // From at_ps on, compute takes `factor` times as long (infinity: hung).
  struct SpeedChange {
    sim::Time at_ps;
    double factor;
  };
  std::vector<std::vector<SpeedChange>> changes_;  // per rank, by time; mostly empty
};

}  // namespace spinel::workloads
