#include "topology/fabric_file.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/property_map/dynamic_property_map.hpp>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <utility>

namespace spinel::topology {

namespace {

// Every attribute is read as text, so that a missing one (empty) can be told
// from a zero and named in the error.
struct FileVertex {
  std::string name;
  std::string role;
};
struct FileEdge {
  std::string rate_gbps;
  std::string latency_ns;
};
using FileGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, FileVertex, FileEdge>;

constexpr double kMaxRateGbps = 1e6;
constexpr double kMaxLatencyNs = 1e12;  // 1000 s

struct Role {
  const char* word;
  NodeKind kind;
};
// `switch` is a switch of no tier (NodeKind::site): routing over it is plain
// shortest paths, no up-down rule.
constexpr Role kRoles[] = {{"host", NodeKind::host}, {"switch", NodeKind::site},
                           {"leaf", NodeKind::leaf}, {"spine", NodeKind::spine},
                           {"agg", NodeKind::agg},   {"core", NodeKind::core}};
constexpr const char* kUndirected =
    "a fabric is an undirected graph (each edge is one cable, both ways): write `graph { ... }` "
    "with `--` edges in DOT, edgedefault=\"undirected\" in GraphML";
constexpr const char* kRoleWords = "host, switch, leaf, spine, agg or core";

const char* role_word(NodeKind kind) {
  for (const Role& r : kRoles) {
    if (r.kind == kind) return r.word;
  }
  return "switch";
}

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw FabricFileError(path + ": " + message);
}

// A plain decimal number in (0, max], or nullopt.
std::optional<double> positive_number(const std::string& text, double max) {
  double x = 0;
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, x);
  if (ec != std::errc{} || p != end || !std::isfinite(x) || x < 0 || x > max) return std::nullopt;
  return x;
}

GraphFormat format_of(const std::string& path) {
  const auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() &&
           std::equal(ext.rbegin(), ext.rend(), path.rbegin(), [](char a, char b) {
             return a == std::tolower(static_cast<unsigned char>(b));
           });
  };
  if (ends(".graphml") || ends(".xml")) return GraphFormat::graphml;
  if (ends(".dot") || ends(".gv")) return GraphFormat::dot;
  fail(path, "unknown graph format: name the file .graphml (GraphML) or .dot (Graphviz DOT)");
}

// Where a role's nodes come in the fabric's node order: as the builders
// number them (hosts, leaves, spines, aggs, cores), plain switches last.
int role_rank(NodeKind kind) {
  switch (kind) {
    case NodeKind::host:
      return 0;
    case NodeKind::leaf:
      return 1;
    case NodeKind::spine:
      return 2;
    case NodeKind::agg:
      return 3;
    case NodeKind::core:
      return 4;
    case NodeKind::site:
      return 5;
  }
  return 6;
}

// Names compared with runs of digits as numbers: "h2" < "h10" < "leaf1".
bool natural_less(const std::string& a, const std::string& b) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      std::size_t ei = i;
      std::size_t ej = j;
      while (ei < a.size() && digit(a[ei])) ++ei;
      while (ej < b.size() && digit(b[ej])) ++ej;
      std::size_t si = i;
      std::size_t sj = j;
      while (si + 1 < ei && a[si] == '0') ++si;  // leading zeros do not count
      while (sj + 1 < ej && b[sj] == '0') ++sj;
      if (ei - si != ej - sj) return ei - si < ej - sj;
      const int c = a.compare(si, ei - si, b, sj, ej - sj);
      if (c != 0) return c < 0;
      i = ei;
      j = ej;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  if ((a.size() - i) != (b.size() - j)) return a.size() - i < b.size() - j;
  return a < b;  // "h01" and "h1": any fixed order
}

// The link kinds of a cable from a to b, each way, from the nodes' tiers:
// climbing from a leaf is leaf_up, from an agg agg_up; descending is named by
// the switch it leaves; between switches of one tier it is `wan` (a peer link).
LinkKind kind_between(NodeKind from, NodeKind to) {
  if (from == NodeKind::host) return LinkKind::host_up;
  if (to == NodeKind::host) return LinkKind::host_down;
  const std::uint32_t a = tier(from);
  const std::uint32_t b = tier(to);
  if (a < b) return from == NodeKind::agg ? LinkKind::agg_up : LinkKind::leaf_up;
  if (a > b) {
    if (from == NodeKind::core) return LinkKind::core_down;
    return from == NodeKind::agg ? LinkKind::agg_down : LinkKind::spine_down;
  }
  return LinkKind::wan;
}

