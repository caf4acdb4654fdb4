// Chakra traces at the scale: 64 ranks x 4,000 nodes each, mostly
// COMP nodes (a converted PyTorch trace's shape) with 32 all-reduces of
// 4 MiB per rank (workloads/chakra/et_writer.hpp's synthetic job). Loading
// alone (reading and checking 64 files into a program) must stay under 1 s
// of CPU; loading and running at flow level on a 64-host leaf-spine, through
// the library API as `spinel run` does, under 5 s. The traces are written
// once, outside the timings.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "workloads/chakra/chakra.hpp"
#include "workloads/chakra/et_writer.hpp"

namespace {

namespace api = spinel::api;
namespace chakra = spinel::workloads::chakra;
namespace fs = std::filesystem;

constexpr std::uint32_t kRanks = 64;
constexpr std::uint32_t kNodes = 4000;
constexpr std::uint32_t kCollectives = 32;

// The traces' prefix, written on first use.
const std::string& trace_prefix() {
  static const std::string prefix = [] {
    const fs::path dir = fs::temp_directory_path() / "spinel_bench_chakra";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string p = (dir / "job").string();
    chakra::write_synthetic_job(p, kRanks, kNodes, kCollectives);
    return p;
  }();
  return prefix;
}

void BM_ChakraLoad_64x4000(benchmark::State& state) {
  const std::string& prefix = trace_prefix();
  std::size_t ops = 0;
  for (auto _ : state) {
    const chakra::Trace t = chakra::read_trace(prefix);
    ops = t.program.op_count();
    benchmark::DoNotOptimize(ops);
  }
  state.counters["ops"] = static_cast<double>(ops);
}
BENCHMARK(BM_ChakraLoad_64x4000)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_ChakraLoadAndRun_64x4000(benchmark::State& state) {
  const std::string yaml =
      "name: chakra_bench\n"
      "topology: {kind: leaf_spine, leaves: 8, spines: 8, hosts_per_leaf: 8}\n"
      "workload: {chakra: " +
      trace_prefix() + "}\noutput: {flows: false}\n";
  std::size_t collectives = 0;
  double end_ms = 0;
  for (auto _ : state) {
    const spinel::scenario::Scenario s = spinel::scenario::load_string(yaml, "chakra_bench.yaml");
    const api::Results r = api::run(s, api::RunOptions{});
    collectives = r.jobs.at(0).collectives.size();
    end_ms = static_cast<double>(r.jobs.at(0).breakdown.at(0).end_ps) / 1e9;
    benchmark::DoNotOptimize(collectives);
  }
  state.counters["collectives"] = static_cast<double>(collectives);
  state.counters["simulated_ms"] = end_ms;
}
BENCHMARK(BM_ChakraLoadAndRun_64x4000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
