#include "topology/topology.hpp"

#include <algorithm>

#include "sim/error.hpp"
#include "topology/fabric_file.hpp"
#include "topology/servers.hpp"

namespace spinel::topology {

NodeId Topology::add_node(NodeKind kind) {
  const auto id = static_cast<NodeId>(boost::add_vertex(graph_));
  const auto k = static_cast<std::size_t>(kind);
  nodes_.push_back(Node{kind, kind_counts_[k]++});
  top_tier_ = std::max(top_tier_, topology::tier(kind));
  if (kind == NodeKind::host) {
    hosts_.push_back(id);
    host_up_.insert(host_up_.end(), nic_ports_, kNoLink);
  }
  return id;
}

NodeId Topology::add_node(NodeKind kind, std::string name) {
  const NodeId id = add_node(kind);
  names_.resize(nodes_.size());
  names_[id] = std::move(name);
  return id;
}

LinkId Topology::add_cable(NodeId a, NodeId b, LinkKind a_to_b, LinkKind b_to_a,
                           std::uint32_t parallel_index, const LinkSpec& spec) {
  const auto forward = static_cast<LinkId>(links_.size());
  links_.push_back(Link{a, b, a_to_b, parallel_index, spec.rate_gbps, spec.latency_ps});
  links_.push_back(Link{b, a, b_to_a, parallel_index, spec.rate_gbps, spec.latency_ps});
  if (is_switch(a) && is_switch(b)) max_parallel_ = std::max(max_parallel_, parallel_index + 1);
  boost::add_edge(a, b, EdgeProps{forward}, graph_);
  boost::add_edge(b, a, EdgeProps{forward + 1}, graph_);
  if (nodes_[a].kind == NodeKind::host) {
    const std::size_t slot =
        static_cast<std::size_t>(nodes_[a].index) * nic_ports_ + parallel_index;
    if (parallel_index >= nic_ports_ || host_up_[slot] != kNoLink) {
      throw sim::InternalError("a host has one NIC link per port in this model");
    }
    host_up_[slot] = forward;
  }
  return forward;
}

std::uint32_t Topology::count(NodeKind kind) const {
  return kind_counts_[static_cast<std::size_t>(kind)];
}

namespace {
// Appending, rather than "h" + std::to_string(i), dodges a GCC 12 -Wrestrict
// false positive at -O3.
std::string prefixed(const char* prefix, std::uint32_t index) {
  std::string s(prefix);
  s += std::to_string(index);
  return s;
}
}  // namespace

std::string Topology::node_name(NodeId id) const {
  if (id < names_.size() && !names_[id].empty()) return names_[id];
  const Node& n = nodes_[id];
  switch (n.kind) {
    case NodeKind::host:
      return prefixed("h", n.index);
    case NodeKind::leaf:
      return prefixed("leaf", n.index);
    case NodeKind::spine:
      return prefixed("spine", n.index);
    case NodeKind::site:
      return prefixed("switch", n.index);  // sites and file switches carry names
    case NodeKind::agg:
      return prefixed("agg", n.index);
    case NodeKind::core:
      return prefixed("core", n.index);
  }
  return "?";
}

std::string Topology::link_name(LinkId id) const {
  const Link& l = links_[id];
  const auto end = [&](NodeId n) {
    std::string s = node_name(n);
    if (nic_ports_ > 1 && !is_switch(n)) {
      s += ".p";
      s += std::to_string(l.parallel_index);
    }
    return s;
  };
  std::string name = end(l.src) + ">" + end(l.dst);
  if (max_parallel_ > 1 && is_switch(l.src) && is_switch(l.dst)) {
    name += '#';
    name += std::to_string(l.parallel_index);
  }
  return name;
}

std::unordered_map<std::string, LinkId> Topology::links_by_name() const {
  std::unordered_map<std::string, LinkId> by_name;
  for (LinkId l = 0; l < links_.size(); ++l) by_name.emplace(link_name(l), l);
  return by_name;
}

namespace {

// Planes are one per NIC port, or one per rail of rail-optimised servers of
// single-port NICs.
bool planes_fit(const FabricConfig& c) {
  if (c.planes == 1) return true;
  if (c.plane_per == PlanePer::port) return c.planes == c.nic_ports;
  return c.planes == c.nics_per_host && c.rail_optimised && c.nic_ports == 1 &&
         c.leaves_per_pod() % c.planes == 0;
}

// Rail planes: every host's server peers, one per rail (Topology::sending_nic).
void add_rail_peers(Topology& t, const FabricConfig& c) {
  if (c.planes == 1 || c.plane_per != PlanePer::rail) return;
  const Servers servers(c);
  std::vector<HostId> peers(static_cast<std::size_t>(t.host_count()) * c.planes);
  for (HostId h = 0; h < t.host_count(); ++h) {
    for (std::uint32_t r = 0; r < c.planes; ++r) {
      peers[static_cast<std::size_t>(h) * c.planes + r] = servers.nic(servers.server_of(h), r);
    }
  }
  t.set_rail_peers(std::move(peers));
}

}  // namespace

Topology build_leaf_spine(const FabricConfig& c) {
  if (c.leaves == 0 || c.spines == 0 || c.hosts_per_leaf == 0 || c.parallel_links == 0) {
    throw sim::InternalError("leaf-spine config must have at least one of each element");
  }
  if (c.nic_ports == 0 || c.leaves % c.nic_ports != 0) {
    throw sim::InternalError("leaf-spine config: the leaves must split into groups of nic_ports");
  }
  if (!planes_fit(c) || c.spines % c.planes != 0) {
    throw sim::InternalError(
        "leaf-spine config: planes are one per NIC port or rail, and split the spines");
  }
  Topology t;
  t.set_nic_ports(c.nic_ports);
  const auto hosts = static_cast<std::uint32_t>(c.host_count());
  // Hosts first so that HostId == NodeId for hosts; then leaves, then spines.
  for (std::uint32_t i = 0; i < hosts; ++i) t.add_node(NodeKind::host);
  std::vector<NodeId> leaves(c.leaves);
  std::vector<NodeId> spines(c.spines);
  for (auto& leaf : leaves) leaf = t.add_node(NodeKind::leaf);
  for (auto& spine : spines) spine = t.add_node(NodeKind::spine);

  for (std::uint32_t h = 0; h < hosts; ++h) {
    for (std::uint32_t p = 0; p < c.nic_ports; ++p) {
      t.add_cable(t.host_node(h), leaves[(h / c.hosts_per_leaf) * c.nic_ports + p],
                  LinkKind::host_up, LinkKind::host_down, p, c.host_link);
    }
  }
  if (c.planes > 1) {
    for (std::uint32_t l = 0; l < c.leaves; ++l) t.set_plane(leaves[l], c.leaf_plane(l));
    for (std::uint32_t s = 0; s < c.spines; ++s) t.set_plane(spines[s], s / c.spines_per_plane());
    add_rail_peers(t, c);
  }
  // Every leaf to every spine of its plane (all spines with one plane), in
  // spine order.
  for (std::uint32_t l = 0; l < c.leaves; ++l) {
    for (std::uint32_t k = 0; k < c.uplinks_per_leaf(); ++k) {
      for (std::uint32_t p = 0; p < c.parallel_links; ++p) {
        t.add_cable(leaves[l], spines[c.leaf_uplink(l, k)], LinkKind::leaf_up, LinkKind::spine_down,
                    p, c.spine_link);
      }
    }
  }
  const double down = static_cast<double>(c.hosts_per_leaf) * c.host_link.rate_gbps;
  const double up =
      static_cast<double>(c.uplinks_per_leaf()) * c.parallel_links * c.spine_link.rate_gbps;
  t.set_oversubscription(down / up);
  t.set_regular_clos(true);
  return t;
}

Topology build_clos3(const FabricConfig& c) {
  if (c.pods == 0 || c.leaves == 0 || c.leaves % c.pods != 0 || c.aggs_per_pod == 0 ||
      c.cores == 0 || c.hosts_per_leaf == 0 || c.core_groups == 0 || c.cores % c.core_groups != 0 ||
      c.aggs_per_pod % c.core_groups != 0) {
    throw sim::InternalError(
        "clos3 config: pods, leaves per pod, aggs per pod and cores, with core groups that "
        "divide the aggs per pod and the cores");
  }
  if (c.nic_ports == 0 || c.leaves_per_pod() % c.nic_ports != 0) {
    throw sim::InternalError("clos3 config: each pod's leaves must split into groups of nic_ports");
  }
  if (c.planes != 1 &&
      (!planes_fit(c) || c.aggs_per_pod % c.planes != 0 || c.cores % c.planes != 0 ||
       c.aggs_per_plane() % c.core_groups != 0 || c.cores_per_plane() % c.core_groups != 0)) {
    throw sim::InternalError(
        "clos3 config: planes are one per NIC port or rail, and split each pod's aggs and the "
        "cores into whole core groups");
  }
  Topology t;
  t.set_nic_ports(c.nic_ports);
  const auto hosts = static_cast<std::uint32_t>(c.host_count());
  for (std::uint32_t i = 0; i < hosts; ++i) t.add_node(NodeKind::host);
  std::vector<NodeId> leaves(c.leaves);
  std::vector<NodeId> aggs(static_cast<std::size_t>(c.pods) * c.aggs_per_pod);
  std::vector<NodeId> cores(c.cores);
  for (auto& leaf : leaves) leaf = t.add_node(NodeKind::leaf);
  for (auto& agg : aggs) agg = t.add_node(NodeKind::agg);
  for (auto& core : cores) core = t.add_node(NodeKind::core);

  for (std::uint32_t h = 0; h < hosts; ++h) {
    for (std::uint32_t p = 0; p < c.nic_ports; ++p) {
      t.add_cable(t.host_node(h), leaves[(h / c.hosts_per_leaf) * c.nic_ports + p],
                  LinkKind::host_up, LinkKind::host_down, p, c.host_link);
    }
  }
  if (c.planes > 1) {
    for (std::uint32_t l = 0; l < c.leaves; ++l) t.set_plane(leaves[l], c.leaf_plane(l));
    for (std::uint32_t g = 0; g < aggs.size(); ++g) {
      t.set_plane(aggs[g], g % c.aggs_per_pod / c.aggs_per_plane());
    }
    for (std::uint32_t k = 0; k < c.cores; ++k) t.set_plane(cores[k], k / c.cores_per_plane());
    add_rail_peers(t, c);
  }
  // Every leaf to every agg of its pod and plane; agg a of every pod to the
  // cores of its plane's group a mod core_groups.
  const std::uint32_t per_pod = c.leaves_per_pod();
  for (std::uint32_t l = 0; l < c.leaves; ++l) {
    for (std::uint32_t k = 0; k < c.uplinks_per_leaf(); ++k) {
      t.add_cable(leaves[l], aggs[c.leaf_uplink(l, k)], LinkKind::leaf_up, LinkKind::agg_down, 0,
                  c.agg_link);
    }
  }
  for (std::uint32_t g = 0; g < aggs.size(); ++g) {
    for (std::uint32_t k = 0; k < c.cores_per_agg(); ++k) {
      t.add_cable(aggs[g], cores[c.agg_core(g, k)], LinkKind::agg_up, LinkKind::core_down, 0,
                  c.core_link);
    }
  }
  const double down = static_cast<double>(c.hosts_per_leaf) * c.host_link.rate_gbps;
  t.set_oversubscription(down / (static_cast<double>(c.uplinks_per_leaf()) * c.agg_link.rate_gbps));
  const double agg_down = static_cast<double>(per_pod / c.planes) * c.agg_link.rate_gbps;
  t.set_agg_oversubscription(agg_down /
                             (static_cast<double>(c.cores_per_agg()) * c.core_link.rate_gbps));
  t.set_regular_clos(true);
  return t;
}

Topology build_fabric(const FabricConfig& config) {
  switch (config.kind) {
    case FabricKind::leaf_spine:
      return build_leaf_spine(config);
    case FabricKind::clos3:
      return build_clos3(config);
    case FabricKind::file:
      return build_file_fabric(*config.file);
  }
  throw sim::InternalError("unknown fabric kind");
}

FabricConfig fat_tree(std::uint32_t k) {
  if (k < 2 || k % 2 != 0) throw sim::InternalError("a fat tree's k is even, at least 2");
  FabricConfig c;
  c.kind = FabricKind::clos3;
  c.fat_tree_k = k;
  c.pods = k;
  c.leaves = k * (k / 2);
  c.aggs_per_pod = k / 2;
  c.hosts_per_leaf = k / 2;
  c.cores = (k / 2) * (k / 2);
  c.core_groups = k / 2;
  return c;
}

Topology build_wan(const WanConfig& c) {
  if (c.sites.empty()) throw sim::InternalError("a WAN needs at least one site");
  Topology t;
  // Hosts first so that HostId == NodeId for hosts; then the site switches.
  for (const WanSite& site : c.sites) {
    for (std::uint32_t h = 0; h < site.hosts; ++h) t.add_node(NodeKind::host);
  }
  std::vector<NodeId> sites;
  for (const WanSite& site : c.sites) sites.push_back(t.add_site(site.name));
  HostId host = 0;
  for (std::size_t s = 0; s < c.sites.size(); ++s) {
    for (std::uint32_t h = 0; h < c.sites[s].hosts; ++h, ++host) {
      t.add_cable(t.host_node(host), sites[s], LinkKind::host_up, LinkKind::host_down, 0,
                  c.sites[s].host_link);
    }
  }
  for (const WanLink& l : c.links) {
    if (l.a >= sites.size() || l.b >= sites.size() || l.a == l.b) {
      throw sim::InternalError("a WAN link joins two different sites of the config");
    }
    t.add_cable(sites[l.a], sites[l.b], LinkKind::wan, LinkKind::wan, 0, l.link);
  }
  return t;
}

}  // namespace spinel::topology