// A reader's attribute stored as text in the graph's bundled property,
// whatever type the file declares (GraphML's attr.type double, int, ...:
// Boost's own adaptor accepts only the map's type or a string).
template <class Descriptor, class Bundle>
class TextProperty : public boost::dynamic_property_map {
 public:
  TextProperty(FileGraph& g, std::string Bundle::*member) : g_(g), member_(member) {}
  boost::any get(const boost::any& key) override { return get_string(key); }
  std::string get_string(const boost::any& key) override {
    return g_[boost::any_cast<Descriptor>(key)].*member_;
  }
  void put(const boost::any& key, const boost::any& value) override {
    g_[boost::any_cast<Descriptor>(key)].*member_ = as_text(value);
  }
  [[nodiscard]] const std::type_info& key() const override { return typeid(Descriptor); }
  [[nodiscard]] const std::type_info& value() const override { return typeid(std::string); }

 private:
  static std::string as_text(const boost::any& value) {
    if (const auto* text = boost::any_cast<std::string>(&value)) return *text;
    if (const auto* b = boost::any_cast<bool>(&value)) return *b ? "true" : "false";
    char buf[64];
    std::to_chars_result r{buf, std::errc{}};
    if (const auto* d = boost::any_cast<double>(&value)) r = std::to_chars(buf, buf + 64, *d);
    if (const auto* f = boost::any_cast<float>(&value)) r = std::to_chars(buf, buf + 64, *f);
    if (const auto* i = boost::any_cast<int>(&value)) r = std::to_chars(buf, buf + 64, *i);
    if (const auto* l = boost::any_cast<long>(&value)) r = std::to_chars(buf, buf + 64, *l);
    return std::string(buf, r.ptr);
  }

  FileGraph& g_;
  std::string Bundle::*member_;
};

template <class Descriptor, class Bundle>
void add_text_property(boost::dynamic_properties& dp, const std::string& name, FileGraph& g,
                       std::string Bundle::*member) {
  dp.insert(name, boost::shared_ptr<boost::dynamic_property_map>(
                      new TextProperty<Descriptor, Bundle>(g, member)));
}

}  // namespace

