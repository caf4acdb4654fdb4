#pragma once
// The scenario's `pccl:` section: fault-tolerant all-reduce under churn
// (workloads/pccl). Errors are located like every other key's.
#include "api/scenario/yaml_reader.hpp"
#include "sim/json.hpp"
#include "workloads/pccl/config.hpp"

namespace spinel::scenario {

pccl::PcclConfig read_pccl(const Value& v);
sim::Json pccl_to_json(const pccl::PcclConfig& c);

}  // namespace spinel::scenario
