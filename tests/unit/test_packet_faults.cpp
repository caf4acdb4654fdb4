// Link faults at packet level: a dead link loses what is on it and what is
// sent to it, routing converges around it, senders recover by timeout and
// retransmission, and every byte still arrives exactly once.
#include <gtest/gtest.h>

#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"

namespace spinel {
namespace {

api::Results run(const std::string& transport, const std::string& faults,
                 const std::string& collective = "ring_allreduce") {
  const std::string text =
      "name: f\n"
      "topology: {kind: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 4}\n"
      "transport:\n  model: packet\n" +
      transport + "workload:\n  collective: " + collective +
      "\n  size_bytes: 8MiB\n  placement: random\n" + faults;
  return api::run(scenario::load_string(text, "f.yaml"), api::RunOptions{});
}

void expect_every_byte(const api::Results& r) {
  ASSERT_TRUE(r.packets.has_value());
  ASSERT_EQ(r.jobs.size(), 1U);
  EXPECT_TRUE(r.jobs[0].finished);
  const transport::PacketTotals& t = *r.packets;
  EXPECT_EQ(r.flows.bytes_delivered, r.flows.bytes_sent);
  EXPECT_EQ(t.payload_bytes_delivered, r.flows.bytes_sent);
  EXPECT_EQ(t.payload_bytes_sent, t.payload_bytes_delivered + t.payload_bytes_dropped +
                                      t.payload_bytes_duplicate + t.payload_bytes_discarded);
  EXPECT_EQ(t.messages_sent, t.messages_delivered);
}

const std::string kUplinkDown = "faults:\n  - {at: 20us, link: leaf0>spine0, state: down}\n";

// A ring all-reduce with one of leaf 0's uplinks failing mid-run completes
// under every policy; what the link held or was sent before routing
// converged is counted as dropped and resent.
TEST(PacketFaults, RingAllReduceSurvivesAFailedUplink) {
  for (const std::string policy : {"ecmp", "mprdma:4", "split", "spray", "reps", "adaptive"}) {
    std::uint64_t converged_at_once = 0;
    for (const std::string convergence : {"0ns", "50us"}) {
      SCOPED_TRACE(policy + " convergence " + convergence);
      const api::Results r =
          run("  policy: " + policy + "\n  convergence: " + convergence + "\n", kUplinkDown);
      expect_every_byte(r);
      EXPECT_EQ(r.packets->drops, r.packets->down_link_drops);
      if (policy == "spray" || policy == "reps" || policy == "adaptive") {
        // Per-packet policies always had packets on it.
        EXPECT_GT(r.packets->down_link_drops, 0U);
        EXPECT_GT(r.packets->retransmitted_packets, 0U);
      }
      if (r.packets->payload_bytes_dropped > 0) {  // not only ACKs
        EXPECT_GT(r.packets->retransmitted_packets, 0U);
      }
      // Spraying keeps using the dead path only until routing converges:
      // with 50 us of it, far more is lost than what the link held.
      if (convergence == "0ns") {
        converged_at_once = r.packets->down_link_drops;
      } else if (policy == "spray" || policy == "reps") {
        EXPECT_GT(r.packets->down_link_drops, 2 * converged_at_once);
      }
    }
  }
}

// Until routing converges a single-path sender on the dead link gets
// nothing through: the longer convergence takes, the later it finishes.
TEST(PacketFaults, ConvergenceDelaysSinglePathRecovery) {
  const api::Results fast = run("  policy: ecmp\n  convergence: 10us\n", kUplinkDown, "all_to_all");
  const api::Results slow =
      run("  policy: ecmp\n  convergence: 300us\n", kUplinkDown, "all_to_all");
  expect_every_byte(fast);
  expect_every_byte(slow);
  EXPECT_GT(fast.packets->down_link_drops, 0U);
  EXPECT_GT(slow.jobs[0].collectives.at(0).duration_ps(),
            fast.jobs[0].collectives.at(0).duration_ps());
}

// A degraded link serialises at its lower rate: a single flow across it
// takes that much longer; back up, it is at line rate again.
TEST(PacketFaults, DegradedLinkSerialisesSlower) {
  const std::string degraded =
      "faults:\n  - {at: 0s, link: leaf0>spine0, state: degraded, rate: 100Gbps}\n"
      "  - {at: 0s, link: leaf0>spine1, state: degraded, rate: 100Gbps}\n"
      "  - {at: 0s, link: leaf0>spine2, state: degraded, rate: 100Gbps}\n"
      "  - {at: 0s, link: leaf0>spine3, state: degraded, rate: 100Gbps}\n";
  const api::Results base = run("  policy: ecmp\n", "", "all_to_all");
  const api::Results slow = run("  policy: ecmp\n", degraded, "all_to_all");
  expect_every_byte(slow);
  EXPECT_GT(slow.jobs[0].collectives.at(0).duration_ps(),
            2 * base.jobs[0].collectives.at(0).duration_ps());
  EXPECT_EQ(slow.packets->down_link_drops, 0U);
}

// A NIC that dies stalls its connections (no live way) and the run ends
// with the job unfinished instead of retransmitting forever.
TEST(PacketFaults, LostNicLinkStallsTheJob) {
  const api::Results r =
      run("  policy: spray\n", "faults:\n  - {at: 20us, host: h3, state: nic_down}\n");
  ASSERT_EQ(r.jobs.size(), 1U);
  EXPECT_FALSE(r.jobs[0].finished);
  EXPECT_GT(r.packets->down_link_drops, 0U);
}

// The same faulty scenario and seed give identical counters.
TEST(PacketFaults, Deterministic) {
  const std::string t = "  policy: reps\n  convergence: 30us\n";
  const api::Results a = run(t, kUplinkDown);
  const api::Results b = run(t, kUplinkDown);
  EXPECT_EQ(a.jobs[0].collectives.at(0).duration_ps(), b.jobs[0].collectives.at(0).duration_ps());
  EXPECT_EQ(a.packets->drops, b.packets->drops);
  EXPECT_EQ(a.packets->retransmitted_packets, b.packets->retransmitted_packets);
}

// Under PFC (and with a shared pool) a switch port holds its queue; when
// its link dies the queued packets are lost and must give back what they
// held of their ingress queues' counts (else the senders upstream stay
// paused forever) and of the pool. The all-to-all finishes under every
// policy, and only the dead link drops.
TEST(PacketFaults, HeldQueuesOnADeadLinkReleaseTheirPausesAndPool) {
  for (const std::string held :
       {"    flow_control: pfc\n    pfc_xoff_bytes: 8KiB\n    pfc_xon_bytes: 4KiB\n",
        "    buffer: shared\n    shared_buffer_bytes: 96KiB\n"}) {
    for (const std::string policy : {"ecmp", "spray", "adaptive"}) {
      for (const std::string at : {"60us", "150us"}) {
        SCOPED_TRACE(held + policy + at);
        const api::Results r = run(
            "  policy: " + policy + "\n  packet:\n    cc: none\n    retransmit: selective\n" + held,
            "faults:\n  - {at: " + at + ", link: leaf1>spine0, state: down}\n", "all_to_all");
        expect_every_byte(r);
        if (held.starts_with("    flow_control")) {
          EXPECT_EQ(r.packets->drops, r.packets->down_link_drops);
          EXPECT_GT(r.packets->pauses, 0U);
        }
        EXPECT_GT(r.packets->down_link_drops, 0U);
      }
    }
  }
}

}  // namespace
}  // namespace spinel