FabricFile parse_fabric(const std::string& text, GraphFormat format, const std::string& path) {
  FileGraph g;
  using Vertex = FileGraph::vertex_descriptor;
  using Edge = FileGraph::edge_descriptor;
  boost::dynamic_properties dp(boost::ignore_other_properties);
  add_text_property<Vertex>(dp, "role", g, &FileVertex::role);
  add_text_property<Edge>(dp, "rate_gbps", g, &FileEdge::rate_gbps);
  add_text_property<Edge>(dp, "latency_ns", g, &FileEdge::latency_ns);
  try {
    if (format == GraphFormat::graphml) {
      add_text_property<Vertex>(dp, "name", g, &FileVertex::name);
      std::istringstream in(text);
      boost::read_graphml(in, g, dp);
    } else {
      add_text_property<Vertex>(dp, "node_id", g, &FileVertex::name);
      boost::read_graphviz(text, g, dp, "node_id");
    }
  } catch (const boost::directed_graph_error&) {
    fail(path, kUndirected);
  } catch (const boost::undirected_graph_error&) {
    fail(path, kUndirected);
  } catch (const std::exception& e) {
    fail(path, std::string("cannot read the ") +
                   (format == GraphFormat::graphml ? "GraphML" : "DOT") + ": " + e.what());
  }

  FabricFile out;
  out.path = path;
  const auto vertices = static_cast<std::uint32_t>(boost::num_vertices(g));
  std::vector<NodeKind> kinds(vertices);
  std::map<std::string, std::uint32_t> seen;
  for (std::uint32_t v = 0; v < vertices; ++v) {
    const FileVertex& fv = g[v];
    const std::string who = fv.name.empty() ? "node " + std::to_string(v + 1) + " of the file"
                                            : "node \"" + fv.name + "\"";
    if (fv.name.empty()) {
      fail(path, who + " has no name (GraphML: a `name` data key on every node)");
    }
    if (!seen.emplace(fv.name, v).second) fail(path, who + " is named twice");
    if (fv.role.empty()) fail(path, who + " has no role (" + kRoleWords + ")");
    const auto role = std::find_if(std::begin(kRoles), std::end(kRoles),
                                   [&](const Role& r) { return fv.role == r.word; });
    if (role == std::end(kRoles)) {
      fail(path, who + ": role \"" + fv.role + "\" is not one of " + kRoleWords);
    }
    kinds[v] = role->kind;
  }
  // Node order: by role (hosts, leaves, spines, aggs, cores, plain
  // switches: the builders' order), then by name in natural order (h2
  // before h10). Boost's readers do not keep the file's node order (the
  // DOT reader sorts node ids as text), so the order comes from the names.
  std::vector<std::uint32_t> sorted(vertices);
  for (std::uint32_t v = 0; v < vertices; ++v) sorted[v] = v;
  std::sort(sorted.begin(), sorted.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (kinds[a] != kinds[b]) return role_rank(kinds[a]) < role_rank(kinds[b]);
    return natural_less(g[a].name, g[b].name);
  });
  std::vector<std::uint32_t> order(vertices);
  for (std::uint32_t i = 0; i < vertices; ++i) order[sorted[i]] = i;
  out.hosts = static_cast<std::uint32_t>(std::count(kinds.begin(), kinds.end(), NodeKind::host));
  out.nodes.resize(vertices);
  for (std::uint32_t v = 0; v < vertices; ++v) out.nodes[order[v]] = {g[v].name, kinds[v]};
  if (out.hosts < 2)
    fail(path, "a fabric needs at least 2 hosts (role host), got " + std::to_string(out.hosts));

  std::vector<std::uint32_t> host_ports(out.hosts, 0);
  for (auto [e, end] = boost::edges(g); e != end; ++e) {
    const auto s = static_cast<std::uint32_t>(boost::source(*e, g));
    const auto t = static_cast<std::uint32_t>(boost::target(*e, g));
    const std::string who = "edge \"" + g[s].name + "\" -- \"" + g[t].name + "\"";
    if (s == t) fail(path, who + " is a loop");
    if (kinds[s] == NodeKind::host && kinds[t] == NodeKind::host) {
      fail(path, who + " joins two hosts; hosts attach to switches");
    }
    const FileEdge& fe = g[*e];
    if (fe.rate_gbps.empty()) fail(path, who + " has no rate_gbps");
    if (fe.latency_ns.empty()) fail(path, who + " has no latency_ns");
    const auto rate = positive_number(fe.rate_gbps, kMaxRateGbps);
    if (!rate || *rate <= 0) {
      fail(path,
           who + ": rate_gbps is a number above 0 and up to 1e6, got \"" + fe.rate_gbps + "\"");
    }
    const auto latency = positive_number(fe.latency_ns, kMaxLatencyNs);
    if (!latency) {
      fail(path, who + ": latency_ns is a number from 0 to 1e12, got \"" + fe.latency_ns + "\"");
    }
    FabricFileCable cable;
    cable.a = order[s];
    cable.b = order[t];
    cable.link.rate_gbps = *rate;
    cable.link.latency_ps = static_cast<sim::Time>(std::llround(*latency * 1000.0));
    if (kinds[s] == NodeKind::host) ++host_ports[cable.a];
    if (kinds[t] == NodeKind::host) ++host_ports[cable.b];
    out.cables.push_back(cable);
  }
  out.nic_ports = host_ports[0];
  for (std::uint32_t h = 0; h < out.hosts; ++h) {
    const std::uint32_t p = host_ports[h];
    if (p == 0) fail(path, "host \"" + out.nodes[h].name + "\" has no edge to a switch");
    if (p > 2 || p != out.nic_ports) {
      fail(path, "host \"" + out.nodes[h].name + "\" has " + std::to_string(p) +
                     " edges; every host has the same number of NIC ports, 1 or 2 (host \"" +
                     out.nodes[0].name + "\" has " + std::to_string(out.nic_ports) + ")");
    }
  }
  // Hosts never forward: every host's switches must reach each other's over
  // switches alone (Boost.Graph's connected components of the switch graph).
  const auto is_switch = [&](FileGraph::vertex_descriptor v) { return kinds[v] != NodeKind::host; };
  const boost::filtered_graph<FileGraph, boost::keep_all, std::function<bool(std::size_t)>>
      switches(g, boost::keep_all{}, is_switch);
  std::vector<std::uint32_t> component(vertices, 0);
  boost::connected_components(
      switches, boost::make_iterator_property_map(component.begin(),
                                                  boost::get(boost::vertex_index, switches)));
  std::vector<std::uint32_t> host_switch(vertices, vertices);  // a switch of each host
  for (auto [e, end] = boost::edges(g); e != end; ++e) {
    const auto s = boost::source(*e, g);
    const auto t = boost::target(*e, g);
    if (kinds[s] == NodeKind::host) host_switch[s] = static_cast<std::uint32_t>(t);
    if (kinds[t] == NodeKind::host) host_switch[t] = static_cast<std::uint32_t>(s);
  }
  const std::uint32_t first = sorted.front();
  for (std::uint32_t v = 0; v < vertices; ++v) {
    if (kinds[v] != NodeKind::host) continue;
    if (component[host_switch[v]] != component[host_switch[first]]) {
      fail(path, "host \"" + g[v].name + "\" cannot reach host \"" + g[first].name +
                     "\": no path over switches joins them");
    }
  }
  return out;
}

