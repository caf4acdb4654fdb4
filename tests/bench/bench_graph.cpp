// Workload graphs at scale: one training iteration of a 1,024-GPU dense
// transformer (TP 8 inside 8-GPU servers, PP 8, DP 16, 32 layers, 8
// micro-batches of 2,048 tokens, 1F1B) at flow level on a rail-optimised
// leaf-spine, through the library API as `spinel run` makes it: loading
// (which generates the graph), building the fabric, running, results in
// memory. The issue's target: under 10 s of CPU on one core.
#include <benchmark/benchmark.h>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"

namespace {

namespace api = spinel::api;
namespace scenario = spinel::scenario;

constexpr const char* kDense1024 = R"(name: dense_1024
topology: {kind: leaf_spine, leaves: 16, spines: 64, hosts_per_leaf: 64, nics_per_host: 8,
           rail_optimised: true}
transport: {policy: ecmp}
workload:
  placement: contiguous
  parallel: {tp: 8, pp: 8, dp: 16}
  transformer: {layers: 32, hidden_size: 4096, heads: 32, sequence_length: 2048,
                micro_batch_size: 1, global_batch_size: 128, gpu_peak_tflops: 989,
                compute_efficiency: 40%}
output: {flows: false}
)";

void BM_TransformerIteration_1024(benchmark::State& state) {
  std::size_t collectives = 0;
  double iteration_ms = 0;
  for (auto _ : state) {
    const scenario::Scenario s = scenario::load_string(kDense1024, "dense_1024.yaml");
    const api::Results r = api::run(s, api::RunOptions{});
    collectives = r.jobs.at(0).collectives.size();
    iteration_ms = static_cast<double>(r.jobs.at(0).breakdown.at(0).duration_ps()) / 1e9;
    benchmark::DoNotOptimize(collectives);
  }
  state.counters["collectives"] = static_cast<double>(collectives);
  state.counters["iteration_ms"] = iteration_ms;
}
BENCHMARK(BM_TransformerIteration_1024)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
