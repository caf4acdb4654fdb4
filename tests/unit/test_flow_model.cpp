// Max-min fair sharing, ECMP, spraying, latency and byte conservation.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "fabric.hpp"

namespace spinel::transport {
namespace {

using testing::DeliveryLog;
using testing::Fabric;
using testing::leaf_spine;

// Opens a connection src -> dst and starts one flow of `bytes` on it.
FlowId start(Fabric& f, topology::HostId src, topology::HostId dst, std::uint64_t bytes,
             sim::HandlerId notify, std::uint64_t payload = 0, std::uint16_t port = 1000) {
  FlowSpec spec;
  spec.connection = f.model.connect(ConnectionSpec{src, dst, port});
  spec.size_bytes = bytes;
  spec.notify = notify;
  spec.notify_payload = payload;
  return f.model.start_flow(spec);
}

constexpr std::uint64_t kHuge = 1ULL << 50;  // never finishes within these tests

TEST(MaxMin, SingleFlowGetsTheSlowestLinkOnItsPath) {
  Fabric f(leaf_spine(2, 1, 1, /*host*/ 400, /*spine*/ 100));
  DeliveryLog log(f.sim);
  const FlowId a = start(f, 0, 1, kHuge, log.self);
  f.sim.run(0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(a), 100.0);
}

TEST(MaxMin, SharedBottleneckSplitsEvenlyAndLeftoverGoesToTheRest) {
  // Host links 200 Gb/s, the one leaf-spine link 100 Gb/s. Hosts 0,1 on leaf 0.
  // A: h0->h2 and B: h1->h3 share leaf0->spine0 (100): 50 each.
  // C: h1->h0 shares h1's NIC (200) with B: it gets what B leaves, 150.
  Fabric f(leaf_spine(2, 2, 1, 200, 100));
  DeliveryLog log(f.sim);
  const FlowId a = start(f, 0, 2, kHuge, log.self);
  const FlowId b = start(f, 1, 3, kHuge, log.self);
  const FlowId c = start(f, 1, 0, kHuge, log.self);
  f.sim.run(0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(a), 50.0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(b), 50.0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(c), 150.0);
}

TEST(MaxMin, ThreeFlowsTwoLinksTextbook) {
  // Classic: link X carries flows 1 and 2, link Y carries flows 2 and 3, both
  // capacity 1. Max-min gives 1/2 to every flow when both links bind... here X
  // is a 100G uplink, Y a 300G NIC: flows 1,2 get 50 at X; flow 3 gets 250 at Y.
  // X = leaf0->spine0 (100), Y = h2's downlink (300). Flow 1: h0->h3 (X, h3 down)
  // flow 2: h1->h2 (X, Y), flow 3: h3->h2 (same leaf as h2: Y only).
  Fabric f(leaf_spine(2, 2, 1, 300, 100));
  DeliveryLog log(f.sim);
  const FlowId f1 = start(f, 0, 3, kHuge, log.self);
  const FlowId f2 = start(f, 1, 2, kHuge, log.self);
  const FlowId f3 = start(f, 3, 2, kHuge, log.self);
  f.sim.run(0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(f1), 50.0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(f2), 50.0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(f3), 250.0);
}

TEST(MaxMin, RatesRiseWhenACompetitorFinishes) {
  // Two flows share a 100G uplink; the short one finishes and the long one
  // speeds up to the full rate. Completion times follow exactly.
  Fabric f(leaf_spine(2, 2, 1, 400, 100));
  DeliveryLog log(f.sim);
  const std::uint64_t small = 1'000'000;  // 1 MB at 50 Gb/s: 160 us
  start(f, 0, 2, small, log.self, 1);
  start(f, 1, 3, 3 * small, log.self, 2);
  f.sim.run();
  ASSERT_EQ(log.delivered.size(), 2u);
  const sim::Time latency = 4 * 500 * sim::kNanosecond;
  // Small: 1 MB at 50 Gb/s = 160 us. Big: 1 MB in that time, then 2 MB at 100 Gb/s = 160 us.
  EXPECT_EQ(log.delivered[0], std::make_pair(std::uint64_t{1}, 160 * sim::kMicrosecond + latency));
  EXPECT_EQ(log.delivered[1], std::make_pair(std::uint64_t{2}, 320 * sim::kMicrosecond + latency));
}

TEST(MaxMin, DirectionsAreIndependent) {
  // Full duplex: h0->h2 and h2->h0 do not compete.
  Fabric f(leaf_spine(2, 1, 1, 100, 100));
  DeliveryLog log(f.sim);
  const FlowId a = start(f, 0, 1, kHuge, log.self);
  const FlowId b = start(f, 1, 0, kHuge, log.self);
  f.sim.run(0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(a), 100.0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(b), 100.0);
}

TEST(Spray, SpreadsEvenlyOverAllSpines) {
  // 4 spines of 100G under a 400G NIC: one sprayed flow reaches 400G.
  Fabric f(leaf_spine(2, 1, 4, 400, 100), PathPolicy::spray);
  DeliveryLog log(f.sim);
  const FlowId a = start(f, 0, 1, kHuge, log.self);
  f.sim.run(0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(a), 400.0);
  EXPECT_EQ(f.model.flow_links(a).size(), 2u + 2 * 4);
}

TEST(Spray, TwoSprayedFlowsShareEverySpineEvenly) {
  // Each flow puts half its bytes on each of 2 spines of 100G: on every
  // uplink 0.5a + 0.5b <= 100, so a = b = 100 (ECMP could have given 50/50
  // on one spine and left the other idle).
  Fabric f(leaf_spine(2, 2, 2, 400, 100), PathPolicy::spray);
  DeliveryLog log(f.sim);
  const FlowId a = start(f, 0, 2, kHuge, log.self);
  const FlowId b = start(f, 1, 3, kHuge, log.self);
  f.sim.run(0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(a), 100.0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(b), 100.0);
}

TEST(Ecmp, SameFiveTuplePicksTheSamePathAndPortsSpreadFlows) {
  Fabric f(leaf_spine(2, 1, 16, 400, 400));
  DeliveryLog log(f.sim);
  std::set<std::uint32_t> used;
  for (std::uint16_t port = 0; port < 200; ++port) {
    const ConnectionSpec s{0, 1, port};
    EXPECT_EQ(f.model.ecmp_path_index(s, 16), f.model.ecmp_path_index(s, 16));
    used.insert(f.model.ecmp_path_index(s, 16));
  }
  EXPECT_EQ(used.size(), 16u);  // 200 ports cover all 16 spines
}

TEST(Ecmp, HashSaltDependsOnTheSeed) {
  Fabric a(leaf_spine(2, 1, 16), PathPolicy::ecmp, 1);
  Fabric b(leaf_spine(2, 1, 16), PathPolicy::ecmp, 2);
  int differ = 0;
  for (std::uint16_t port = 0; port < 64; ++port) {
    const ConnectionSpec s{0, 1, port};
    differ += a.model.ecmp_path_index(s, 16) != b.model.ecmp_path_index(s, 16) ? 1 : 0;
  }
  EXPECT_GT(differ, 32);
}

TEST(Ecmp, TwoFlowsHashedOntoOneUplinkShareIt) {
  // Find source ports that put h0->h2 and h1->h3 on the same spine: they
  // then share the uplink and each get half.
  Fabric f(leaf_spine(2, 2, 2, 400, 400));
  DeliveryLog log(f.sim);
  const ConnectionSpec a{0, 2, 1};
  ConnectionSpec b{1, 3, 1};
  while (f.model.ecmp_path_index(b, 2) != f.model.ecmp_path_index(a, 2)) ++b.src_port;
  const FlowId fa = start(f, a.src, a.dst, kHuge, log.self, 0, a.src_port);
  const FlowId fb = start(f, b.src, b.dst, kHuge, log.self, 0, b.src_port);
  f.sim.run(0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(fa), 200.0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(fb), 200.0);
  EXPECT_EQ(f.model.flow_links(fa)[1], f.model.flow_links(fb)[1]);
}

TEST(Latency, DeliveryIsSerialisationPlusPathLatency) {
  topology::FabricConfig c = leaf_spine(2, 1, 1, 400, 400);
  c.host_link.latency_ps = 300 * sim::kNanosecond;
  c.spine_link.latency_ps = 700 * sim::kNanosecond;
  Fabric f(c);
  DeliveryLog log(f.sim);
  start(f, 0, 1, 4096, log.self, 9);
  f.sim.run();
  ASSERT_EQ(log.delivered.size(), 1u);
  // 4096 B at 400 Gb/s = 81,920 ps; path 300+700+700+300 ns.
  EXPECT_EQ(log.delivered[0].second, 81'920 + 2'000'000);
}

TEST(Latency, ZeroByteAndLocalFlowsCompleteAtOnce) {
  Fabric f(leaf_spine(2, 1, 1));
  DeliveryLog log(f.sim);
  start(f, 0, 1, 0, log.self, 1);
  start(f, 1, 1, 100, log.self, 2);
  f.sim.run();
  ASSERT_EQ(log.delivered.size(), 2u);
  EXPECT_EQ(log.delivered[0].second, 0);
  EXPECT_EQ(log.delivered[1].second, 0);
}

TEST(Conservation, EveryByteSentIsDeliveredAndCarriedByTheNics) {
  Fabric f(leaf_spine(4, 4, 2, 400, 100));
  DeliveryLog log(f.sim);
  sim::Rng rng(11, "test");
  std::uint64_t total = 0;
  for (int i = 0; i < 300; ++i) {
    const auto src = static_cast<topology::HostId>(rng.below(16));
    const auto dst = static_cast<topology::HostId>((src + 1 + rng.below(15)) % 16);
    const std::uint64_t bytes = 1 + rng.below(10'000'000);
    total += bytes;
    start(f, src, dst, bytes, log.self, static_cast<std::uint64_t>(i),
          static_cast<std::uint16_t>(i));
  }
  f.sim.run();
  f.model.finish();
  EXPECT_EQ(log.delivered.size(), 300u);
  EXPECT_EQ(f.model.totals().bytes_sent, total);
  EXPECT_EQ(f.model.totals().bytes_delivered, total);
  EXPECT_LT(f.model.totals().max_byte_error, 1.0);
  EXPECT_EQ(f.model.active_flows(), 0u);
  double nic_bytes = 0;
  double nic_received = 0;
  for (topology::HostId h = 0; h < 16; ++h) {
    nic_bytes += f.model.link_stats(f.topology.host_uplink(h)).bytes;
    nic_received += f.model.link_stats(f.topology.host_downlink(h)).bytes;
  }
  EXPECT_NEAR(nic_bytes, static_cast<double>(total), 1e-6 * static_cast<double>(total));
  EXPECT_NEAR(nic_received, static_cast<double>(total), 1e-6 * static_cast<double>(total));
}

}  // namespace
}  // namespace spinel::transport

namespace spinel::transport {
namespace {

// Spray trunks must give the same completion times as weighting every link.
TEST(Spray, TrunksMatchPerLinkWeightsOnRandomTraffic) {
  std::vector<std::pair<std::uint64_t, sim::Time>> results[2];
  for (int trunked = 0; trunked < 2; ++trunked) {
    testing::Fabric f(testing::leaf_spine(4, 4, 3, 400, 200), PathPolicy::spray);
    f.model.set_spray_trunks(trunked == 1);
    testing::DeliveryLog log(f.sim);
    sim::Rng rng(5, "test");
    for (int i = 0; i < 200; ++i) {
      const auto src = static_cast<topology::HostId>(rng.below(16));
      const auto dst = static_cast<topology::HostId>((src + 1 + rng.below(15)) % 16);
      FlowSpec spec;
      spec.connection = f.model.connect(ConnectionSpec{src, dst, static_cast<std::uint16_t>(i)});
      spec.size_bytes = 1 + rng.below(5'000'000);
      spec.notify = log.self;
      spec.notify_payload = static_cast<std::uint64_t>(i);
      f.model.start_flow(spec);
    }
    f.sim.run();
    f.model.finish();
    results[trunked] = log.delivered;
    // Either way the spine links carry every cross-leaf byte between them.
    double up = 0;
    for (topology::LinkId l = 0; l < f.topology.link_count(); ++l) {
      if (f.topology.link(l).kind == topology::LinkKind::leaf_up) up += f.model.link_stats(l).bytes;
    }
    EXPECT_GT(up, 0.0);
  }
  ASSERT_EQ(results[0].size(), results[1].size());
  for (std::size_t i = 0; i < results[0].size(); ++i) {
    EXPECT_EQ(results[0][i].first, results[1][i].first);
    EXPECT_NEAR(static_cast<double>(results[0][i].second),
                static_cast<double>(results[1][i].second), 2.0);
  }
}

}  // namespace
}  // namespace spinel::transport

namespace spinel::transport {
namespace {

// Max-min rates by the textbook procedure, for flows given as link lists:
// repeatedly find the link with the smallest fair share of what is left and
// freeze every flow still crossing it at that share.
std::vector<double> reference_max_min(const std::vector<std::vector<topology::LinkId>>& flows,
                                      const topology::Topology& topo) {
  std::vector<double> left(topo.link_count());
  std::vector<int> unfrozen(topo.link_count(), 0);
  for (topology::LinkId l = 0; l < topo.link_count(); ++l) left[l] = topo.link(l).rate_gbps;
  for (const auto& links : flows) {
    for (topology::LinkId l : links) ++unfrozen[l];
  }
  std::vector<double> rate(flows.size(), -1);
  for (;;) {
    topology::LinkId best = topology::kNoLink;
    for (topology::LinkId l = 0; l < topo.link_count(); ++l) {
      if (unfrozen[l] == 0) continue;
      if (best == topology::kNoLink || left[l] / unfrozen[l] < left[best] / unfrozen[best]) {
        best = l;
      }
    }
    if (best == topology::kNoLink) return rate;
    const double share = left[best] / unfrozen[best];
    for (std::size_t f = 0; f < flows.size(); ++f) {
      if (rate[f] >= 0 || std::find(flows[f].begin(), flows[f].end(), best) == flows[f].end()) {
        continue;
      }
      rate[f] = share;
      for (topology::LinkId l : flows[f]) {
        left[l] -= share;
        --unfrozen[l];
      }
    }
  }
}

// Many flows per link (past the inline slots), starting and ending in every
// order: after every instant the incremental, component-wise rates must equal
// a from-scratch max-min computation over all active flows.
TEST(MaxMin, IncrementalRatesEqualAFromScratchComputationThroughout) {
  Fabric f(leaf_spine(4, 4, 2, 400, 100));
  DeliveryLog log(f.sim);
  sim::Rng rng(3, "test");
  std::vector<FlowId> started;
  int checks = 0;
  for (int batch = 0; batch < 40; ++batch) {
    const std::uint64_t n = 1 + rng.below(12);
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto src = static_cast<topology::HostId>(rng.below(16));
      const auto dst = static_cast<topology::HostId>((src + 1 + rng.below(15)) % 16);
      started.push_back(start(f, src, dst, 1 + rng.below(20'000'000), log.self, 0,
                              static_cast<std::uint16_t>(rng.below(65536))));
    }
    f.sim.run(f.sim.now() + static_cast<sim::Time>(rng.below(400'000'000)));
    // Rated flows are the active ones (a finished flow's rate is zero).
    std::set<FlowId> active;
    for (FlowId id : started) {
      if (f.model.rate_gbps(id) > 0) active.insert(id);
    }
    ASSERT_EQ(active.size(), f.model.active_flows());
    std::vector<std::vector<topology::LinkId>> links;
    for (FlowId id : active) links.push_back(f.model.flow_links(id));
    const std::vector<double> expected = reference_max_min(links, f.topology);
    std::size_t k = 0;
    for (FlowId id : active) {
      ASSERT_NEAR(f.model.rate_gbps(id), expected[k], 1e-9 * expected[k]) << "flow " << id;
      ++k;
    }
    checks += static_cast<int>(active.size());
  }
  EXPECT_GT(checks, 200);  // the checks saw real contention, not an idle fabric
  f.sim.run();
  EXPECT_EQ(f.model.active_flows(), 0u);
}

}  // namespace
}  // namespace spinel::transport
