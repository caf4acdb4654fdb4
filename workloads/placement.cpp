#include "workloads/placement.hpp"

#include <numeric>

#include "sim/error.hpp"
#include "sim/rng.hpp"

namespace spinel::workloads {

std::vector<topology::HostId> place_ranks(const WorkloadConfig& config, std::uint32_t fabric_hosts,
                                          std::uint64_t seed) {
  const std::uint32_t n = config.hosts == 0 ? fabric_hosts : config.hosts;
  if (n > fabric_hosts) throw sim::InternalError("more ranks than hosts");
  switch (config.placement) {
    case Placement::contiguous: {
      std::vector<topology::HostId> hosts(n);
      std::iota(hosts.begin(), hosts.end(), 0u);
      return hosts;
    }
    case Placement::random: {
      std::vector<topology::HostId> hosts(fabric_hosts);
      std::iota(hosts.begin(), hosts.end(), 0u);
      sim::Rng rng(seed, "placement");
      rng.shuffle(hosts.begin(), hosts.end());
      hosts.resize(n);
      return hosts;
    }
    case Placement::explicit_list:
      return {config.ranks.begin(), config.ranks.end()};
  }
  return {};
}

}  // namespace spinel::workloads
