#pragma once
// A long training job that faults stop and detections restart (issue 5's
// downtime study): the job runs in attempts. In each, a detector (C4-style,
// or people: workloads/manual_detector.hpp) watches it; its first alarm
// stops the job, the suspect's server is isolated (a spare takes its place;
// it returns `repair` later) or, for a link people found, the link is
// repaired; after `restart` the job resumes from its last checkpoint. GPU
// time is accounted exactly: useful (iterations that were kept) + lost
// (rolled back, stalled before the stop, restarting).
//
// Weeks of a 512-GPU job cannot be simulated iteration by iteration, and
// need not be: without jitter, the same flows on the same fabric take the
// same time, so once iterations repeat exactly (three iteration ends equally
// spaced, detectors quiescent, no fault landing or routing converging) the
// driver skips whole iterations up to the next fault (fast-forward). Each
// attempt is its own simulation whose clock lags real time by the skipped
// periods. Disturbances (faults, repairs, people acting) are handed to the
// simulation 2 periods before they land, a rule relative to the job's own
// iterations, so the fast path and the full simulation (fast_forward: false)
// make the same decisions at the same real times: a test checks they write
// the same files, byte for byte.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/scenario/scenario.hpp"
#include "sim/json.hpp"
#include "sim/time.hpp"
#include "workloads/detector.hpp"

namespace spinel::tools {

// An alarm and what it was about (its time is real time).
struct Alarm {
  workloads::Detection detection;
  std::optional<std::size_t> fault;  // none: a false alarm
  bool localised = false;            // it names the faulty element
};

// One attempt: from the job's (re)start to its stop.
struct AttemptRecord {
  std::uint32_t attempt = 0;
  sim::Time start_ps = 0;             // its first iteration starts (after the restart)
  sim::Time end_ps = 0;               // the stop, or the job's last iteration's end
  std::uint64_t first_iteration = 0;  // the checkpoint it resumed from
  std::uint64_t iterations = 0;       // completed in it
  std::uint64_t checkpoint = 0;       // the job's saved iterations at its end
  // Its time, split: up to the end of its last checkpointed iteration
  // (useful), then to its last completed iteration (rolled back), then to
  // the stop (stalled); and from the stop to the next attempt (restart,
  // spares awaited).
  sim::Time useful_ps = 0;
  sim::Time rework_ps = 0;
  sim::Time stalled_ps = 0;
  sim::Time restart_ps = 0;
  bool finished = false;
  std::string detector;  // "c4" or "manual"; empty when finished
  std::optional<workloads::Detection> detection;
  std::optional<std::size_t> fault;  // the fault it was about (none: a false alarm)
  bool localised = false;
  std::string action;                      // "isolate s3", "repair leaf0>spine1", "none"
  std::uint64_t simulated_iterations = 0;  // the rest were skipped (fast-forward)
  std::vector<Alarm> reports;              // C4 alarms that named no host: the job went on
};

// A fault of the run, with its truth and fate.
struct FaultRecord {
  scenario::Fault fault;
  std::string kind;  // a fault_process kind, or "scheduled"
  sim::Time cleared_ps = sim::kForever;
  std::string cleared_by;                    // "isolated", "repaired", "people"
  std::optional<std::uint32_t> detected_in;  // the attempt whose stop was about it
  sim::Time detected_ps = 0;
  bool localised = false;
};

// The run in numbers (GPU-hours: ranks times hours; gpu = useful + lost,
// lost = rework + stalled + restart).
struct RecoveryTotals {
  double job_hours = 0;
  double gpu_hours = 0;
  double useful_gpu_hours = 0;
  double lost_gpu_hours = 0;
  double lost_rework_gpu_hours = 0;
  double lost_stalled_gpu_hours = 0;
  double lost_restart_gpu_hours = 0;
  double lost_fraction = 0;
  std::uint64_t faults = 0;  // repairs (state: up) not counted
  std::uint64_t faults_acted_on = 0;
  std::uint64_t stops_by_c4 = 0;
  std::uint64_t stops_by_people = 0;
  std::uint64_t false_alarms = 0;    // stops with no fault acting
  std::uint64_t wrong_suspects = 0;  // stops about a fault that did not name it
};

struct RecoveryRun {
  std::vector<AttemptRecord> attempts;
  std::vector<FaultRecord> faults;
  std::uint32_t ranks = 0;
  sim::Time end_ps = 0;
  std::uint64_t events = 0;
  std::uint64_t simulated_iterations = 0;
  std::uint64_t skipped_iterations = 0;
  RecoveryTotals totals;
  sim::Json metrics;        // summary.json's "metrics"
  double wall_seconds = 0;  // never in result files
};

// Runs the scenario's recovery job; writes attempts.csv, faults.csv,
// detections.csv and summary.json to out_dir (nothing when empty).
// `progress` (may be empty) hears the real time reached after each attempt.
RecoveryRun run_recovery(const scenario::Scenario& scenario, const std::filesystem::path& out_dir,
                         const std::function<void(sim::Time, std::uint64_t)>& progress);

}  // namespace spinel::tools
