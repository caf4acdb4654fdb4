#pragma once
// Which host runs which rank.
#include <cstdint>
#include <vector>

#include "topology/servers.hpp"
#include "topology/topology.hpp"
#include "workloads/config.hpp"

namespace spinel::workloads {

// Returns host ids, one per rank. `random` draws from the "placement" stream
// of `seed`: a random subset of the fabric's hosts in a random order.
std::vector<topology::HostId> place_ranks(const WorkloadConfig& config, std::uint32_t fabric_hosts,
                                          std::uint64_t seed);

// Places several jobs on disjoint hosts: explicit lists first (they must not
// overlap), then the others in order, each from the hosts still free:
// `contiguous` takes the lowest free ids, `random` a random subset (job k
// draws from stream "placement" for k = 0, "placement.k" after). A job with
// hosts = 0 takes every host still free. Throws sim::InternalError if the
// jobs do not fit (scenario validation reports that earlier, with a line).
std::vector<std::vector<topology::HostId>> place_jobs(const std::vector<WorkloadConfig>& jobs,
                                                      std::uint32_t fabric_hosts,
                                                      std::uint64_t seed);

// The ranks of a job given whole servers (place_jobs' ids are then server
// ids): one per GPU, server by server (GPU g on NIC g), or with
// Placement::rail rail by rail, snaking (see Placement::rail).
std::vector<topology::HostId> gpu_ranks(const std::vector<std::uint32_t>& servers_of_job,
                                        const topology::Servers& servers, Placement placement);

}  // namespace spinel::workloads
