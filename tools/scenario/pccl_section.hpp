#pragma once
// The scenario's `pccl:` section: fault-tolerant all-reduce under churn
// (workloads/pccl). Errors are located like every other key's.
#include "sim/json.hpp"
#include "tools/scenario/yaml_reader.hpp"
#include "workloads/pccl/config.hpp"

namespace spinel::scenario {

pccl::PcclConfig read_pccl(const Value& v);
sim::Json pccl_to_json(const pccl::PcclConfig& c);

}  // namespace spinel::scenario
