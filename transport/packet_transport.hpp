#pragma once
// The packet-level model behind the Transport interface, so that every
// collective runs on it unchanged. Routes come from a FlowModel used only as
// the router (no flow is ever started on it): connections get exactly the
// paths they get at flow level under ecmp, mprdma:K, split and planned, one
// queue pair per subflow; under spray, reps and adaptive each connection is
// one queue pair that picks a path per packet (the router spreads those as
// spray). Link faults reach both: the router re-routes connections when
// routing converges, and their queue pairs follow. A workload's flow is split over its connection's
// queue pairs as the flow model splits it, and its owner hears once, when
// the last part is delivered.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "transport/flow_model.hpp"
#include "transport/packet_model.hpp"
#include "transport/transport.hpp"

namespace spinel::transport {

// The configuration of the flow model that routes for the packet level:
// per-packet policies are spread there as spray.
inline TransportConfig router_config(TransportConfig config) {
  if (per_packet(config.policy)) config.policy = PathPolicy::spray;
  return config;
}

class PacketTransport final : public Transport, public sim::EventHandler {
 public:
  // `router` resolves routes by the path policy in `config`; `engine` moves
  // the packets. Neither is owned.
  PacketTransport(sim::Simulator& sim, const topology::Topology& topology, FlowModel& router,
                  PacketModel& engine, const TransportConfig& config, sim::Recorder& recorder,
                  bool record_flows);

  ConnectionId connect(const ConnectionSpec& spec) override;
  std::vector<ConnectionId> connect_group(std::span<const ConnectionSpec> specs) override;
  FlowId start_flow(const FlowSpec& spec) override;
  [[nodiscard]] sim::Time max_congestion_ps(std::span<const Load> loads) const override {
    return router_.max_congestion_ps(loads);
  }
  [[nodiscard]] std::uint32_t queue_pairs(ConnectionId connection) const override {
    return router_.queue_pairs(connection);
  }

  void handle(const sim::Event& event) override;

  // A link fault, after the router has heard of it (LinkFaults): the
  // engine's port changes now; routing converges around a dead link after
  // TransportConfig::convergence_ps, and then queue pairs on it take the
  // router's new routes and per-packet choices avoid it.
  void set_link_rate(topology::LinkId link, double gbps);

  // The flow-level counters that summary.json reports, as this model counts them.
  [[nodiscard]] const FlowTotals& totals() const { return totals_; }

 private:
  struct Connection {
    ConnectionSpec spec;
    std::uint32_t first_qp = 0;
    std::uint32_t qps = 0;  // 0: both ends on one host, nothing crosses the fabric
  };
  struct Transfer {
    FlowSpec spec;
    std::uint64_t serial = 0;
    sim::Time start = 0;
    std::uint32_t parts_left = 0;
  };
  struct Part {
    std::uint32_t transfer = 0;
    std::uint32_t subflow = 0;
    std::uint64_t size_bytes = 0;
  };
  void open(ConnectionId id, const ConnectionSpec& spec);
  void converge(topology::LinkId link);
  // A subflow's route as physical links, and as flows.csv names it.
  std::vector<topology::LinkId> route_links(const Subflow& subflow) const;
  std::string path_name(std::span<const topology::LinkId> links) const;
  void part_done(std::uint32_t transfer, std::uint32_t subflow, std::uint64_t size_bytes);
  void record_part(const Transfer& t, std::uint32_t subflow, std::uint64_t size_bytes);

  sim::Simulator& sim_;
  const topology::Topology& topology_;
  FlowModel& router_;
  PacketModel& engine_;
  TransportConfig config_;
  sim::HandlerId self_;
  sim::CsvTable* flows_csv_ = nullptr;
  std::vector<Connection> connections_;  // by the router's ConnectionId
  std::vector<QpId> qps_;
  std::vector<std::string> qp_paths_;  // flows.csv's path, per queue pair
  std::vector<Transfer> transfers_;
  std::vector<std::uint32_t> free_transfers_;
  std::vector<Part> parts_;
  std::vector<std::uint32_t> free_parts_;
  std::uint64_t next_serial_ = 0;
  FlowTotals totals_;
  static constexpr std::uint32_t kPart = 0;      // payload: a part, delivered
  static constexpr std::uint32_t kLocal = 1;     // payload: a transfer that crosses nothing
  static constexpr std::uint32_t kConverge = 2;  // payload: a link routing has moved off
};

}  // namespace spinel::transport
