#pragma once
// What a recovery run (workloads/recovery/recovery.hpp) returns: its
// attempts, its faults with their fate, and the run in numbers.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.hpp"
#include "transport/fault.hpp"
#include "workloads/detector.hpp"

namespace spinel::recovery {

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
  transport::Fault fault;
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
  [[nodiscard]] bool finished() const { return !attempts.empty() && attempts.back().finished; }
  // The job's saved iterations at the end.
  [[nodiscard]] std::uint64_t iterations() const {
    return attempts.empty() ? 0 : attempts.back().checkpoint;
  }
};

}  // namespace spinel::recovery
