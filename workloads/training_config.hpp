#pragma once
// The configuration of a run of training jobs on a leaf-spine fabric
// (workloads/training_run.hpp, workloads/recovery): the parts of a scenario
// those drivers read; the library API fills it from a scenario.
#include <cstdint>
#include <vector>

#include "topology/config.hpp"
#include "transport/config.hpp"
#include "transport/fault.hpp"
#include "workloads/config.hpp"
#include "workloads/random_faults.hpp"

namespace spinel::workloads {

// What a run of training jobs reads: the parts of a scenario it needs.
struct TrainingConfig {
  std::uint64_t seed = 1;
  topology::FabricConfig topology;
  transport::TransportConfig transport;
  std::vector<WorkloadConfig> jobs;      // at least one
  std::vector<transport::Fault> faults;  // scheduled, in order
  RandomFault random_fault;              // off unless enabled
  DetectorConfig detector;               // off unless enabled
};

}  // namespace spinel::workloads
