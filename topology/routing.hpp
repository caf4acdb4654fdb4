#pragma once
// All equal-cost shortest up-down paths between hosts. Hosts never forward,
// so the search runs on the switch-only subgraph: BFS distances towards each
// destination switch (Boost.Graph, on the reversed filtered graph), then every
// shortest switch path that never climbs a tier after descending one is
// enumerated once, depth first in the graph's edge order, and cached per
// (source switch, destination switch). The builders add every switch's links
// in the same order (by index of the switch above or below), so on a Clos the
// paths of every leaf pair come in the same order: path j climbs through the
// same uplink index (and on a clos3 the same core index) for every pair. A host path is its NIC
// uplink, one switch path, and the destination's NIC downlink. With dual-port NICs a path may leave
// from either port and arrive at either port: the host paths are then the shortest over the port
// pairs (two leaves of one pair reach each other's hosts directly, on the same-numbered ports),
// cached per host pair, each path whole from NIC to NIC. On rail planes a path to a GPU of another
// rail starts at the NIC of the source server's GPU on that rail (Topology::sending_nic): the
// NVLink hop before it is not a link of the fabric.
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "topology/topology.hpp"

namespace spinel::topology {

// The equal-cost paths between two switches, each `length` links long, stored
// flat: path i is links[i * length, (i + 1) * length).
struct SwitchPaths {
  std::uint32_t length = 0;
  std::uint32_t count = 0;
  sim::Time max_latency_ps = 0;  // equal hop counts, but latencies may differ per path
  std::vector<LinkId> links;
  [[nodiscard]] std::span<const LinkId> path(std::uint32_t i) const {
    return {links.data() + static_cast<std::size_t>(i) * length, length};
  }
};

// The equal-cost host-to-host paths: uplink, one of the switch paths,
// downlink. With several NIC ports, uplink and downlink are kNoLink and
// `middle` holds the whole paths, NIC links included (so that planners
// that balance `middle` balance the ports too).
struct HostPaths {
  LinkId uplink;
  LinkId downlink;
  const SwitchPaths* middle;
  [[nodiscard]] bool whole() const { return uplink == kNoLink; }
  [[nodiscard]] std::uint32_t count() const { return middle->count; }
  [[nodiscard]] std::uint32_t length() const { return middle->length + (whole() ? 0 : 2); }
  // Writes path i's links, in order from source to destination.
  template <typename Out>
  void append_path(std::uint32_t i, Out& out) const {
    if (!whole()) out.push_back(uplink);
    for (LinkId l : middle->path(i)) out.push_back(l);
    if (!whole()) out.push_back(downlink);
  }
};

class Routing {
 public:
  explicit Routing(const Topology& topology);

  // Valid while the Routing lives; computed on first use, then cached.
  const HostPaths paths(HostId src, HostId dst);
  const SwitchPaths& switch_paths(NodeId src_switch, NodeId dst_switch);

  // Sum of link latencies along path i.
  [[nodiscard]] sim::Time path_latency_ps(const HostPaths& paths, std::uint32_t i) const;
  // The largest of those sums over all the equal-cost paths.
  [[nodiscard]] sim::Time max_path_latency_ps(const HostPaths& paths) const;

 private:
  const std::vector<std::uint32_t>& distances_to(NodeId dst_switch);
  // Dual-port NICs: the shortest NIC-to-NIC paths over every port pair.
  const SwitchPaths& port_paths(HostId src, HostId dst);

  const Topology& topology_;
  std::unordered_map<NodeId, std::vector<std::uint32_t>> distances_;
  std::unordered_map<std::uint64_t, SwitchPaths> cache_;
  std::unordered_map<std::uint64_t, SwitchPaths> port_cache_;  // by (src host, dst host)
  // Host-to-host lookups are the hot ones: a dense table over the switches
  // that hosts attach to (leaves), pointing into cache_.
  std::vector<std::uint32_t> edge_index_;  // NodeId -> dense index among attachment switches
  std::uint32_t edge_count_ = 0;
  std::vector<const SwitchPaths*> edge_table_;  // empty when too large
  static constexpr std::uint32_t kMaxDenseEdges = 4096;
};

}  // namespace spinel::topology
