#pragma once
// spinel's library API: run a scenario and get its results in memory.
//
//   spinel::api::Scenario s = spinel::api::load_file("scenarios/quickstart.yaml");
//   spinel::api::RunOptions options;
//   options.on_progress = [](const spinel::sim::Progress& p) { ... };
//   const spinel::api::Results r = spinel::api::run(s, options);
//   r.jobs[0].collective_metrics->busbw_gbps;
//
// A run is a pure function of its scenario (seed included): the same
// scenario gives the same results, in memory and in files, byte for byte.
// Errors: a scenario that does not load is a sim::ScenarioError naming
// FILE:LINE:COL and the field; a run that cannot go on throws (e.g. the
// fabric cannot connect a job), and writes nothing more.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "api/results.hpp"
#include "api/scenario/scenario.hpp"
#include "sim/progress.hpp"
#include "transport/flow_observer.hpp"
#include "workloads/step_observer.hpp"

namespace spinel::api {

// Scenarios: loaded and validated from a file or a string (the loader's
// functions, under the API's names).
using scenario::load_default;
using scenario::load_file;
using scenario::load_string;
using scenario::Scenario;

struct RunOptions {
  RunOptions() = default;
  explicit RunOptions(std::filesystem::path out) : out_dir(std::move(out)) {}

  // The result files go here (summary.json, collectives.csv, ..., run.json);
  // empty: none are written. default_out_dir(scenario) is where the CLI
  // writes them.
  std::filesystem::path out_dir;
  // How the run was asked for (e.g. the command line), recorded in run.json
  // with the build, the date and the folder; may be empty.
  std::string command_line;
  // Now and then during the run (may be empty): simulated time, events, and
  // the fraction done where the run knows its whole.
  sim::ProgressCallback on_progress;
  // Traces (training runs; not owned): every link load change and finished
  // flow, every finished collective step, in simulated time order.
  std::vector<transport::FlowObserver*> flow_observers;
  std::vector<workloads::StepObserver*> step_observers;
};

Results run(const Scenario& scenario, const RunOptions& options = {});

// The output folder a scenario names: output.dir, or out/<name>.
std::filesystem::path default_out_dir(const Scenario& scenario);

}  // namespace spinel::api
