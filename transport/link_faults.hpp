#pragma once
// Scheduled changes of link rates (down, degraded, back up), applied to the
// flow model at their times as simulator events (and, at packet level, to
// the packet transport after its router, the flow model, has heard).
#include <cstdint>
#include <span>
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

  // At `at`, link `link` carries `gbps` from then on (0 = down).
  void add(sim::Time at, topology::LinkId link, double gbps) {
    add(at, std::vector<topology::LinkId>{link}, gbps);
  }
  // At `at`, all these links at once (a switch's, a NIC's).
  void add(sim::Time at, std::vector<topology::LinkId> links, double gbps) {
    changes_.push_back(Change{std::move(links), gbps});
    sim_.schedule_at(at, self_, 0, changes_.size() - 1);
  }

  // Now: the flow model (the router, at packet level) hears of all the
  // links first, then the packets (time 0, before connections open).
  void apply(std::span<const topology::LinkId> links, double gbps) {
    model_.set_link_rates(links, gbps);
    if (packet_ == nullptr) return;
    for (const topology::LinkId l : links) packet_->set_link_rate(l, gbps);
  }

  void handle(const sim::Event& event) override {
    const Change& change = changes_[event.payload];
    apply(change.links, change.gbps);
  }

 private:
  struct Change {
    std::vector<topology::LinkId> links;
    double gbps;
  };
  sim::Simulator& sim_;
  FlowModel& model_;
  sim::HandlerId self_;
  PacketTransport* packet_ = nullptr;
  std::vector<Change> changes_;
};

}  // namespace spinel::transport
