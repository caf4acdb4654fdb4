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
  // A job of one collective runs as a workload graph (graph/classic.hpp) of
  // two ops per bucket, iteration and rank, held whole in memory (about 150
  // bytes an op); above this many ops it runs on CollectiveRun and its
  // compute model directly, with the same results.
  std::uint64_t max_generated_ops = 1ULL << 22;
};

}  // namespace spinel::workloads
