#pragma once
// What workloads see of a transport: open connections, start flows on them,
// hear when a flow is delivered, and ask what a step of traffic would load.
// The flow-level model implements it (FlowTransport, below), and so does the
// packet level (PacketTransport, transport/packet_transport.hpp).
#include <cstdint>
#include <span>
#include <vector>

#include "transport/flow_model.hpp"

namespace spinel::transport {

class Transport {
 public:
  virtual ~Transport() = default;
  virtual ConnectionId connect(const ConnectionSpec& spec) = 0;
  // Opens connections that a collective uses together (one phase of its
  // schedule). Policies that plan (split, planned) route the group jointly;
  // the others route each connection as connect() would. Returns the ids in
  // the order of `specs`.
  virtual std::vector<ConnectionId> connect_group(std::span<const ConnectionSpec> specs) = 0;
  virtual FlowId start_flow(const FlowSpec& spec) = 0;
  // The step's maximum congestion: the largest, over links, of the bytes
  // these loads put on the link divided by its capacity (the time it needs
  // to carry them), by the connections' routes.
  [[nodiscard]] virtual sim::Time max_congestion_ps(std::span<const Load> loads) const = 0;
  // Queue pairs (subflows) a connection uses: 1 unless its policy splits flows.
  [[nodiscard]] virtual std::uint32_t queue_pairs(ConnectionId connection) const = 0;
};

// Adapts the flow-level model.
class FlowTransport final : public Transport {
 public:
  explicit FlowTransport(FlowModel& model) : model_(model) {}
  ConnectionId connect(const ConnectionSpec& spec) override { return model_.connect(spec); }
  std::vector<ConnectionId> connect_group(std::span<const ConnectionSpec> specs) override {
    return model_.connect_group(specs);
  }
  FlowId start_flow(const FlowSpec& spec) override { return model_.start_flow(spec); }
  [[nodiscard]] sim::Time max_congestion_ps(std::span<const Load> loads) const override {
    return model_.max_congestion_ps(loads);
  }
  [[nodiscard]] std::uint32_t queue_pairs(ConnectionId connection) const override {
    return model_.queue_pairs(connection);
  }

 private:
  FlowModel& model_;
};

}  // namespace spinel::transport
