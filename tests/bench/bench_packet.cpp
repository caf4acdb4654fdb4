// The packet-level model on issue 7's reference cases, as htsim ran them:
// 128 hosts (8 leaves x 16, 16 spines), 400 Gb/s, 1 us links, MTU 4096.
//   A: every host sends 16 MiB to a random permutation partner at once
//      (spray and single-path ECMP); htsim: 525,696 data packets in 4.25 s
//      wall with spraying, about 124k data packets per wall second.
//   B: a 32 MiB ring all-reduce over the 128 hosts (2 x 127 steps); htsim:
//      2.1 M data packets in 38 s, 643 MB peak memory. A whole run: through
//      the library API (api::run), its completion the last packet's.
// Case A also runs with the UEC-style switch ports (trimming, which turns the
// control queue on): what they cost, and what they change; and with them
// plus cc: nscc, and with hashed entropies (spray's paths from 16 entropies).
// Each iteration builds the fabric, routing, simulator and models and runs to
// the end; nothing is recorded. Counters: data packets and events per run and
// per wall second, the completion time (simulated) and the packet pool's peak.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "api/run.hpp"
#include "sim/recorder.hpp"
#include "sim/rng.hpp"
#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/flow_model.hpp"
#include "transport/packet_model.hpp"
#include "transport/packet_transport.hpp"
#include "workloads/config.hpp"

namespace {

namespace sim = spinel::sim;
namespace topology = spinel::topology;
namespace transport = spinel::transport;
namespace workloads = spinel::workloads;

constexpr std::uint64_t kSeed = 1;

topology::FabricConfig reference_fabric(std::uint32_t leaves) {
  topology::FabricConfig c;
  c.leaves = leaves;
  c.hosts_per_leaf = 16;
  c.spines = 16;
  c.host_link = {400, sim::kMicrosecond};
  c.spine_link = {400, sim::kMicrosecond};
  return c;
}

struct Stats {
  std::uint64_t data_packets = 0;
  std::uint64_t events = 0;
  sim::Time end_ps = 0;
  std::uint64_t peak_packets = 0;
  sim::Time last_delivery_ps = 0;  // 0: not recorded (case B)
  std::uint64_t timeouts = 0;
  std::uint64_t trimmed_packets = 0;
};

// Counts deliveries; the run ends when the simulator runs dry.
struct Sink final : sim::EventHandler {
  explicit Sink(const sim::Simulator& s) : simulator(s) {}
  void handle(const sim::Event&) override {
    ++delivered;
    last_ps = simulator.now();
  }
  const sim::Simulator& simulator;
  std::uint64_t delivered = 0;
  sim::Time last_ps = 0;
};

// The reference fabric with a packet-level transport on it (line-rate
// windows, no congestion control), as both cases run; `roce`: RoCEv2 as
// deployed instead, DCQCN over lossless PFC (what the features cost).
struct PacketFabric {
  PacketFabric(std::uint32_t leaves, transport::PathPolicy policy, bool roce = false,
               bool trimming = false, bool nscc = false, std::uint32_t entropies = 0)
      : topo(topology::build_leaf_spine(reference_fabric(leaves))),
        routing(topo),
        config(packet_config(policy, roce, trimming, nscc, entropies)),
        router(simulator, topo, routing, transport::router_config(config), kSeed, recorder, false),
        engine(simulator, topo, routing, config.packet, kSeed),
        transport(simulator, topo, router, engine, config, recorder, false) {}

  static transport::TransportConfig packet_config(transport::PathPolicy policy, bool roce,
                                                  bool trimming = false, bool nscc = false,
                                                  std::uint32_t entropies = 0) {
    transport::TransportConfig c;
    c.packet.entropies = entropies;
    c.packet.trimming = trimming;
    c.packet.priority_queues = trimming;
    c.model = transport::Model::packet;
    c.policy = policy;
    c.packet.cc = roce ? transport::CongestionControl::dcqcn : transport::CongestionControl::none;
    if (roce) c.packet.flow_control = transport::FlowControl::pfc;
    if (nscc) c.packet.cc = transport::CongestionControl::nscc;
    return c;
  }
  [[nodiscard]] Stats stats() const {
    return {engine.totals().data_packets,
            simulator.events_dispatched(),
            simulator.now(),
            engine.totals().peak_packets,
            0,
            engine.totals().timeouts,
            engine.totals().trimmed_packets};
  }

  topology::Topology topo;
  topology::Routing routing;
  sim::Simulator simulator;
  sim::Recorder recorder;
  transport::TransportConfig config;
  transport::FlowModel router;  // routes only: no flow is started on it
  transport::PacketModel engine;
  transport::PacketTransport transport;
};

Stats run_permutation(std::uint32_t leaves, transport::PathPolicy policy, bool roce = false,
                      bool trimming = false, bool nscc = false, std::uint32_t entropies = 0) {
  PacketFabric f(leaves, policy, roce, trimming, nscc, entropies);
  Sink sink(f.simulator);
  const sim::HandlerId sink_id = f.simulator.add_handler(sink);
  // A random permutation without fixed points (seeded).
  const std::uint32_t n = f.topo.host_count();
  std::vector<topology::HostId> partner(n);
  for (std::uint32_t i = 0; i < n; ++i) partner[i] = i;
  sim::Rng rng(kSeed, "permutation");
  rng.shuffle(partner.begin(), partner.end());
  for (std::uint32_t i = 0; i < n; ++i) {
    if (partner[i] == i) std::swap(partner[i], partner[(i + 1) % n]);
  }
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto c = f.transport.connect({i, partner[i], static_cast<std::uint16_t>(1000 + i)});
    transport::FlowSpec spec;
    spec.connection = c;
    spec.size_bytes = 16ULL << 20;
    spec.notify = sink_id;
    f.transport.start_flow(spec);
  }
  f.simulator.run();
  if (sink.delivered != n) return {};
  Stats s = f.stats();
  s.last_delivery_ps = sink.last_ps;
  return s;
}

