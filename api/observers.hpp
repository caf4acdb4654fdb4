#pragma once
// The flow model takes one observer; a run may want several (trace.json and
// timeseries.csv). This hands every report to each of them, in order.
#include <vector>

#include "transport/flow_observer.hpp"

namespace spinel::tools {

class FlowObservers final : public transport::FlowObserver {
 public:
  void add(transport::FlowObserver& observer) { observers_.push_back(&observer); }
  [[nodiscard]] bool empty() const { return observers_.empty(); }

  void link_load(sim::Time now, topology::LinkId link, double bytes_per_ps) override {
    for (transport::FlowObserver* o : observers_) o->link_load(now, link, bytes_per_ps);
  }
  void flow_completed(sim::Time now, const transport::FlowRecord& flow) override {
    for (transport::FlowObserver* o : observers_) o->flow_completed(now, flow);
  }

 private:
  std::vector<transport::FlowObserver*> observers_;
};

}  // namespace spinel::tools
