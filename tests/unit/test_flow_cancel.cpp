// FlowModel::cancel_flows: a dead endpoint's flows stop at once, release
// their links to the others, and are counted as cancelled, never delivered.
#include <gtest/gtest.h>

#include "tests/unit/fabric.hpp"

namespace spinel {
namespace {

using testing::DeliveryLog;
using testing::Fabric;

TEST(FlowCancel, ACancelledFlowReleasesItsBottleneckAndIsNeverDelivered) {
  for (auto policy :
       {transport::PathPolicy::ecmp, transport::PathPolicy::spray, transport::PathPolicy::mprdma}) {
    // Two flows from hosts 0 and 1 into host 2 share its 100 Gb/s downlink.
    Fabric f(testing::leaf_spine(2, 2, 2, 100, 100), testing::policy(policy, 4));
    DeliveryLog log(f.sim);
    const auto a = f.model.connect({0, 2, 1});
    const auto b = f.model.connect({1, 2, 2});
    const std::uint64_t bytes = 125'000'000;  // 10 ms alone at 100 Gb/s
    f.model.start_flow({a, bytes, log.self, 0, 1});
    f.model.start_flow({b, bytes, log.self, 0, 2});
    // The simulator's clock moves only with events: one at 5 ms to stop at.
    f.sim.schedule_at(5 * sim::kMillisecond, log.self, 0, 99);
    f.sim.run(5 * sim::kMillisecond);  // each at 50 Gb/s so far
    ASSERT_EQ(f.sim.now(), 5 * sim::kMillisecond);
    const transport::ConnectionId dead[] = {a};
    EXPECT_GT(f.model.cancel_flows(dead), 0U);
    f.sim.run();
    ASSERT_EQ(log.delivered.size(), 2U);
    EXPECT_EQ(log.delivered[1].first, 2U);
    // b sent 5 ms at 50 Gb/s (a quarter), then the rest alone at 100 Gb/s:
    // 7.5 ms more, plus the path latency.
    EXPECT_NEAR(static_cast<double>(log.delivered[1].second), 12.5e9, 0.01e9);
    const transport::FlowTotals& t = f.model.totals();
    EXPECT_EQ(t.bytes_cancelled, bytes);
    EXPECT_EQ(t.bytes_delivered + t.bytes_cancelled, t.bytes_sent);
    EXPECT_EQ(f.model.active_flows(), 0U);
    // Cancelling again, or a connection without flows, does nothing.
    EXPECT_EQ(f.model.cancel_flows(dead), 0U);
  }
}

}  // namespace
}  // namespace spinel
