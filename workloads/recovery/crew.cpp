#include "workloads/recovery/crew.hpp"

#include <algorithm>
#include <optional>

#include "sim/error.hpp"
#include "workloads/placement.hpp"

namespace spinel::recovery {

Crew::Crew(const topology::Servers& servers, workloads::Placement placement,
           std::vector<std::uint32_t> units, std::uint32_t fabric_units)
    : servers_(servers),
      placement_(placement),
      gpus_(servers.gpus_per_server()),
      units_(std::move(units)),
      back_ps_(fabric_units, 0) {
  place();
}

void Crew::place() {
  if (gpus_ > 1) {
    ranks_ = workloads::gpu_ranks(units_, servers_, placement_);
  } else {
    ranks_.assign(units_.begin(), units_.end());
  }
}

bool Crew::in_job(topology::HostId h) const {
  return std::find(ranks_.begin(), ranks_.end(), h) != ranks_.end();
}

std::uint32_t Crew::unit_of(topology::HostId h) const {
  return gpus_ > 1 ? servers_.server_of(h) : h;
}

std::vector<topology::HostId> Crew::hosts_of(std::uint32_t unit) const {
  if (gpus_ == 1) return {unit};
  std::vector<topology::HostId> hosts;
  for (std::uint32_t g = 0; g < gpus_; ++g) hosts.push_back(servers_.nic(unit, g));
  return hosts;
}

std::string Crew::unit_name(std::uint32_t unit) const {
  return (gpus_ > 1 ? "s" : "h") + std::to_string(unit);
}

void Crew::isolate(std::uint32_t unit, sim::Time back_ps) {
  back_ps_[unit] = back_ps;
  isolated_.push_back(unit);
}

bool Crew::isolated(std::uint32_t unit) const {
  return std::find(isolated_.begin(), isolated_.end(), unit) != isolated_.end();
}

sim::Time Crew::replace_isolated(sim::Time earliest) {
  sim::Time start = earliest;
  for (const std::uint32_t gone : isolated_) {
    const auto pos = std::find(units_.begin(), units_.end(), gone);
    for (;;) {
      std::optional<std::uint32_t> spare;
      sim::Time soonest = sim::kForever;
      for (std::uint32_t u = 0; u < back_ps_.size(); ++u) {
        if (std::find(units_.begin(), units_.end(), u) != units_.end()) continue;
        if (back_ps_[u] <= start) {
          spare = u;
          break;
        }
        soonest = std::min(soonest, back_ps_[u]);
      }
      if (spare) {
        *pos = *spare;
        break;
      }
      if (soonest == sim::kForever) throw sim::InternalError("recovery: no unit to run on");
      start = soonest;  // wait for a repaired server
    }
  }
  isolated_.clear();
  place();
  return start;
}

}  // namespace spinel::recovery
