#pragma once
// An optional listener on collectives' steps, for traces. Collectives call it
// only when one is set. Implementations live above workloads (api/trace.hpp,
// a library user's own).
#include <cstdint>
#include <vector>

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

// A collective takes one observer; a run may want several. This hands every
// step to each of them, in the order they were added.
class StepObservers final : public StepObserver {
 public:
  void add(StepObserver& observer) { observers_.push_back(&observer); }
  [[nodiscard]] bool empty() const { return observers_.empty(); }
  void step_finished(const StepRecord& step) override {
    for (StepObserver* o : observers_) o->step_finished(step);
  }

 private:
  std::vector<StepObserver*> observers_;
};

}  // namespace spinel::workloads
