#pragma once
// Plain description of a fabric, as a scenario states it. Filled by the
// scenario loader (already validated) and read by the builders.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace spinel::topology {

struct LinkSpec {
  double rate_gbps = 400.0;
  sim::Time latency_ps = 500 * sim::kNanosecond;
};

// What a plane of a multi-plane fabric is made of (FabricConfig::planes):
// one per NIC port, or one per rail.
enum class PlanePer : std::uint8_t {
  port,  // NIC port p of every host on plane p (dual-plane, nic_ports 2)
  rail,  // rail r (GPU r of every server, single-port NICs) on plane r
};
// Which shape of fabric a FabricConfig describes.
enum class FabricKind : std::uint8_t {
  leaf_spine,  // two tiers: every leaf to every spine
  clos3,       // three tiers: pods of leaves and aggregation switches, and a core layer
  file,        // any graph, read from a GraphML or DOT file (topology/fabric_file.hpp)
};

struct FabricFile;

// A folded Clos, of two tiers (leaf_spine: every leaf connects to every spine
// with `parallel_links` links) or three (clos3: `pods` pods, each of
// leaves / pods leaves and aggs_per_pod aggregation switches, every leaf of a
// pod linked to every agg of it; the `cores` core switches split into
// core_groups groups, and agg a of every pod links to every core of group
// a mod core_groups). Hosts hang off leaves, one NIC each.
struct FabricConfig {
  FabricKind kind = FabricKind::leaf_spine;
  std::uint32_t leaves = 4;  // every leaf of the fabric (clos3: pods x leaves per pod)
  std::uint32_t spines = 4;  // leaf_spine only
  std::uint32_t hosts_per_leaf = 4;
  std::uint32_t parallel_links = 1;  // leaf_spine only
  LinkSpec host_link;                // host <-> leaf, both directions
  LinkSpec spine_link;               // leaf_spine: leaf <-> spine, per parallel link
  // clos3 only.
  std::uint32_t pods = 1;
  std::uint32_t aggs_per_pod = 0;
  std::uint32_t cores = 0;
  std::uint32_t core_groups = 1;
  LinkSpec agg_link;   // leaf <-> agg
  LinkSpec core_link;  // agg <-> core
  // The k of the k-ary fat tree this clos3 was made from (fat_tree()), 0 if none.
  std::uint32_t fat_tree_k = 0;
  // Servers with several GPUs, each GPU with its own NIC (a host of the
  // fabric): GPU g of a server talks through NIC g. 1 = every host is a
  // one-GPU server. See topology/servers.hpp for the numbering.
  std::uint32_t nics_per_host = 1;
  // Rail-optimised: NIC g of every server sits on the leaves of rail g (the
  // leaves, of each pod on a clos3, split into nics_per_host groups), so
  // GPU g of all servers share leaves. Otherwise a server's NICs are
  // consecutive hosts.
  bool rail_optimised = false;
  // GPU to GPU inside a server (NVLink-like), per transfer.
  LinkSpec nvlink{3600.0, 1 * sim::kMicrosecond};
  // Ports per NIC, each cabled to a different leaf (dual-ToR with 2): the
  // leaves pair up (within a pod), port p of a host on leaf pair k goes to
  // leaf 2k + p, and both ports carry host_link's rate (a NIC of
  // 2 x 200 Gb/s bonded is host_link 200 Gb/s, nic_ports 2). hosts_per_leaf
  // counts each leaf's host ports, so a leaf pair serves hosts_per_leaf
  // hosts. 1 or 2.
  std::uint32_t nic_ports = 1;
  // Independent planes (multi-plane fabrics): with plane_per port, P =
  // nic_ports planes and port p of every NIC (so leaf 2k + p) on plane p;
  // with plane_per rail (rail-optimised servers of single-port NICs), P =
  // nics_per_host planes and rail r's leaves (of every pod) on plane r. The
  // switches above the leaves split into P planes, contiguous blocks of the
  // spines (leaf_spine), of each pod's aggs and of the cores (clos3): every
  // plane is a whole fabric of its own, and two GPUs meet only on the planes
  // both reach (on rail planes, through their server's GPU of the other rail:
  // Topology::sending_nic). 1 = one fabric (every leaf reaches every spine).
  std::uint32_t planes = 1;
  PlanePer plane_per = PlanePer::port;
  // kind file: the graph as read. Its hosts count as single-host leaves
  // (leaves = hosts x nic_ports, hosts_per_leaf 1, one pod), so that
  // host_count() and Servers hold; a file's servers have one GPU each.
  std::shared_ptr<const FabricFile> file;

