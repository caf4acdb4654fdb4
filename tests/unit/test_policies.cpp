// Path policies: mprdma:K, split (minimal splitting) and planned, against
// spraying and ECMP in maximum congestion, and in whole runs.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>

#include "fabric.hpp"
#include "policy_steps.hpp"
#include "sim/error.hpp"
#include "sim/rng.hpp"
#include "transport/planner.hpp"

namespace spinel::transport {
namespace {

using testing::add;
using testing::all_to_all;
using testing::congestion;
using testing::congestion_with;
using testing::DeliveryLog;
using testing::Fabric;
using testing::leaf_spine;
using testing::policy;
using testing::shift_step;
using testing::Step;

// r random leaf derangements: each gives every leaf one cross-leaf
// connection out and one in, between random hosts of the two leaves; plus a
// few connections inside leaves, which no policy routes over the spines.
Step regular_random(sim::Rng& rng, const topology::FabricConfig& c, std::uint32_t r,
                    std::uint64_t bytes) {
  Step step;
  for (std::uint32_t k = 0; k < r; ++k) {
    std::vector<std::uint32_t> sigma(c.leaves);
    std::iota(sigma.begin(), sigma.end(), 0U);
    bool deranged = false;
    while (!deranged) {
      rng.shuffle(sigma.begin(), sigma.end());
      deranged = true;
      for (std::uint32_t a = 0; a < c.leaves; ++a) deranged = deranged && sigma[a] != a;
    }
    for (std::uint32_t a = 0; a < c.leaves; ++a) {
      const auto src =
          static_cast<topology::HostId>(a * c.hosts_per_leaf + rng.below(c.hosts_per_leaf));
      const auto dst =
          static_cast<topology::HostId>(sigma[a] * c.hosts_per_leaf + rng.below(c.hosts_per_leaf));
      add(step, src, dst, bytes);
    }
  }
  const std::uint64_t local = rng.below(3);
  for (std::uint64_t k = 0; k < local && c.hosts_per_leaf > 1; ++k) {
    const auto leaf = static_cast<std::uint32_t>(rng.below(c.leaves));
    add(step, leaf * c.hosts_per_leaf, leaf * c.hosts_per_leaf + 1, bytes);
  }
  return step;
}

topology::FabricConfig random_fabric(sim::Rng& rng) {
  topology::FabricConfig c = leaf_spine(static_cast<std::uint32_t>(2 + rng.below(7)),
                                        static_cast<std::uint32_t>(1 + rng.below(8)),
                                        static_cast<std::uint32_t>(1 + rng.below(8)));
  c.parallel_links = rng.below(4) == 0 ? 2 : 1;
  return c;
}

// The paper's theorem, as a property: where every leaf sends and receives
// the same number of equal cross-leaf flows, minimal splitting reaches the
// maximum congestion of ideal spraying exactly. Sizes are multiples of the
// uplink count, so that every subflow carries whole bytes.
TEST(Split, MatchesSprayingWherePremisesHold) {
  sim::Rng rng(7, "test-split");
  int cases = 0;
  int hashing_loses = 0;
  for (int trial = 0; trial < 150; ++trial) {
    const topology::FabricConfig c = random_fabric(rng);
    const std::uint32_t hosts = c.leaves * c.hosts_per_leaf;
    const std::uint32_t s = c.spines * c.parallel_links;
    const std::uint64_t bytes = s * (1 + rng.below(100000));
    Step step;
    switch (trial % 3) {
      case 0:
        step = shift_step(hosts, static_cast<std::uint32_t>(1 + rng.below(hosts - 1)), bytes);
        break;
      case 1:
        step = regular_random(rng, c, static_cast<std::uint32_t>(1 + rng.below(12)), bytes);
        break;
      default:
        if (hosts > 24) continue;
        step = all_to_all(hosts, bytes);
        break;
    }
    Fabric split(c, policy(PathPolicy::split));
    const sim::Time with_split = congestion(split, step);
    const sim::Time with_spray = congestion_with(c, policy(PathPolicy::spray), step);
    EXPECT_TRUE(split.model.split_premises_met()) << "trial " << trial;
    EXPECT_EQ(with_split, with_spray)
        << "trial " << trial << ": " << c.leaves << " leaves x " << c.hosts_per_leaf << " hosts, "
        << c.spines << " spines x " << c.parallel_links << " links, " << step.specs.size()
        << " connections of " << bytes << " bytes";
    const sim::Time with_ecmp = congestion_with(c, policy(PathPolicy::ecmp), step);
    EXPECT_GE(with_ecmp, with_spray);
    ++cases;
    hashing_loses += with_ecmp > with_spray ? 1 : 0;
  }
  EXPECT_GT(cases, 100);
  EXPECT_GT(hashing_loses, 30);  // the cases are not all trivially balanced
}

// Where the premises fail (unequal sizes, leaves sending different numbers
// of flows) nothing is promised: spraying is still a lower bound, and the
// fallback is recorded. The gap is printed for the record.
TEST(Split, RecordsFailedPremisesAndStaysAboveSpraying) {
  sim::Rng rng(11, "test-split-fail");
  double worst_gap = 1.0;
  for (int trial = 0; trial < 60; ++trial) {
    const topology::FabricConfig c = random_fabric(rng);
    const std::uint32_t hosts = c.leaves * c.hosts_per_leaf;
    Step step;
    const std::uint64_t flows = 1 + rng.below(3 * hosts);
    for (std::uint64_t k = 0; k < flows; ++k) {
      const auto src = static_cast<topology::HostId>(rng.below(hosts));
      const auto dst = static_cast<topology::HostId>(rng.below(hosts));
      add(step, src, dst, (1 + rng.below(64)) << 16);
    }
    Fabric split(c, policy(PathPolicy::split));
    const sim::Time with_split = congestion(split, step);
    const sim::Time with_spray = congestion_with(c, policy(PathPolicy::spray), step);
    EXPECT_GE(with_split, with_spray) << "trial " << trial;
    if (with_spray > 0) {
      worst_gap =
          std::max(worst_gap, static_cast<double>(with_split) / static_cast<double>(with_spray));
    }
  }
  std::printf("split / spray, premises not met: worst %.3f over 60 random steps\n", worst_gap);
  // Leaves with different r: leaf 0 sends 2, leaf 1 sends 1.
  Fabric f(leaf_spine(2, 4, 2), policy(PathPolicy::split));
  Step step;
  add(step, 0, 4, 1 << 20);
  add(step, 1, 5, 1 << 20);
  add(step, 4, 0, 1 << 20);
  (void)congestion(f, step);
  EXPECT_FALSE(f.model.split_premises_met());
  EXPECT_EQ(f.model.split_groups_failed(), 1u);
  Fabric g(leaf_spine(2, 4, 2), policy(PathPolicy::split));
  Step unequal = shift_step(8, 4, 1 << 20);
  unequal.specs[3].planned_bytes = 1 << 21;
  (void)congestion(g, unequal);
  EXPECT_FALSE(g.model.split_premises_met());
}

// r = 6 connections leave each leaf, s = 4 uplinks: g = 2, so each
// connection gets s/g = 2 subflows, each uplink and each downlink r/g = 3 of
// them, lcm(6, 4) = 12 per leaf.
TEST(Split, UsesLcmSubflowsPerLeafAndBalancesEveryUplinkAndDownlink) {
  const topology::FabricConfig c = leaf_spine(3, 6, 4);
  Fabric f(c, policy(PathPolicy::split));
  const Step step = shift_step(18, 6, 6 << 20);  // every host to the next leaf
  const std::vector<ConnectionId> ids = f.transport.connect_group(step.specs);
  std::map<topology::LinkId, int> per_link;
  std::map<topology::NodeId, std::uint32_t> per_leaf;
  for (ConnectionId id : ids) {
    EXPECT_EQ(f.transport.queue_pairs(id), 2u);
    const std::vector<Subflow> subflows = f.model.connection_route(id);
    ASSERT_EQ(subflows.size(), 2u);
    EXPECT_NE(subflows[0].hops[1].link, subflows[1].hops[1].link) << "two different spines";
    for (const Subflow& sub : subflows) {
      EXPECT_DOUBLE_EQ(sub.share, 0.5);
      ASSERT_EQ(sub.hops.size(), 4u);
      ++per_link[sub.hops[1].link];
      ++per_link[sub.hops[2].link];
      ++per_leaf[f.topology.link(sub.hops[1].link).src];
    }
  }
  EXPECT_EQ(per_link.size(), 2u * 3 * 4);  // every uplink and downlink of every leaf
  for (const auto& [link, n] : per_link) EXPECT_EQ(n, 3) << f.topology.link_name(link);
  for (const auto& [leaf, n] : per_leaf) EXPECT_EQ(n, 12u) << f.topology.node_name(leaf);
  EXPECT_TRUE(f.model.split_premises_met());
}

TEST(Planned, NeverWorseThanEcmpAndNeverBetterThanSpraying) {
  sim::Rng rng(3, "test-planned");
  int better = 0;
  for (int trial = 0; trial < 80; ++trial) {
    const topology::FabricConfig c = random_fabric(rng);
    const std::uint32_t hosts = c.leaves * c.hosts_per_leaf;
    Step step;
    if (trial % 2 == 0) {
      step = shift_step(hosts, static_cast<std::uint32_t>(1 + rng.below(hosts - 1)), 1 << 20);
    } else {
      const std::uint64_t flows = 1 + rng.below(4 * hosts);
      for (std::uint64_t k = 0; k < flows; ++k) {
        add(step, static_cast<topology::HostId>(rng.below(hosts)),
            static_cast<topology::HostId>(rng.below(hosts)), (1 + rng.below(16)) << 20);
      }
    }
    const std::uint64_t seed = 1 + rng.below(1000);
    const sim::Time planned = congestion_with(c, policy(PathPolicy::planned), step, seed);
    const sim::Time ecmp = congestion_with(c, policy(PathPolicy::ecmp), step, seed);
    const sim::Time spray = congestion_with(c, policy(PathPolicy::spray), step, seed);
    EXPECT_LE(planned, ecmp) << "trial " << trial;
    EXPECT_GE(planned, spray) << "trial " << trial;
    better += planned < ecmp ? 1 : 0;
  }
  EXPECT_GT(better, 20);  // it does plan, not just copy ECMP
}

// A permutation over leaves of a non-blocking fabric: ECMP collides, and
// every extra queue pair per connection spreads the load further.
TEST(Mprdma, MoreSubflowsApproachSpraying) {
  const topology::FabricConfig c = leaf_spine(8, 8, 8);
  const Step step = shift_step(64, 8, 8 << 20);
  const sim::Time spray = congestion_with(c, policy(PathPolicy::spray), step);
  const auto mean = [&](const TransportConfig& t) {
    double sum = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      sum += static_cast<double>(congestion_with(c, t, step, seed));
    }
    return sum / 20;
  };
  const double ecmp = mean(policy(PathPolicy::ecmp));
  double previous = ecmp;
  for (const std::uint32_t k : {2U, 4U, 8U, 16U}) {
    const double m = mean(policy(PathPolicy::mprdma, k));
    std::printf("mprdma:%u mean max congestion %.0f ps (ecmp %.0f, spray %lld)\n", k, m, ecmp,
                static_cast<long long>(spray));
    EXPECT_LT(m, previous) << "mprdma:" << k;
    EXPECT_GE(m, static_cast<double>(spray));
    previous = m;
  }
}

TEST(Mprdma, SplitsAFlowIntoKPartsAndNotifiesOnce) {
  Fabric f(leaf_spine(2, 1, 4), policy(PathPolicy::mprdma, 3));
  DeliveryLog log(f.sim);
  const ConnectionId id = f.model.connect(ConnectionSpec{0, 1, 1000});
  EXPECT_EQ(f.transport.queue_pairs(id), 3u);
  // Subflow 0 hashes as ECMP does; the others independently.
  Fabric ecmp(leaf_spine(2, 1, 4), policy(PathPolicy::ecmp));
  const ConnectionId e = ecmp.model.connect(ConnectionSpec{0, 1, 1000});
  EXPECT_EQ(f.model.connection_route(id)[0].hops[1].link,
            ecmp.model.connection_route(e)[0].hops[1].link);
  FlowSpec spec;
  spec.connection = id;
  spec.size_bytes = 1000;  // 333 + 333 + 334
  spec.notify = log.self;
  spec.notify_payload = 42;
  (void)f.model.start_flow(spec);
  f.sim.run();
  ASSERT_EQ(log.delivered.size(), 1u);
  EXPECT_EQ(log.delivered[0].first, 42u);
  const FlowTotals& t = f.model.totals();
  EXPECT_EQ(t.started, 3u);
  EXPECT_EQ(t.completed, 3u);
  EXPECT_EQ(t.transfers_started, 1u);
  EXPECT_EQ(t.transfers_completed, 1u);
  EXPECT_EQ(t.bytes_sent, 1000u);
  EXPECT_EQ(t.bytes_delivered, 1000u);
  // The last part (334 bytes) finishes last; its delivery is the flow's.
  std::set<topology::LinkId> spines;
  for (const Subflow& sub : f.model.connection_route(id)) spines.insert(sub.hops[1].link);
  const sim::Time latency = f.model.connection_route(id)[2].latency_ps;
  if (spines.size() == 3) {
    // Each part alone on its spine: the NIC is the bottleneck, shared by three.
    const double rate = sim::gbps_to_bytes_per_ps(400) / 3;
    EXPECT_NEAR(static_cast<double>(log.delivered[0].second),
                333 / rate + (1 / sim::gbps_to_bytes_per_ps(400)) + static_cast<double>(latency),
                2.0);
  }
}

// A whole step, run to the end under each policy: every byte arrives, every
// flow is reported once, and the fluid model conserves bytes.
TEST(Policies, EveryPolicyDeliversEveryByte) {
  const topology::FabricConfig c = leaf_spine(4, 4, 4);
  sim::Rng rng(5, "test-deliver");
  Step step = regular_random(rng, c, 5, 0);
  for (std::uint64_t& b : step.bytes) b = 1 + rng.below(4 << 20);
  add(step, 3, 3, 1000);  // to itself
  for (const TransportConfig& t :
       {policy(PathPolicy::ecmp), policy(PathPolicy::spray), policy(PathPolicy::mprdma, 4),
        policy(PathPolicy::mprdma, 64), policy(PathPolicy::split), policy(PathPolicy::planned)}) {
    Fabric f(c, t);
    DeliveryLog log(f.sim);
    const std::vector<ConnectionId> ids = f.transport.connect_group(step.specs);
    std::uint64_t total = 0;
    for (int round = 0; round < 2; ++round) {
      for (std::size_t i = 0; i < ids.size(); ++i) {
        FlowSpec spec;
        spec.connection = ids[i];
        spec.size_bytes = step.bytes[i];
        spec.notify = log.self;
        spec.notify_payload = i;
        (void)f.model.start_flow(spec);
        total += step.bytes[i];
      }
      f.sim.run();
    }
    const FlowTotals& totals = f.model.totals();
    EXPECT_EQ(log.delivered.size(), 2 * ids.size()) << policy_word(t);
    EXPECT_EQ(totals.transfers_completed, 2 * ids.size()) << policy_word(t);
    EXPECT_EQ(totals.started, totals.completed) << policy_word(t);
    EXPECT_EQ(totals.bytes_sent, total) << policy_word(t);
    EXPECT_EQ(totals.bytes_delivered, total) << policy_word(t);
    EXPECT_LT(totals.max_byte_error, 1.0) << policy_word(t);
    double link_bytes = 0;
    for (topology::LinkId l = 0; l < f.topology.link_count(); ++l) {
      if (f.topology.link(l).kind == topology::LinkKind::host_up) {
        link_bytes += f.model.link_stats(l).bytes;
      }
    }
    EXPECT_NEAR(link_bytes, static_cast<double>(total - 2000), 1.0) << policy_word(t);
    EXPECT_EQ(f.model.active_flows(), 0u);
  }
}

TEST(Policies, SameSeedSameRoutes) {
  const topology::FabricConfig c = leaf_spine(4, 4, 4);
  sim::Rng rng(9, "test-determinism");
  Step step = regular_random(rng, c, 3, 1 << 20);
  step.specs[0].planned_bytes = 5 << 20;  // split's fallback too
  const auto routes = [&](const TransportConfig& t, std::uint64_t seed) {
    Fabric f(c, t, seed);
    std::vector<topology::LinkId> out;
    for (ConnectionId id : f.transport.connect_group(step.specs)) {
      for (const Subflow& sub : f.model.connection_route(id)) {
        for (const Hop& hop : sub.hops) out.push_back(hop.link);
      }
    }
    return out;
  };
  for (const TransportConfig& t : {policy(PathPolicy::ecmp), policy(PathPolicy::mprdma, 8),
                                   policy(PathPolicy::split), policy(PathPolicy::planned)}) {
    EXPECT_EQ(routes(t, 1), routes(t, 1)) << policy_word(t);
  }
  EXPECT_NE(routes(policy(PathPolicy::mprdma, 8), 1), routes(policy(PathPolicy::mprdma, 8), 2));
}

// C4-style planning of a 256-host all-to-all: 65,280 connections in one group.
TEST(Planned, PlansA256HostAllToAllQuickly) {
  const topology::FabricConfig c = leaf_spine(16, 16, 16);
  const Step step = all_to_all(256, 1 << 20);
  Fabric planned(c, policy(PathPolicy::planned));
  const auto start = std::chrono::steady_clock::now();
  const std::vector<ConnectionId> ids = planned.transport.connect_group(step.specs);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("planned: %zu connections in %.3f s\n", ids.size(), seconds);
  std::vector<Load> loads;
  for (std::size_t i = 0; i < ids.size(); ++i) loads.push_back(Load{ids[i], step.bytes[i]});
  const sim::Time spray = congestion_with(c, policy(PathPolicy::spray), step);
  EXPECT_EQ(planned.transport.max_congestion_ps(loads), spray);  // perfectly balanced
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(seconds, 1.0);
#endif
  Fabric split(c, policy(PathPolicy::split));
  EXPECT_EQ(congestion(split, step), spray);
  EXPECT_TRUE(split.model.split_premises_met());
}

TEST(Planner, RegularFactorsSplitARegularMultigraph) {
  // 3 x 3, 4-regular, into 2 factors that are 2-regular.
  const std::vector<std::uint32_t> mult = {2, 1, 1, 1, 2, 1, 1, 1, 2};
  const auto factors = regular_factors(3, 3, mult, 2, 2);
  ASSERT_EQ(factors.size(), 2u);
  for (const auto& factor : factors) {
    for (std::uint32_t a = 0; a < 3; ++a) {
      EXPECT_EQ(factor[a * 3] + factor[a * 3 + 1] + factor[a * 3 + 2], 2u);
      EXPECT_EQ(factor[a] + factor[3 + a] + factor[6 + a], 2u);
    }
  }
  for (std::size_t k = 0; k < mult.size(); ++k) EXPECT_EQ(factors[0][k] + factors[1][k], mult[k]);
  EXPECT_THROW((void)regular_factors(2, 2, {2, 0, 1, 1}, 1, 2), sim::InternalError);
}

}  // namespace
}  // namespace spinel::transport
