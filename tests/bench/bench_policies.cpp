// One all-to-all step per path policy: planning its connection group, then
// running every flow to the end. 16 leaves x 16 hosts, 16 spines, 400 Gb/s:
// the evaluation fabric of the packet-spraying paper.
#include <benchmark/benchmark.h>

#include <chrono>

#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "transport/transport.hpp"

namespace spinel {
namespace {

struct Sink final : sim::EventHandler {
  void handle(const sim::Event&) override { ++delivered; }
  std::uint64_t delivered = 0;
};

void BM_AllToAll(benchmark::State& state, transport::PathPolicy policy, std::uint32_t k) {
  const auto leaves = static_cast<std::uint32_t>(state.range(0));
  const auto hosts_per_leaf = static_cast<std::uint32_t>(state.range(1));
  const std::uint64_t bytes = 1 << 20;
  double plan_seconds = 0;
  double end_us = 0;
  double congestion_us = 0;
  std::uint64_t flows = 0;
  for (auto _ : state) {
    topology::FabricConfig c;
    c.leaves = leaves;
    c.hosts_per_leaf = hosts_per_leaf;
    c.spines = hosts_per_leaf;
    const topology::Topology topo = topology::build_leaf_spine(c);
    topology::Routing routing(topo);
    sim::Simulator simulator;
    sim::Recorder recorder;
    transport::TransportConfig config;
    config.policy = policy;
    config.mprdma_subflows = k;
    transport::FlowModel model(simulator, topo, routing, config, 1, recorder, false);
    Sink sink;
    const sim::HandlerId notify = simulator.add_handler(sink);
    std::vector<transport::ConnectionSpec> specs;
    const std::uint32_t hosts = leaves * hosts_per_leaf;
    for (topology::HostId a = 0; a < hosts; ++a) {
      for (topology::HostId b = 0; b < hosts; ++b) {
        if (a != b) specs.push_back(transport::ConnectionSpec{a, b, 1000, 4791, bytes});
      }
    }
    const auto start = std::chrono::steady_clock::now();
    const std::vector<transport::ConnectionId> ids = model.connect_group(specs);
    plan_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<transport::Load> loads;
    for (const transport::ConnectionId id : ids) {
      loads.push_back(transport::Load{id, bytes});
      transport::FlowSpec spec;
      spec.connection = id;
      spec.size_bytes = bytes;
      spec.notify = notify;
      (void)model.start_flow(spec);
    }
    congestion_us = static_cast<double>(model.max_congestion_ps(loads)) / 1e6;
    simulator.run();
    end_us = static_cast<double>(simulator.now()) / 1e6;
    flows = model.totals().completed;
    if (sink.delivered != ids.size()) state.SkipWithError("not every flow was delivered");
  }
  state.counters["plan_s"] = plan_seconds;
  state.counters["max_congestion_us"] = congestion_us;
  state.counters["end_us"] = end_us;
  state.counters["subflows"] = static_cast<double>(flows);
}

}  // namespace

#define SPINEL_ALL_TO_ALL(name, policy, k)           \
  BENCHMARK_CAPTURE(BM_AllToAll, name, policy, k)    \
      ->ArgNames({"leaves", "hosts_per_leaf"})       \
      ->Args({16, 16}) /* 256 hosts, 65,280 flows */ \
      ->Unit(benchmark::kMillisecond)                \
      ->Iterations(1)                                \
      ->UseRealTime()

SPINEL_ALL_TO_ALL(ecmp, transport::PathPolicy::ecmp, 4);
SPINEL_ALL_TO_ALL(spray, transport::PathPolicy::spray, 4);
SPINEL_ALL_TO_ALL(mprdma4, transport::PathPolicy::mprdma, 4);
SPINEL_ALL_TO_ALL(split, transport::PathPolicy::split, 4);
SPINEL_ALL_TO_ALL(planned, transport::PathPolicy::planned, 4);

}  // namespace spinel
