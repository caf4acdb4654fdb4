#pragma once
// The scenario's `recovery:` and `fault_process:` sections: a long training
// job that restarts from checkpoints after detections, and the failure
// process that hits it (workloads/recovery/recovery.hpp).
#include <vector>

#include "api/scenario/scenario.hpp"
#include "api/scenario/yaml_reader.hpp"
#include "sim/json.hpp"

namespace spinel::scenario {

RandomFaultKind read_fault_kind(const Value& x);
RecoveryConfig read_recovery(const Value& v);
std::vector<FaultRate> read_fault_process(const Value& v);
sim::Json recovery_to_json(const RecoveryConfig& r, const std::vector<FaultRate>& process);

}  // namespace spinel::scenario
