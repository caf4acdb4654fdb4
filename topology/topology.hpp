#pragma once
// The fabric: nodes (hosts and switches in tiers) and directed links, held as a
// Boost.Graph bidirectional multigraph (parallel links are parallel edges).
// Every physical cable is two directed links, one per direction, because the
// models share bandwidth per direction (full duplex).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "sim/time.hpp"
#include "topology/config.hpp"

namespace spinel::topology {

using NodeId = std::uint32_t;
using LinkId = std::uint32_t;
using HostId = std::uint32_t;
inline constexpr LinkId kNoLink = ~LinkId{0};

// spine: the upper tier of a leaf-spine; agg and core: the middle and top
// tiers of a clos3; site: a WAN's site switch.
enum class NodeKind : std::uint8_t { host, leaf, spine, site, agg, core };
inline constexpr std::size_t kNodeKinds = 6;

// A node's tier: hosts 0, leaves and sites 1, spines and aggs 2, cores 3.
// Routes climb, then descend (up-down), never the other way round.
inline std::uint32_t tier(NodeKind kind) {
  static constexpr std::uint32_t kTiers[kNodeKinds] = {0, 1, 2, 1, 2, 3};
  return kTiers[static_cast<std::size_t>(kind)];
}

// Which tier a directed link climbs or descends (wan: between two sites);
// links.csv reports it. leaf_up climbs from a leaf to a spine or an agg.
enum class LinkKind : std::uint8_t {
  host_up,
  host_down,
  leaf_up,
  spine_down,
  wan,
  agg_down,   // agg -> leaf
  agg_up,     // agg -> core
  core_down,  // core -> agg
};

// The kind's name in result files: "host_up", "host_down", "leaf_up",
// "spine_down", "wan", "agg_down", "agg_up", "core_down".
inline const char* to_string(LinkKind kind) {
  static constexpr const char* kNames[] = {"host_up", "host_down", "leaf_up", "spine_down",
                                           "wan",     "agg_down",  "agg_up",  "core_down"};
  return kNames[static_cast<int>(kind)];
}

// Whether the link climbs to a higher switch tier (leaf_up, agg_up) or
// descends to a lower one (spine_down, agg_down, core_down); host links and
// WAN links are neither.
inline bool is_uplink(LinkKind kind) {
  return kind == LinkKind::leaf_up || kind == LinkKind::agg_up;
}
inline bool is_downlink(LinkKind kind) {
  return kind == LinkKind::spine_down || kind == LinkKind::agg_down || kind == LinkKind::core_down;
}

struct Node {
  NodeKind kind;
  std::uint32_t index;  // among nodes of its kind
};

struct Link {
  NodeId src;
  NodeId dst;
  LinkKind kind;
  // Which of the parallel links of one switch pair; for a host link, which
  // port of the host's NIC it belongs to.
  std::uint32_t parallel_index;
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
  // A node named `name` rather than by its kind and index (a WAN's site, a
  // fabric file's node).
  NodeId add_node(NodeKind kind, std::string name);
  // A site switch of a WAN, named by its site.
  NodeId add_site(std::string name) { return add_node(NodeKind::site, std::move(name)); }
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
  [[nodiscard]] std::uint32_t tier(NodeId n) const { return topology::tier(nodes_[n].kind); }
  [[nodiscard]] std::uint32_t count(NodeKind kind) const;
  // The highest tier of any node: 2 on a leaf-spine, 3 on a clos3, 1 on a WAN.
  [[nodiscard]] std::uint32_t top_tier() const { return top_tier_; }

  // Multi-plane fabrics: how many planes, and the plane of a switch (0 on a
  // fabric of one plane, and for hosts, which reach every plane).
  [[nodiscard]] std::uint32_t planes() const { return planes_; }
  [[nodiscard]] std::uint32_t plane(NodeId n) const { return n < plane_.size() ? plane_[n] : 0; }
  void set_plane(NodeId n, std::uint32_t plane) {
    if (plane_.size() <= n) plane_.resize(n + 1, 0);
    plane_[n] = static_cast<std::uint8_t>(plane);
    planes_ = std::max(planes_, plane + 1);
  }
  // Every directed link to or from a switch of plane p, in id order.
  [[nodiscard]] std::vector<LinkId> links_of_plane(std::uint32_t p) const {
    std::vector<LinkId> out;
    for (LinkId l = 0; l < links_.size(); ++l) {
      const NodeId a = links_[l].src;
      const NodeId b = links_[l].dst;
      if ((is_switch(a) && plane(a) == p) || (is_switch(b) && plane(b) == p)) out.push_back(l);
    }
    return out;
  }

  // Rail planes (plane_per: rail): a GPU reaches only its own rail's plane,
  // so traffic to a GPU of another rail crosses NVLink first, to the sending
  // GPU's server peer on the destination's rail, and leaves from that NIC (as
  // NCCL's PXN does). The NIC that puts src's traffic to dst on the network:
  // src itself on other fabrics and between GPUs of one rail or one server.
  [[nodiscard]] HostId sending_nic(HostId src, HostId dst) const {
    if (rail_peer_.empty()) return src;
    const std::uint32_t rail = plane(attachment(dst));
    const HostId peer = rail_peer_[static_cast<std::size_t>(src) * planes_ + rail];
    return peer == dst ? src : peer;
  }
  // peers[h * planes() + r]: host h's server's NIC on rail r.
  void set_rail_peers(std::vector<HostId> peers) { rail_peer_ = std::move(peers); }
  [[nodiscard]] bool rail_planes() const { return !rail_peer_.empty(); }

