#pragma once
// Node and link names as links.csv writes them ("h12", "leaf3", "agg5",
// "leaf3>agg5", "h12.p1>leaf5", "leaf0>spine2#1"), checked against a fabric's
// config without building the fabric: scenario files name links and
// switches in faults and time series, and a loader checks them early.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "topology/config.hpp"
#include "topology/topology.hpp"

namespace spinel::topology {

struct NodeName {
  NodeKind kind = NodeKind::host;
  std::uint64_t index = 0;
};

// "h12": a host as links.csv, faults and detections name it.
std::string host_name(std::uint64_t host);

// "h12", "leaf3", "spine0", "agg5", "core2": the kind and the index (no
// leading zeros), or nullopt. Says nothing of whether the fabric has it.
std::optional<NodeName> parse_node_name(std::string_view name);

// Whether the fabric has this switch.
bool has_switch(const FabricConfig& config, const NodeName& node);

// The spec of the directed link `name` names in this fabric (host_link,
// spine_link, agg_link or core_link), or nullopt if the fabric has no such
// link.
std::optional<LinkSpec> named_link(std::string_view name, const FabricConfig& config);

// Every directed link name of the fabric, for did-you-mean hints; empty when
// there would be more than `limit` of them.
std::vector<std::string> link_names(const FabricConfig& config, std::size_t limit);

// Example link names of the fabric's kind for messages:
// "h0>leaf0, leaf0>spine0, spine0>leaf1" (with #0 when links are parallel).
std::string example_link_names(const FabricConfig& config);
// The range of switch names for messages: "leaf0 to leaf3 or spine0 to spine7".
std::string switch_name_range(const FabricConfig& config);

// The name of uplink k of a leaf (lane 0), k < FabricConfig::uplinks_per_leaf().
std::string leaf_uplink_name(const FabricConfig& config, std::uint32_t leaf, std::uint32_t k);

}  // namespace spinel::topology
