#include "topology/names.hpp"

#include <algorithm>
#include <utility>

#include "topology/fabric_file.hpp"

namespace spinel::topology {

namespace {

// Digits with no leading zero, at most 9 of them.
std::optional<std::uint64_t> parse_index(std::string_view digits) {
  if (digits.empty() || digits.size() > 9 || (digits.size() > 1 && digits[0] == '0')) {
    return std::nullopt;
  }
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (const char c : digits) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  return value;
}

struct Prefix {
  std::string_view text;
  NodeKind kind;
};
constexpr Prefix kPrefixes[] = {{"h", NodeKind::host},
                                {"leaf", NodeKind::leaf},
                                {"spine", NodeKind::spine},
                                {"agg", NodeKind::agg},
                                {"core", NodeKind::core}};

std::string name_of(NodeKind kind, std::uint64_t index) {
  for (const Prefix& p : kPrefixes) {
    if (p.kind == kind) return std::string(p.text) + std::to_string(index);
  }
  return "?";
}

// A host link's host end: "h12" with one NIC port, "h12.p1" with two. The
// host and the port, or nullopt.
std::optional<std::pair<std::uint64_t, std::uint32_t>> parse_host_end(std::string_view name,
                                                                      const FabricConfig& t) {
  std::uint32_t port = 0;
  if (t.nic_ports > 1) {
    const std::size_t dot = name.find(".p");
    if (dot == std::string_view::npos || name.size() != dot + 3) return std::nullopt;
    const char digit = name[dot + 2];
    if (digit < '0' || digit >= static_cast<char>('0' + t.nic_ports)) return std::nullopt;
    port = static_cast<std::uint32_t>(digit - '0');
    name = name.substr(0, dot);
  }
  const auto node = parse_node_name(name);
  if (!node || node->kind != NodeKind::host || node->index >= t.host_count()) return std::nullopt;
  return std::pair{node->index, port};
}

// The leaf that port `port` of host h is cabled to.
std::uint64_t leaf_of(const FabricConfig& t, std::uint64_t host, std::uint32_t port) {
  return (host / t.hosts_per_leaf) * t.nic_ports + port;
}

// The spec of the cable between two switches of the fabric, or nullopt if
// they are not cabled (lanes aside).
std::optional<LinkSpec> switch_cable(const FabricConfig& t, NodeName a, NodeName b) {
  if (tier(a.kind) > tier(b.kind)) std::swap(a, b);
  if (!has_switch(t, a) || !has_switch(t, b)) return std::nullopt;
  const auto leaf_reaches = [&](std::uint64_t upper) {
    for (std::uint32_t k = 0; k < t.uplinks_per_leaf(); ++k) {
      if (t.leaf_uplink(a.index, k) == upper) return true;
    }
    return false;
  };
  if (t.kind == FabricKind::leaf_spine) {
    if (a.kind == NodeKind::leaf && b.kind == NodeKind::spine && leaf_reaches(b.index)) {
      return t.spine_link;
    }
    return std::nullopt;
  }
  if (a.kind == NodeKind::leaf && b.kind == NodeKind::agg) {
    if (!leaf_reaches(b.index)) return std::nullopt;
    return t.agg_link;
  }
  if (a.kind == NodeKind::agg && b.kind == NodeKind::core) {
    for (std::uint32_t k = 0; k < t.cores_per_agg(); ++k) {
      if (t.agg_core(a.index, k) == b.index) return t.core_link;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string host_name(std::uint64_t host) {
  return name_of(NodeKind::host, host);
}

std::optional<NodeName> parse_node_name(std::string_view name) {
  for (const Prefix& p : kPrefixes) {
    if (name.substr(0, p.text.size()) != p.text) continue;
    const auto index = parse_index(name.substr(p.text.size()));
    if (index) return NodeName{p.kind, *index};
  }
  return std::nullopt;
}

bool has_switch(const FabricConfig& t, const NodeName& node) {
  if (t.kind == FabricKind::file) return false;  // switch faults name preset fabrics' switches
  switch (node.kind) {
    case NodeKind::leaf:
      return node.index < t.leaves;
    case NodeKind::spine:
      return t.kind == FabricKind::leaf_spine && node.index < t.spines;
    case NodeKind::agg:
      return t.kind == FabricKind::clos3 && node.index < std::uint64_t{t.pods} * t.aggs_per_pod;
    case NodeKind::core:
      return t.kind == FabricKind::clos3 && node.index < t.cores;
    case NodeKind::host:
    case NodeKind::site:
      return false;
  }
  return false;
}

std::optional<LinkSpec> named_link(std::string_view name, const FabricConfig& t) {
  if (t.kind == FabricKind::file) {
    // A file's nodes carry any names: the built fabric names its links.
    const Topology built = build_file_fabric(*t.file);
    const auto by_name = built.links_by_name();
    const auto found = by_name.find(std::string(name));
    if (found == by_name.end()) return std::nullopt;
    const Link& link = built.link(found->second);
    return LinkSpec{link.rate_gbps, link.latency_ps};
  }
  const std::size_t arrow = name.find('>');
  if (arrow == std::string_view::npos) return std::nullopt;
  const std::string_view src_text = name.substr(0, arrow);
  std::string_view dst_text = name.substr(arrow + 1);
  std::optional<std::uint64_t> lane;
  if (const std::size_t hash = dst_text.find('#'); hash != std::string_view::npos) {
    lane = parse_index(dst_text.substr(hash + 1));
    if (!lane) return std::nullopt;
    dst_text = dst_text.substr(0, hash);
  }
  const bool up = src_text.substr(0, 1) == "h";
  if (up || dst_text.substr(0, 1) == "h") {
    // A NIC link: host (port) and its leaf, either way.
    if (lane) return std::nullopt;
    const auto host = parse_host_end(up ? src_text : dst_text, t);
    const auto leaf = parse_node_name(up ? dst_text : src_text);
    if (!host || !leaf || leaf->kind != NodeKind::leaf ||
        leaf_of(t, host->first, host->second) != leaf->index) {
      return std::nullopt;
    }
    return t.host_link;
  }
  const auto src = parse_node_name(src_text);
  const auto dst = parse_node_name(dst_text);
  if (!src || !dst || src->kind == NodeKind::host || dst->kind == NodeKind::host) {
    return std::nullopt;
  }
  const auto spec = switch_cable(t, *src, *dst);
  if (!spec) return std::nullopt;
  const bool lanes = t.kind == FabricKind::leaf_spine && t.parallel_links > 1;
  if (lanes != lane.has_value() || (lane && *lane >= t.parallel_links)) return std::nullopt;
  return spec;
}

std::vector<std::string> link_names(const FabricConfig& t, std::size_t limit) {
  if (t.kind == FabricKind::file) {
    std::vector<std::string> names;
    if (2 * t.file->cables.size() > limit) return names;
    const Topology built = build_file_fabric(*t.file);
    for (LinkId l = 0; l < built.link_count(); ++l) names.push_back(built.link_name(l));
    return names;
  }
  const std::uint64_t hosts = t.host_count();
  std::uint64_t cables = hosts * t.nic_ports;
  if (t.kind == FabricKind::leaf_spine) {
    cables += std::uint64_t{t.leaves} * t.uplinks_per_leaf() * t.parallel_links;
  } else {
    cables += std::uint64_t{t.leaves} * t.uplinks_per_leaf() +
              std::uint64_t{t.pods} * t.aggs_per_pod * t.cores_per_agg();
  }
  std::vector<std::string> names;
  if (2 * cables > limit) return names;
  const auto both = [&](const std::string& a, const std::string& b, const std::string& lane) {
    names.push_back(a + ">" + b + lane);
    names.push_back(b + ">" + a + lane);
  };
  for (std::uint64_t h = 0; h < hosts; ++h) {
    for (std::uint32_t p = 0; p < t.nic_ports; ++p) {
      const std::string host =
          "h" + std::to_string(h) + (t.nic_ports > 1 ? ".p" + std::to_string(p) : "");
      both(host, name_of(NodeKind::leaf, leaf_of(t, h, p)), "");
    }
  }
  const NodeKind upper = t.kind == FabricKind::leaf_spine ? NodeKind::spine : NodeKind::agg;
  const std::uint32_t lanes = t.kind == FabricKind::leaf_spine ? t.parallel_links : 1;
  for (std::uint32_t l = 0; l < t.leaves; ++l) {
    for (std::uint32_t u = 0; u < t.uplinks_per_leaf(); ++u) {
      for (std::uint32_t k = 0; k < lanes; ++k) {
        const std::string lane = lanes > 1 ? "#" + std::to_string(k) : "";
        both(name_of(NodeKind::leaf, l), name_of(upper, t.leaf_uplink(l, u)), lane);
      }
    }
  }
  if (t.kind == FabricKind::leaf_spine) return names;
  for (std::uint64_t g = 0; g < std::uint64_t{t.pods} * t.aggs_per_pod; ++g) {
    for (std::uint32_t k = 0; k < t.cores_per_agg(); ++k) {
      both(name_of(NodeKind::agg, g), name_of(NodeKind::core, t.agg_core(g, k)), "");
    }
  }
  return names;
}

std::string example_link_names(const FabricConfig& t) {
  if (t.kind == FabricKind::file) {
    const Topology built = build_file_fabric(*t.file);
    std::string names;
    for (LinkId l = 0; l < std::min<std::size_t>(built.link_count(), 3); ++l) {
      names += (l > 0 ? ", " : "") + built.link_name(l);
    }
    return names;
  }
  if (t.kind == FabricKind::clos3) return "h0>leaf0, leaf0>agg0, agg0>core0, core0>agg0";
  return std::string("h0>leaf0, leaf0>spine0, spine0>leaf1") + (t.parallel_links > 1 ? "#0" : "");
}

std::string switch_name_range(const FabricConfig& t) {
  if (t.kind == FabricKind::file) return "(switch faults are not modelled on a fabric file yet)";
  const std::string leaves = "leaf0 to leaf" + std::to_string(t.leaves - 1);
  if (t.kind == FabricKind::leaf_spine) {
    return leaves + " or spine0 to spine" + std::to_string(t.spines - 1);
  }
  return leaves + ", agg0 to agg" + std::to_string(std::uint64_t{t.pods} * t.aggs_per_pod - 1) +
         " or core0 to core" + std::to_string(t.cores - 1);
}

std::string leaf_uplink_name(const FabricConfig& t, std::uint32_t leaf, std::uint32_t k) {
  if (t.kind == FabricKind::clos3) {
    return name_of(NodeKind::leaf, leaf) + ">" + name_of(NodeKind::agg, t.leaf_uplink(leaf, k));
  }
  return name_of(NodeKind::leaf, leaf) + ">" + name_of(NodeKind::spine, t.leaf_uplink(leaf, k)) +
         (t.parallel_links > 1 ? "#0" : "");
}

}  // namespace spinel::topology
