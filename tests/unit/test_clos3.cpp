// The 3-tier Clos (clos3) and fat tree builders, up-down routing on every
// fabric kind, and fabric names checked without building the fabric.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "fabric.hpp"
#include "topology/names.hpp"
#include "topology/routing.hpp"
#include "topology/servers.hpp"
#include "topology/topology.hpp"

namespace spinel::topology {
namespace {

using testing::clos3;

FabricConfig leaf_spine(std::uint32_t leaves, std::uint32_t hosts, std::uint32_t spines,
                        std::uint32_t parallel) {
  FabricConfig c = testing::leaf_spine(leaves, hosts, spines);
  c.parallel_links = parallel;
  return c;
}

// Every path of `paths` joins src to dst link by link, visits no node twice,
// climbs tiers and then descends (never up after down), and all are distinct.
void expect_up_down(const Topology& t, const HostPaths& paths, HostId src, HostId dst) {
  std::set<std::vector<LinkId>> distinct;
  for (std::uint32_t i = 0; i < paths.count(); ++i) {
    std::vector<LinkId> links;
    paths.append_path(i, links);
    ASSERT_EQ(links.size(), paths.length());
    EXPECT_EQ(t.link(links.front()).src, t.host_node(src));
    EXPECT_EQ(t.link(links.back()).dst, t.host_node(dst));
    std::set<NodeId> seen{t.link(links.front()).src};
    bool descended = false;
    for (std::size_t k = 0; k < links.size(); ++k) {
      const Link& l = t.link(links[k]);
      if (k + 1 < links.size()) {
        EXPECT_EQ(l.dst, t.link(links[k + 1]).src);
      }
      EXPECT_TRUE(seen.insert(l.dst).second) << "a node visited twice on path " << i;
      const bool up = t.tier(l.dst) > t.tier(l.src);
      EXPECT_FALSE(up && descended) << "path " << i << " climbs after descending";
      descended = descended || t.tier(l.dst) < t.tier(l.src);
    }
    distinct.insert(links);
  }
  EXPECT_EQ(distinct.size(), paths.count());
}

TEST(Clos3, NodeAndLinkCounts) {
  // 3 pods of 4 leaves and 4 aggs, 8 cores in 2 groups: agg a of each pod
  // reaches the 4 cores of group a mod 2.
  const Topology t = build_clos3(clos3(3, 4, 4, 5, 8, 2));
  EXPECT_EQ(t.host_count(), 3u * 4 * 5);
  EXPECT_EQ(t.count(NodeKind::leaf), 12u);
  EXPECT_EQ(t.count(NodeKind::agg), 12u);
  EXPECT_EQ(t.count(NodeKind::core), 8u);
  EXPECT_EQ(t.count(NodeKind::spine), 0u);
  EXPECT_EQ(t.top_tier(), 3u);
  const std::size_t cables = 60 + 12 * 4 + 12 * 4;
  EXPECT_EQ(t.link_count(), 2 * cables);
  EXPECT_EQ(boost::num_edges(t.graph()), t.link_count());
  std::size_t kinds[8] = {};
  for (const Link& l : t.links()) ++kinds[static_cast<int>(l.kind)];
  EXPECT_EQ(kinds[static_cast<int>(LinkKind::leaf_up)], 48u);
  EXPECT_EQ(kinds[static_cast<int>(LinkKind::agg_down)], 48u);
  EXPECT_EQ(kinds[static_cast<int>(LinkKind::agg_up)], 48u);
  EXPECT_EQ(kinds[static_cast<int>(LinkKind::core_down)], 48u);
  EXPECT_EQ(kinds[static_cast<int>(LinkKind::spine_down)], 0u);
}

TEST(Clos3, AggsReachOnlyTheirPodAndCoreGroup) {
  const FabricConfig c = clos3(2, 2, 4, 1, 8, 2);
  const Topology t = build_clos3(c);
  for (const Link& l : t.links()) {
    const Node& a = t.node(l.src);
    const Node& b = t.node(l.dst);
    if (a.kind == NodeKind::leaf && b.kind == NodeKind::agg) {
      EXPECT_EQ(a.index / 2, b.index / 4) << t.node_name(l.src) << ">" << t.node_name(l.dst);
    }
    if (a.kind == NodeKind::agg && b.kind == NodeKind::core) {
      EXPECT_EQ((a.index % 4) % 2, b.index / 4) << t.node_name(l.src) << ">" << t.node_name(l.dst);
    }
  }
}

TEST(Clos3, OversubscriptionPerTier) {
  FabricConfig c = clos3(2, 4, 2, 8, 4, 2);
  c.host_link.rate_gbps = 400;
  c.agg_link.rate_gbps = 800;
  c.core_link.rate_gbps = 400;
  const Topology t = build_clos3(c);
  EXPECT_DOUBLE_EQ(t.oversubscription(), 8 * 400.0 / (2 * 800.0));      // 2:1 at the leaves
  EXPECT_DOUBLE_EQ(t.agg_oversubscription(), 4 * 800.0 / (2 * 400.0));  // 4:1 at the aggs
}

TEST(FatTree, PresetIsTheKAryFatTree) {
  for (std::uint32_t k : {2u, 4u, 8u}) {
    const FabricConfig c = fat_tree(k);
    const Topology t = build_fabric(c);
    EXPECT_EQ(t.host_count(), k * k * k / 4) << k;
    EXPECT_EQ(t.count(NodeKind::leaf), k * k / 2);
    EXPECT_EQ(t.count(NodeKind::agg), k * k / 2);
    EXPECT_EQ(t.count(NodeKind::core), k * k / 4);
    EXPECT_DOUBLE_EQ(t.oversubscription(), 1.0);
    EXPECT_DOUBLE_EQ(t.agg_oversubscription(), 1.0);
    // Every switch has k ports (cores k, one per pod).
    for (NodeId n = t.host_count(); n < t.node_count(); ++n) {
      EXPECT_EQ(boost::out_degree(n, t.graph()), k) << t.node_name(n);
    }
  }
}

TEST(UpDownRouting, PathCountsOnAClos3) {
  // Cross-pod: aggs x cores per group x the core's aggs in the far pod.
  struct Case {
    std::uint32_t aggs, cores, groups;
  };
  for (const Case& k : {Case{4, 8, 4}, Case{4, 8, 2}, Case{4, 4, 1}, Case{2, 6, 2}}) {
    const Topology t = build_clos3(clos3(3, 2, k.aggs, 2, k.cores, k.groups));
    Routing r(t);
    const std::uint32_t per_group = k.cores / k.groups;
    const std::uint32_t far_aggs = k.aggs / k.groups;
    const HostPaths same_leaf = r.paths(0, 1);
    EXPECT_EQ(same_leaf.count(), 1u);
    EXPECT_EQ(same_leaf.length(), 2u);
    const HostPaths same_pod = r.paths(0, 2);  // leaf 0 to leaf 1
    EXPECT_EQ(same_pod.count(), k.aggs);
    EXPECT_EQ(same_pod.length(), 4u);
    expect_up_down(t, same_pod, 0, 2);
    const HostPaths cross = r.paths(0, 11);  // pod 0 to pod 2
    EXPECT_EQ(cross.count(), k.aggs * per_group * far_aggs)
        << k.aggs << " aggs, " << k.cores << " cores in " << k.groups << " groups";
    EXPECT_EQ(cross.length(), 6u);
    expect_up_down(t, cross, 0, 11);
    for (std::uint32_t i = 0; i < cross.count(); ++i) {
      std::vector<LinkId> links;
      cross.append_path(i, links);
      EXPECT_EQ(t.link(links[1]).kind, LinkKind::leaf_up);
      EXPECT_EQ(t.link(links[2]).kind, LinkKind::agg_up);
      EXPECT_EQ(t.link(links[3]).kind, LinkKind::core_down);
      EXPECT_EQ(t.link(links[4]).kind, LinkKind::agg_down);
    }
  }
}

TEST(UpDownRouting, FatTreePathCounts) {
  const Topology t = build_fabric(fat_tree(8));
  Routing r(t);
  // Hosts 0..3 on leaf 0, leaves 0..3 in pod 0: host 4 is on leaf 1, host 16 in pod 1.
  EXPECT_EQ(r.paths(0, 4).count(), 4u);
  EXPECT_EQ(r.paths(0, 16).count(), 16u);
  EXPECT_EQ(r.paths(0, 127).count(), 16u);
  expect_up_down(t, r.paths(0, 127), 0, 127);
}

TEST(UpDownRouting, LeafSpinePathsAreUpDownToo) {
  const Topology t = build_leaf_spine(leaf_spine(3, 2, 4, 2));
  Routing r(t);
  EXPECT_EQ(r.paths(0, 5).count(), 8u);
  expect_up_down(t, r.paths(0, 5), 0, 5);
}

TEST(UpDownRouting, DualPortNicsOnAClos3UseBothPortsEachWay) {
  FabricConfig c = clos3(2, 4, 2, 2, 4, 2);
  c.nic_ports = 2;
  const Topology t = build_clos3(c);
  EXPECT_EQ(t.host_count(), 2u * 2 * 2);  // 2 pods x 2 leaf pairs x 2 hosts
  Routing r(t);
  // Same leaf pair: either port straight through its leaf.
  EXPECT_EQ(r.paths(0, 1).count(), 2u);
  // Other pair of the pod: 2 x 2 port pairs x 2 aggs.
  const HostPaths pod = r.paths(0, 2);
  EXPECT_EQ(pod.count(), 8u);
  expect_up_down(t, pod, 0, 2);
  // Other pod: 2 x 2 port pairs x 2 aggs x 2 cores per group.
  const HostPaths cross = r.paths(0, 7);
  EXPECT_EQ(cross.count(), 16u);
  EXPECT_EQ(cross.length(), 6u);
  expect_up_down(t, cross, 0, 7);
}

TEST(Clos3, RailsArePerPod) {
  // 2 pods of 4 leaves, 2 GPUs per server: each pod's leaves split into 2 rails.
  FabricConfig c = clos3(2, 4, 2, 3, 2, 2);
  c.nics_per_host = 2;
  c.rail_optimised = true;
  const Topology t = build_clos3(c);
  const Servers servers(c);
  EXPECT_EQ(servers.count(), 12u);
  std::set<HostId> nics;
  for (std::uint32_t s = 0; s < servers.count(); ++s) {
    const NodeId leaf0 = t.attachment(servers.nic(s, 0));
    const NodeId leaf1 = t.attachment(servers.nic(s, 1));
    EXPECT_EQ(t.node(leaf0).index / 4, s / 6) << "server " << s << " in its pod";
    EXPECT_EQ(t.node(leaf1).index / 4, s / 6);
    EXPECT_EQ(t.node(leaf0).index % 4 / 2, 0u) << "GPU 0 on rail 0";
    EXPECT_EQ(t.node(leaf1).index % 4 / 2, 1u) << "GPU 1 on rail 1";
    for (std::uint32_t g = 0; g < 2; ++g) {
      EXPECT_EQ(servers.server_of(servers.nic(s, g)), s);
      nics.insert(servers.nic(s, g));
    }
  }
  EXPECT_EQ(nics.size(), t.host_count());
}

// named_link accepts exactly the links the builder makes, with their specs.
void expect_names_match(const FabricConfig& c) {
  const Topology t = build_fabric(c);
  std::set<std::string> built;
  for (LinkId l = 0; l < t.link_count(); ++l) {
    const std::string name = t.link_name(l);
    built.insert(name);
    const auto spec = named_link(name, c);
    ASSERT_TRUE(spec) << name;
    EXPECT_EQ(spec->rate_gbps, t.link(l).rate_gbps) << name;
    EXPECT_EQ(spec->latency_ps, t.link(l).latency_ps) << name;
  }
  const std::vector<std::string> listed = link_names(c, 1'000'000);
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), built);
  EXPECT_EQ(listed.size(), built.size());
  for (NodeId n = t.host_count(); n < t.node_count(); ++n) {
    const auto parsed = parse_node_name(t.node_name(n));
    ASSERT_TRUE(parsed) << t.node_name(n);
    EXPECT_TRUE(has_switch(c, *parsed)) << t.node_name(n);
  }
}