  [[nodiscard]] std::uint32_t leaves_per_pod() const { return leaves / pods; }
  // Groups of leaves that serve the same hosts (single leaves with one port).
  [[nodiscard]] std::uint32_t leaf_groups() const { return leaves / nic_ports; }
  // Hosts (NICs) of the fabric.
  [[nodiscard]] std::uint64_t host_count() const {
    return std::uint64_t{leaf_groups()} * hosts_per_leaf;
  }

  // Planes: which one a switch is on, and who is cabled to whom (the
  // builders, link names and faults all ask here).
  [[nodiscard]] std::uint32_t leaf_plane(std::uint64_t leaf) const {
    if (plane_per == PlanePer::rail && planes > 1) {
      // Rails split each pod's leaves into planes contiguous blocks.
      const std::uint32_t per_rail = leaves_per_pod() / planes;
      return static_cast<std::uint32_t>(leaf % leaves_per_pod() / per_rail);
    }
    return static_cast<std::uint32_t>(leaf % planes);
  }
  [[nodiscard]] std::uint32_t spines_per_plane() const { return spines / planes; }
  [[nodiscard]] std::uint32_t aggs_per_plane() const { return aggs_per_pod / planes; }
  [[nodiscard]] std::uint32_t cores_per_plane() const { return cores / planes; }
  // The uplinks of a leaf: spines (lane 0 of each) or its pod's aggs, of its plane.
  [[nodiscard]] std::uint32_t uplinks_per_leaf() const {
    return kind == FabricKind::clos3 ? aggs_per_plane() : spines_per_plane();
  }
  // The k-th spine (leaf_spine) or agg (clos3) that `leaf` is cabled to.
  [[nodiscard]] std::uint64_t leaf_uplink(std::uint64_t leaf, std::uint32_t k) const {
    const std::uint64_t first = std::uint64_t{leaf_plane(leaf)} * uplinks_per_leaf() + k;
    if (kind != FabricKind::clos3) return first;
    return leaf / leaves_per_pod() * aggs_per_pod + first;
  }
  // clos3: the cores an agg (numbered over all pods) is cabled to: those of
  // its plane's core group `local agg index mod core_groups`.
  [[nodiscard]] std::uint32_t cores_per_agg() const { return cores_per_plane() / core_groups; }
  [[nodiscard]] std::uint64_t agg_core(std::uint64_t agg, std::uint32_t k) const {
    const auto local = static_cast<std::uint32_t>(agg % aggs_per_pod);
    const std::uint32_t plane = local / aggs_per_plane();
    const std::uint32_t group = (local % aggs_per_plane()) % core_groups;
    return std::uint64_t{plane} * cores_per_plane() + std::uint64_t{group} * cores_per_agg() + k;
  }
};

// The k-ary fat tree (k even, at least 2) as a clos3: k pods of k/2 leaves
// and k/2 aggs, k/2 hosts per leaf, (k/2)^2 cores in k/2 groups; the link
// specs are left at their defaults.
FabricConfig fat_tree(std::uint32_t k);

// Sites (data centres) joined by long-fat WAN links: each site is one
// switch with its hosts; a WAN link joins two site switches, both
// directions. Hosts are numbered site by site, in the order given.
struct WanSite {
  std::string name;
  std::uint32_t hosts = 1;
  LinkSpec host_link{100.0, 10 * sim::kMicrosecond};  // host <-> its site switch
};

struct WanLink {
  std::uint32_t a = 0;  // indices into WanConfig::sites
  std::uint32_t b = 0;
  LinkSpec link{100.0, 40 * sim::kMillisecond};
};

struct WanConfig {
  std::vector<WanSite> sites;
  std::vector<WanLink> links;  // the loader fills a full mesh when none are listed
};

}  // namespace spinel::topology
