#pragma once
// Which host runs which rank.
#include <cstdint>
#include <vector>

#include "topology/topology.hpp"
#include "workloads/config.hpp"

namespace spinel::workloads {

// Returns host ids, one per rank. `random` draws from the "placement" stream
// of `seed`: a random subset of the fabric's hosts in a random order.
std::vector<topology::HostId> place_ranks(const WorkloadConfig& config, std::uint32_t fabric_hosts,
                                          std::uint64_t seed);

}  // namespace spinel::workloads
