#pragma once
// The three kinds of run behind api::run, each from a scenario to its
// results and (with an output folder) its files.
#include "api/results.hpp"
#include "api/run.hpp"
#include "workloads/training_config.hpp"

namespace spinel::api {

Results run_training(const Scenario& scenario, const RunOptions& options);
Results run_recovery(const Scenario& scenario, const RunOptions& options);
Results run_pccl(const Scenario& scenario, const RunOptions& options);

// The parts of the scenario a training or recovery run reads.
workloads::TrainingConfig training_config(const Scenario& scenario);

}  // namespace spinel::api
