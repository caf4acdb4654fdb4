#pragma once
// The configuration of a long training job with restarts (workloads/recovery):
// a scenario's `recovery:` and `fault_process:`.
#include "sim/time.hpp"
#include "workloads/random_faults.hpp"

namespace spinel::recovery {

// `recovery:`: a detection stops the job, the suspect is isolated, and the
// job restarts from its last checkpoint (workloads/recovery/recovery.hpp).
struct RecoveryConfig {
  sim::Time checkpoint_interval_ps = 30 * 60 * sim::kSecond;
  sim::Time restart_ps = 10 * 60 * sim::kSecond;   // from the stop to the first iteration
  sim::Time repair_ps = 24 * 3600 * sim::kSecond;  // an isolated server, a faulty link
  // Skip iterations that repeat exactly (see recovery.hpp); the results
  // are the same either way, only faster.
  bool fast_forward = true;
};

// A failure process for long jobs (`fault_process:`): faults of a kind
// arrive as a Poisson process at elements / mtbf, on the elements the job
// uses at the time (its GPUs, their NICs, or the uplinks of its leaves).
struct FaultRate {
  workloads::RandomFaultKind kind = workloads::RandomFaultKind::hang;
  double mtbf_hours = 0;        // per element
  double factor = 1.5;          // straggler
  double rate_fraction = 0.25;  // *_degraded
};

}  // namespace spinel::recovery
