// A program of its own against spinel's library API: load a scenario from a
// string, run it with a progress observer, print a metric per job.
//
//   build/release/examples/run_scenario [SEED]
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "api/spinel.hpp"

namespace {

// Two training jobs side by side on a 2:1 oversubscribed leaf-spine.
constexpr const char* kScenario = R"(
name: two_jobs
topology: {kind: leaf_spine, leaves: 4, spines: 2, hosts_per_leaf: 4}
transport: {policy: ecmp}
jobs:
  - {name: a, collective: ring_allreduce, size_bytes: 64MiB, hosts: 8, compute: 2ms, iterations: 4}
  - {name: b, collective: all_to_all, size_bytes: 16MiB, hosts: 8, iterations: 4}
)";

}  // namespace

int main(int argc, char** argv) {
  namespace api = spinel::api;
  try {
    api::Scenario scenario = api::load_string(kScenario, "<example>");
    if (argc > 1) scenario.seed = std::strtoull(argv[1], nullptr, 10);
    api::RunOptions options;
    int quarters = 0;  // progress lines printed so far: one per quarter of the run
    options.on_progress = [&quarters](const spinel::sim::Progress& p) {
      if (!p.fraction || *p.fraction * 4 < quarters + 1) return;
      quarters = static_cast<int>(*p.fraction * 4);
      std::fprintf(stderr, "%3.0f%% done, %.3f ms simulated, %llu events\n", 100.0 * *p.fraction,
                   static_cast<double>(p.now_ps) / 1e9, static_cast<unsigned long long>(p.events));
    };
    const api::Results results = api::run(scenario, options);
    for (const api::JobResults& job : results.jobs) {
      std::printf("job %s: %zu collectives, mean %.3f ms, bus bandwidth %.1f Gb/s",
                  job.name.c_str(), job.collectives.size(),
                  static_cast<double>(job.collective_metrics->collective_mean_ps) / 1e9,
                  job.collective_metrics->busbw_gbps);
      if (job.iteration_metrics) {
        std::printf(", %.1f iterations/s", job.iteration_metrics->iterations_per_second);
      }
      std::printf("\n");
    }
    std::printf("spinel %s (%s): %llu events\n", std::string(api::version()).c_str(),
                std::string(api::git_commit()).c_str(),
                static_cast<unsigned long long>(results.events));
  } catch (const spinel::sim::ScenarioError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "run failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
