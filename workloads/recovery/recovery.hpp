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
#include <vector>

#include "sim/progress.hpp"
#include "workloads/recovery/config.hpp"
#include "workloads/recovery/records.hpp"
#include "workloads/training_config.hpp"

namespace spinel::recovery {

// Runs the first job of `config` under the failure process and the scheduled
// faults until it has done all its iterations. `progress` (may be empty)
// hears the real time reached after each attempt.
RecoveryRun run_recovery(const workloads::TrainingConfig& config,
                         const std::vector<FaultRate>& process, const RecoveryConfig& recovery,
                         const sim::ProgressCallback& progress);

}  // namespace spinel::recovery
