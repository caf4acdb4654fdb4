#pragma once
// A failure process (`fault_process:`): faults of each kind arrive as a
// Poisson process at elements / MTBF, on the elements the job uses (its
// GPUs, their NICs, or the uplinks of its leaves). Arrival times are drawn
// ahead at the summed rate; an arrival's kind and place are drawn when it
// lands, on the job as it is then (stream "fault_process").
#include <cstdint>
#include <string>
#include <vector>

#include "sim/rng.hpp"
#include "sim/time.hpp"
#include "topology/config.hpp"
#include "topology/topology.hpp"
#include "transport/fault.hpp"
#include "workloads/recovery/config.hpp"

namespace spinel::recovery {

class FailureProcess {
 public:
  // The job's GPUs at the start set the rates (GPUs and NICs: one element
  // per rank; uplinks: those of the leaves the ranks are on).
  FailureProcess(const std::vector<FaultRate>& rates, const topology::FabricConfig& fabric,
                 std::uint64_t seed, const std::vector<topology::HostId>& ranks);

  [[nodiscard]] bool active() const { return rate_ > 0; }
  // The next arrival after `after`.
  sim::Time next_arrival(sim::Time after);

  struct Drawn {
    transport::Fault fault;
    std::string kind;       // the fault_process kind, as the scenario names it
    bool repaired = false;  // uplink faults are repaired in place, not isolated
  };
  // The fault an arrival at `at` becomes, on a job with these ranks.
  Drawn draw(sim::Time at, const std::vector<topology::HostId>& ranks);

 private:
  const std::vector<FaultRate>& rates_;
  const topology::FabricConfig& fabric_;
  sim::Rng rng_;
  std::vector<double> kind_rate_;  // per entry of rates_, per ps
  double rate_ = 0;
};

}  // namespace spinel::recovery
