#pragma once
// An optional listener on collectives' steps, for traces. Collectives call it
// only when one is set. Implementations live in tools/.
#include <cstdint>

#include "sim/time.hpp"
#include "topology/topology.hpp"

namespace spinel::workloads {

// One rank's step of one collective: from when the rank entered the step (and
// started its send) to when it left it (its send and its receive delivered).
struct StepRecord {
  std::uint32_t collective = 0;
  std::uint32_t rank = 0;
  topology::HostId host = 0;
  std::uint32_t step = 0;
  std::uint32_t steps = 0;  // in the whole collective
  sim::Time start_ps = 0;
  sim::Time end_ps = 0;
};

class StepObserver {
 public:
  virtual ~StepObserver() = default;
  virtual void step_finished(const StepRecord& step) = 0;
};

}  // namespace spinel::workloads
