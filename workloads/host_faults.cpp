#include "workloads/host_faults.hpp"

namespace spinel::workloads {

std::optional<RankOnHost> rank_on_host(const std::vector<std::vector<topology::HostId>>& placed,
                                       topology::HostId host) {
  for (std::size_t j = 0; j < placed.size(); ++j) {
    for (std::size_t r = 0; r < placed[j].size(); ++r) {
      if (placed[j][r] == host) {
        return RankOnHost{static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(r)};
      }
    }
  }
  return std::nullopt;
}

bool apply_host_faults(const std::vector<transport::Fault>& faults,
                       const std::vector<std::vector<topology::HostId>>& placed,
                       const std::vector<ComputeSpeed*>& speeds) {
  bool hangs = false;
  for (const transport::Fault& fault : faults) {
    if (fault.acts_on_links()) continue;
    const auto where = rank_on_host(placed, transport::fault_host(fault));
    if (!where) continue;
    ComputeSpeed& compute = *speeds.at(where->job);
    if (fault.state == transport::FaultState::hung) {
      compute.hang_from(where->rank, fault.at_ps);
      hangs = true;
    } else {
      compute.slow_from(where->rank, fault.at_ps, fault.factor);
    }
  }
  return hangs;
}

}  // namespace spinel::workloads
