#include "topology/routing.hpp"

#include <algorithm>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <boost/graph/visitors.hpp>
#include <limits>

#include "sim/error.hpp"

namespace spinel::topology {

namespace {

constexpr std::uint32_t kUnreached = std::numeric_limits<std::uint32_t>::max();

// Hosts are endpoints, never transit: keep only switch vertices.
struct SwitchesOnly {
  const Topology* topology = nullptr;
  bool operator()(Graph::vertex_descriptor v) const {
    return topology->is_switch(static_cast<NodeId>(v));
  }
};

}  // namespace

Routing::Routing(const Topology& topology)
    : topology_(topology), edge_index_(topology.node_count(), kUnreached) {
  for (HostId h = 0; h < topology.host_count(); ++h) {
    std::uint32_t& index = edge_index_[topology.attachment(h)];
    if (index == kUnreached) index = edge_count_++;
  }
  // Up to 4,096 leaves the table costs at most 128 MiB; beyond, lookups go
  // through the hash map alone.
  if (edge_count_ <= kMaxDenseEdges) {
    edge_table_.assign(static_cast<std::size_t>(edge_count_) * edge_count_, nullptr);
  }
}

const std::vector<std::uint32_t>& Routing::distances_to(NodeId dst_switch) {
  auto it = distances_.find(dst_switch);
  if (it != distances_.end()) return it->second;

  const Graph& g = topology_.graph();
  using Filtered = boost::filtered_graph<Graph, boost::keep_all, SwitchesOnly>;
  Filtered switches(g, boost::keep_all{}, SwitchesOnly{&topology_});
  // BFS on the reversed graph from the destination gives, for every switch,
  // the hop count of its shortest path towards the destination.
  auto reversed = boost::make_reverse_graph(switches);
  std::vector<std::uint32_t> dist(boost::num_vertices(g), kUnreached);
  dist[dst_switch] = 0;
  boost::breadth_first_search(reversed, static_cast<Graph::vertex_descriptor>(dst_switch),
                              boost::visitor(boost::make_bfs_visitor(
                                  boost::record_distances(dist.data(), boost::on_tree_edge{}))));
  return distances_.emplace(dst_switch, std::move(dist)).first->second;
}

const SwitchPaths& Routing::switch_paths(NodeId src, NodeId dst) {
  const std::uint64_t key = (static_cast<std::uint64_t>(src) << 32) | dst;
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;

  const auto& dist = distances_to(dst);
  if (dist[src] == kUnreached) {
    throw sim::InternalError("no path from " + topology_.node_name(src) + " to " +
                             topology_.node_name(dst));
  }
  SwitchPaths out;
  out.length = dist[src];
  // Depth-first enumeration along edges that step one hop closer; the order
  // follows the graph's edge order, so it is deterministic. Parallel links
  // are lanes: a path that climbs on lane k of a switch pair descends on lane
  // k, so a leaf-spine has spines x parallel_links paths between two leaves.
  // Up-down: once a path has descended a tier it never climbs again (on a
  // Clos every shortest path is up-down anyway; this keeps valleys out
  // where a graph would allow them).
  const Graph& g = topology_.graph();
  std::vector<LinkId> stack;
  stack.reserve(out.length);
  auto walk = [&](auto&& self, NodeId at, bool descended) -> void {
    if (at == dst) {
      out.links.insert(out.links.end(), stack.begin(), stack.end());
      ++out.count;
      return;
    }
    for (auto [e, end] = boost::out_edges(at, g); e != end; ++e) {
      const auto next = static_cast<NodeId>(boost::target(*e, g));
      if (!topology_.is_switch(next) || dist[next] + 1 != dist[at]) continue;
      const bool up = topology_.tier(next) > topology_.tier(at);
      if (up && descended) continue;
      const LinkId link = g[*e].link;
      if (!stack.empty() &&
          topology_.link(link).parallel_index != topology_.link(stack.front()).parallel_index) {
        continue;
      }
      stack.push_back(link);
      self(self, next, descended || topology_.tier(next) < topology_.tier(at));
      stack.pop_back();
    }
  };
  walk(walk, src, false);
  if (out.count == 0) {
    throw sim::InternalError("no up-down path from " + topology_.node_name(src) + " to " +
                             topology_.node_name(dst));
  }
  if (out.length > 0) {
    sim::Time worst = 0;
    for (std::uint32_t i = 0; i < out.count; ++i) {
      sim::Time sum = 0;
      for (LinkId l : out.path(i)) sum += topology_.link(l).latency_ps;
      worst = std::max(worst, sum);
    }
    out.max_latency_ps = worst;
  }
  return cache_.emplace(key, std::move(out)).first->second;
}

const SwitchPaths& Routing::port_paths(HostId src, HostId dst) {
  const std::uint64_t key = (static_cast<std::uint64_t>(src) << 32) | dst;
  auto it = port_cache_.find(key);
  if (it != port_cache_.end()) return it->second;
  const std::uint32_t ports = topology_.nic_ports();
  // On a multi-plane fabric a port reaches only the ports of its own plane.
  const auto joined = [&](std::uint32_t p, std::uint32_t q) {
    const NodeId a = topology_.attachment(src, p);
    return distances_to(topology_.attachment(dst, q))[a] != kUnreached;
  };
  std::uint32_t shortest = std::numeric_limits<std::uint32_t>::max();
  for (std::uint32_t p = 0; p < ports; ++p) {
    for (std::uint32_t q = 0; q < ports; ++q) {
      if (!joined(p, q)) continue;
      const SwitchPaths& m =
          switch_paths(topology_.attachment(src, p), topology_.attachment(dst, q));
      shortest = std::min(shortest, m.length + 2);
    }
  }
  if (shortest == std::numeric_limits<std::uint32_t>::max()) {
    throw sim::InternalError("no path from " + topology_.node_name(src) + " to " +
                             topology_.node_name(dst) + " on any plane");
  }
  // Port pairs in order (source port, then destination port), then each
  // pair's switch paths in their order: deterministic.
  SwitchPaths out;
  out.length = shortest;
  for (std::uint32_t p = 0; p < ports; ++p) {
    for (std::uint32_t q = 0; q < ports; ++q) {
      if (!joined(p, q)) continue;
      const SwitchPaths& m =
          switch_paths(topology_.attachment(src, p), topology_.attachment(dst, q));
      if (m.length + 2 != shortest) continue;
      for (std::uint32_t i = 0; i < m.count; ++i) {
        out.links.push_back(topology_.host_uplink(src, p));
        for (LinkId l : m.path(i)) out.links.push_back(l);
        out.links.push_back(topology_.host_downlink(dst, q));
        ++out.count;
      }
    }
  }
  for (std::uint32_t i = 0; i < out.count; ++i) {
    sim::Time sum = 0;
    for (LinkId l : out.path(i)) sum += topology_.link(l).latency_ps;
    out.max_latency_ps = std::max(out.max_latency_ps, sum);
  }
  return port_cache_.emplace(key, std::move(out)).first->second;
}

const HostPaths Routing::paths(HostId src, HostId dst) {
  if (topology_.nic_ports() > 1) return HostPaths{kNoLink, kNoLink, &port_paths(src, dst)};
  src = topology_.sending_nic(src, dst);
  const NodeId a = topology_.attachment(src);
  const NodeId b = topology_.attachment(dst);
  if (edge_table_.empty()) {
    return HostPaths{topology_.host_uplink(src), topology_.host_downlink(dst), &switch_paths(a, b)};
  }
  const SwitchPaths*& middle =
      edge_table_[static_cast<std::size_t>(edge_index_[a]) * edge_count_ + edge_index_[b]];
  if (middle == nullptr) middle = &switch_paths(a, b);
  return HostPaths{topology_.host_uplink(src), topology_.host_downlink(dst), middle};
}

sim::Time Routing::path_latency_ps(const HostPaths& paths, std::uint32_t i) const {
  sim::Time sum = 0;
  if (!paths.whole()) {
    sum = topology_.link(paths.uplink).latency_ps + topology_.link(paths.downlink).latency_ps;
  }
  for (LinkId l : paths.middle->path(i)) sum += topology_.link(l).latency_ps;
  return sum;
}

sim::Time Routing::max_path_latency_ps(const HostPaths& paths) const {
  if (paths.whole()) return paths.middle->max_latency_ps;
  return topology_.link(paths.uplink).latency_ps + paths.middle->max_latency_ps +
         topology_.link(paths.downlink).latency_ps;
}

}  // namespace spinel::topology
