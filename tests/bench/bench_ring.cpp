// Whole runs: one ring all-reduce of 1 GiB on a non-blocking leaf-spine
// (hosts_per_leaf == spines, 400 Gb/s, 500 ns links), ranks placed at random
// (seed 1), flow-level transport, nothing recorded. Each iteration builds the
// fabric, routing, simulator, flow model and collective, as tools/spinel/run.cpp
// does, and runs to the end; the time covers all of it.
//
// Counters: flows and events per run, their rates (per wall second), and the
// collective's duration over its ideal (1.0 = never slowed below line rate),
// rate recomputations per run and flows re-rated per recomputation.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/transport.hpp"
#include "workloads/collective.hpp"
#include "workloads/collectives.hpp"
#include "workloads/config.hpp"
#include "workloads/placement.hpp"

namespace {

namespace sim = spinel::sim;
namespace topology = spinel::topology;
namespace transport = spinel::transport;
namespace workloads = spinel::workloads;

constexpr std::uint64_t kSeed = 1;
constexpr std::uint64_t kSize = 1ULL << 30;

struct RunStats {
  std::uint64_t flows = 0;
  std::uint64_t events = 0;
  std::uint64_t recomputations = 0;
  std::uint64_t rerated = 0;
  double slowdown = 0;  // duration / ideal
};

RunStats run_ring(std::uint32_t leaves, std::uint32_t hosts_per_leaf, std::uint32_t spines,
                  transport::PathPolicy policy) {
  topology::FabricConfig fabric;
  fabric.leaves = leaves;
  fabric.hosts_per_leaf = hosts_per_leaf;
  fabric.spines = spines;
  transport::TransportConfig transport_config;
  transport_config.policy = policy;
  workloads::WorkloadConfig workload;
  workload.size_bytes = kSize;
  workload.placement = workloads::Placement::random;

  sim::Recorder recorder;  // disabled: writes nothing
  const topology::Topology topo = topology::build_leaf_spine(fabric);
  topology::Routing routing(topo);
  sim::Simulator simulator;
  transport::FlowModel model(simulator, topo, routing, transport_config, kSeed, recorder, false);
  transport::FlowTransport transport(model);
  const std::vector<topology::HostId> ranks =
      workloads::place_ranks(workload, topo.host_count(), kSeed);
  auto schedule = workloads::make_schedule(workloads::Collective::ring_allreduce,
                                           static_cast<std::uint32_t>(ranks.size()), kSize);
  workloads::CollectiveOptions options;
  options.size_bytes = kSize;
  options.ideal_ps = workloads::ideal_ps(
      workloads::Collective::ring_allreduce, static_cast<std::uint32_t>(ranks.size()), kSize,
      fabric.host_link.rate_gbps, workloads::max_pair_latency_ps(*schedule, ranks, routing));
  workloads::CollectiveRun ring(simulator, transport, ranks, std::move(schedule), options);
  ring.start(0);
  simulator.run();
  model.finish();

  RunStats stats;
  stats.flows = model.totals().started;
  stats.events = simulator.events_dispatched();
  stats.recomputations = model.totals().rate_recomputations;
  stats.rerated = model.totals().flows_rerated;
  if (ring.finished() && options.ideal_ps > 0) {
    stats.slowdown = static_cast<double>(ring.results().front().duration_ps()) /
                     static_cast<double>(options.ideal_ps);
  }
  return stats;
}

void BM_Ring(benchmark::State& state, transport::PathPolicy policy) {
  const auto leaves = static_cast<std::uint32_t>(state.range(0));
  const auto hosts_per_leaf = static_cast<std::uint32_t>(state.range(1));
  RunStats last;
  double flows = 0;
  double events = 0;
  for (auto _ : state) {
    last = run_ring(leaves, hosts_per_leaf, hosts_per_leaf, policy);
    flows += static_cast<double>(last.flows);
    events += static_cast<double>(last.events);
  }
  if (last.slowdown == 0) state.SkipWithError("the collective did not finish");
  state.counters["hosts"] = leaves * hosts_per_leaf;
  state.counters["flows"] = static_cast<double>(last.flows);
  state.counters["events"] = static_cast<double>(last.events);
  state.counters["flows_per_s"] = benchmark::Counter(flows, benchmark::Counter::kIsRate);
  state.counters["events_per_s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["vs_ideal"] = last.slowdown;
  state.counters["recomputes"] = static_cast<double>(last.recomputations);
  state.counters["component_flows"] =
      last.recomputations > 0
          ? static_cast<double>(last.rerated) / static_cast<double>(last.recomputations)
          : 0.0;
}

}  // namespace

// hosts = leaves x hosts_per_leaf, with spines = hosts_per_leaf (non-blocking).
BENCHMARK_CAPTURE(BM_Ring, ecmp, transport::PathPolicy::ecmp)
    ->ArgNames({"leaves", "hosts_per_leaf"})
    ->Args({8, 16})  // 128 hosts
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Ring, ecmp, transport::PathPolicy::ecmp)
    ->ArgNames({"leaves", "hosts_per_leaf"})
    ->Args({32, 32})   // 1,024 hosts
    ->Args({128, 64})  // 8,192 hosts: about a minute
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Ring, spray, transport::PathPolicy::spray)
    ->ArgNames({"leaves", "hosts_per_leaf"})
    ->Args({32, 32})  // 1,024 hosts
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

BENCHMARK_MAIN();
