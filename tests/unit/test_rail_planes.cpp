// Rail planes (topology.plane_per: rail): rail-optimised servers of
// single-port NICs, each rail a plane of its own. Builders, routing (path
// counts, up-down validity, the NVLink hand-over to the destination's rail),
// the loader's checks, and whole runs at flow and packet level, a plane fault
// among them.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "fabric.hpp"
#include "test_support.hpp"
#include "topology/names.hpp"
#include "topology/routing.hpp"
#include "topology/servers.hpp"
#include "topology/topology.hpp"

namespace spinel::topology {
namespace {

// Servers of `gpus` GPUs, rail-optimised, one plane per rail.
FabricConfig rail_planes(FabricConfig c, std::uint32_t gpus) {
  c.nics_per_host = gpus;
  c.rail_optimised = true;
  c.planes = gpus;
  c.plane_per = PlanePer::rail;
  return c;
}

// The plane of every switch a path crosses (each must be one), checking on
// the way that the path is up-down: tiers climb, then descend, never again.
std::uint32_t plane_of_path(const Topology& t, const std::vector<LinkId>& links) {
  std::set<std::uint32_t> planes;
  bool descended = false;
  for (const LinkId l : links) {
    const Link& link = t.link(l);
    const bool up = t.tier(link.dst) > t.tier(link.src);
    EXPECT_FALSE(up && descended) << "a valley at " << t.link_name(l);
    descended = descended || !up;
    if (t.is_switch(link.dst)) planes.insert(t.plane(link.dst));
  }
  EXPECT_EQ(planes.size(), 1u);
  return planes.empty() ? 0 : *planes.begin();
}

std::vector<LinkId> path_links(const HostPaths& paths, std::uint32_t i) {
  std::vector<LinkId> links;
  paths.append_path(i, links);
  return links;
}

// Checks that every path leaves through `uplink`, arrives through
// `downlink`, is up-down and stays on `plane`; returns how many differ.
std::size_t distinct_paths(const Topology& t, const HostPaths& paths, LinkId uplink,
                           LinkId downlink, std::uint32_t plane) {
  std::set<std::vector<LinkId>> distinct;
  for (std::uint32_t i = 0; i < paths.count(); ++i) {
    const std::vector<LinkId> links = path_links(paths, i);
    distinct.insert(links);
    EXPECT_EQ(links.front(), uplink);
    EXPECT_EQ(links.back(), downlink);
    EXPECT_EQ(plane_of_path(t, links), plane);
  }
  return distinct.size();
}

TEST(RailPlanes, EachRailIsAPlaneOfItsOwn) {
  // 8 leaves (2 per rail) of 4 NICs, 8 spines (2 per plane), servers of 4 GPUs.
  const FabricConfig c = rail_planes(testing::leaf_spine(8, 4, 8), 4);
  const Topology t = build_leaf_spine(c);
  const Servers servers(c);
  ASSERT_EQ(servers.count(), 8u);
  EXPECT_EQ(t.planes(), 4u);
  EXPECT_TRUE(t.rail_planes());
  // 8 leaves x 2 spines of their plane, both ways; 32 NICs, both ways.
  EXPECT_EQ(t.link_count(), 2u * (8 * 2 + 32));
  for (std::uint32_t s = 0; s < servers.count(); ++s) {
    for (std::uint32_t g = 0; g < 4; ++g) {
      EXPECT_EQ(t.plane(t.attachment(servers.nic(s, g))), g) << "server " << s << " GPU " << g;
    }
  }
  EXPECT_DOUBLE_EQ(t.oversubscription(), 2.0);  // 4 NICs down, 2 spines of the plane up
  const std::vector<std::string> names = link_names(c, 1 << 20);
  ASSERT_EQ(names.size(), t.link_count());
  for (LinkId l = 0; l < t.link_count(); ++l) EXPECT_EQ(names[l], t.link_name(l));
  EXPECT_TRUE(named_link("leaf2>spine3", c).has_value());   // rail 1's leaf, plane 1's spine
  EXPECT_FALSE(named_link("leaf2>spine0", c).has_value());  // plane 0's spine
}

TEST(RailPlanes, PathsCountAndClimbOnOneRail) {
  const FabricConfig c = rail_planes(testing::leaf_spine(8, 4, 8), 4);
  const Topology t = build_leaf_spine(c);
  const Servers servers(c);
  Routing r(t);
  // GPU 1 of server 0 to GPU 1 of server 4 (rail 1's other leaf): its plane's 2 spines.
  const HostId a = servers.nic(0, 1);
  const HostId b = servers.nic(4, 1);
  ASSERT_NE(t.attachment(a), t.attachment(b));
  const HostPaths same = r.paths(a, b);
  EXPECT_EQ(same.count(), 2u);
  EXPECT_EQ(same.length(), 4u);
  EXPECT_EQ(distinct_paths(t, same, t.host_uplink(a), t.host_downlink(b), 1), 2u);
  // GPU 0 of server 0 to GPU 3 of server 4: over NVLink to server 0's GPU 3,
  // then from its NIC on rail 3's plane.
  const HostId src = servers.nic(0, 0);
  const HostId dst = servers.nic(4, 3);
  EXPECT_EQ(t.sending_nic(src, dst), servers.nic(0, 3));
  const HostPaths cross = r.paths(src, dst);
  EXPECT_EQ(cross.count(), 2u);
  EXPECT_EQ(cross.length(), 4u);
  EXPECT_EQ(distinct_paths(t, cross, t.host_uplink(servers.nic(0, 3)), t.host_downlink(dst), 3),
            2u);
  // Two GPUs of one server never leave it through the fabric's planes.
  EXPECT_EQ(t.sending_nic(servers.nic(2, 0), servers.nic(2, 1)), servers.nic(2, 0));
}

TEST(RailPlanes, Clos3RailsSplitAggsAndCores) {
  // 2 pods of 4 leaves (2 rails x 2 leaves) of 2 NICs, 4 aggs per pod, 4 cores
  // in one group per plane: per plane 2 aggs up x 2 cores x 2 aggs down.
  FabricConfig c = rail_planes(testing::clos3(2, 4, 4, 2, 4, 1), 2);
  const Topology t = build_clos3(c);
  const Servers servers(c);
  ASSERT_EQ(servers.count(), 8u);  // 4 per pod
  Routing r(t);
  for (const std::uint32_t rail : {0u, 1u}) {
    // GPU 0 of server 0 (pod 0) to GPU `rail` of server 5 (pod 1).
    const HostId src = servers.nic(0, 0);
    const HostId dst = servers.nic(5, rail);
    const HostPaths paths = r.paths(src, dst);
    EXPECT_EQ(paths.count(), 8u);
    EXPECT_EQ(paths.length(), 6u);
    EXPECT_EQ(
        distinct_paths(t, paths, t.host_uplink(servers.nic(0, rail)), t.host_downlink(dst), rail),
        8u);
    // Across pods: leaf, agg, core, agg, leaf.
    EXPECT_EQ(t.node(t.link(path_links(paths, 0)[2]).dst).kind, NodeKind::core);
  }
  // Within a pod, on one rail: the plane's 2 aggs.
  EXPECT_EQ(r.paths(servers.nic(0, 1), servers.nic(1, 1)).count(),
            t.attachment(servers.nic(0, 1)) == t.attachment(servers.nic(1, 1)) ? 1u : 2u);
  const std::vector<std::string> names = link_names(c, 1 << 20);
  ASSERT_EQ(names.size(), t.link_count());
  for (LinkId l = 0; l < t.link_count(); ++l) EXPECT_EQ(names[l], t.link_name(l));
}

}  // namespace
}  // namespace spinel::topology

