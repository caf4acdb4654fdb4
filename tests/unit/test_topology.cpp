// The leaf-spine builder and equal-cost routing.
#include <gtest/gtest.h>

#include <set>

#include "topology/routing.hpp"
#include "topology/topology.hpp"

namespace spinel::topology {
namespace {

FabricConfig config(std::uint32_t leaves, std::uint32_t hosts, std::uint32_t spines,
                    std::uint32_t parallel = 1) {
  FabricConfig c;
  c.leaves = leaves;
  c.hosts_per_leaf = hosts;
  c.spines = spines;
  c.parallel_links = parallel;
  return c;
}

TEST(LeafSpine, NodeAndLinkCounts) {
  const Topology t = build_leaf_spine(config(4, 8, 3, 2));
  EXPECT_EQ(t.host_count(), 32u);
  EXPECT_EQ(t.count(NodeKind::leaf), 4u);
  EXPECT_EQ(t.count(NodeKind::spine), 3u);
  EXPECT_EQ(t.node_count(), 32u + 4 + 3);
  // Two directed links per cable: 32 host cables + 4*3*2 leaf-spine cables.
  EXPECT_EQ(t.link_count(), 2u * (32 + 4 * 3 * 2));
  EXPECT_EQ(boost::num_edges(t.graph()), t.link_count());
}

TEST(LeafSpine, HostsAreNumberedLeafByLeaf) {
  const Topology t = build_leaf_spine(config(3, 5, 2));
  for (HostId h = 0; h < t.host_count(); ++h) {
    const Node& leaf = t.node(t.attachment(h));
    EXPECT_EQ(leaf.kind, NodeKind::leaf);
    EXPECT_EQ(leaf.index, h / 5);
    EXPECT_EQ(t.link(t.host_uplink(h)).kind, LinkKind::host_up);
    EXPECT_EQ(t.link(t.host_downlink(h)).kind, LinkKind::host_down);
    EXPECT_EQ(t.link(t.host_downlink(h)).dst, t.host_node(h));
  }
}

TEST(LeafSpine, OversubscriptionRatio) {
  FabricConfig c = config(4, 16, 4);
  c.host_link.rate_gbps = 400;
  c.spine_link.rate_gbps = 400;
  EXPECT_DOUBLE_EQ(build_leaf_spine(c).oversubscription(), 4.0);
  c.parallel_links = 4;
  EXPECT_DOUBLE_EQ(build_leaf_spine(c).oversubscription(), 1.0);
  c.spine_link.rate_gbps = 800;
  EXPECT_DOUBLE_EQ(build_leaf_spine(c).oversubscription(), 0.5);
}

TEST(Routing, CrossLeafPathsAreSpinesTimesParallelLinks) {
  for (std::uint32_t spines : {1u, 3u, 8u}) {
    for (std::uint32_t parallel : {1u, 2u}) {
      const Topology t = build_leaf_spine(config(3, 2, spines, parallel));
      Routing r(t);
      const HostPaths p = r.paths(0, 5);  // leaf 0 to leaf 2
      EXPECT_EQ(p.count(), spines * parallel);
      EXPECT_EQ(p.length(), 4u);
      // All paths distinct, each climbing out of leaf 0 and descending into leaf 2.
      std::set<std::vector<LinkId>> distinct;
      for (std::uint32_t i = 0; i < p.count(); ++i) {
        std::vector<LinkId> links;
        p.append_path(i, links);
        ASSERT_EQ(links.size(), 4u);
        EXPECT_EQ(t.link(links[0]).src, t.host_node(0));
        EXPECT_EQ(t.link(links[1]).kind, LinkKind::leaf_up);
        EXPECT_EQ(t.link(links[2]).kind, LinkKind::spine_down);
        EXPECT_EQ(t.link(links[3]).dst, t.host_node(5));
        for (std::size_t k = 0; k + 1 < links.size(); ++k) {
          EXPECT_EQ(t.link(links[k]).dst, t.link(links[k + 1]).src);
        }
        distinct.insert(links);
      }
      EXPECT_EQ(distinct.size(), p.count());
    }
  }
}

TEST(Routing, SameLeafHasOnePathThroughTheLeaf) {
  const Topology t = build_leaf_spine(config(2, 4, 4));
  Routing r(t);
  const HostPaths p = r.paths(1, 3);
  EXPECT_EQ(p.count(), 1u);
  EXPECT_EQ(p.length(), 2u);
  std::vector<LinkId> links;
  p.append_path(0, links);
  EXPECT_EQ(t.link(links[0]).dst, t.link(links[1]).src);
}

TEST(Routing, PathsAreCachedAndLatencySums) {
  FabricConfig c = config(2, 2, 2);
  c.host_link.latency_ps = 100;
  c.spine_link.latency_ps = 1000;
  const Topology t = build_leaf_spine(c);
  Routing r(t);
  const HostPaths a = r.paths(0, 2);
  const HostPaths b = r.paths(1, 3);
  EXPECT_EQ(a.middle, b.middle);  // same leaf pair: one cached switch-path set
  EXPECT_EQ(r.path_latency_ps(a, 0), 100 + 1000 + 1000 + 100);
  EXPECT_EQ(r.path_latency_ps(r.paths(0, 1), 0), 200);
}

TEST(Topology, NamesAreReadable) {
  const Topology t = build_leaf_spine(config(2, 2, 2, 2));
  EXPECT_EQ(t.node_name(t.host_node(3)), "h3");
  EXPECT_EQ(t.link_name(t.host_uplink(0)), "h0>leaf0");
  Routing r(t);
  std::vector<LinkId> links;
  r.paths(0, 2).append_path(1, links);
  EXPECT_EQ(t.link_name(links[1]), "leaf0>spine0#1");
}

}  // namespace
}  // namespace spinel::topology

namespace spinel::topology {
namespace {

TEST(Routing, ManyLeavesUseTheHashMapInsteadOfTheDenseTable) {
  // 5,000 leaves: a dense leaf x leaf table would be 200 MB; lookups must
  // still give the same answers.
  const Topology t = build_leaf_spine(config(5000, 1, 2));
  Routing r(t);
  const HostPaths p = r.paths(0, 4999);
  EXPECT_EQ(p.count(), 2u);
  EXPECT_EQ(r.paths(0, 4999).middle, p.middle);
  EXPECT_EQ(t.link(p.middle->path(1)[1]).dst, t.attachment(4999));
}

}  // namespace
}  // namespace spinel::topology
