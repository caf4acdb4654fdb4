#pragma once
// Scheduled changes of link rates (down, degraded, back up), applied to the
// flow model at their times as simulator events (and, at packet level, to
// the packet transport after its router, the flow model, has heard).
#include <cstdint>
#include <vector>

#include "sim/simulator.hpp"
#include "topology/topology.hpp"
#include "transport/flow_model.hpp"
#include "transport/packet_transport.hpp"

namespace spinel::transport {

class LinkFaults final : public sim::EventHandler {
 public:
  LinkFaults(sim::Simulator& sim, FlowModel& model)
      : sim_(sim), model_(model), self_(sim.add_handler(*this)) {}

  // Packet level: the packets follow the flow model's changes. Not owned.
  void set_packet_transport(PacketTransport* packet) { packet_ = packet; }

  // At `at`, link `link` carries `gbps` from then on (0 = down). At time 0,
  // at once: connections opened next see it.
  void add(sim::Time at, topology::LinkId link, double gbps) {
    if (at == 0 && sim_.now() == 0) {
      apply(link, gbps);
      return;
    }
    changes_.push_back(Change{link, gbps});
    sim_.schedule_at(at, self_, 0, changes_.size() - 1);
  }

  void handle(const sim::Event& event) override {
    const Change& change = changes_[event.payload];
    apply(change.link, change.gbps);
  }

 private:
  struct Change {
    topology::LinkId link;
    double gbps;
  };
  sim::Simulator& sim_;
  FlowModel& model_;
  sim::HandlerId self_;
  void apply(topology::LinkId link, double gbps) {
    model_.set_link_rate(link, gbps);
    if (packet_ != nullptr) packet_->set_link_rate(link, gbps);
  }
  PacketTransport* packet_ = nullptr;
  std::vector<Change> changes_;
};

}  // namespace spinel::transport
