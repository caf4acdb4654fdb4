#include "api/run.hpp"

#include <chrono>

#include "api/outputs.hpp"
#include "api/runs.hpp"

namespace spinel::api {

std::filesystem::path default_out_dir(const Scenario& scenario) {
  if (!scenario.output.dir.empty()) return scenario.output.dir;
  return std::filesystem::path("out") / scenario.name;
}

workloads::TrainingConfig training_config(const Scenario& s) {
  workloads::TrainingConfig c;
  c.seed = s.seed;
  c.topology = s.topology;
  c.transport = s.transport;
  c.jobs = s.jobs;
  c.faults = s.faults;
  c.random_fault = s.random_fault;
  c.detector = s.detector;
  return c;
}

Results run(const Scenario& scenario, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  Results results = scenario.pccl       ? run_pccl(scenario, options)
                    : scenario.recovery ? run_recovery(scenario, options)
                                        : run_training(scenario, options);
  results.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (!options.out_dir.empty()) write_run_json(options.out_dir, results);
  return results;
}

}  // namespace spinel::api
