#pragma once
// A small fabric wired to the packet model (its router a flow model), for tests.
#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/flow_model.hpp"
#include "transport/packet_model.hpp"
#include "transport/packet_transport.hpp"

namespace spinel::testing {

struct PacketFabric {
  PacketFabric(const topology::FabricConfig& config,
               const transport::TransportConfig& transport_config, std::uint64_t seed = 1)
      : topology(topology::build_fabric(config)),
        routing(topology),
        router(sim, topology, routing, transport::router_config(transport_config), seed, recorder,
               false),
        engine(sim, topology, routing, transport_config.packet, seed),
        transport(sim, topology, router, engine, transport_config, recorder, false) {}

  topology::Topology topology;
  topology::Routing routing;
  sim::Simulator sim;
  sim::Recorder recorder;
  transport::FlowModel router;
  transport::PacketModel engine;
  transport::PacketTransport transport;
};

inline transport::TransportConfig packet_config(
    transport::PathPolicy policy = transport::PathPolicy::ecmp,
    transport::CongestionControl cc = transport::CongestionControl::none) {
  transport::TransportConfig c;
  c.model = transport::Model::packet;
  c.policy = policy;
  c.packet.cc = cc;
  return c;
}

// Connects `connection` through the packet transport and starts one flow of
// `bytes` on it, whose delivery `notify` hears of.
inline void start_flow(PacketFabric& f, const transport::ConnectionSpec& connection,
                       std::uint64_t bytes, sim::HandlerId notify) {
  transport::FlowSpec spec;
  spec.connection = f.transport.connect(connection);
  spec.size_bytes = bytes;
  spec.notify = notify;
  f.transport.start_flow(spec);
}

}  // namespace spinel::testing
