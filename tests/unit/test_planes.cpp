// Multi-plane fabrics (topology.planes): every NIC port on its own plane,
// planes that meet only in the NICs. Builders, routing, names, the
// scenario's checks, and whole runs against the closed form.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "fabric.hpp"
#include "test_support.hpp"
#include "topology/names.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"

namespace spinel::topology {
namespace {

// 4 leaf pairs of 4 hosts, dual-port NICs, `spines` spines in `planes` planes.
FabricConfig dual(std::uint32_t spines, std::uint32_t planes) {
  FabricConfig c = testing::leaf_spine(8, 4, spines);
  c.nic_ports = 2;
  c.planes = planes;
  return c;
}

// The plane of a switch, read off the built fabric: the plane of the leaves
// it is cabled to (each must be one).
std::uint32_t plane_of(const Topology& t, const FabricConfig& c, NodeId spine) {
  std::set<std::uint32_t> planes;
  for (const LinkId l : t.links_of(spine)) {
    const Link& link = t.link(l);
    const NodeId other = link.src == spine ? link.dst : link.src;
    if (t.node(other).kind == NodeKind::leaf) planes.insert(c.leaf_plane(t.node(other).index));
  }
  EXPECT_EQ(planes.size(), 1u) << t.node_name(spine);
  return *planes.begin();
}

TEST(Planes, EachLeafReachesTheSpinesOfItsPlaneOnly) {
  const FabricConfig c = dual(8, 2);
  const Topology t = build_leaf_spine(c);
  // 8 leaves x 4 spines of their plane, both ways; 16 hosts x 2 ports, both ways.
  EXPECT_EQ(t.link_count(), 2u * (8 * 4 + 16 * 2));
  for (std::uint32_t s = 0; s < 8; ++s) {
    const NodeId spine = static_cast<NodeId>(16 + 8 + s);
    ASSERT_EQ(t.node(spine).kind, NodeKind::spine);
    EXPECT_EQ(plane_of(t, c, spine), s / 4) << "spine" << s;
  }
  EXPECT_DOUBLE_EQ(t.oversubscription(), 1.0);  // 4 hosts down, 4 spines of the plane up
  // The names the scenario's faults use agree with the built fabric, in order.
  const std::vector<std::string> names = link_names(c, 1 << 20);
  ASSERT_EQ(names.size(), t.link_count());
  for (LinkId l = 0; l < t.link_count(); ++l) {
    EXPECT_EQ(names[l], t.link_name(l));
    EXPECT_TRUE(named_link(t.link_name(l), c).has_value()) << t.link_name(l);
  }
  EXPECT_TRUE(named_link("leaf0>spine3", c).has_value());
  EXPECT_FALSE(named_link("leaf0>spine4", c).has_value());  // another plane
  EXPECT_FALSE(named_link("leaf1>spine0", c).has_value());
  EXPECT_EQ(c.uplinks_per_leaf(), 4u);
  EXPECT_EQ(leaf_uplink_name(c, 1, 0), "leaf1>spine4");
}

TEST(Planes, PathsStayOnTheirPlane) {
  const FabricConfig c = dual(8, 2);
  const Topology t = build_leaf_spine(c);
  Routing r(t);
  // Host 0 (leaf pair 0) to host 4 (pair 1): per plane, its 4 spines.
  const HostPaths paths = r.paths(0, 4);
  ASSERT_EQ(paths.count(), 8u);
  EXPECT_EQ(paths.length(), 4u);
  std::set<std::vector<LinkId>> distinct;
  for (std::uint32_t i = 0; i < paths.count(); ++i) {
    std::vector<LinkId> links;
    paths.append_path(i, links);
    distinct.insert(links);
    const std::uint32_t port = t.link(links[0]).parallel_index;
    EXPECT_EQ(links[0], t.host_uplink(0, port));
    EXPECT_EQ(links[3], t.host_downlink(4, port));  // the same plane's port at the far end
    EXPECT_EQ(plane_of(t, c, t.link(links[1]).dst), port);
  }
  EXPECT_EQ(distinct.size(), 8u);
  // One plane with dual-port NICs: every port pair, every spine.
  const Topology one = build_leaf_spine(dual(8, 1));
  Routing r1(one);
  EXPECT_EQ(r1.paths(0, 4).count(), 4u * 8u);
}

TEST(Planes, Clos3PlanesSplitAggsAndCores) {
  FabricConfig c =
      testing::clos3(2, 4, 4, 2, 4, 2);  // pods, leaves/pod, aggs/pod, hosts, cores, groups
  c.nic_ports = 2;
  c.planes = 2;
  c.core_groups = 1;
  const Topology t = build_clos3(c);
  Routing r(t);
  // Leaf pairs of 2 hosts: host 0 on leaves 0/1 of pod 0, host 4 on leaves 4/5 of pod 1.
  const HostPaths cross = r.paths(0, 4);
  EXPECT_EQ(cross.length(), 6u);
  // Per plane: 2 aggs up, each to the plane's 2 cores, down to 2 aggs... in
  // one core group per plane: 2 x 2 x 2 paths, two planes.
  EXPECT_EQ(cross.count(), 16u);
  for (std::uint32_t i = 0; i < cross.count(); ++i) {
    std::vector<LinkId> links;
    cross.append_path(i, links);
    const std::uint32_t port = t.link(links[0]).parallel_index;
    EXPECT_EQ(links[5], t.host_downlink(4, port));
    const Node& core = t.node(t.link(links[2]).dst);
    ASSERT_EQ(core.kind, NodeKind::core);
    EXPECT_EQ(core.index / c.cores_per_plane(), port);
  }
  const std::vector<std::string> names = link_names(c, 1 << 20);
  ASSERT_EQ(names.size(), t.link_count());
  for (LinkId l = 0; l < t.link_count(); ++l) EXPECT_EQ(names[l], t.link_name(l));
}

}  // namespace
}  // namespace spinel::topology

