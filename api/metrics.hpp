#pragma once
// The metrics of a run: the typed summaries in api/results.hpp, and
// summary.json's "metrics" object built from them (one for each kind of run).
#include <cstdint>
#include <optional>
#include <vector>

#include "api/results.hpp"
#include "sim/json.hpp"

namespace spinel::api {

// a / b, or 0 when b is 0 (no ideal time): the `ratio_to_ideal` of every output.
double time_ratio(sim::Time a, sim::Time b);

// None for no collectives.
std::optional<CollectiveMetrics> collective_metrics(
    const std::vector<const workloads::CollectiveResult*>& collectives);
// None for no iterations.
std::optional<IterationMetrics> iteration_metrics(
    const std::vector<workloads::IterationRecord>& iterations, std::uint32_t ranks);

// summary.json's "metrics" of a training run (its "detection" included when
// `detector`).
sim::Json training_metrics_json(const Results& results, bool detector);
sim::Json recovery_metrics_json(const recovery::RecoveryRun& run);
sim::Json pccl_metrics_json(const pccl::SimRun& run, const pccl::PcclMetrics& metrics);

}  // namespace spinel::api