  // Ports of every host's NIC (1, or 2 for dual-port NICs on two leaves).
  [[nodiscard]] std::uint32_t nic_ports() const { return nic_ports_; }
  void set_nic_ports(std::uint32_t ports) { nic_ports_ = ports; }
  // The host's NIC link of port `port` towards its switch, and back.
  [[nodiscard]] LinkId host_uplink(HostId h, std::uint32_t port = 0) const {
    return host_up_[static_cast<std::size_t>(h) * nic_ports_ + port];
  }
  [[nodiscard]] LinkId host_downlink(HostId h, std::uint32_t port = 0) const {
    return host_uplink(h, port) + 1;
  }
  // The switch port `port` of the host is cabled to.
  [[nodiscard]] NodeId attachment(HostId h, std::uint32_t port = 0) const {
    return links_[host_uplink(h, port)].dst;
  }
  // What the NIC of host h carries each way: its ports' rates together.
  [[nodiscard]] double nic_rate_gbps(HostId h) const {
    double sum = 0;
    for (std::uint32_t p = 0; p < nic_ports_; ++p) sum += links_[host_uplink(h, p)].rate_gbps;
    return sum;
  }
  // Every directed link to or from node n, in id order.
  [[nodiscard]] std::vector<LinkId> links_of(NodeId n) const {
    std::vector<LinkId> out;
    for (LinkId l = 0; l < links_.size(); ++l) {
      if (links_[l].src == n || links_[l].dst == n) out.push_back(l);
    }
    return out;
  }
  // The node that node_name() calls `name`, if any.
  [[nodiscard]] std::optional<NodeId> node_by_name(std::string_view name) const {
    for (NodeId n = 0; n < nodes_.size(); ++n) {
      if (node_name(n) == name) return n;
    }
    return std::nullopt;
  }
  // Whether `link` is one of host h's NIC links, either way, any port.
  [[nodiscard]] bool is_nic_link(HostId h, LinkId link) const {
    for (std::uint32_t p = 0; p < nic_ports_; ++p) {
      if (link == host_uplink(h, p) || link == host_downlink(h, p)) return true;
    }
    return false;
  }

  // "h12", "leaf3", "spine0", "agg5", "core2", or a site's name
  [[nodiscard]] std::string node_name(NodeId id) const;
  // "leaf3>spine0" (+ "#k" if parallel); a port of a dual-port NIC is
  // "h12.p1", as in "h12.p1>leaf5".
  [[nodiscard]] std::string link_name(LinkId id) const;
  // Every directed link by its link_name, for inputs that name links.
  [[nodiscard]] std::unordered_map<std::string, LinkId> links_by_name() const;

  // Host-facing capacity over spine-facing (agg-facing) capacity of the most
  // loaded leaf (1.0 = non-blocking, 3.0 = 3:1 oversubscribed).
  [[nodiscard]] double oversubscription() const { return oversubscription_; }
  void set_oversubscription(double r) { oversubscription_ = r; }
  // clos3: leaf-facing capacity over core-facing capacity of the most loaded
  // agg; 1.0 on other fabrics.
  [[nodiscard]] double agg_oversubscription() const { return agg_oversubscription_; }
  void set_agg_oversubscription(double r) { agg_oversubscription_ = r; }
  // Built by a Clos builder (leaf_spine, clos3): every leaf pair's paths
  // spread evenly over whole sets of links that no other leaf pair splits
  // differently, which spray trunks rely on. False for a graph from a file.
  [[nodiscard]] bool regular_clos() const { return regular_clos_; }
  void set_regular_clos(bool regular) { regular_clos_ = regular; }

 private:
  Graph graph_;
  std::vector<Node> nodes_;
  std::vector<Link> links_;
  std::vector<NodeId> hosts_;
  std::vector<LinkId> host_up_;  // host h, port p at h * nic_ports_ + p
  std::uint32_t nic_ports_ = 1;
  std::vector<std::uint8_t> plane_;  // by NodeId; empty on a fabric of one plane
  std::uint32_t planes_ = 1;
  std::vector<HostId> rail_peer_;   // rail planes only: see sending_nic
  std::vector<std::string> names_;  // by NodeId; empty unless some node has its own name
  std::uint32_t kind_counts_[kNodeKinds] = {};
  std::uint32_t top_tier_ = 0;
  std::uint32_t max_parallel_ = 1;
  double oversubscription_ = 1.0;
  double agg_oversubscription_ = 1.0;
  bool regular_clos_ = false;
};

// Hosts are numbered leaf by leaf: host h sits on leaf h / hosts_per_leaf;
// with dual-port NICs, port p of host h on leaf 2 (h / hosts_per_leaf) + p.
// Node ids: hosts, then leaves, then spines.
Topology build_leaf_spine(const FabricConfig& config);

// A clos3, hosts numbered as on a leaf-spine; leaves are numbered pod by pod
// (leaf l in pod l / leaves_per_pod), aggs too (agg g is agg g mod
// aggs_per_pod of pod g / aggs_per_pod). Node ids: hosts, leaves, aggs, cores.
Topology build_clos3(const FabricConfig& config);

// The fabric the config describes, of its kind.
Topology build_fabric(const FabricConfig& config);

// kind file: see topology/fabric_file.hpp (build_file_fabric).
// Hosts are numbered site by site; site s is the node host_count() + s.
Topology build_wan(const WanConfig& config);

}  // namespace spinel::topology
