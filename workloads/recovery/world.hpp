#pragma once
// Everything that outlives an attempt of a recovery run: the fabric and
// its links' rates as faults left them, the job's servers, the faults with
// their fate, and what is still to happen (the calendar, fed by the
// scheduled faults and the failure process).
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/time.hpp"
#include "topology/routing.hpp"
#include "topology/servers.hpp"
#include "topology/topology.hpp"
#include "transport/fault.hpp"
#include "workloads/recovery/calendar.hpp"
#include "workloads/recovery/config.hpp"
#include "workloads/recovery/crew.hpp"
#include "workloads/recovery/failure_process.hpp"
#include "workloads/recovery/records.hpp"
#include "workloads/training_config.hpp"

namespace spinel::recovery {

class World {
 public:
  World(const workloads::TrainingConfig& config, const std::vector<FaultRate>& process,
        const RecoveryConfig& recovery);

  const workloads::TrainingConfig& config;
  const workloads::WorkloadConfig& job;  // the first (and only) job
  const RecoveryConfig& recovery;
  const topology::Topology topology;
  topology::Routing routing;
  const topology::Servers servers;
  const std::unordered_map<std::string, topology::LinkId> links;  // by name

  std::vector<double> link_gbps;  // per link, after the actions that landed
  std::vector<FaultRecord> faults;
  Calendar calendar;
  Crew crew;

  [[nodiscard]] bool active(const FaultRecord& f, sim::Time t) const {
    return f.fault.at_ps <= t && f.cleared_ps > t && f.fault.state != transport::FaultState::up;
  }
  // The host whose NIC link (or compute) the fault hits, if any.
  [[nodiscard]] std::optional<topology::HostId> host_hit(const transport::Fault& f) const;
  // Whether any link runs at other than its rate.
  [[nodiscard]] bool links_changed() const;

  // The action at `key` happens: global state follows (arrivals become
  // faults whose actions come next).
  void land(ActionKey key);
  // Everything due by `t` (inclusive) lands.
  void land_until(sim::Time t);
  void repair(std::size_t fault, sim::Time t, const char* by);
  // The unit leaves the job and goes to repair; its faults go with it.
  void isolate(std::uint32_t unit, sim::Time t, const char* by = "isolated");
  // A job cannot start with a dead NIC: its launch fails naming the host,
  // which is isolated before the start. Returns whether any was.
  bool isolate_dead_nics(sim::Time t);

 private:
  // A fault from now on: its record and the actions that make it happen.
  void add_fault(const transport::Fault& f, std::string kind, bool repaired);
  void schedule_arrival(sim::Time after);

  FailureProcess process_;
};

}  // namespace spinel::recovery
