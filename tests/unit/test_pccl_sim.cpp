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

PcclResult run_on(const topology::FabricConfig& topo, const PcclConfig& config,
                  std::uint64_t seed) {
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

PcclResult run(const PcclConfig& config, std::uint64_t seed) {
  topology::FabricConfig topo;
  topo.leaves = 2;
  topo.spines = 2;
  topo.hosts_per_leaf = 4;
  return run_on(topo, config, seed);
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

TEST(PcclSim, AWindowCapsEachConnectionSoMoreConnectionsFillTheLink) {
  // Two peers on one leaf behind 10 Gb/s host links of 10 ms: an RTT of
  // 40 ms, and a 12.5 MB window caps each connection at 2.5 Gb/s. One step
  // moves 256 MiB per peer: the ring time falls with the pool until four
  // connections fill the link, then stays.
  topology::FabricConfig topo;
  topo.leaves = 1;
  topo.spines = 1;
  topo.hosts_per_leaf = 2;
  topo.host_link.rate_gbps = 10;
  topo.host_link.latency_ps = 10 * sim::kMillisecond;
  PcclConfig c;
  c.peers = 2;
  c.max_peers = 2;
  c.floats = 16;
  c.size_bytes = 256ULL << 20;
  c.step_compute_ps = 100 * sim::kMillisecond;
  c.duration_ps = 60 * sim::kSecond;
  c.window_bytes = 12'500'000;
  const auto mean_step_ps = [&](std::uint32_t connections) {
    c.connections_per_neighbour = connections;
    const PcclResult r = run_on(topo, c, 1);
    EXPECT_FALSE(r.failed) << r.violation;
    EXPECT_GT(r.steps.size(), 5U);
    double total = 0;
    for (const StepRecord& s : r.steps) total += static_cast<double>(s.end_ps - s.start_ps);
    return total / static_cast<double>(r.steps.size());
  };
  const double one = mean_step_ps(1);
  const double two = mean_step_ps(2);
  const double four = mean_step_ps(4);
  const double eight = mean_step_ps(8);
  EXPECT_LT(two, 0.6 * one);
  EXPECT_LT(four, 0.6 * two);
  EXPECT_NEAR(eight, four, 0.02 * four);
  // The ring (each peer sends 256 MiB in two halves) at the link rate: 215 ms.
  const double ring_at_link_ps = 2.0 * static_cast<double>(128ULL << 20) * 8.0 / 10.0 * 1000.0;
  EXPECT_GT(four, ring_at_link_ps);
  EXPECT_GT(one, 4.0 * ring_at_link_ps);
  // Without a window the pool makes no difference.
  c.window_bytes = 0;
  EXPECT_NEAR(mean_step_ps(1), mean_step_ps(8), 0.02 * four);
}

}  // namespace
}  // namespace spinel::pccl
