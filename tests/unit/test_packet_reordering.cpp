// The NIC's reordering tolerance (reorder_packets) as the spraying study
// sweeps it: an in-order receiver (1: legacy RoCE, go-back-N on every hole,
// even a hole reordering made), a bounded bitmap, and full direct placement
// (any tolerance of at least the sender's window).
#include <gtest/gtest.h>

#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"

namespace spinel {
namespace {

// 16 hosts, 4 spines, no congestion control, random placement.
api::Results run(const std::string& policy, const std::string& collective,
                 const std::string& packet_keys) {
  const std::string text =
      "name: r\n"
      "topology: {kind: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 4}\n"
      "transport:\n  model: packet\n  policy: " +
      policy + "\n  packet: {cc: none, " + packet_keys +
      "}\nworkload:\n  collective: " + collective + "\n  size_bytes: 4MiB\n  placement: random\n";
  return api::run(scenario::load_string(text, "r.yaml"), api::RunOptions{});
}

// Halving-doubling with buffers that never overflow: sprayed packets meet
// queues of different lengths at the spines and arrive out of order, but
// none is lost.
api::Results lossless(const std::string& policy, const std::string& packet_keys) {
  return run(policy, "halving_doubling_allreduce", "buffer_bytes: 16MiB, " + packet_keys);
}

// An all-to-all whose 48 KiB buffers overflow: holes to place packets past.
api::Results lossy(const std::string& policy, const std::string& packet_keys) {
  return run(policy, "all_to_all", "buffer_bytes: 48KiB, " + packet_keys);
}

void expect_every_byte_once(const api::Results& r) {
  ASSERT_TRUE(r.packets.has_value());
  const transport::PacketTotals& t = *r.packets;
  EXPECT_EQ(t.payload_bytes_delivered, r.flows.bytes_sent);
  EXPECT_EQ(t.payload_bytes_sent, t.payload_bytes_delivered + t.payload_bytes_dropped +
                                      t.payload_bytes_duplicate + t.payload_bytes_discarded);
  EXPECT_EQ(t.messages_sent, t.messages_delivered);
}

TEST(PacketReordering, AnInOrderReceiverTurnsSprayingsReorderingIntoGoBacks) {
  const api::Results placed = lossless("spray", "reorder_packets: 256");
  const api::Results in_order = lossless("spray", "reorder_packets: 1");
  expect_every_byte_once(placed);
  expect_every_byte_once(in_order);
  EXPECT_EQ(placed.packets->drops, 0U);
  EXPECT_EQ(in_order.packets->drops, 0U);
  // Placed: reordering costs nothing.
  EXPECT_EQ(placed.packets->retransmitted_packets, 0U);
  EXPECT_EQ(placed.packets->naks, 0U);
  // In order: every reordered packet is a hole, NAKed, and the sender goes
  // back (no timeout needed: the NAK says where).
  EXPECT_GT(in_order.packets->naks, 0U);
  EXPECT_GT(in_order.packets->payload_bytes_discarded, 0U);
  EXPECT_GT(in_order.packets->retransmitted_packets, 0U);
  EXPECT_EQ(in_order.packets->timeouts, 0U);
  EXPECT_GT(in_order.collective_metrics->collective_mean_ps,
            placed.collective_metrics->collective_mean_ps);
  std::printf("spray, in order: %llu NAKs, %llu resent, CCT %.3f x placed's\n",
              static_cast<unsigned long long>(in_order.packets->naks),
              static_cast<unsigned long long>(in_order.packets->retransmitted_packets),
              static_cast<double>(in_order.collective_metrics->collective_mean_ps) /
                  static_cast<double>(placed.collective_metrics->collective_mean_ps));
  // ECMP keeps each QP's packets in order: nothing to NAK.
  const api::Results ecmp = lossless("ecmp", "reorder_packets: 1");
  expect_every_byte_once(ecmp);
  EXPECT_EQ(ecmp.packets->naks, 0U);
  EXPECT_EQ(ecmp.packets->retransmitted_packets, 0U);
}

// No packet arrives a window or more past the receiver's next expected one,
// so every tolerance of at least the window is full direct placement, to the
// event: the default window here is under 64 packets.
TEST(PacketReordering, AToleranceOfTheWindowIsFullDirectPlacement) {
  for (const std::string policy : {"spray", "reps"}) {
    SCOPED_TRACE(policy);
    const api::Results bitmap = lossy(policy, "retransmit: selective, reorder_packets: 64");
    const api::Results direct = lossy(policy, "retransmit: selective, reorder_packets: 65536");
    expect_every_byte_once(bitmap);
    expect_every_byte_once(direct);
    EXPECT_GT(direct.packets->drops, 0U);  // holes to place packets past
    EXPECT_GT(direct.packets->sacks, 0U);
    EXPECT_EQ(bitmap.events, direct.events);
    EXPECT_EQ(bitmap.collective_metrics->collective_mean_ps,
              direct.collective_metrics->collective_mean_ps);
    EXPECT_EQ(bitmap.packets->retransmitted_packets, direct.packets->retransmitted_packets);
    EXPECT_EQ(direct.packets->payload_bytes_discarded, 0U);
  }
  // A window of 256 packets outruns a bitmap of 8: packets past it are
  // thrown away and resent.
  const std::string big = "window_bytes: 1MiB, retransmit: selective, ";
  const api::Results small = lossy("spray", big + "reorder_packets: 8");
  const api::Results full = lossy("spray", big + "reorder_packets: 65536");
  expect_every_byte_once(small);
  expect_every_byte_once(full);
  EXPECT_GT(small.packets->payload_bytes_discarded, 0U);
  EXPECT_EQ(full.packets->payload_bytes_discarded, 0U);
}

}  // namespace
}  // namespace spinel