// Case B through the library API, as a user's program runs it: the scenario
// builds the same fabric and transport; the ranks are the hosts in order.
Stats run_ring(std::uint32_t leaves, transport::PathPolicy policy) {
  spinel::api::Scenario s;
  s.name = "bench_packet_ring";
  s.seed = kSeed;
  s.topology = reference_fabric(leaves);
  s.transport = PacketFabric::packet_config(policy, false);
  workloads::WorkloadConfig ring;
  ring.collective = workloads::Collective::ring_allreduce;
  ring.size_bytes = 32ULL << 20;
  s.jobs.push_back(ring);
  const spinel::api::Results r = spinel::api::run(s);
  if (!r.jobs[0].finished || !r.packets) return {};
  return {r.packets->data_packets,   r.events, r.end_ps,
          r.packets->peak_packets,   0,        r.packets->timeouts,
          r.packets->trimmed_packets};
}

template <class Run>
void report(benchmark::State& state, Run run) {
  Stats last;
  double packets = 0;
  double events = 0;
  for (auto _ : state) {
    last = run();
    packets += static_cast<double>(last.data_packets);
    events += static_cast<double>(last.events);
  }
  if (last.data_packets == 0) state.SkipWithError("the workload did not finish");
  state.counters["data_packets"] = static_cast<double>(last.data_packets);
  state.counters["events"] = static_cast<double>(last.events);
  state.counters["data_packets_per_s"] = benchmark::Counter(packets, benchmark::Counter::kIsRate);
  state.counters["events_per_s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["completion_us"] = static_cast<double>(last.end_ps) / 1e6;
  state.counters["peak_packets"] = static_cast<double>(last.peak_packets);
  if (last.last_delivery_ps != 0) {
    state.counters["last_delivery_us"] = static_cast<double>(last.last_delivery_ps) / 1e6;
    state.counters["timeouts"] = static_cast<double>(last.timeouts);
    state.counters["trimmed_packets"] = static_cast<double>(last.trimmed_packets);
  }
}

void BM_PacketPermutation(benchmark::State& state, transport::PathPolicy policy) {
  const auto leaves = static_cast<std::uint32_t>(state.range(0));
  report(state, [&] { return run_permutation(leaves, policy); });
}

void BM_PacketPermutationRoce(benchmark::State& state, transport::PathPolicy policy) {
  const auto leaves = static_cast<std::uint32_t>(state.range(0));
  report(state, [&] { return run_permutation(leaves, policy, true); });
}

void BM_PacketPermutationTrimming(benchmark::State& state, transport::PathPolicy policy) {
  const auto leaves = static_cast<std::uint32_t>(state.range(0));
  report(state, [&] { return run_permutation(leaves, policy, false, true); });
}

void BM_PacketPermutationNscc(benchmark::State& state, transport::PathPolicy policy) {
  const auto leaves = static_cast<std::uint32_t>(state.range(0));
  report(state, [&] { return run_permutation(leaves, policy, false, true, true); });
}

void BM_PacketPermutationEntropies(benchmark::State& state) {
  const auto leaves = static_cast<std::uint32_t>(state.range(0));
  report(state, [&] {
    return run_permutation(leaves, transport::PathPolicy::spray, false, false, false, 16);
  });
}

void BM_PacketRing(benchmark::State& state, transport::PathPolicy policy) {
  const auto leaves = static_cast<std::uint32_t>(state.range(0));
  report(state, [&] { return run_ring(leaves, policy); });
}

}  // namespace

// Case A (leaves x 16 hosts, 16 spines): 128 hosts, then 256, 512 and 1,024.
BENCHMARK_CAPTURE(BM_PacketPermutation, spray, transport::PathPolicy::spray)
    ->ArgName("leaves")
    ->Arg(8)
    ->Arg(16)
    ->Arg(32)
    ->Arg(64)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_PacketPermutation, ecmp, transport::PathPolicy::ecmp)
    ->ArgName("leaves")
    ->Arg(8)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
// Case A with PFC and DCQCN on.
BENCHMARK_CAPTURE(BM_PacketPermutationRoce, ecmp, transport::PathPolicy::ecmp)
    ->ArgName("leaves")
    ->Arg(8)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_PacketPermutationRoce, spray, transport::PathPolicy::spray)
    ->ArgName("leaves")
    ->Arg(8)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
// Case A with trimming (and so the control queue) on.
BENCHMARK_CAPTURE(BM_PacketPermutationTrimming, spray, transport::PathPolicy::spray)
    ->ArgName("leaves")
    ->Arg(8)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_PacketPermutationTrimming, ecmp, transport::PathPolicy::ecmp)
    ->ArgName("leaves")
    ->Arg(8)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
// Case A with trimming and cc: nscc; and sprayed over 16 hashed entropies.
BENCHMARK_CAPTURE(BM_PacketPermutationNscc, spray, transport::PathPolicy::spray)
    ->ArgName("leaves")
    ->Arg(8)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_PacketPermutationNscc, ecmp, transport::PathPolicy::ecmp)
    ->ArgName("leaves")
    ->Arg(8)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK(BM_PacketPermutationEntropies)
    ->ArgName("leaves")
    ->Arg(8)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
// Case B: the ring all-reduce on the 128 hosts.
BENCHMARK_CAPTURE(BM_PacketRing, ecmp, transport::PathPolicy::ecmp)
    ->ArgName("leaves")
    ->Arg(8)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