namespace spinel::api {
namespace {

namespace fs = std::filesystem;

std::string error_of(const std::string& yaml) {
  return testing::error_of_loading(
      [](const std::string& y) { return scenario::load_string(y, "p.yaml"); }, yaml);
}

std::string fabric(const std::string& extra) {
  return "name: p\ntopology: {kind: leaf_spine, leaves: 8, spines: 8, hosts_per_leaf: 4, "
         "nic_ports: 2" +
         extra + "}\n";
}

TEST(PlanesScenario, ChecksAreLocated) {
  EXPECT_STARTS_WITH(
      error_of("name: p\ntopology: {kind: leaf_spine, leaves: 8, spines: 8, hosts_per_leaf: 4, "
               "planes: 2}\nworkload: {collective: ring_allreduce, size_bytes: 1MiB}\n"),
      "p.yaml:2:79: topology.planes: planes: 2 puts port p of every NIC on plane p: give "
      "nic_ports: 2 as well");
  EXPECT_STARTS_WITH(
      error_of("name: p\ntopology: {kind: leaf_spine, leaves: 8, spines: 7, hosts_per_leaf: 4, "
               "nic_ports: 2, planes: 2}\nworkload: {collective: ring_allreduce, size_bytes: "
               "1MiB}\n"),
      "p.yaml:2:49: topology.spines: the spines (7) split into 2 planes; use a multiple of 2");
  EXPECT_NE(error_of("name: p\ntopology: {kind: fat_tree, k: 8, nic_ports: 2, planes: 2}\n"
                     "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n")
                .find("a fat tree is one plane"),
            std::string::npos);
  EXPECT_NE(
      error_of(fabric(", planes: 2") + "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n"
                                       "faults: [{at: 1us, link: leaf0>spine4, state: down}]\n")
          .find("faults[0].link"),
      std::string::npos);
}

// A ring over every GPU, sprayed: two planes of 4 spines carry it as one
// plane of 8 does, at the ideal time of 800 Gb/s NICs: 2(N-1)/N S/B plus
// latency terms; ECMP pins each flow to one plane and one spine.
TEST(PlanesScenario, SprayedRingRunsAtTheIdealOnBothPlanes) {
  const std::string workload =
      "workload: {collective: ring_allreduce, size_bytes: 64MiB, placement: random}\n"
      "transport: {policy: spray}\n";
  const Results two = run(scenario::load_string(fabric(", planes: 2") + workload, "p.yaml"));
  const Results one = run(scenario::load_string(fabric("") + workload, "p.yaml"));
  ASSERT_TRUE(two.collective_metrics && one.collective_metrics);
  EXPECT_EQ(two.collective_metrics->collective_mean_ps, one.collective_metrics->collective_mean_ps);
  EXPECT_NEAR(two.collective_metrics->ratio_to_ideal, 1.0, 1e-3);
  // Each plane carried half of the bytes that crossed spines.
  const scenario::Scenario s = scenario::load_string(fabric(", planes: 2") + workload, "p.yaml");
  const fs::path dir = testing::scratch_folder("spinel_planes_", "links");
  run(s, RunOptions(dir));
  const std::string links = testing::slurp(dir / "links.csv");
  double plane_bytes[2] = {0, 0};
  std::istringstream in(links);
  std::string row;
  std::getline(in, row);  // link_id,link,kind,rate_gbps,latency_ps,bytes,...
  while (std::getline(in, row)) {
    std::vector<std::string> cells;
    std::istringstream fields(row);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    const std::size_t arrow = cells.at(1).find(">spine");
    if (arrow == std::string::npos) continue;  // leaf uplinks only
    plane_bytes[std::stoi(cells[1].substr(arrow + 6)) / 4] += std::stod(cells.at(5));
  }
  EXPECT_GT(plane_bytes[0], 0);
  EXPECT_DOUBLE_EQ(plane_bytes[0], plane_bytes[1]);
}

// A plane that fails takes every switch of it down: the ring goes on over
// the other plane at half its NICs' rate.
TEST(PlanesScenario, APlaneDownHalvesTheRing) {
  const std::string workload =
      "workload: {collective: ring_allreduce, size_bytes: 64MiB, placement: random}\n"
      "transport: {policy: spray}\n";
  const scenario::Scenario s = scenario::load_string(
      fabric(", planes: 2") + workload + "faults: [{at: 0us, plane: 1, state: down}]\n", "p.yaml");
  ASSERT_EQ(s.faults.size(), 1u);
  EXPECT_EQ(s.faults[0].element(), "plane1");
  EXPECT_NE(sim::json_text(scenario::to_json(s)).find("\"plane\": 1"), std::string::npos);
  const Results r = run(s);
  ASSERT_TRUE(r.jobs[0].finished);
  // What is left is a leaf-spine of single-port NICs: 4 leaves (plane 0's)
  // of 4 hosts under 4 spines, the same routes and latencies.
  const Results left = run(scenario::load_string(
      "name: p\ntopology: {kind: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 4}\n" + workload,
      "p.yaml"));
  EXPECT_EQ(r.collective_metrics->collective_mean_ps, left.collective_metrics->collective_mean_ps);
  EXPECT_GT(r.collective_metrics->ratio_to_ideal, 1.9);  // the ideal counts both ports

  EXPECT_NE(error_of(fabric("") + workload + "faults: [{at: 0us, plane: 1, state: down}]\n")
                .find("a plane fault needs a multi-plane fabric"),
            std::string::npos);
  EXPECT_NE(
      error_of(fabric(", planes: 2") + workload + "faults: [{at: 0us, plane: 2, state: down}]\n")
          .find("faults[0].plane"),
      std::string::npos);
  EXPECT_NE(error_of(fabric(", planes: 2") + workload +
                     "faults: [{at: 0us, plane: 1, state: degraded, rate: 1Gbps}]\n")
                .find("a plane fault is state: down or up"),
            std::string::npos);
}

}  // namespace
}  // namespace spinel::api
