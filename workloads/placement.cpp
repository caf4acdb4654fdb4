#include "workloads/placement.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "sim/error.hpp"
#include "sim/rng.hpp"

namespace spinel::workloads {

namespace {

// Takes `n` hosts from `free` (ascending ids) as the job's placement asks.
std::vector<topology::HostId> take(const WorkloadConfig& job, std::size_t index,
                                   std::vector<topology::HostId>& free, std::uint64_t seed) {
  const std::size_t n = job.hosts == 0 ? free.size() : job.hosts;
  if (n > free.size()) {
    throw sim::InternalError("job " + job.name + " needs " + std::to_string(n) + " hosts, " +
                             std::to_string(free.size()) + " are free");
  }
  std::vector<topology::HostId> hosts;
  if (job.placement == Placement::contiguous || job.placement == Placement::rail) {
    hosts.assign(free.begin(), free.begin() + static_cast<std::ptrdiff_t>(n));
  } else {
    // The single-job case draws exactly as it always has, from "placement".
    std::vector<topology::HostId> shuffled = free;
    sim::Rng rng(seed,
                 index == 0 ? std::string("placement") : "placement." + std::to_string(index));
    rng.shuffle(shuffled.begin(), shuffled.end());
    hosts.assign(shuffled.begin(), shuffled.begin() + static_cast<std::ptrdiff_t>(n));
  }
  std::vector<topology::HostId> sorted = hosts;
  std::sort(sorted.begin(), sorted.end());
  std::vector<topology::HostId> rest;
  std::set_difference(free.begin(), free.end(), sorted.begin(), sorted.end(),
                      std::back_inserter(rest));
  free = std::move(rest);
  return hosts;
}

}  // namespace

std::vector<topology::HostId> place_ranks(const WorkloadConfig& config, std::uint32_t fabric_hosts,
                                          std::uint64_t seed) {
  return place_jobs({config}, fabric_hosts, seed).front();
}

std::vector<std::vector<topology::HostId>> place_jobs(const std::vector<WorkloadConfig>& jobs,
                                                      std::uint32_t fabric_hosts,
                                                      std::uint64_t seed) {
  std::vector<topology::HostId> free(fabric_hosts);
  std::iota(free.begin(), free.end(), 0u);
  std::vector<std::vector<topology::HostId>> placed(jobs.size());
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    if (jobs[j].placement != Placement::explicit_list) continue;
    placed[j].assign(jobs[j].ranks.begin(), jobs[j].ranks.end());
    for (topology::HostId h : placed[j]) {
      const auto it = std::lower_bound(free.begin(), free.end(), h);
      if (it == free.end() || *it != h) {
        throw sim::InternalError("host " + std::to_string(h) + " of job " + jobs[j].name +
                                 " is not free");
      }
      free.erase(it);
    }
  }
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    if (jobs[j].placement != Placement::explicit_list) placed[j] = take(jobs[j], j, free, seed);
  }
  return placed;
}

std::vector<topology::HostId> gpu_ranks(const std::vector<std::uint32_t>& servers_of_job,
                                        const topology::Servers& servers, Placement placement) {
  const std::uint32_t gpus = servers.gpus_per_server();
  const auto count = static_cast<std::uint32_t>(servers_of_job.size());
  std::vector<topology::HostId> nics;
  nics.reserve(static_cast<std::size_t>(count) * gpus);
  if (placement == Placement::rail) {
    // A snake through the rails: rail g visits the servers forwards when g is
    // even, backwards when odd, so moving to the next rail (and, for an even
    // number of rails, wrapping around) happens inside one server.
    for (std::uint32_t g = 0; g < gpus; ++g) {
      for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint32_t s = g % 2 == 0 ? i : count - 1 - i;
        nics.push_back(servers.nic(servers_of_job[s], g));
      }
    }
    return nics;
  }
  for (const std::uint32_t server : servers_of_job) {
    for (std::uint32_t g = 0; g < gpus; ++g) nics.push_back(servers.nic(server, g));
  }
  return nics;
}

}  // namespace spinel::workloads
