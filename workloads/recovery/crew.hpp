#pragma once
// The job's servers (hosts, on a fabric of one-GPU servers) and the spares:
// which units run the job, in rank order, which are away for repair and
// until when. A unit is a server; its GPUs are the job's ranks on it.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/time.hpp"
#include "topology/servers.hpp"
#include "topology/topology.hpp"
#include "workloads/config.hpp"

namespace spinel::recovery {

class Crew {
 public:
  // The job runs on `units` (the first job's placement) of the fabric's
  // `fabric_units`.
  Crew(const topology::Servers& servers, workloads::Placement placement,
       std::vector<std::uint32_t> units, std::uint32_t fabric_units);

  // The host of each rank.
  [[nodiscard]] const std::vector<topology::HostId>& ranks() const { return ranks_; }
  [[nodiscard]] bool in_job(topology::HostId h) const;
  [[nodiscard]] std::uint32_t unit_of(topology::HostId h) const;
  [[nodiscard]] std::vector<topology::HostId> hosts_of(std::uint32_t unit) const;
  // "s3" (a server), or "h3" on a fabric of one-GPU servers.
  [[nodiscard]] std::string unit_name(std::uint32_t unit) const;

  // The unit leaves the job; it is back from repair at `back_ps`.
  void isolate(std::uint32_t unit, sim::Time back_ps);
  [[nodiscard]] bool isolated(std::uint32_t unit) const;

  // Replaces the isolated units with spares, as soon as there are some:
  // returns when the job can start (not before `earliest`).
  sim::Time replace_isolated(sim::Time earliest);

 private:
  void place();

  const topology::Servers& servers_;
  const workloads::Placement placement_;
  const std::uint32_t gpus_;
  std::vector<std::uint32_t> units_;  // in rank order
  std::vector<topology::HostId> ranks_;
  std::vector<sim::Time> back_ps_;  // per unit of the fabric: back from repair then
  std::vector<std::uint32_t> isolated_;
};

}  // namespace spinel::recovery
