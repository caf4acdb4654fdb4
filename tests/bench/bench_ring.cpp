// Whole runs through the library API (api::run): one ring all-reduce of 1 GiB
// on a non-blocking leaf-spine (hosts_per_leaf == spines, 400 Gb/s, 500 ns
// links), ranks placed at random (seed 1), flow-level transport, no output
// folder. Each iteration builds the fabric, routing, simulator, flow model
// and collective from the scenario and runs to the end; the time covers all
// of it.
//
// Counters: flows and events per run, their rates (per wall second), and the
// collective's duration over its ideal (1.0 = never slowed below line rate),
// rate recomputations per run and flows re-rated per recomputation.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "api/run.hpp"

namespace {

namespace api = spinel::api;
namespace transport = spinel::transport;
namespace workloads = spinel::workloads;

struct RunStats {
  std::uint64_t flows = 0;
  std::uint64_t events = 0;
  std::uint64_t recomputations = 0;
  std::uint64_t rerated = 0;
  double slowdown = 0;  // duration / ideal
};

RunStats run_ring(std::uint32_t leaves, std::uint32_t hosts_per_leaf, std::uint32_t spines,
                  transport::PathPolicy policy) {
  api::Scenario s;
  s.name = "bench_ring";
  s.seed = 1;
  s.topology.leaves = leaves;
  s.topology.hosts_per_leaf = hosts_per_leaf;
  s.topology.spines = spines;
  s.transport.policy = policy;
  workloads::WorkloadConfig ring;
  ring.name = "job0";
  ring.collective = workloads::Collective::ring_allreduce;
  ring.size_bytes = 1ULL << 30;
  ring.placement = workloads::Placement::random;
  s.jobs.push_back(ring);
  const api::Results r = api::run(s);

  RunStats stats;
  stats.flows = r.flows.started;
  stats.events = r.events;
  stats.recomputations = r.flows.rate_recomputations;
  stats.rerated = r.flows.flows_rerated;
  const auto& done = r.jobs[0].collectives;
  if (r.jobs[0].finished && !done.empty() && done.front().ideal_ps > 0) {
    stats.slowdown = static_cast<double>(done.front().duration_ps()) /
                     static_cast<double>(done.front().ideal_ps);
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
