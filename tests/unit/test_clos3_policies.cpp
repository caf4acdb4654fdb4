// Path policies on three tiers: spray over every up-down path (a property
// on every fabric kind), ECMP hashing at every tier with per-switch or
// shared salts, minimal splitting across pods, planning, mprdma.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "fabric.hpp"
#include "policy_steps.hpp"
#include "sim/rng.hpp"

namespace spinel::transport {
namespace {

using testing::clos3;
using testing::congestion;
using testing::congestion_with;
using testing::DeliveryLog;
using testing::Fabric;
using testing::policy;
using testing::shift_step;
using testing::Step;

// Fabrics of every kind the builders make, small enough to run many pairs on.
std::vector<topology::FabricConfig> fabrics() {
  std::vector<topology::FabricConfig> out;
  topology::FabricConfig ls = testing::leaf_spine(4, 3, 3);
  ls.parallel_links = 2;
  out.push_back(ls);
  out.push_back(topology::fat_tree(4));
  out.push_back(topology::fat_tree(6));
  out.push_back(clos3(3, 2, 4, 2, 8, 2));
  out.push_back(clos3(2, 3, 2, 2, 3, 1));
  topology::FabricConfig dual = clos3(2, 4, 2, 2, 4, 2);
  dual.nic_ports = 2;
  out.push_back(dual);
  topology::FabricConfig slow_core = topology::fat_tree(4);
  slow_core.core_link.rate_gbps = 100;  // unequal tiers: trunks per tier still exact
  out.push_back(slow_core);
  return out;
}

// Spraying puts 1/count of a flow on each of its equal-cost paths, so a link
// on n of them carries n/count of its bytes: with trunks (one per tier) and
// without (every link weighted), on every fabric kind, between random hosts.
TEST(SprayProperty, LoadsEveryEqualCostPathEqually) {
  sim::Rng rng(17, "test-spray-property");
  int checked_links = 0;
  for (const topology::FabricConfig& c : fabrics()) {
    for (const bool trunks : {true, false}) {
      for (int trial = 0; trial < 6; ++trial) {
        Fabric f(c, policy(PathPolicy::spray));
        f.model.set_spray_trunks(trunks);
        const auto hosts = f.topology.host_count();
        const auto src = static_cast<topology::HostId>(rng.below(hosts));
        auto dst = static_cast<topology::HostId>(rng.below(hosts - 1));
        dst += dst >= src ? 1 : 0;
        const topology::HostPaths paths = f.routing.paths(src, dst);
        std::map<topology::LinkId, std::uint32_t> on_paths;
        for (std::uint32_t i = 0; i < paths.count(); ++i) {
          std::vector<topology::LinkId> links;
          paths.append_path(i, links);
          for (const topology::LinkId l : links) ++on_paths[l];
        }
        const std::uint64_t bytes = std::uint64_t{paths.count()} * 1'000'000;
        DeliveryLog log(f.sim);
        const ConnectionId conn = f.transport.connect(ConnectionSpec{src, dst, 7, 4791, bytes});
        f.transport.start_flow(FlowSpec{conn, bytes, log.self, 0, 0, 0, 0});
        f.sim.run();
        ASSERT_EQ(log.delivered.size(), 1u);
        for (topology::LinkId l = 0; l < f.topology.link_count(); ++l) {
          const auto it = on_paths.find(l);
          const double expected = it == on_paths.end() ? 0.0
                                                       : static_cast<double>(bytes) * it->second /
                                                             static_cast<double>(paths.count());
          EXPECT_NEAR(f.model.link_stats(l).bytes, expected, 1e-6 * static_cast<double>(bytes))
              << f.topology.link_name(l) << ", h" << src << " to h" << dst
              << (trunks ? " with trunks" : " per link");
          ++checked_links;
        }
      }
    }
  }
  EXPECT_GT(checked_links, 1000);
}

// A flow alone on a fat tree sprays at the NIC rate; one that crosses pods
// spreads over (k/2)^2 paths and its hops are one trunk per tier.
TEST(SprayProperty, TrunksMakeOneHopPerTier) {
  Fabric f(topology::fat_tree(4), policy(PathPolicy::spray));
  const ConnectionId conn = f.transport.connect(ConnectionSpec{0, 15, 7, 4791, 0});
  const std::vector<Subflow> route = f.model.connection_route(conn);
  ASSERT_EQ(route.size(), 1u);
  EXPECT_EQ(route[0].hops.size(), 6u);  // NIC, 4 tiers of trunks, NIC
  DeliveryLog log(f.sim);
  f.transport.start_flow(FlowSpec{conn, 1 << 20, log.self, 0, 0, 0, 0});
  f.sim.run(0);
  EXPECT_NEAR(f.model.rate_gbps(0), 400.0, 1e-9);
}

// How many different agg-to-core links a leaf's flows to another pod use.
std::size_t core_links_used(EcmpSalt salt, std::uint32_t flows) {
  TransportConfig t = policy(PathPolicy::ecmp);
  t.ecmp_salt = salt;
  Fabric f(topology::fat_tree(8), t);
  std::set<topology::LinkId> used;
  for (std::uint32_t k = 0; k < flows; ++k) {
    const ConnectionId c = f.transport.connect(
        ConnectionSpec{static_cast<topology::HostId>(k % 4), 127, static_cast<std::uint16_t>(k)});
    const std::vector<Subflow> route = f.model.connection_route(c);
    for (const Hop& hop : route[0].hops) {
      if (f.topology.link(hop.link).kind == topology::LinkKind::agg_up) used.insert(hop.link);
    }
  }
  return used.size();
}

// Per-switch salts: a pod's 16 agg-to-core links all carry some of 400 flows.
// One shared salt: a flow that took uplink i at the leaf takes uplink i again
// at the agg (both have k/2 = 4), so only 4 of the 16 are ever used.
TEST(EcmpPerTier, SharedSaltPolarisesPerSwitchSaltsDoNot) {
  EXPECT_EQ(core_links_used(EcmpSalt::per_switch, 400), 16u);
  EXPECT_EQ(core_links_used(EcmpSalt::shared, 400), 4u);
}

// Hop-by-hop hashing around a dead agg-to-core link: the leaf still sends
// half its flows to that agg (it keeps a path up), which puts them all on
// its one live core link; one hash over the three surviving paths would
// have sent only a third there.
TEST(EcmpPerTier, ALocalFailureLeavesUpperTiersToCopeAsSwitchesDo) {
  Fabric f(topology::fat_tree(4), policy(PathPolicy::ecmp));
  const auto links = f.topology.links_by_name();
  f.model.set_link_rate(links.at("agg0>core0"), 0);
  int via_agg0 = 0;
  const int flows = 2000;
  for (int k = 0; k < flows; ++k) {
    const ConnectionId c =
        f.transport.connect(ConnectionSpec{0, 15, static_cast<std::uint16_t>(k)});
    const std::vector<Subflow> route = f.model.connection_route(c);
    for (const Hop& hop : route[0].hops) {
      EXPECT_NE(f.topology.link_name(hop.link), "agg0>core0");
      via_agg0 += f.topology.link_name(hop.link) == "leaf0>agg0" ? 1 : 0;
    }
  }
  EXPECT_NEAR(via_agg0 / double{flows}, 0.5, 0.04);
}

// mprdma hashes each queue pair at every tier too: K pairs spread further.
TEST(EcmpPerTier, MprdmaSubflowsHashIndependently) {
  Fabric f(topology::fat_tree(8), policy(PathPolicy::mprdma, 32));
  const ConnectionId c = f.transport.connect(ConnectionSpec{0, 127, 9});
  std::set<std::vector<topology::LinkId>> distinct;
  for (const Subflow& s : f.model.connection_route(c)) {
    std::vector<topology::LinkId> links;
    for (const Hop& hop : s.hops) links.push_back(hop.link);
    distinct.insert(links);
  }
  EXPECT_GT(distinct.size(), 8u);  // 32 draws among 16 paths
}

// Every host to the host at the same place `leaf_shift` leaves on in its own
// pod, and/or `pod_shift` pods on: every leaf sends and receives the same
// number of connections of each path class.
Step rotations(const topology::FabricConfig& c, std::uint32_t leaf_shift, std::uint32_t pod_shift,
               std::uint64_t bytes) {
  Step step;
  const std::uint32_t per_pod = c.leaves_per_pod() * c.hosts_per_leaf;
  const auto hosts = static_cast<std::uint32_t>(c.host_count());
  for (topology::HostId h = 0; h < hosts; ++h) {
    const std::uint32_t pod = h / per_pod;
    if (leaf_shift > 0) {
      const std::uint32_t local = (h % per_pod + leaf_shift * c.hosts_per_leaf) % per_pod;
      testing::add(step, h, pod * per_pod + local, bytes);
    }
    if (pod_shift > 0) testing::add(step, h, (h + pod_shift * per_pod) % hosts, bytes);
  }
  return step;
}

// The theorem's construction across pods: where every leaf sends and
// receives the same number of equal connections of each path class (within
// a pod, across pods), minimal splitting reaches spraying's maximum
// congestion exactly, on every tier.
TEST(SplitAcrossPods, MatchesSprayingWherePremisesHold) {
  int cases = 0;
  int ecmp_loses = 0;
  // Sizes that split evenly over any subflow count here.
  const std::uint64_t bytes = 720720ULL * 64;
  for (const topology::FabricConfig& c : {topology::fat_tree(4), topology::fat_tree(6),
                                          clos3(3, 2, 4, 2, 8, 2), clos3(2, 3, 2, 3, 3, 1)}) {
    for (std::uint32_t leaf_shift = 0; leaf_shift < c.leaves_per_pod(); ++leaf_shift) {
      for (std::uint32_t pod_shift = 0; pod_shift < c.pods; ++pod_shift) {
        if (leaf_shift + pod_shift == 0) continue;
        const Step step = rotations(c, leaf_shift, pod_shift, bytes);
        Fabric split(c, policy(PathPolicy::split));
        const sim::Time with_split = congestion(split, step);
        const sim::Time with_spray = congestion_with(c, policy(PathPolicy::spray), step);
        EXPECT_TRUE(split.model.split_premises_met()) << leaf_shift << ", " << pod_shift;
        EXPECT_EQ(with_split, with_spray) << leaf_shift << ", " << pod_shift;
        const sim::Time with_ecmp = congestion_with(c, policy(PathPolicy::ecmp), step);
        EXPECT_GE(with_ecmp, with_spray);
        ecmp_loses += with_ecmp > with_spray ? 1 : 0;
        ++cases;
      }
    }
    const Step all = testing::all_to_all(static_cast<std::uint32_t>(c.host_count()), bytes);
    Fabric split(c, policy(PathPolicy::split));
    EXPECT_EQ(congestion(split, all), congestion_with(c, policy(PathPolicy::spray), all));
    EXPECT_TRUE(split.model.split_premises_met());
  }
  EXPECT_GT(cases, 20);
  EXPECT_GT(ecmp_loses, 10);
}

// A ring over contiguous hosts: one leaf of each pod sends across pods, the
// others within: the classes are not regular, the planner splits instead
// (and is recorded), and spraying stays a lower bound.
TEST(SplitAcrossPods, ARingMissesThePremisesAndFallsBackToThePlanner) {
  const topology::FabricConfig c = topology::fat_tree(4);
  const Step ring = shift_step(16, 1, 720720ULL * 64);
  Fabric split(c, policy(PathPolicy::split));
  const sim::Time with_split = congestion(split, ring);
  EXPECT_FALSE(split.model.split_premises_met());
  EXPECT_GE(with_split, congestion_with(c, policy(PathPolicy::spray), ring));
}

// Across pods of a k = 4 fat tree there are 4 paths; a leaf with r = 2
// connections across splits each into s/gcd(r, s) = 2.
TEST(SplitAcrossPods, SplitsEachConnectionIntoSOverGcdSubflows) {
  Fabric f(topology::fat_tree(4), policy(PathPolicy::split));
  const Step step = shift_step(16, 4, 1 << 20);  // every host to the next pod
  const std::vector<ConnectionId> ids = f.transport.connect_group(step.specs);
  for (const ConnectionId id : ids) EXPECT_EQ(f.model.queue_pairs(id), 2u);
  EXPECT_TRUE(f.model.split_premises_met());
}

TEST(PlannedOnClos3, NeverWorseThanEcmpAndNeverBetterThanSpraying) {
  sim::Rng rng(5, "test-planned-clos3");
  for (int trial = 0; trial < 20; ++trial) {
    const topology::FabricConfig c =
        topology::fat_tree(4 + 2 * static_cast<std::uint32_t>(trial % 2));
    const auto hosts = static_cast<std::uint32_t>(c.host_count());
    Step step;
    for (std::uint32_t k = 0; k < 2 * hosts; ++k) {
      testing::add(step, static_cast<topology::HostId>(rng.below(hosts)),
                   static_cast<topology::HostId>(rng.below(hosts)), (1 + rng.below(8)) << 20);
    }
    const sim::Time planned = congestion_with(c, policy(PathPolicy::planned), step);
    EXPECT_LE(planned, congestion_with(c, policy(PathPolicy::ecmp), step)) << trial;
    EXPECT_GE(planned, congestion_with(c, policy(PathPolicy::spray), step)) << trial;
  }
}

}  // namespace
}  // namespace spinel::transport
