// Building big fabrics. The 32,768-GPU case is 4,096 servers of 8 GPUs,
// rail-optimised, on a non-blocking 3-tier Clos of 400 Gb/s links: 16 pods
// of 64 leaves (8 rails x 8 leaves of 32 NICs) and 32 aggs, each agg
// reaching the 64 cores of its group (2,048 cores in 32 groups). A build is
// the topology (Boost.Graph) and its routing tables, as api::run makes them
// before a run starts; "routes" adds resolving the ECMP routes of every
// connection of a hierarchical all-reduce across the servers (per rail, a
// ring over the 4,096 servers: 32,768 connections), which routing computes
// on first use and caches.
//
// Counters: hosts, directed links, switch paths cached, and the process's
// peak resident memory (MiB; getrusage, so the highest of everything run
// before in the same process: run this benchmark alone for its own figure).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdint>

#include "api/run.hpp"
#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "topology/servers.hpp"
#include "topology/topology.hpp"
#include "transport/flow_model.hpp"

namespace {

namespace sim = spinel::sim;
namespace topology = spinel::topology;
namespace transport = spinel::transport;
namespace api = spinel::api;
namespace workloads = spinel::workloads;

topology::FabricConfig clos3_32k() {
  topology::FabricConfig c;
  c.kind = topology::FabricKind::clos3;
  c.pods = 16;
  c.leaves = 16 * 64;
  c.aggs_per_pod = 32;
  c.hosts_per_leaf = 32;
  c.cores = 2048;
  c.core_groups = 32;
  c.nics_per_host = 8;
  c.rail_optimised = true;
  return c;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void BM_BuildClos3_32k(benchmark::State& state) {
  const topology::FabricConfig config = clos3_32k();
  std::size_t links = 0;
  std::uint32_t hosts = 0;
  for (auto _ : state) {
    const topology::Topology topo = topology::build_fabric(config);
    topology::Routing routing(topo);
    benchmark::DoNotOptimize(routing.paths(0, topo.host_count() - 1).count());
    links = topo.link_count();
    hosts = topo.host_count();
  }
  state.counters["hosts"] = hosts;
  state.counters["links"] = static_cast<double>(links);
  state.counters["peak_rss_mib"] = peak_rss_mib();
}
BENCHMARK(BM_BuildClos3_32k)->Unit(benchmark::kMillisecond)->Iterations(3);

// Per rail g, GPU g of server s sends to GPU g of server s + 1: the
// cross-server ring of a hierarchical all-reduce, with ECMP at every tier.
void BM_BuildClos3_32kWithRoutes(benchmark::State& state) {
  const topology::FabricConfig config = clos3_32k();
  std::uint64_t connections = 0;
  for (auto _ : state) {
    const topology::Topology topo = topology::build_fabric(config);
    topology::Routing routing(topo);
    sim::Simulator simulator;
    sim::Recorder recorder;
    transport::FlowModel model(simulator, topo, routing, transport::TransportConfig{}, 1, recorder,
                               false);
    const topology::Servers servers(config);
    connections = 0;
    for (std::uint32_t g = 0; g < servers.gpus_per_server(); ++g) {
      for (std::uint32_t s = 0; s < servers.count(); ++s) {
        const topology::HostId src = servers.nic(s, g);
        const topology::HostId dst = servers.nic((s + 1) % servers.count(), g);
        model.connect(transport::ConnectionSpec{src, dst, static_cast<std::uint16_t>(s)});
        ++connections;
      }
    }
    benchmark::DoNotOptimize(model.groups());
  }
  state.counters["connections"] = static_cast<double>(connections);
  state.counters["peak_rss_mib"] = peak_rss_mib();
}
BENCHMARK(BM_BuildClos3_32kWithRoutes)->Unit(benchmark::kMillisecond)->Iterations(1);

// A whole run (api::run, flow level, no output folder): one hierarchical
// all-reduce of 1 GiB over all 32,768 GPUs (inside each server over NVLink,
// then a ring per rail across the 4,096 servers), under ECMP (arg 0) or spray
// (arg 1). Slow (minutes): run it alone, e.g.
//   spinel_bench --benchmark_filter=HierarchicalAllReduce32k
// Counters: flows and events of the run, the collective's duration over its
// ideal, and the peak resident memory.
void BM_HierarchicalAllReduce32k(benchmark::State& state) {
  api::Scenario s;
  s.name = "bench_hierarchical_32k";
  s.seed = 1;
  s.topology = clos3_32k();
  s.transport.policy =
      state.range(0) == 0 ? transport::PathPolicy::ecmp : transport::PathPolicy::spray;
  workloads::WorkloadConfig job;
  job.name = "job0";
  job.collective = workloads::Collective::hierarchical_allreduce;
  job.size_bytes = 1ULL << 30;
  job.placement = workloads::Placement::rail;
  s.jobs.push_back(job);
  double slowdown = 0;
  std::uint64_t flows = 0;
  std::uint64_t events = 0;
  for (auto _ : state) {
    const api::Results r = api::run(s);
    flows = r.flows.started;
    events = r.events;
    const auto& done = r.jobs[0].collectives;
    if (r.jobs[0].finished && !done.empty() && done.front().ideal_ps > 0) {
      slowdown = static_cast<double>(done.front().duration_ps()) /
                 static_cast<double>(done.front().ideal_ps);
    }
  }
  state.SetLabel(state.range(0) == 0 ? "ecmp" : "spray");
  state.counters["flows"] = static_cast<double>(flows);
  state.counters["events"] = static_cast<double>(events);
  state.counters["slowdown"] = slowdown;
  state.counters["peak_rss_mib"] = peak_rss_mib();
}
BENCHMARK(BM_HierarchicalAllReduce32k)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->MeasureProcessCPUTime();

}  // namespace
