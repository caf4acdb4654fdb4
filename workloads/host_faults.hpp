#pragma once
// Host faults (a slow or hung GPU) on the compute models of the jobs whose
// ranks they hit; link faults act in transport (transport/link_changes.hpp).
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "topology/topology.hpp"
#include "transport/fault.hpp"
#include "workloads/compute.hpp"

namespace spinel::workloads {

// Which rank of which job runs on a host, if any.
struct RankOnHost {
  std::uint32_t job = 0;
  std::uint32_t rank = 0;
};
std::optional<RankOnHost> rank_on_host(const std::vector<std::vector<topology::HostId>>& placed,
                                       topology::HostId host);

// Host faults, on the compute model of the job that has a rank there (a
// host without a rank has nothing to slow down). Returns whether some
// rank hangs: its job may then never finish.
bool apply_host_faults(const std::vector<transport::Fault>& faults,
                       const std::vector<std::vector<topology::HostId>>& placed,
                       const std::vector<ComputeSpeed*>& speeds);

}  // namespace spinel::workloads
