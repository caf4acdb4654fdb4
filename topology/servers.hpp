#pragma once
// Which fabric hosts (NICs) belong to which server. A server has
// nics_per_host GPUs, GPU g behind NIC g. Hosts are numbered leaf by leaf
// (leaf pair by leaf pair with dual-port NICs, a pair counting as one leaf);
// servers are numbered so that, without rails, server s has hosts
// s*G .. s*G+G-1, and with rails, server s has the (s mod H)-th host of the
// (s / H)-th leaf of each rail's leaves (H = hosts per leaf). On a clos3 the
// rails are per pod: each pod's leaves split into the rails, and the pod's
// servers are numbered within it, pod after pod.
#include <cstdint>

#include "topology/config.hpp"
#include "topology/topology.hpp"

namespace spinel::topology {

class Servers {
 public:
  explicit Servers(const FabricConfig& config)
      : gpus_(config.nics_per_host),
        hosts_per_leaf_(config.hosts_per_leaf),
        leaves_per_pod_(config.leaf_groups() / config.pods),
        rail_leaves_(leaves_per_pod_ / config.nics_per_host),
        servers_per_pod_(rail_leaves_ * config.hosts_per_leaf),
        rails_(config.rail_optimised),
        count_(static_cast<std::uint32_t>(config.host_count() / config.nics_per_host)) {}

  [[nodiscard]] std::uint32_t count() const { return count_; }
  [[nodiscard]] std::uint32_t gpus_per_server() const { return gpus_; }
  // The host (NIC) of GPU g of server s.
  [[nodiscard]] HostId nic(std::uint32_t server, std::uint32_t gpu) const {
    if (!rails_) return server * gpus_ + gpu;
    const std::uint32_t pod = server / servers_per_pod_;
    const std::uint32_t local = server % servers_per_pod_;
    const std::uint32_t leaf = pod * leaves_per_pod_ + gpu * rail_leaves_ + local / hosts_per_leaf_;
    return leaf * hosts_per_leaf_ + local % hosts_per_leaf_;
  }
  [[nodiscard]] std::uint32_t server_of(HostId nic) const {
    if (!rails_) return nic / gpus_;
    const std::uint32_t leaf = nic / hosts_per_leaf_;
    const std::uint32_t local =
        (leaf % leaves_per_pod_ % rail_leaves_) * hosts_per_leaf_ + nic % hosts_per_leaf_;
    return leaf / leaves_per_pod_ * servers_per_pod_ + local;
  }

 private:
  std::uint32_t gpus_;
  std::uint32_t hosts_per_leaf_;
  std::uint32_t leaves_per_pod_;  // leaf groups (single leaves with one port) per pod
  std::uint32_t rail_leaves_;
  std::uint32_t servers_per_pod_;
  bool rails_;
  std::uint32_t count_;
};

}  // namespace spinel::topology
