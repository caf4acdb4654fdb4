#include "api/run.hpp"

#include <chrono>
#include <ctime>
#include <string>

#include "api/outputs.hpp"
#include "api/runs.hpp"
#include "sim/error.hpp"

namespace spinel::api {

std::filesystem::path default_out_dir(const Scenario& scenario) {
  return scenario::output_dir(scenario);
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

namespace {

// Now, as 2026-12-07T09:10:23Z.
std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(text, n);
}

}  // namespace

Results run(const Scenario& scenario, const RunOptions& options) {
  const std::string started_utc = utc_now();
  const auto wall_start = std::chrono::steady_clock::now();
  Results results;
  try {
    results = scenario.pccl       ? run_pccl(scenario, options)
              : scenario.recovery ? run_recovery(scenario, options)
                                  : run_training(scenario, options);
  } catch (const sim::TimeOverflow& e) {
    // Name what asks for so long (validate refuses what it can foresee).
    const std::string longest = scenario::longest_job(scenario);
    throw sim::TimeOverflow(std::string(e.what()) +
                            (longest.empty() ? "" : "; the longest job: " + longest));
  }
  results.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (!options.out_dir.empty()) {
    write_run_json(options.out_dir, results, options.command_line, started_utc);
  }
  return results;
}

}  // namespace spinel::api
