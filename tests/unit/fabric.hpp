#pragma once
// A small fabric wired to a flow model, for tests.
#include <memory>

#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/transport.hpp"

namespace spinel::testing {

struct Fabric {
  explicit Fabric(const topology::FabricConfig& config,
                  transport::PathPolicy policy = transport::PathPolicy::ecmp,
                  std::uint64_t seed = 1)
      : Fabric(config, transport::TransportConfig{transport::Model::flow, policy, 4, 0, {}}, seed) {
  }
  Fabric(const topology::FabricConfig& config, const transport::TransportConfig& transport_config,
         std::uint64_t seed = 1)
      : topology(topology::build_fabric(config)),
        routing(topology),
        model(sim, topology, routing, transport_config, seed, recorder, false),
        transport(model) {}

  topology::Topology topology;
  topology::Routing routing;
  sim::Simulator sim;
  sim::Recorder recorder;
  transport::FlowModel model;
  transport::FlowTransport transport;
};

inline topology::FabricConfig leaf_spine(std::uint32_t leaves, std::uint32_t hosts_per_leaf,
                                         std::uint32_t spines, double host_gbps = 400,
                                         double spine_gbps = 400) {
  topology::FabricConfig c;
  c.leaves = leaves;
  c.hosts_per_leaf = hosts_per_leaf;
  c.spines = spines;
  c.host_link.rate_gbps = host_gbps;
  c.spine_link.rate_gbps = spine_gbps;
  return c;
}

// A 3-tier Clos: `pods` pods of `leaves_per_pod` leaves and `aggs` aggs, `cores`
// cores in `groups` groups.
inline topology::FabricConfig clos3(std::uint32_t pods, std::uint32_t leaves_per_pod,
                                    std::uint32_t aggs, std::uint32_t hosts_per_leaf,
                                    std::uint32_t cores, std::uint32_t groups) {
  topology::FabricConfig c;
  c.kind = topology::FabricKind::clos3;
  c.pods = pods;
  c.leaves = pods * leaves_per_pod;
  c.aggs_per_pod = aggs;
  c.hosts_per_leaf = hosts_per_leaf;
  c.cores = cores;
  c.core_groups = groups;
  return c;
}

// A transport configuration with this policy (and K subflows for mprdma).
inline transport::TransportConfig policy(transport::PathPolicy p, std::uint32_t k = 4) {
  transport::TransportConfig c;
  c.policy = p;
  c.mprdma_subflows = k;
  return c;
}

// Receives delivery events and remembers when each arrived (by payload).
struct DeliveryLog final : sim::EventHandler {
  explicit DeliveryLog(sim::Simulator& s) : sim(s), self(s.add_handler(*this)) {}
  void handle(const sim::Event& e) override { delivered.emplace_back(e.payload, sim.now()); }
  sim::Simulator& sim;
  sim::HandlerId self;
  std::vector<std::pair<std::uint64_t, sim::Time>> delivered;
};

}  // namespace spinel::testing
