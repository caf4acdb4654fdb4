#pragma once
// The fabric: nodes (hosts, leaves, spines) and directed links, held as a
// Boost.Graph bidirectional multigraph (parallel links are parallel edges).
// Every physical cable is two directed links, one per direction, because the
// models share bandwidth per direction (full duplex).
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "sim/time.hpp"
#include "topology/config.hpp"

namespace spinel::topology {

using NodeId = std::uint32_t;
using LinkId = std::uint32_t;
using HostId = std::uint32_t;
inline constexpr LinkId kNoLink = ~LinkId{0};

enum class NodeKind : std::uint8_t { host, leaf, spine, site };

// Which tier a directed link climbs or descends (wan: between two sites);
// links.csv reports it.
enum class LinkKind : std::uint8_t { host_up, host_down, leaf_up, spine_down, wan };

// The kind's name in result files: "host_up", "host_down", "leaf_up", "spine_down", "wan".
inline const char* to_string(LinkKind kind) {
  static constexpr const char* kNames[] = {"host_up", "host_down", "leaf_up", "spine_down", "wan"};
  return kNames[static_cast<int>(kind)];
}

struct Node {
  NodeKind kind;
  std::uint32_t index;  // among nodes of its kind
};

struct Link {
  NodeId src;
  NodeId dst;
  LinkKind kind;
  std::uint32_t parallel_index;  // which of the parallel links of one node pair
  double rate_gbps;
  sim::Time latency_ps;
};

struct EdgeProps {
  LinkId link;
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                    boost::no_property, EdgeProps>;

class Topology {
 public:
  NodeId add_node(NodeKind kind);
  // A site switch of a WAN, named by its site.
  NodeId add_site(std::string name);
  // Adds both directions of a cable; returns the id of the src->dst direction
  // (the reverse direction is that id + 1).
  LinkId add_cable(NodeId a, NodeId b, LinkKind a_to_b, LinkKind b_to_a,
                   std::uint32_t parallel_index, const LinkSpec& spec);

  [[nodiscard]] const Graph& graph() const { return graph_; }
  [[nodiscard]] std::size_t node_count() const { return nodes_.size(); }
  [[nodiscard]] std::size_t link_count() const { return links_.size(); }
  [[nodiscard]] const Node& node(NodeId id) const { return nodes_[id]; }
  [[nodiscard]] const Link& link(LinkId id) const { return links_[id]; }
  [[nodiscard]] const std::vector<Link>& links() const { return links_; }

  [[nodiscard]] std::uint32_t host_count() const {
    return static_cast<std::uint32_t>(hosts_.size());
  }
  [[nodiscard]] NodeId host_node(HostId h) const { return hosts_[h]; }
  [[nodiscard]] bool is_switch(NodeId n) const { return nodes_[n].kind != NodeKind::host; }
  [[nodiscard]] std::uint32_t count(NodeKind kind) const;

  // The host's single NIC link towards its switch, and back.
  [[nodiscard]] LinkId host_uplink(HostId h) const { return host_up_[h]; }
  [[nodiscard]] LinkId host_downlink(HostId h) const { return host_up_[h] + 1; }
  [[nodiscard]] NodeId attachment(HostId h) const { return links_[host_up_[h]].dst; }

  // "h12", "leaf3", "spine0", or a site's name
  [[nodiscard]] std::string node_name(NodeId id) const;
  [[nodiscard]] std::string link_name(LinkId id) const;  // "leaf3>spine0" (+ "#k" if parallel)
  // Every directed link by its link_name, for inputs that name links.
  [[nodiscard]] std::unordered_map<std::string, LinkId> links_by_name() const;

  // Host-facing capacity over spine-facing capacity of the most loaded leaf
  // (1.0 = non-blocking, 3.0 = 3:1 oversubscribed).
  [[nodiscard]] double oversubscription() const { return oversubscription_; }
  void set_oversubscription(double r) { oversubscription_ = r; }

 private:
  Graph graph_;
  std::vector<Node> nodes_;
  std::vector<Link> links_;
  std::vector<NodeId> hosts_;
  std::vector<LinkId> host_up_;
  std::vector<std::string> site_names_;
  std::uint32_t kind_counts_[4] = {0, 0, 0, 0};
  std::uint32_t max_parallel_ = 1;
  double oversubscription_ = 1.0;
};

// Hosts are numbered leaf by leaf: host h sits on leaf h / hosts_per_leaf.
Topology build_leaf_spine(const LeafSpineConfig& config);

// Hosts are numbered site by site; site s is the node host_count() + s.
Topology build_wan(const WanConfig& config);

}  // namespace spinel::topology
