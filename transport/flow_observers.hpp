#pragma once
// The flow model takes one observer; a run may want several (trace.json,
// timeseries.csv, a library user's own). This hands every report to each
// of them, in the order they were added.
#include <vector>

#include "transport/flow_observer.hpp"

namespace spinel::transport {

class FlowObservers final : public FlowObserver {
 public:
  void add(FlowObserver& observer) { observers_.push_back(&observer); }
  [[nodiscard]] bool empty() const { return observers_.empty(); }

  void link_load(sim::Time now, topology::LinkId link, double bytes_per_ps) override {
    for (FlowObserver* o : observers_) o->link_load(now, link, bytes_per_ps);
  }
  void flow_completed(sim::Time now, const FlowRecord& flow) override {
    for (FlowObserver* o : observers_) o->flow_completed(now, flow);
  }

 private:
  std::vector<FlowObserver*> observers_;
};

}  // namespace spinel::transport
