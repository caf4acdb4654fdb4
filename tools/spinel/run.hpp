#pragma once
// One run end to end: scenario -> fabric -> transport -> workload -> results.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "sim/json.hpp"
#include "tools/scenario/scenario.hpp"
#include "tools/spinel/detection.hpp"
#include "transport/flow_model.hpp"
#include "transport/packet_model.hpp"
#include "workloads/collective.hpp"
#include "workloads/compute.hpp"

namespace spinel::tools {

struct RunOptions {
  // Where result files go; empty = write nothing (benchmarks, some tests).
  std::filesystem::path out_dir;
  // Called now and then with the simulated time and the events so far, for
  // progress lines on long runs (may be empty).
  std::function<void(sim::Time now, std::uint64_t events)> progress;
};

struct RunResult {
  std::vector<workloads::CollectiveResult> collectives;  // every job's, job by job
  std::vector<workloads::IterationRecord> iterations;    // every job's, job by job
  std::vector<std::uint32_t> job_ranks;                  // per job
  std::vector<bool> job_finished;                        // per job: false if a hung rank stopped it
  std::vector<std::vector<sim::Time>> phase_congestion_ps;  // per job, per phase
  std::vector<workloads::Detection> detections;             // with a detector, in time order
  DetectionScore detection;
  transport::FlowTotals flows;
  std::optional<transport::PacketTotals> packets;  // packet level only
  std::uint64_t events = 0;
  sim::Time end_ps = 0;
  std::uint32_t hosts = 0;
  std::size_t links = 0;
  double oversubscription = 1.0;
  std::optional<double> agg_oversubscription;  // clos3 only: at the aggs
  double wall_seconds = 0;                     // never written to result files (not deterministic)
  sim::Json metrics;                           // the "metrics" object of summary.json
};

RunResult run_scenario(const scenario::Scenario& scenario, const RunOptions& options);

// run.json: the run's wall time and event rate, the one output file that is
// not deterministic (kept apart from summary.json for that reason).
void write_run_json(const std::filesystem::path& out_dir, const RunResult& result);

// The output folder a scenario names: output.dir, or out/<name>.
std::filesystem::path default_out_dir(const scenario::Scenario& scenario);

}  // namespace spinel::tools
