// cc: nscc (issue 19): the NSCC-style window against its expected signs.
// Trims become NACKs that cut the window without timeouts, the bottleneck
// queue is steered to the target delay instead of the buffer, an idle path
// runs at line rate untouched, and ECMP collisions with trimming no longer
// collapse as they do without a congestion control.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "api/scenario/scenario.hpp"
#include "fabric.hpp"
#include "packet_fabric.hpp"
#include "test_support.hpp"

namespace spinel {
namespace {

using testing::DeliveryLog;
using testing::leaf_spine;
using testing::packet_config;
using testing::PacketFabric;
using testing::start_flow;
using transport::CongestionControl;
using transport::PathPolicy;

struct Outcome {
  transport::PacketTotals totals;
  sim::Time last_delivery_ps = 0;
  std::size_t delivered = 0;
  double mean_queue_bytes = 0;  // the bottleneck's, sampled every 1us after the first 50us
  std::uint64_t max_late_queue_bytes = 0;
};

// 8 senders on leaves 1 and 2 send `bytes` each to host 0 at once.
Outcome incast(CongestionControl cc, PathPolicy policy, bool trimming, std::uint64_t buffer_bytes,
               std::uint64_t bytes) {
  transport::TransportConfig config = packet_config(policy, cc);
  config.packet.buffer_bytes = buffer_bytes;
  config.packet.priority_queues = trimming;
  config.packet.trimming = trimming;
  config.packet.retransmit = transport::Retransmit::selective;
  config.packet.rto_ps = 50 * sim::kMicrosecond;
  PacketFabric f(leaf_spine(3, 4, 4), config);
  DeliveryLog log(f.sim);
  for (topology::HostId h = 4; h < 12; ++h) {
    start_flow(f, {h, 0, static_cast<std::uint16_t>(1000 + h)}, bytes, log.self);
  }
  const topology::LinkId bottleneck = f.topology.host_downlink(0);
  Outcome o;
  std::uint64_t samples = 0;
  double sum = 0;
  for (sim::Time t = 50 * sim::kMicrosecond; log.delivered.size() < 8 && t < sim::kSecond;
       t += sim::kMicrosecond) {
    f.sim.run(t);
    if (log.delivered.empty()) {  // the senders all still compete
      const std::uint64_t q = f.engine.queue_bytes(bottleneck);
      sum += static_cast<double>(q);
      ++samples;
      o.max_late_queue_bytes = std::max(o.max_late_queue_bytes, q);
    }
  }
  f.sim.run();
  o.totals = f.engine.totals();
  o.delivered = log.delivered.size();
  for (const auto& d : log.delivered) o.last_delivery_ps = std::max(o.last_delivery_ps, d.second);
  o.mean_queue_bytes = samples == 0 ? 0 : sum / static_cast<double>(samples);
  return o;
}

// The expected sign: with trimming, nscc turns the incast's
// overflow into NACKs that cut the window at once; nothing times out, and
// far fewer packets are trimmed than with a fixed window.
TEST(PacketNscc, TrimsCutTheWindowWithoutTimeouts) {
  for (const PathPolicy policy : {PathPolicy::ecmp, PathPolicy::spray}) {
    SCOPED_TRACE(std::string(transport::to_string(policy)));
    const Outcome fixed = incast(CongestionControl::none, policy, true, 64 * 1024, 1024 * 1024);
    const Outcome nscc = incast(CongestionControl::nscc, policy, true, 64 * 1024, 1024 * 1024);
    ASSERT_EQ(nscc.delivered, 8U);
    const transport::PacketTotals& t = nscc.totals;
    EXPECT_EQ(t.drops, 0U);
    EXPECT_EQ(t.timeouts, 0U);
    EXPECT_GT(t.nacks, 0U);
    EXPECT_GT(t.nscc_decreases, 0U);
    EXPECT_EQ(t.payload_bytes_delivered, 8U * 1024 * 1024);
    EXPECT_LT(2 * t.trimmed_packets, fixed.totals.trimmed_packets);
    EXPECT_EQ(fixed.totals.nscc_decreases, 0U);
  }
}

// With a buffer that holds the whole burst, a fixed window parks every
// sender's surplus in the bottleneck (7 windows); nscc steers the queue to
// its target, ecn_kmin_bytes (100 KiB) at 400 Gb/s, and keeps it bounded.
// It settles above the target (1.7x when measured): a cut needs a mark, and
// RED marks only a few packets just above kmin.
TEST(PacketNscc, KeepsTheIncastQueueNearItsTarget) {
  const std::uint64_t target = 100 * 1024;
  const Outcome fixed =
      incast(CongestionControl::none, PathPolicy::spray, false, 4 * 1024 * 1024, 4 * 1024 * 1024);
  const Outcome nscc =
      incast(CongestionControl::nscc, PathPolicy::spray, false, 4 * 1024 * 1024, 4 * 1024 * 1024);
  ASSERT_EQ(nscc.delivered, 8U);
  EXPECT_EQ(nscc.totals.drops, 0U);
  EXPECT_GT(fixed.mean_queue_bytes, 4 * nscc.mean_queue_bytes);
  EXPECT_GT(nscc.mean_queue_bytes, 0.5 * static_cast<double>(target));
  EXPECT_LT(nscc.mean_queue_bytes, 2.0 * static_cast<double>(target));
  EXPECT_LT(nscc.max_late_queue_bytes, 5 * target);  // the buffer is 41 targets
  // Same work through the same bottleneck: the completion stays within a few percent.
  EXPECT_LT(static_cast<double>(nscc.last_delivery_ps),
            1.05 * static_cast<double>(fixed.last_delivery_ps));
}

// One flow alone: no mark, no queue, nothing to cut; nscc's run is the
// fixed window's, to the picosecond.
TEST(PacketNscc, LeavesAnIdlePathAtLineRate) {
  sim::Time done[2] = {};
  for (const CongestionControl cc : {CongestionControl::none, CongestionControl::nscc}) {
    PacketFabric f(leaf_spine(2, 2, 2), packet_config(PathPolicy::ecmp, cc));
    DeliveryLog log(f.sim);
    start_flow(f, {0, 2, 7}, 4 * 1024 * 1024, log.self);
    f.sim.run();
    ASSERT_EQ(log.delivered.size(), 1U);
    done[cc == CongestionControl::nscc ? 1 : 0] = log.delivered[0].second;
    EXPECT_EQ(f.engine.totals().nscc_decreases, 0U);
  }
  EXPECT_EQ(done[0], done[1]);
}

// A permutation across leaves on ECMP paths collides on spines; with
// trimming and no congestion control the colliding flows trim each other
// for the whole run, nscc backs them off (case A's collapse in small).
sim::Time ecmp_permutation(CongestionControl cc, transport::PacketTotals& totals) {
  transport::TransportConfig config = packet_config(PathPolicy::ecmp, cc);
  config.packet.trimming = true;
  config.packet.priority_queues = true;
  config.packet.retransmit = transport::Retransmit::go_back_n;
  config.packet.buffer_bytes = 128 * 1024;  // two colliding windows overflow it
  PacketFabric f(leaf_spine(4, 8, 8), config);
  DeliveryLog log(f.sim);
  for (topology::HostId h = 0; h < 32; ++h) {
    start_flow(f, {h, static_cast<topology::HostId>((h + 8) % 32), static_cast<std::uint16_t>(h)},
               2 * 1024 * 1024, log.self);
  }
  f.sim.run();
  EXPECT_EQ(log.delivered.size(), 32U);
  totals = f.engine.totals();
  sim::Time last = 0;
  for (const auto& d : log.delivered) last = std::max(last, d.second);
  return last;
}

TEST(PacketNscc, EcmpWithTrimmingNoLongerCollapses) {
  transport::PacketTotals none;
  transport::PacketTotals nscc;
  const sim::Time fixed = ecmp_permutation(CongestionControl::none, none);
  const sim::Time reacting = ecmp_permutation(CongestionControl::nscc, nscc);
  EXPECT_GT(none.trimmed_packets, 0U);
  EXPECT_LT(nscc.trimmed_packets, none.trimmed_packets);
  EXPECT_LT(nscc.retransmitted_packets, none.retransmitted_packets);
  EXPECT_LT(reacting, fixed);
}

const std::string kBase =
    "name: t\n"                                                                // 1
    "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 2}\n"  // 2
    "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n"               // 3
    "transport:\n"                                                             // 4
    "  model: packet\n"                                                        // 5
    "  packet:\n"                                                              // 6
    "    cc: nscc\n";                                                          // 7

TEST(PacketNscc, ScenarioKeysAndLocatedErrors) {
  const scenario::Scenario s = scenario::load_string(
      kBase +
          "    nscc_target_qdelay: 3us\n    nscc_md_gain: 0.25\n    nscc_nack_md: 0.125\n"
          "    nscc_pi_gain: 0.5\n    nscc_fast_increase: 2\n",
      "t.yaml");
  const transport::PacketConfig& p = s.transport.packet;
  EXPECT_EQ(p.cc, CongestionControl::nscc);
  EXPECT_EQ(p.nscc.target_qdelay_ps, 3 * sim::kMicrosecond);
  EXPECT_EQ(p.nscc.md_gain, 0.25);
  EXPECT_EQ(p.nscc.nack_md, 0.125);
  EXPECT_EQ(p.nscc.pi_gain, 0.5);
  EXPECT_EQ(p.nscc.fast_increase, 2.0);
  EXPECT_NE(sim::json_text(scenario::to_json(s)).find("\"nscc_md_gain\": 0.25"), std::string::npos);
  const scenario::Scenario off = scenario::load_string(
      "name: t\ntopology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 2}\n"
      "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n"
      "transport: {model: packet}\n",
      "t.yaml");
  EXPECT_EQ(sim::json_text(scenario::to_json(off)).find("nscc"), std::string::npos);
  EXPECT_STARTS_WITH(testing::error_of_loading(
                         [](const std::string& y) { return scenario::load_string(y, "t.yaml"); },
                         kBase + "    nscc_md_gain: 2\n"),
                     "t.yaml:8:19: transport.packet.nscc_md_gain: ");
}

}  // namespace
}  // namespace spinel
