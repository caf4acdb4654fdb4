// The packet engine against closed forms: line rate minus headers, exact
// store-and-forward timing, byte accounting, fair incast under DCTCP.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "fabric.hpp"
#include "packet_fabric.hpp"

namespace spinel {
namespace {

using testing::DeliveryLog;
using testing::leaf_spine;
using testing::packet_config;
using testing::PacketFabric;
using transport::CongestionControl;
using transport::PathPolicy;

transport::FlowSpec flow_on(transport::ConnectionId c, std::uint64_t bytes, sim::HandlerId notify,
                            std::uint64_t payload = 0) {
  transport::FlowSpec f;
  f.connection = c;
  f.size_bytes = bytes;
  f.notify = notify;
  f.notify_payload = payload;
  return f;
}

// Accepted + dropped + duplicate + discarded payload = payload sent, and
// every message was delivered exactly once.
void expect_conserved(const transport::PacketTotals& t) {
  EXPECT_EQ(t.payload_bytes_sent, t.payload_bytes_delivered + t.payload_bytes_dropped +
                                      t.payload_bytes_duplicate + t.payload_bytes_discarded);
  EXPECT_EQ(t.messages_sent, t.messages_delivered);
}

// One flow across the fabric (4 hops at 400 Gb/s, 500 ns each): the NIC sends
// back to back, so the last packet arrives n + 3 serialisations plus 4
// latencies after the start, exactly.
TEST(PacketModel, OneFlowReachesLineRateMinusHeaders) {
  PacketFabric f(leaf_spine(2, 1, 1), packet_config());
  DeliveryLog log(f.sim);
  const auto c = f.transport.connect({0, 1, 1000});
  const std::uint64_t packets = 1000;
  const std::uint64_t mtu = 4096;
  f.transport.start_flow(flow_on(c, packets * mtu, log.self));
  f.sim.run();
  ASSERT_EQ(log.delivered.size(), 1U);
  const sim::Time ser = sim::serialisation_ps(mtu + 64, 400);
  EXPECT_EQ(ser, 83'200);
  EXPECT_EQ(log.delivered[0].second,
            static_cast<sim::Time>(packets + 3) * ser + 4 * 500 * sim::kNanosecond);
  // Goodput: 400 Gb/s x 4096 / 4160.
  const double gbps =
      static_cast<double>(packets * mtu) * 8000.0 / static_cast<double>(packets * ser);
  EXPECT_NEAR(gbps, 400.0 * 4096 / 4160, 1e-9);
  const auto& t = f.engine.totals();
  EXPECT_EQ(t.data_packets, packets);
  EXPECT_EQ(t.retransmitted_packets, 0U);
  EXPECT_EQ(t.drops, 0U);
  expect_conserved(t);
  EXPECT_EQ(t.payload_bytes_delivered, packets * mtu);
  // Packets are recycled: the pool holds at most a window of data packets
  // and their ACKs, not one record per packet sent.
  const std::uint64_t window_packets = f.engine.max_window_bytes(0) / mtu;
  EXPECT_LE(f.engine.packets_in_pool(), 2 * window_packets + 2);
  EXPECT_LT(f.engine.packets_in_pool(), packets / 5);
}

// A short last packet and a message smaller than one packet.
TEST(PacketModel, PartialPacketsAreTimedByTheirSize) {
  PacketFabric f(leaf_spine(2, 1, 1), packet_config());
  DeliveryLog log(f.sim);
  const auto c = f.transport.connect({0, 1, 1000});
  f.transport.start_flow(flow_on(c, 100, log.self));
  f.sim.run();
  ASSERT_EQ(log.delivered.size(), 1U);
  const sim::Time ser = sim::serialisation_ps(100 + 64, 400);
  EXPECT_EQ(log.delivered[0].second, 4 * ser + 4 * 500 * sim::kNanosecond);
}

// N senders into one receiver: the receiver's downlink is the bottleneck.
// DCTCP keeps the queue short, so nothing is lost, and the senders finish
// within a few percent of each other (line-rate senders without congestion
// control fill the buffer and drop instead).
TEST(PacketModel, IncastSharesFairlyUnderDctcp) {
  const std::uint32_t n = 8;
  // The senders start together, each with a window of one BDP: the buffer
  // takes that first burst (8 x 216 KiB); DCTCP then keeps the queue short.
  transport::TransportConfig config = packet_config(PathPolicy::ecmp, CongestionControl::dctcp);
  config.packet.buffer_bytes = 4 * 1024 * 1024;
  PacketFabric f(leaf_spine(3, 4, 4), config);
  DeliveryLog log(f.sim);
  const std::uint64_t bytes = 16 * 1024 * 1024;
  std::uint32_t sender = 0;
  for (topology::HostId h = 4; h < 12; ++h) {
    const auto c = f.transport.connect({h, 0, static_cast<std::uint16_t>(1000 + h)});
    f.transport.start_flow(flow_on(c, bytes, log.self, sender++));
  }
  f.sim.run();
  ASSERT_EQ(log.delivered.size(), n);
  sim::Time first = sim::kForever;
  sim::Time last = 0;
  for (const auto& [who, at] : log.delivered) {
    first = std::min(first, at);
    last = std::max(last, at);
  }
  // All of it through one 400 Gb/s downlink, minus headers.
  const double ideal_ps = static_cast<double>(n * bytes) * 8000.0 / (400.0 * 4096 / 4160);
  EXPECT_LT(static_cast<double>(last), ideal_ps * 1.05);
  EXPECT_GT(static_cast<double>(first), static_cast<double>(last) * 0.9);  // fair shares
  const auto& t = f.engine.totals();
  EXPECT_GT(t.ecn_marks, 0U);
  EXPECT_EQ(t.drops, 0U);
  // DCTCP cut the windows below the BDP they started at.
  for (transport::QpId qp = 0; qp < n; ++qp) {
    EXPECT_LT(f.engine.window_bytes(qp), static_cast<double>(f.engine.max_window_bytes(qp)));
  }
  // The bottleneck queue stayed near the marking thresholds, far below the buffer.
  EXPECT_LT(f.engine.port_stats(f.topology.host_downlink(0)).max_queue_bytes, 2U * 1024 * 1024);
  expect_conserved(t);
}

// Without congestion control the windows alone limit the senders: with a
// buffer that holds them all, the bottleneck's FIFO serves them in turn, so
// they share it fairly, lose nothing, and the queue holds about the windows'
// sum less one path's worth.
TEST(PacketModel, IncastSharesFairlyWithoutCongestionControl) {
  transport::TransportConfig config = packet_config();
  config.packet.buffer_bytes = 4 * 1024 * 1024;
  PacketFabric f(leaf_spine(3, 4, 4), config);
  DeliveryLog log(f.sim);
  for (topology::HostId h = 4; h < 12; ++h) {
    const auto c = f.transport.connect({h, 0, static_cast<std::uint16_t>(1000 + h)});
    f.transport.start_flow(flow_on(c, 16 * 1024 * 1024, log.self, h));
  }
  f.sim.run();
  ASSERT_EQ(log.delivered.size(), 8U);
  sim::Time first = sim::kForever;
  sim::Time last = 0;
  for (const auto& [who, at] : log.delivered) {
    first = std::min(first, at);
    last = std::max(last, at);
  }
  EXPECT_GT(static_cast<double>(first), static_cast<double>(last) * 0.95);
  const double ideal_ps = 8.0 * (16 << 20) * 8000.0 / (400.0 * 4096 / 4160);
  EXPECT_LT(static_cast<double>(last), ideal_ps * 1.02);
  EXPECT_EQ(f.engine.totals().drops, 0U);
  const std::uint64_t windows = 8 * f.engine.max_window_bytes(0);
  const std::uint64_t queue = f.engine.port_stats(f.topology.host_downlink(0)).max_queue_bytes;
  EXPECT_GT(queue, windows / 2);
  EXPECT_LT(queue, windows * 4160 / 4096);
  expect_conserved(f.engine.totals());
}

// Without congestion control and with a small buffer the incast drops;
// go-back-N still delivers every byte, and the accounting balances.
TEST(PacketModel, DropsAreRecoveredAndAccounted) {
  transport::TransportConfig config = packet_config();
  config.packet.buffer_bytes = 64 * 1024;
  PacketFabric f(leaf_spine(3, 4, 4), config);
  DeliveryLog log(f.sim);
  for (topology::HostId h = 4; h < 12; ++h) {
    const auto c = f.transport.connect({h, 0, static_cast<std::uint16_t>(1000 + h)});
    f.transport.start_flow(flow_on(c, 1024 * 1024, log.self, h));
  }
  f.sim.run();
  EXPECT_EQ(log.delivered.size(), 8U);
  const auto& t = f.engine.totals();
  EXPECT_GT(t.drops, 0U);
  EXPECT_GT(t.retransmitted_packets, 0U);
  EXPECT_EQ(t.payload_bytes_delivered, 8U * 1024 * 1024);
  expect_conserved(t);
  EXPECT_EQ(f.transport.totals().bytes_delivered, f.transport.totals().bytes_sent);
}

}  // namespace
}  // namespace spinel
