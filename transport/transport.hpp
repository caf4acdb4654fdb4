#pragma once
// What workloads see of a transport: start a flow, hear when it is delivered.
// The flow-level model implements it today; the packet level will too.
#include "transport/flow_model.hpp"

namespace spinel::transport {

class Transport {
 public:
  virtual ~Transport() = default;
  virtual ConnectionId connect(const ConnectionSpec& spec) = 0;
  virtual FlowId start_flow(const FlowSpec& spec) = 0;
};

// Adapts the flow-level model.
class FlowTransport final : public Transport {
 public:
  explicit FlowTransport(FlowModel& model) : model_(model) {}
  ConnectionId connect(const ConnectionSpec& spec) override { return model_.connect(spec); }
  FlowId start_flow(const FlowSpec& spec) override { return model_.start_flow(spec); }

 private:
  FlowModel& model_;
};

}  // namespace spinel::transport
