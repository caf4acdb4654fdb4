#pragma once
// A whole PCCL run on a simulated fabric: the protocol with churn on the
// flow model (SimDriver) for the configured duration, the fabric's link
// faults acting as in workload runs, and the run's metrics.
#include <cstdint>
#include <vector>

#include "sim/progress.hpp"
#include "sim/recorder.hpp"
#include "topology/topology.hpp"
#include "transport/config.hpp"
#include "transport/fault.hpp"
#include "workloads/pccl/config.hpp"
#include "workloads/pccl/sim_driver.hpp"

namespace spinel::pccl {

struct SimRun {
  PcclResult result;
  std::uint64_t events = 0;
  sim::Time liveness_bound_ps = 0;
};

// Runs `config` on `topology` (peers on its hosts). The flow model records
// flows.csv into `recorder` when `record_flows`, links.csv at the end
// (when the recorder is enabled). `host_rate_gbps`: the slowest host link,
// for the liveness bound. `progress` (may be empty): now and then, with the
// fraction of the duration simulated.
SimRun run_on_fabric(const topology::Topology& topology,
                     const transport::TransportConfig& transport,
                     const std::vector<transport::Fault>& faults, const PcclConfig& config,
                     std::uint64_t seed, double host_rate_gbps, sim::Recorder& recorder,
                     bool record_flows, const sim::ProgressCallback& progress);

// The run in numbers (summary.json's metrics of a pccl run).
struct PcclMetrics {
  std::uint64_t steps_completed = 0;
  double steps_per_hour = 0;
  // A step's all-reduce, from its first attempt's start to its completion,
  // and the rate each peer sent at to its ring neighbour meanwhile.
  sim::Time step_mean_ps = 0;
  double edge_gbps = 0;
  // The longest stretch without a completed step (PCCL's stress test fails
  // at 5 minutes), counting from the start and up to the end of the run.
  sim::Time max_step_gap_ps = 0;
  // Recovery: from a death or stall to the next completed step.
  std::uint64_t recovery_count = 0;
  sim::Time recovery_mean_ps = 0;
  sim::Time recovery_max_ps = 0;
};
PcclMetrics metrics_of(const PcclResult& result);

}  // namespace spinel::pccl
