#pragma once
// When each rank may enter a collective of a CollectiveRun. The run opens its
// k-th collective once every rank has finished the (k-1)-th (and, between
// iterations, the compute gap has passed); with a gate, each rank then
// enters at the later of that
// moment and the time the gate names: a training job's gradient bucket is
// ready only once the rank's backward pass has produced it, and a straggling
// rank enters late. The others start without it; what they send it waits
// at its end until it enters, as a receive buffer would.
#include <cstdint>

#include "sim/time.hpp"

namespace spinel::workloads {

class RankGate {
 public:
  virtual ~RankGate() = default;
  // Asked once per rank, in rank order, when the run's collective number
  // `index` (iteration * buckets + bucket) opens at `open_ps` (the current
  // time). A time at or before `open_ps` lets the rank in at once;
  // sim::kForever keeps it out (a hung rank).
  virtual sim::Time ready_at(std::uint32_t rank, std::uint32_t index, sim::Time open_ps) = 0;
};

}  // namespace spinel::workloads