TEST(FabricNames, EveryBuiltLinkIsNamedAndNoOther) {
  FabricConfig c = clos3(2, 4, 4, 2, 8, 2);
  c.agg_link.rate_gbps = 800;
  c.core_link.latency_ps = 2 * sim::kMicrosecond;
  expect_names_match(c);
  c.nic_ports = 2;
  expect_names_match(c);
  expect_names_match(leaf_spine(3, 2, 2, 2));
  expect_names_match(fat_tree(4));
  const FabricConfig f = fat_tree(4);
  EXPECT_FALSE(named_link("leaf0>agg2", f));   // agg2 is in pod 1
  EXPECT_FALSE(named_link("agg0>core2", f));   // core2 is in group 1
  EXPECT_FALSE(named_link("leaf0>core0", f));  // no tier skipping
  EXPECT_FALSE(named_link("leaf0>spine0", f));
  EXPECT_FALSE(named_link("agg0>agg1", f));
  EXPECT_FALSE(named_link("leaf0>agg0#0", f));
  EXPECT_TRUE(named_link("core3>agg7", f));
  EXPECT_FALSE(has_switch(f, NodeName{NodeKind::core, 4}));
  EXPECT_FALSE(has_switch(f, NodeName{NodeKind::spine, 0}));
  EXPECT_EQ(leaf_uplink_name(f, 3, 1), "leaf3>agg3");
  EXPECT_EQ(f.uplinks_per_leaf(), 2u);
}

}  // namespace
}  // namespace spinel::topology
