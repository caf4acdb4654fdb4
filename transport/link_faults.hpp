#pragma once
// Scheduled changes of link rates (down, degraded, back up), applied to the
// flow model at their times as simulator events.
#include <cstdint>
#include <vector>

#include "sim/simulator.hpp"
#include "topology/topology.hpp"
#include "transport/flow_model.hpp"

namespace spinel::transport {

class LinkFaults final : public sim::EventHandler {
 public:
  LinkFaults(sim::Simulator& sim, FlowModel& model)
      : sim_(sim), model_(model), self_(sim.add_handler(*this)) {}

  // At `at`, link `link` carries `gbps` from then on (0 = down).
  void add(sim::Time at, topology::LinkId link, double gbps) {
    add(at, std::vector<topology::LinkId>{link}, gbps);
  }
  // At `at`, all these links at once (a switch's, a NIC's).
  void add(sim::Time at, std::vector<topology::LinkId> links, double gbps) {
    changes_.push_back(Change{std::move(links), gbps});
    sim_.schedule_at(at, self_, 0, changes_.size() - 1);
  }

  void handle(const sim::Event& event) override {
    const Change& change = changes_[event.payload];
    model_.set_link_rates(change.links, change.gbps);
  }

 private:
  struct Change {
    std::vector<topology::LinkId> links;
    double gbps;
  };
  sim::Simulator& sim_;
  FlowModel& model_;
  sim::HandlerId self_;
  std::vector<Change> changes_;
};

}  // namespace spinel::transport
