// PCCL on the simulated network: churn against the invariants, determinism,
// and the effect of a stall.
#include <gtest/gtest.h>

#include <chrono>

#include "sim/recorder.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/flow_model.hpp"
#include "workloads/pccl/churn.hpp"
#include "workloads/pccl/sim_driver.hpp"

namespace spinel::pccl {
namespace {

PcclResult run(const PcclConfig& config, std::uint64_t seed) {
  topology::LeafSpineConfig topo;
  topo.leaves = 2;
  topo.spines = 2;
  topo.hosts_per_leaf = 4;
  const topology::Topology fabric = topology::build_leaf_spine(topo);
  topology::Routing routing(fabric);
  sim::Simulator sim;
  sim::Recorder recorder;
  transport::FlowModel model(sim, fabric, routing, {}, seed, recorder, false);
  SimDriver driver(sim, model, fabric.host_count(), config, seed);
  driver.start();
  sim.run(config.duration_ps);
  return driver.finish();
}

PcclConfig stress() {
  PcclConfig c;
  c.peers = 4;
  c.max_peers = 10;
  c.floats = 61;
  c.connections_per_neighbour = 2;
  c.size_bytes = 8ULL << 30;  // a ring of about 0.3 s: deaths hit it mid-way
  c.step_compute_ps = 500 * sim::kMillisecond;
  c.duration_ps = 600 * sim::kSecond;
  c.churn_interval_min_ps = 500 * sim::kMillisecond;
  c.churn_interval_max_ps = 2 * sim::kSecond;
  c.stall_weight = 0.2;
  c.leave_weight = 0.2;
  return c;
}

TEST(PcclSim, ChurnOnTheFlowModelKeepsEveryInvariant) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const PcclResult r = run(stress(), seed);
    ASSERT_FALSE(r.failed) << "seed " << seed << ": " << r.violation;
    EXPECT_GT(r.steps.size(), 20U);
    EXPECT_GT(r.aborted_attempts, 0U);
    EXPECT_GT(r.deaths, 0U);
    EXPECT_GT(r.peers_spawned, 10U);
  }
}

TEST(PcclSim, SameSeedSameRunOtherSeedOtherRun) {
  const PcclResult a = run(stress(), 7);
  const PcclResult b = run(stress(), 7);
  const PcclResult c = run(stress(), 8);
  ASSERT_EQ(a.steps.size(), b.steps.size());
  for (std::size_t i = 0; i < a.steps.size(); ++i) {
    EXPECT_EQ(a.steps[i].end_ps, b.steps[i].end_ps);
    EXPECT_EQ(a.steps[i].world, b.steps[i].world);
  }
  ASSERT_EQ(a.churn.size(), b.churn.size());
  EXPECT_EQ(a.aborted_bytes, b.aborted_bytes);
  EXPECT_NE(a.churn.size() == c.churn.size() && a.steps.size() == c.steps.size() &&
                a.aborted_bytes == c.aborted_bytes,
            true);
}

TEST(PcclSim, AStallHoldsTheGroupForTheKeepaliveTimeoutADeathDoesNot) {
  PcclConfig c;
  c.peers = 4;
  c.duration_ps = 120 * sim::kSecond;
  c.keepalive_timeout_ps = 20 * sim::kSecond;
  c.keepalive_interval_ps = 2 * sim::kSecond;
  c.events = {{30 * sim::kSecond + 500 * sim::kMillisecond, ChurnKind::death, 1}};
  const PcclResult death = run(c, 1);
  c.events[0].kind = ChurnKind::stall;
  const PcclResult stall = run(c, 1);
  ASSERT_FALSE(death.failed) << death.violation;
  ASSERT_FALSE(stall.failed) << stall.violation;
  ASSERT_EQ(death.recovery_ps.size(), 1U);
  ASSERT_EQ(stall.recovery_ps.size(), 1U);
  EXPECT_LT(death.recovery_ps[0], 3 * sim::kSecond);
  EXPECT_GT(stall.recovery_ps[0], 20 * sim::kSecond);
  EXPECT_LT(stall.recovery_ps[0], 25 * sim::kSecond);
  EXPECT_EQ(stall.kicks, 1U);
}

TEST(PcclSim, ExponentialDrawsHaveMeanAndVarianceOne) {
  sim::Rng rng(1, "test.exponential");
  double sum = 0;
  double squares = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = exponential(rng);
    ASSERT_GE(x, 0.0);
    sum += x;
    squares += x * x;
  }
  const double mean = sum / n;
  EXPECT_NEAR(mean, 1.0, 0.01);
  EXPECT_NEAR(squares / n - mean * mean, 1.0, 0.03);
}

TEST(PcclSim, ChurnAtRatesHitsAsOftenAsAsked) {
  PcclConfig c;
  c.peers = 6;
  c.max_peers = 8;
  c.floats = 40;
  c.duration_ps = 1800 * sim::kSecond;
  c.joins_per_hour = 360;       // one every 10 s while below max_peers
  c.deaths_per_peer_hour = 30;  // one every 2 min per peer
  c.stalls_per_peer_hour = 3;
  c.keepalive_timeout_ps = 10 * sim::kSecond;
  c.keepalive_interval_ps = 2 * sim::kSecond;
  const PcclResult r = run(c, 3);
  ASSERT_FALSE(r.failed) << r.violation;
  // About 6-8 live peers for half an hour: 90-120 deaths expected, 9-12 stalls.
  EXPECT_GT(r.deaths, 60U);
  EXPECT_LT(r.deaths, 150U);
  EXPECT_GT(r.stalls, 3U);
  EXPECT_LT(r.stalls, 25U);
  EXPECT_GT(r.steps.size(), 500U);
}

}  // namespace
}  // namespace spinel::pccl