FabricFile read_fabric_file(const std::string& path) {
  const GraphFormat format = format_of(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open the fabric file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) fail(path, "cannot read the fabric file");
  return parse_fabric(text.str(), format, path);
}

Topology build_file_fabric(const FabricFile& file) {
  Topology t;
  t.set_nic_ports(file.nic_ports);
  for (const FabricFileNode& n : file.nodes) t.add_node(n.kind, n.name);
  // A host's cables in file order are its ports 0, 1; a switch pair's cables
  // in file order are its parallel lanes 0, 1, ...
  std::vector<std::uint32_t> ports(file.hosts, 0);
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> lanes;
  for (const FabricFileCable& c : file.cables) {
    const NodeKind ka = file.nodes[c.a].kind;
    const NodeKind kb = file.nodes[c.b].kind;
    // A host link always runs host -> switch first, as the builders add it.
    const bool flip = kb == NodeKind::host;
    const std::uint32_t a = flip ? c.b : c.a;
    const std::uint32_t b = flip ? c.a : c.b;
    const NodeKind from = flip ? kb : ka;
    const NodeKind to = flip ? ka : kb;
    std::uint32_t index = 0;
    if (from == NodeKind::host) {
      index = ports[a]++;
    } else {
      index = lanes[{std::min(a, b), std::max(a, b)}]++;
    }
    t.add_cable(a, b, kind_between(from, to), kind_between(to, from), index, c.link);
  }
  // Oversubscription as the builders state it: host-facing over uplink
  // capacity of the most loaded leaf, leaf-facing over core-facing of the
  // most loaded agg; switches with no uplinks do not count.
  std::vector<double> down(t.node_count(), 0.0);
  std::vector<double> up(t.node_count(), 0.0);
  for (const Link& l : t.links()) {
    if (is_uplink(l.kind)) up[l.src] += l.rate_gbps;
    if (l.kind == LinkKind::host_down || l.kind == LinkKind::agg_down) down[l.src] += l.rate_gbps;
  }
  double leaf_ratio = 0.0;  // 0 until a leaf with uplinks is seen
  double agg_ratio = 0.0;
  for (NodeId n = 0; n < t.node_count(); ++n) {
    if (up[n] <= 0) continue;
    if (t.node(n).kind == NodeKind::leaf) leaf_ratio = std::max(leaf_ratio, down[n] / up[n]);
    if (t.node(n).kind == NodeKind::agg) agg_ratio = std::max(agg_ratio, down[n] / up[n]);
  }
  if (leaf_ratio == 0.0) leaf_ratio = 1.0;
  if (agg_ratio == 0.0) agg_ratio = 1.0;
  t.set_oversubscription(leaf_ratio);
  t.set_agg_oversubscription(agg_ratio);
  return t;
}

void write_fabric(const Topology& topology, GraphFormat format, std::ostream& out) {
  FileGraph g;
  for (NodeId n = 0; n < topology.node_count(); ++n) {
    boost::add_vertex(FileVertex{topology.node_name(n), role_word(topology.node(n).kind)}, g);
  }
  // Every cable is two directed links, added together: the even one is the
  // direction the builder named first.
  std::ostringstream number;
  const auto text = [&](double x) {
    number.str("");
    number.precision(17);
    number << x;
    return number.str();
  };
  for (LinkId l = 0; l < topology.link_count(); l += 2) {
    const Link& link = topology.link(l);
    boost::add_edge(
        link.src, link.dst,
        FileEdge{text(link.rate_gbps), text(static_cast<double>(link.latency_ps) / 1000.0)}, g);
  }
  boost::dynamic_properties dp;
  dp.property("role", boost::get(&FileVertex::role, g));
  dp.property("rate_gbps", boost::get(&FileEdge::rate_gbps, g));
  dp.property("latency_ns", boost::get(&FileEdge::latency_ns, g));
  if (format == GraphFormat::graphml) {
    dp.property("name", boost::get(&FileVertex::name, g));
    boost::write_graphml(out, g, dp, true);
  } else {
    dp.property("node_id", boost::get(&FileVertex::name, g));
    boost::write_graphviz_dp(out, g, dp, "node_id");
  }
}

}  // namespace spinel::topology
