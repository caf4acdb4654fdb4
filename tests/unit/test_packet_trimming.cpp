// The UEC-style switch ports (issue 19): strict priority for control packets
// and packet trimming with NACK-driven resends, against their expected signs
// and bounds, with the byte accounting closed.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "fabric.hpp"
#include "packet_fabric.hpp"
#include "sim/rng.hpp"
#include "test_support.hpp"

namespace spinel {
namespace {

using testing::DeliveryLog;
using testing::leaf_spine;
using testing::packet_config;
using testing::PacketFabric;
using testing::start_flow;
using transport::PathPolicy;

// Sent = delivered + dropped + duplicate + discarded + trimmed, and every
// message delivered once.
void expect_conserved(const transport::PacketTotals& t) {
  EXPECT_EQ(t.payload_bytes_sent, t.payload_bytes_delivered + t.payload_bytes_dropped +
                                      t.payload_bytes_duplicate + t.payload_bytes_discarded +
                                      t.payload_bytes_trimmed);
  EXPECT_EQ(t.messages_sent, t.messages_delivered);
}

struct Knobs {
  bool priority = false;
  bool trimming = false;
  std::uint64_t buffer_bytes = 64 * 1024;
  std::uint64_t trim_threshold_bytes = 0;
  PathPolicy policy = PathPolicy::ecmp;
  transport::Retransmit retransmit = transport::Retransmit::go_back_n;
  transport::CongestionControl cc = transport::CongestionControl::dctcp;
};

struct Outcome {
  transport::PacketTotals totals;
  sim::Time last_delivery_ps = 0;
  std::uint64_t bottleneck_max_queue_bytes = 0;
  std::size_t delivered = 0;
};

// 8 senders on leaves 1 and 2 send 1 MiB each to host 0 at once, no
// congestion control: the downlink to host 0 is the bottleneck.
Outcome incast(const Knobs& k) {
  transport::TransportConfig config = packet_config(k.policy, k.cc);
  config.packet.buffer_bytes = k.buffer_bytes;
  config.packet.priority_queues = k.priority || k.trimming;
  config.packet.trimming = k.trimming;
  config.packet.trim_threshold_bytes = k.trim_threshold_bytes;
  config.packet.retransmit = k.retransmit;
  config.packet.rto_ps = 50 * sim::kMicrosecond;
  PacketFabric f(leaf_spine(3, 4, 4), config);
  DeliveryLog log(f.sim);
  for (topology::HostId h = 4; h < 12; ++h) {
    start_flow(f, {h, 0, static_cast<std::uint16_t>(1000 + h)}, 1024 * 1024, log.self);
  }
  f.sim.run();
  Outcome o;
  o.totals = f.engine.totals();
  o.delivered = log.delivered.size();
  for (const auto& d : log.delivered) o.last_delivery_ps = std::max(o.last_delivery_ps, d.second);
  o.bottleneck_max_queue_bytes = f.engine.port_stats(f.topology.host_downlink(0)).max_queue_bytes;
  return o;
}

// The closed form: under DCTCP, trimming turns the incast's drops
// into NACKs, with zero timeouts, and every byte still arrives exactly once,
// sooner, with either loss recovery, on ECMP paths and sprayed.
TEST(PacketTrimming, TurnsIncastDropsIntoNacksWithoutTimeouts) {
  for (const transport::Retransmit retransmit :
       {transport::Retransmit::go_back_n, transport::Retransmit::selective}) {
    for (const PathPolicy policy : {PathPolicy::ecmp, PathPolicy::spray}) {
      SCOPED_TRACE(std::string(transport::to_string(policy)) + " " +
                   std::string(transport::to_string(retransmit)));
      Knobs k;
      k.policy = policy;
      k.retransmit = retransmit;
      const Outcome before = incast(k);
      EXPECT_GT(before.totals.drops, 0U);
      EXPECT_GT(before.totals.timeouts, 0U);
      k.trimming = true;
      const Outcome after = incast(k);
      ASSERT_EQ(after.delivered, 8U);
      const transport::PacketTotals& t = after.totals;
      EXPECT_EQ(t.drops, 0U);
      EXPECT_GT(t.trimmed_packets, 0U);
      EXPECT_GT(t.nacks, 0U);
      EXPECT_LE(t.nacks, t.trimmed_packets);
      EXPECT_EQ(t.payload_bytes_trimmed, t.trimmed_packets * 4096);  // full packets only here
      EXPECT_EQ(t.payload_bytes_delivered, 8U * 1024 * 1024);
      expect_conserved(t);
      EXPECT_EQ(t.timeouts, 0U);
      EXPECT_LT(after.last_delivery_ps, before.last_delivery_ps);
    }
  }
}

// Sprayed packets land past holes: each trimmed one is NACKed and resent
// alone, once, so the retransmissions are exactly the trims.
TEST(PacketTrimming, SelectiveReceiversResendExactlyTheTrimmedPackets) {
  Knobs k;
  k.policy = PathPolicy::spray;
  k.trimming = true;
  const Outcome o = incast(k);
  const transport::PacketTotals& t = o.totals;
  EXPECT_EQ(t.nacks, t.trimmed_packets);
  EXPECT_EQ(t.retransmitted_packets, t.trimmed_packets);
  EXPECT_EQ(t.payload_bytes_duplicate, 0U);
  EXPECT_EQ(t.payload_bytes_discarded, 0U);
  expect_conserved(t);
}

// Trimming acts exactly at the overflow: with a buffer that holds the whole
// incast nothing is trimmed and the run is the one without trimming; with a
// small one, the data queue fills to the buffer and no further (the control
// queue adds a few headers at most).
TEST(PacketTrimming, TrimsExactlyWhenTheQueueWouldOverflow) {
  Knobs big;
  big.buffer_bytes = 4 * 1024 * 1024;
  big.priority = true;
  const Outcome plain = incast(big);
  EXPECT_EQ(plain.totals.drops, 0U);
  big.trimming = true;
  const Outcome trimming = incast(big);
  EXPECT_EQ(trimming.totals.trimmed_packets, 0U);
  EXPECT_EQ(trimming.last_delivery_ps, plain.last_delivery_ps);
  EXPECT_EQ(trimming.bottleneck_max_queue_bytes, plain.bottleneck_max_queue_bytes);

  Knobs small;
  small.trimming = true;
  const Outcome o = incast(small);
  EXPECT_GT(o.totals.trimmed_packets, 0U);
  EXPECT_GE(o.bottleneck_max_queue_bytes, small.buffer_bytes - 4160);
  EXPECT_LE(o.bottleneck_max_queue_bytes, small.buffer_bytes + 16 * 64);

  // A threshold below the buffer trims there instead.
  big.trim_threshold_bytes = 128 * 1024;
  const Outcome t = incast(big);
  EXPECT_GT(t.totals.trimmed_packets, 0U);
  EXPECT_EQ(t.totals.drops, 0U);
  EXPECT_GE(t.bottleneck_max_queue_bytes, big.trim_threshold_bytes - 4160);
  EXPECT_LE(t.bottleneck_max_queue_bytes, big.trim_threshold_bytes + 16 * 64);
  expect_conserved(t.totals);
}

// Host 0 sends 4 MiB to host 5 while 8 senders fill the downlink to host 0,
// which the flow's ACKs cross. In one FIFO they wait behind a full data
// queue and the window-limited flow crawls; in the control queue they pass
// it, and the flow finishes as it does alone (within 2%).
TEST(PacketPriority, AcksOvertakeAFullDataQueue) {
  const auto run = [](bool priority, bool load) {
    transport::TransportConfig config = packet_config();
    config.packet.buffer_bytes = 4 * 1024 * 1024;
    config.packet.priority_queues = priority;
    PacketFabric f(leaf_spine(3, 4, 4), config);
    DeliveryLog log(f.sim);
    transport::FlowSpec probe;
    probe.connection = f.transport.connect({0, 5, 999});
    probe.size_bytes = 4 * 1024 * 1024;
    probe.notify = log.self;
    probe.notify_payload = 1;  // the others report 0
    f.transport.start_flow(probe);
    if (load) {
      for (topology::HostId h = 4; h < 12; ++h) {
        start_flow(f, {h, 0, static_cast<std::uint16_t>(1000 + h)}, 8 * 1024 * 1024, log.self);
      }
    }
    f.sim.run();
    EXPECT_EQ(f.engine.totals().drops, 0U);
    expect_conserved(f.engine.totals());
    const auto it = std::find_if(log.delivered.begin(), log.delivered.end(),
                                 [](const auto& d) { return d.first == 1; });
    EXPECT_NE(it, log.delivered.end());
    return it == log.delivered.end() ? sim::Time{0} : it->second;
  };
  const sim::Time alone = run(false, false);
  EXPECT_EQ(run(true, false), alone);  // nothing to overtake: the same run
  const sim::Time fifo = run(false, true);
  const sim::Time priority = run(true, true);
  EXPECT_GT(static_cast<double>(fifo), 1.5 * static_cast<double>(alone));
  EXPECT_LT(static_cast<double>(priority), 1.02 * static_cast<double>(alone));
}

TEST(PacketTrimming, Deterministic) {
  Knobs k;
  k.policy = PathPolicy::spray;
  k.trimming = true;
  const Outcome a = incast(k);
  const Outcome b = incast(k);
  EXPECT_EQ(a.last_delivery_ps, b.last_delivery_ps);
  EXPECT_EQ(a.totals.trimmed_packets, b.totals.trimmed_packets);
  EXPECT_EQ(a.totals.data_packets, b.totals.data_packets);
  EXPECT_EQ(a.bottleneck_max_queue_bytes, b.bottleneck_max_queue_bytes);
}

// Random small configurations with trimming (tiny buffers, thresholds,
// both congestion controls and retransmissions, PFC or drop-tail, shared
// buffers, every policy, several collectives): every run finishes, every
// byte is delivered once and the accounting closes. Catches stalls in the
// NACK loop.
TEST(PacketTrimming, RandomConfigurationsDeliverEverything) {
  sim::Rng rng(11, "trimming-property");
  const char* policies[] = {"ecmp", "spray", "mprdma:2", "split", "reps", "adaptive"};
  const char* collectives[] = {"ring_allreduce", "all_to_all", "halving_doubling_allreduce"};
  const char* buffers[] = {"", "    buffer: shared\n", "    flow_control: pfc\n"};
  std::uint64_t trimmed = 0;
  for (int i = 0; i < 40; ++i) {
    const std::string text =
        "name: p\nseed: " + std::to_string(i) +
        "\ntopology: {kind: leaf_spine, leaves: 4, spines: 2, hosts_per_leaf: 4}\n"
        "transport:\n  model: packet\n  policy: " +
        policies[rng.below(6)] +
        "\n  packet:\n    trimming: true\n    buffer_bytes: " + std::to_string(9 + rng.below(64)) +
        "KiB\n" + buffers[rng.below(3)] + "    cc: " + (rng.below(2) == 0 ? "none" : "dctcp") +
        "\n    ack_every: " + std::to_string(1 + rng.below(4)) +
        "\n    rto: " + std::to_string(5 + rng.below(50)) +
        "us\n    reorder_packets: " + std::to_string(1 + rng.below(64)) +
        "\n    retransmit: " + (rng.below(2) == 0 ? "selective" : "go_back_n") + "\n" +
        (rng.below(3) == 0 ? "    trim_threshold_bytes: 16KiB\n" : "") +
        "workload:\n  collective: " + collectives[rng.below(3)] +
        "\n  size_bytes: " + std::to_string(64 + rng.below(2048)) + "KiB\n  placement: random\n";
    SCOPED_TRACE(text);
    const api::Results r = api::run(scenario::load_string(text, "p.yaml"), api::RunOptions{});
    ASSERT_TRUE(r.packets.has_value());
    EXPECT_EQ(r.flows.bytes_delivered, r.flows.bytes_sent);
    EXPECT_EQ(r.packets->payload_bytes_delivered, r.flows.bytes_sent);
    expect_conserved(*r.packets);
    trimmed += r.packets->trimmed_packets;
  }
  EXPECT_GT(trimmed, 0U);
}

const std::string kBase =
    "name: t\n"                                                                // 1
    "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 2}\n"  // 2
    "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n"               // 3
    "transport:\n"                                                             // 4
    "  model: packet\n"                                                        // 5
    "  packet:\n";                                                             // 6

std::string error_of(const std::string& yaml) {
  return testing::error_of_loading(
      [](const std::string& y) { return scenario::load_string(y, "t.yaml"); }, yaml);
}

TEST(PacketTrimmingScenario, KeysAndLocatedErrors) {
  const scenario::Scenario off = scenario::load_string(kBase + "    cc: dctcp\n", "t.yaml");
  EXPECT_FALSE(off.transport.packet.priority_queues);
  EXPECT_FALSE(off.transport.packet.trimming);
  EXPECT_EQ(sim::json_text(scenario::to_json(off)).find("trimming"), std::string::npos);
  const scenario::Scenario on = scenario::load_string(
      kBase + "    trimming: true\n    trim_threshold_bytes: 256KiB\n", "t.yaml");
  EXPECT_TRUE(on.transport.packet.priority_queues);  // trimming turns it on
  EXPECT_TRUE(on.transport.packet.trimming);
  EXPECT_EQ(on.transport.packet.trim_threshold_bytes, 256U * 1024);
  EXPECT_NE(sim::json_text(scenario::to_json(on)).find("\"trimming\": true"), std::string::npos);

  EXPECT_STARTS_WITH(error_of(kBase + "    priority_queues: maybe\n"),
                     "t.yaml:7:22: transport.packet.priority_queues: ");
  EXPECT_STARTS_WITH(error_of(kBase + "    trimming: true\n    priority_queues: false\n"),
                     "t.yaml:8:5: transport.packet.priority_queues: trimming: true forwards");
  EXPECT_STARTS_WITH(error_of(kBase + "    trim_threshold_bytes: 256KiB\n"),
                     "t.yaml:7:5: transport.packet.trim_threshold_bytes: trim_threshold_bytes "
                     "applies with trimming: true");
  EXPECT_STARTS_WITH(error_of(kBase + "    trimming: true\n    trim_threshold_bytes: 1KiB\n"),
                     "t.yaml:8:27: transport.packet.trim_threshold_bytes: a trimming threshold");
}

}  // namespace
}  // namespace spinel
