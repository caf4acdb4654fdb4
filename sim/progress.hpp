#pragma once
// How far a run has got, for progress lines and observers: reported now and
// then by the run drivers (workloads/, workloads/recovery, workloads/pccl).
#include <cstdint>
#include <functional>
#include <optional>

#include "sim/time.hpp"

namespace spinel::sim {

struct Progress {
  Time now_ps = 0;           // simulated time reached (a recovery run: the job's real time)
  std::uint64_t events = 0;  // dispatched so far
  // Of the run's work, done (0 to 1), where the driver knows the whole:
  // collectives completed, iterations checkpointed, simulated time of a
  // fixed duration.
  std::optional<double> fraction;
};

using ProgressCallback = std::function<void(const Progress&)>;

}  // namespace spinel::sim
