// Cost of one max-min rate recomputation with K long-lived flows in the
// fabric. K flows of 1 PiB (they never finish here) are started, one
// connection each, between host pairs drawn from a fixed-seed sim::Rng, under
// ECMP; then the set-up instant's recomputation runs (sim.run(0)). Each timed
// iteration starts one small extra flow on one of 4,096 pre-opened connections
// (a recomputation at its start) and runs until it is delivered (a second one
// at its completion). Each recomputation covers the connected component
// (flows x links) that the extra flow touches.
//
//  - random:   both ends of every flow uniformly random. The typical case;
//              note that with ~0.5 flows per link the flows already form a
//              giant component (about 40% of 1k flows, 70% of 10k).
//  - one_leaf: every flow (and the extra one) sources from a host under leaf
//              0, so all flows are bound together through that leaf's host
//              and spine uplinks: the component is all K flows, the worst
//              case.
//
// Counters: recompute = time per recomputation (lower is better);
// component_flows = flows re-rated per recomputation
// (FlowTotals::flows_rerated delta / recomputations).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/recorder.hpp"
#include "sim/rng.hpp"
#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/flow_model.hpp"

namespace {

namespace sim = spinel::sim;
namespace topology = spinel::topology;
namespace transport = spinel::transport;

constexpr std::uint64_t kHugeFlow = 1ULL << 50;  // 1 PiB: outlives any benchmark
constexpr std::uint64_t kSmallFlow = 64 << 10;
constexpr std::size_t kExtraConnections = 4096;

// Stops the simulator when the extra flow is delivered.
class StopOnDelivery final : public sim::EventHandler {
 public:
  explicit StopOnDelivery(sim::Simulator& s) : sim_(s), id_(s.add_handler(*this)) {}
  [[nodiscard]] sim::HandlerId id() const { return id_; }
  void handle(const sim::Event& /*event*/) override { sim_.stop(); }

 private:
  sim::Simulator& sim_;
  sim::HandlerId id_;
};

enum class Pattern { random, one_leaf };

struct Fixture {
  topology::Topology topo;
  topology::Routing routing{topo};
  sim::Simulator sim;
  sim::Recorder recorder;
  transport::FlowModel model;
  StopOnDelivery stopper{sim};
  sim::Rng rng{1, "bench-flow-model"};
  Pattern pattern;
  std::uint32_t hosts_per_leaf;
  std::uint16_t next_port = 0;

  Fixture(const topology::FabricConfig& config, Pattern p)
      : topo(topology::build_leaf_spine(config)),
        sim(),
        model(sim, topo, routing, transport::TransportConfig{}, 1, recorder, false),
        pattern(p),
        hosts_per_leaf(config.hosts_per_leaf) {}

  // Opens a connection between a host pair drawn by the pattern; ECMP
  // resolves its route here, outside the timed loop.
  transport::ConnectionId connect() {
    transport::ConnectionSpec spec;
    const std::uint32_t hosts = topo.host_count();
    spec.src = static_cast<topology::HostId>(
        rng.below(pattern == Pattern::one_leaf ? hosts_per_leaf : hosts));
    do {
      spec.dst = static_cast<topology::HostId>(rng.below(hosts));
    } while (spec.dst == spec.src);
    spec.src_port = static_cast<std::uint16_t>(49152 + (next_port++ % 16384));
    return model.connect(spec);
  }

  void start(transport::ConnectionId connection, std::uint64_t size) {
    transport::FlowSpec spec;
    spec.connection = connection;
    spec.size_bytes = size;
    spec.notify = stopper.id();
    model.start_flow(spec);
  }
};

void BM_FlowRecompute(benchmark::State& state, topology::FabricConfig config, Pattern pattern) {
  const auto k = static_cast<std::uint32_t>(state.range(0));
  auto f = std::make_unique<Fixture>(config, pattern);
  for (std::uint32_t i = 0; i < k; ++i) f->start(f->connect(), kHugeFlow);
  f->sim.run(0);  // the set-up instant's recomputation
  // The extra flows cycle through a fixed set of connections.
  std::vector<transport::ConnectionId> extra(kExtraConnections);
  for (auto& c : extra) c = f->connect();

  std::size_t next = 0;

  const transport::FlowTotals before = f->model.totals();
  for (auto _ : state) {
    f->start(extra[next], kSmallFlow);
    next = (next + 1) % extra.size();
    f->sim.run(f->sim.now());  // recomputation on start
    f->sim.run();              // completion, its recomputation, delivery -> stop
  }
  const transport::FlowTotals& after = f->model.totals();
  const auto recomputations =
      static_cast<double>(after.rate_recomputations - before.rate_recomputations);
  const auto rerated = static_cast<double>(after.flows_rerated - before.flows_rerated);
  state.counters["recompute"] =
      benchmark::Counter(recomputations, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["component_flows"] = recomputations > 0 ? rerated / recomputations : 0.0;
  state.counters["active_flows"] = static_cast<double>(f->model.active_flows());
  if (f->model.totals().completed != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("a long flow finished or an extra flow did not");
  }
}

topology::FabricConfig fabric(std::uint32_t leaves, std::uint32_t hosts_per_leaf,
                              std::uint32_t spines) {
  topology::FabricConfig c;
  c.leaves = leaves;
  c.hosts_per_leaf = hosts_per_leaf;
  c.spines = spines;
  return c;
}

// 1k flows on 2,048 hosts (64 leaves x 32, 32 spines); 10k flows on 16,384
// hosts (256 leaves x 64, 64 spines).
const topology::FabricConfig kSmallFabric = fabric(64, 32, 32);
const topology::FabricConfig kLargeFabric = fabric(256, 64, 64);

}  // namespace

BENCHMARK_CAPTURE(BM_FlowRecompute, random_2k_hosts, kSmallFabric, Pattern::random)
    ->Arg(1000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_FlowRecompute, random_16k_hosts, kLargeFabric, Pattern::random)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_FlowRecompute, one_leaf_2k_hosts, kSmallFabric, Pattern::one_leaf)
    ->Arg(1000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_FlowRecompute, one_leaf_16k_hosts, kLargeFabric, Pattern::one_leaf)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond);
