#pragma once
// All equal-cost shortest paths between hosts. Hosts never forward, so the
// search runs on the switch-only subgraph: BFS distances towards each
// destination switch (Boost.Graph, on the reversed filtered graph), then every
// shortest switch path is enumerated once and cached per (source switch,
// destination switch). A host path is its NIC uplink, one switch path, and the
// destination's NIC downlink.
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

// The equal-cost host-to-host paths: uplink, one of the switch paths, downlink.
struct HostPaths {
  LinkId uplink;
  LinkId downlink;
  const SwitchPaths* middle;
  [[nodiscard]] std::uint32_t count() const { return middle->count; }
  [[nodiscard]] std::uint32_t length() const { return middle->length + 2; }
  // Writes path i's links, in order from source to destination.
  template <typename Out>
  void append_path(std::uint32_t i, Out& out) const {
    out.push_back(uplink);
    for (LinkId l : middle->path(i)) out.push_back(l);
    out.push_back(downlink);
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

  const Topology& topology_;
  std::unordered_map<NodeId, std::vector<std::uint32_t>> distances_;
  std::unordered_map<std::uint64_t, SwitchPaths> cache_;
  // Host-to-host lookups are the hot ones: a dense table over the switches
  // that hosts attach to (leaves), pointing into cache_.
  std::vector<std::uint32_t> edge_index_;  // NodeId -> dense index among attachment switches
  std::uint32_t edge_count_ = 0;
  std::vector<const SwitchPaths*> edge_table_;  // empty when too large
  static constexpr std::uint32_t kMaxDenseEdges = 4096;
};

}  // namespace spinel::topology