namespace spinel::api {
namespace {

std::string error_of(const std::string& yaml) {
  return testing::error_of_loading(
      [](const std::string& y) { return scenario::load_string(y, "r.yaml"); }, yaml);
}

// 8 leaves of 4 NICs under 16 spines: 8 servers of 4 GPUs, rail-optimised;
// with a plane per rail, 4 spines per plane: non-blocking either way.
std::string fabric(const std::string& extra) {
  return "name: r\ntopology: {kind: leaf_spine, leaves: 8, spines: 16, hosts_per_leaf: 4, "
         "nics_per_host: 4, rail_optimised: true" +
         extra + "}\n";
}
const std::string kRails = ", planes: 4, plane_per: rail";

TEST(RailPlanesScenario, ChecksAreLocated) {
  EXPECT_STARTS_WITH(error_of(fabric(", plane_per: rail") +
                              "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n"),
                     "r.yaml:2:123: topology.plane_per: plane_per says what a plane is: give "
                     "planes as well");
  EXPECT_STARTS_WITH(
      error_of(fabric(", planes: 4") +
               "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n"),
      "r.yaml:2:120: topology.planes: planes: 4 puts port p of every NIC on plane p: give "
      "nic_ports: 4 as well, or plane_per: rail for one plane per rail");
  EXPECT_STARTS_WITH(
      error_of(fabric(", planes: 2, plane_per: rail") +
               "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n"),
      "r.yaml:2:87: topology.nics_per_host: plane_per: rail needs rail_optimised: true and one "
      "plane per rail (nics_per_host: 2); got nics_per_host: 4");
  EXPECT_NE(error_of("name: r\ntopology: {kind: leaf_spine, leaves: 8, spines: 8, "
                     "hosts_per_leaf: 4, nics_per_host: 4, planes: 4, plane_per: rail}\n"
                     "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n")
                .find("without rail_optimised"),
            std::string::npos);
  EXPECT_NE(error_of(fabric(kRails + ", nic_ports: 2") +
                     "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n")
                .find("drop nic_ports: 2"),
            std::string::npos);
  EXPECT_NE(error_of(fabric(kRails + ", plane_per: rails") +
                     "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n")
                .find("duplicate"),
            std::string::npos);
  const scenario::Scenario s = scenario::load_string(
      fabric(kRails) + "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n", "r.yaml");
  EXPECT_NE(scenario::to_json(s).dump().find("\"plane_per\": \"rail\""), std::string::npos);
}

// The hierarchical all-reduce crosses servers rail by rail: on rail planes it
// runs as on one plane of as many spines (sprayed, non-blocking per plane).
TEST(RailPlanesScenario, RailTrafficRunsAsOnOnePlane) {
  const std::string workload =
      "workload: {collective: hierarchical_allreduce, size_bytes: 16MiB}\n"
      "transport: {policy: spray}\n";
  const Results rails = run(scenario::load_string(fabric(kRails) + workload, "r.yaml"));
  const Results one = run(scenario::load_string(fabric("") + workload, "r.yaml"));
  ASSERT_TRUE(rails.collective_metrics && one.collective_metrics);
  EXPECT_EQ(rails.collective_metrics->collective_mean_ps,
            one.collective_metrics->collective_mean_ps);
}

// An all-to-all over every GPU is mostly cross-rail: each GPU hands its
// bytes for rail r to its server's GPU r over NVLink, and NIC r sends them.
// On one plane each GPU's own NIC does; the NICs carry the same bytes either
// way, so a non-blocking fabric finishes in the same time at flow level. At
// packet level the queues differ (NIC r gathers its server's traffic to rail
// r, a plane has a quarter of the spines): within 15% (8% faster measured).
TEST(RailPlanesScenario, AllToAllCrossesRailsThroughNvlink) {
  for (const std::string model : {"flow", "packet"}) {
    const std::string workload =
        "workload: {collective: all_to_all, size_bytes: 1MiB}\n"
        "transport: {policy: spray, model: " +
        model + "}\n";
    const Results rails = run(scenario::load_string(fabric(kRails) + workload, "r.yaml"));
    const Results one = run(scenario::load_string(fabric("") + workload, "r.yaml"));
    ASSERT_TRUE(rails.jobs[0].finished && one.jobs[0].finished) << model;
    const double ratio = static_cast<double>(rails.collective_metrics->collective_mean_ps) /
                         static_cast<double>(one.collective_metrics->collective_mean_ps);
    EXPECT_NEAR(ratio, 1.0, model == "flow" ? 1e-9 : 0.15) << model;
    EXPECT_EQ(rails.flows.bytes_delivered, one.flows.bytes_delivered) << model;
  }
}

// A plane down cuts its rail off the network: the hierarchical all-reduce's
// ring on that rail stalls until the plane is back, the others go on.
TEST(RailPlanesScenario, APlaneDownStallsItsRailUntilRepaired) {
  const std::string workload =
      "workload: {collective: hierarchical_allreduce, size_bytes: 16MiB}\n"
      "transport: {policy: ecmp}\n";
  const Results healthy = run(scenario::load_string(fabric(kRails) + workload, "r.yaml"));
  const scenario::Scenario s = scenario::load_string(
      fabric(kRails) + workload +
          "faults: [{at: 60us, plane: 2, state: down}, {at: 2ms, plane: 2, state: up}]\n",
      "r.yaml");
  EXPECT_EQ(s.faults[0].element(), "plane2");
  const Results cut = run(s);
  ASSERT_TRUE(cut.jobs[0].finished);
  ASSERT_LT(healthy.collective_metrics->collective_mean_ps, sim::kMillisecond);
  EXPECT_GT(cut.collective_metrics->collective_mean_ps, 2 * sim::kMillisecond);
  EXPECT_NE(error_of(fabric(kRails) + workload + "faults: [{at: 0us, plane: 4, state: down}]\n")
                .find("faults[0].plane"),
            std::string::npos);
}

}  // namespace
}  // namespace spinel::api
