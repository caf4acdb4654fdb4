// Per-connection rate caps (ConnectionSpec::max_rate_gbps): a private virtual
// link per connection, shared max-min with the physical links.
#include <gtest/gtest.h>

#include "fabric.hpp"

namespace spinel::transport {
namespace {

using testing::DeliveryLog;
using testing::Fabric;
using testing::leaf_spine;

constexpr std::uint64_t kHuge = 1ULL << 50;

ConnectionId open_capped(Fabric& f, topology::HostId src, topology::HostId dst, double cap_gbps,
                         std::uint16_t port) {
  ConnectionSpec spec{src, dst, port};
  spec.max_rate_gbps = cap_gbps;
  return f.model.connect(spec);
}

FlowId start_on(Fabric& f, ConnectionId c, std::uint64_t bytes, sim::HandlerId notify,
                std::uint64_t payload = 0) {
  FlowSpec spec;
  spec.connection = c;
  spec.size_bytes = bytes;
  spec.notify = notify;
  spec.notify_payload = payload;
  return f.model.start_flow(spec);
}

TEST(RateCap, OneCappedFlowGetsExactlyTheCap) {
  Fabric f(leaf_spine(2, 1, 1, 400, 400));
  DeliveryLog log(f.sim);
  const FlowId a = start_on(f, open_capped(f, 0, 1, 25, 1000), kHuge, log.self);
  f.sim.run(0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(a), 25.0);
  // The virtual link is no physical link: not among the flow's links.
  EXPECT_EQ(f.model.flow_links(a).size(), 4u);
}

TEST(RateCap, FlowsOfOneConnectionShareItsCap) {
  Fabric f(leaf_spine(2, 1, 1, 400, 400));
  DeliveryLog log(f.sim);
  const ConnectionId c = open_capped(f, 0, 1, 30, 1000);
  const FlowId a = start_on(f, c, kHuge, log.self);
  const FlowId b = start_on(f, c, kHuge, log.self);
  f.sim.run(0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(a), 15.0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(b), 15.0);
}

TEST(RateCap, KConnectionsReachMinOfKTimesCapAndTheNic) {
  for (const std::uint32_t k : {1u, 2u, 4u, 8u, 16u}) {
    Fabric f(leaf_spine(1, 2, 1, 100, 400));  // two hosts on one leaf, 100G NICs
    DeliveryLog log(f.sim);
    std::vector<FlowId> flows;
    for (std::uint32_t i = 0; i < k; ++i) {
      const auto port = static_cast<std::uint16_t>(1000 + i);
      flows.push_back(start_on(f, open_capped(f, 0, 1, 12.5, port), kHuge, log.self));
    }
    f.sim.run(0);
    double total = 0;
    for (const FlowId id : flows) total += f.model.rate_gbps(id);
    EXPECT_NEAR(total, std::min(12.5 * k, 100.0), 1e-9) << k << " connections";
  }
}

TEST(RateCap, CappedNextToUncappedOnASharedLinkIsMaxMin) {
  // Both cross h0's 100G NIC: the capped one takes its 20, the other the rest.
  Fabric f(leaf_spine(1, 3, 1, 100, 400));
  DeliveryLog log(f.sim);
  const FlowId capped = start_on(f, open_capped(f, 0, 1, 20, 1000), kHuge, log.self);
  const FlowId free = start_on(f, f.model.connect(ConnectionSpec{0, 2, 1001}), kHuge, log.self);
  f.sim.run(0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(capped), 20.0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(free), 80.0);
  // A cap above the fair share binds nothing: 50/50.
  Fabric g(leaf_spine(1, 3, 1, 100, 400));
  DeliveryLog glog(g.sim);
  const FlowId loose = start_on(g, open_capped(g, 0, 1, 70, 1000), kHuge, glog.self);
  const FlowId other = start_on(g, g.model.connect(ConnectionSpec{0, 2, 1001}), kHuge, glog.self);
  g.sim.run(0);
  EXPECT_DOUBLE_EQ(g.model.rate_gbps(loose), 50.0);
  EXPECT_DOUBLE_EQ(g.model.rate_gbps(other), 50.0);
}

TEST(RateCap, CappedTransferTakesSizeOverCapAndLinksCsvHasOnlyPhysicalLinks) {
  Fabric f(leaf_spine(2, 1, 2, 400, 400), PathPolicy::spray);
  DeliveryLog log(f.sim);
  start_on(f, open_capped(f, 0, 1, 10, 1000), 1'000'000, log.self, 7);  // 800 us at 10G
  f.sim.run();
  ASSERT_EQ(log.delivered.size(), 1u);
  const sim::Time latency = 4 * 500 * sim::kNanosecond;
  EXPECT_EQ(log.delivered[0].second, 800 * sim::kMicrosecond + latency);
  // The congestion estimate sees the physical links only (a 400G NIC).
  const Load load{0, 1'000'000};
  EXPECT_EQ(f.model.max_congestion_ps(std::span<const Load>(&load, 1)), 20 * sim::kMicrosecond);
  EXPECT_EQ(f.model.connection_route(0).front().hops.size(), 4u);  // NIC, 2 trunks, NIC
}

TEST(RateCap, MprdmaSubflowsShareOneCap) {
  Fabric f(leaf_spine(2, 1, 4, 400, 400), testing::policy(PathPolicy::mprdma, 4));
  DeliveryLog log(f.sim);
  const ConnectionId c = open_capped(f, 0, 1, 20, 1000);
  start_on(f, c, kHuge, log.self);
  f.sim.run(0);
  ASSERT_EQ(f.model.queue_pairs(c), 4u);
  ASSERT_EQ(f.model.active_flows(), 4u);
  double total = 0;
  for (FlowId id = 0; id < 4; ++id) total += f.model.rate_gbps(id);
  EXPECT_NEAR(total, 20.0, 1e-9);
}

TEST(RateCap, AReroutedConnectionKeepsItsCap) {
  for (const PathPolicy p : {PathPolicy::ecmp, PathPolicy::spray, PathPolicy::planned}) {
    Fabric f(leaf_spine(2, 1, 4, 400, 400), testing::policy(p));
    f.model.set_spray_trunks(false);
    DeliveryLog log(f.sim);
    const ConnectionId c = open_capped(f, 0, 1, 30, 1000);
    const FlowId a = start_on(f, c, kHuge, log.self);
    f.sim.run(0);
    EXPECT_DOUBLE_EQ(f.model.rate_gbps(a), 30.0);
    f.model.set_link_rate(f.model.connection_route(c)[0].hops[1].link, 0);
    f.sim.run(f.sim.now() + 1);
    // Moved off the dead uplink, still at the cap (uncapped it would get 400).
    EXPECT_DOUBLE_EQ(f.model.rate_gbps(a), 30.0) << static_cast<int>(p);
  }
}

}  // namespace
}  // namespace spinel::transport
