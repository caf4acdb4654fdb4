// Lossless PFC, DCQCN and shared switch buffers in the packet engine.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

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

void expect_conserved(const transport::PacketTotals& t) {
  EXPECT_EQ(t.payload_bytes_sent, t.payload_bytes_delivered + t.payload_bytes_dropped +
                                      t.payload_bytes_duplicate + t.payload_bytes_discarded);
  EXPECT_EQ(t.messages_sent, t.messages_delivered);
}

// Hosts 4..11 (leaves 1 and 2) each send `bytes` to host 0 (leaf 0).
struct Incast {
  Incast(const transport::TransportConfig& config, std::uint64_t bytes)
      : f(leaf_spine(3, 4, 4), config), log(f.sim) {
    for (topology::HostId h = 4; h < 12; ++h) {
      const auto c = f.transport.connect({h, 0, static_cast<std::uint16_t>(1000 + h)});
      f.transport.start_flow(flow_on(c, bytes, log.self, h));
    }
    f.sim.run();
  }
  [[nodiscard]] double spread() const {  // first finish / last finish
    sim::Time first = sim::kForever;
    sim::Time last = 0;
    for (const auto& [who, at] : log.delivered) {
      first = std::min(first, at);
      last = std::max(last, at);
    }
    return static_cast<double>(first) / static_cast<double>(last);
  }
  [[nodiscard]] sim::Time last() const {
    sim::Time last = 0;
    for (const auto& [who, at] : log.delivered) last = std::max(last, at);
    return last;
  }
  PacketFabric f;
  DeliveryLog log;
};

transport::TransportConfig small_buffers(transport::FlowControl flow_control) {
  transport::TransportConfig config = packet_config();
  config.packet.buffer_bytes = 64 * 1024;
  config.packet.flow_control = flow_control;
  config.packet.pfc_xoff_bytes = 32 * 1024;
  config.packet.pfc_xon_bytes = 24 * 1024;
  return config;
}

// The same incast, line-rate senders: drop-tail buffers of 64 KiB drop;
// PFC with a 32 KiB XOFF (and its headroom) loses nothing, delivers every
// byte without a retransmission, and pauses.
TEST(PacketPfc, IncastIsLosslessUnderPfc) {
  const std::uint64_t bytes = 2 * 1024 * 1024;
  const Incast lossy(small_buffers(transport::FlowControl::drop_tail), bytes);
  EXPECT_GT(lossy.f.engine.totals().drops, 0U);

  const Incast pfc(small_buffers(transport::FlowControl::pfc), bytes);
  const auto& t = pfc.f.engine.totals();
  ASSERT_EQ(pfc.log.delivered.size(), 8U);
  EXPECT_EQ(t.drops, 0U);
  EXPECT_EQ(t.retransmitted_packets, 0U);
  EXPECT_EQ(t.timeouts, 0U);
  EXPECT_EQ(t.payload_bytes_delivered, 8 * bytes);
  EXPECT_EQ(t.payload_bytes_sent, 8 * bytes);
  expect_conserved(t);
  EXPECT_GT(t.pauses, 0U);
  EXPECT_GT(t.paused_ps, 0);
  // Lossless and still at line rate: the bottleneck never idles for long.
  const double ideal_ps = 8.0 * static_cast<double>(bytes) * 8000.0 / (400.0 * 4096 / 4160);
  EXPECT_LT(static_cast<double>(pfc.last()), ideal_ps * 1.05);
  // No ingress queue went past its limit; the bottleneck's queue stayed near
  // the XOFF of the ingress queues feeding it (4 spines), not the windows' sum.
  EXPECT_LT(pfc.f.engine.port_stats(pfc.f.topology.host_downlink(0)).max_queue_bytes,
            4U * (32 * 1024 + 64 * 1024));
  std::printf(
      "incast, 64 KiB drop-tail: %llu drops, %.4f x ideal; PFC: %llu pauses, %.1f us "
      "paused, %.4f x ideal, bottleneck queue %llu B\n",
      static_cast<unsigned long long>(lossy.f.engine.totals().drops),
      static_cast<double>(lossy.last()) / ideal_ps, static_cast<unsigned long long>(t.pauses),
      static_cast<double>(t.paused_ps) / 1e6, static_cast<double>(pfc.last()) / ideal_ps,
      static_cast<unsigned long long>(
          pfc.f.engine.port_stats(pfc.f.topology.host_downlink(0)).max_queue_bytes));
}

// Pauses spread upstream: the bottleneck (leaf0 -> h0) fills leaf0's
// ingress queues from the spines, which pause the spines' downlinks; their
// queues fill the spines' ingress from leaves 1 and 2, which pause those
// leaves' uplinks, and so on back to the senders' NICs.
TEST(PacketPfc, PausesPropagateUpstream) {
  const Incast pfc(small_buffers(transport::FlowControl::pfc), 2 * 1024 * 1024);
  const topology::Topology& topo = pfc.f.topology;
  std::uint64_t spine_down = 0;
  std::uint64_t leaf_up = 0;
  std::uint64_t nic = 0;
  for (topology::LinkId l = 0; l < topo.link_count(); ++l) {
    const transport::PortStats s = pfc.f.engine.port_stats(l);
    if (s.pauses > 0) {
      EXPECT_GT(s.paused_ps, 0);
    }
    switch (topo.link(l).kind) {
      case topology::LinkKind::spine_down:
        spine_down += s.pauses;
        break;
      case topology::LinkKind::leaf_up:
        leaf_up += s.pauses;
        break;
      case topology::LinkKind::host_up:
        nic += s.pauses;
        break;
      case topology::LinkKind::host_down:
        EXPECT_EQ(s.pauses, 0U);  // hosts never pause their switch
        break;
      case topology::LinkKind::wan:
      case topology::LinkKind::agg_down:
      case topology::LinkKind::agg_up:
      case topology::LinkKind::core_down:
        ADD_FAILURE() << "a leaf-spine has no " << topology::to_string(topo.link(l).kind)
                      << " link";
        break;
    }
  }
  EXPECT_GT(spine_down, 0U);
  EXPECT_GT(leaf_up, 0U);
  EXPECT_GT(nic, 0U);
  // The receiver's own uplink carries only ACKs into an idle leaf port.
  EXPECT_EQ(pfc.f.engine.port_stats(topo.host_uplink(0)).pauses, 0U);
}

// A headroom too small for what is in flight when the PAUSE goes out drops
// even under PFC (and go-back-N recovers): the headroom is what makes it lossless.
TEST(PacketPfc, TooLittleHeadroomDrops) {
  transport::TransportConfig config = small_buffers(transport::FlowControl::pfc);
  config.packet.pfc_headroom_bytes = 4160;
  const Incast pfc(config, 1024 * 1024);
  EXPECT_GT(pfc.f.engine.totals().drops, 0U);
  EXPECT_EQ(pfc.f.engine.totals().payload_bytes_delivered, 8U * 1024 * 1024);
  expect_conserved(pfc.f.engine.totals());
}

// DCQCN leaves a lone flow at line rate (minus headers): no marks, no
// CNPs, no pacing below the NIC's own rate; exactly the timing without
// congestion control.
TEST(PacketDcqcn, OneFlowReachesLineRateMinusHeaders) {
  PacketFabric f(leaf_spine(2, 1, 1), packet_config(PathPolicy::ecmp, CongestionControl::dcqcn));
  DeliveryLog log(f.sim);
  const auto c = f.transport.connect({0, 1, 1000});
  const std::uint64_t packets = 1000;
  f.transport.start_flow(flow_on(c, packets * 4096, log.self));
  f.sim.run();
  ASSERT_EQ(log.delivered.size(), 1U);
  const sim::Time ser = sim::serialisation_ps(4096 + 64, 400);
  EXPECT_EQ(log.delivered[0].second,
            static_cast<sim::Time>(packets + 3) * ser + 4 * 500 * sim::kNanosecond);
  EXPECT_EQ(f.engine.totals().cnps, 0U);
  EXPECT_DOUBLE_EQ(f.engine.rate_gbps(0), 400.0);
}

transport::TransportConfig incast_config(CongestionControl cc) {
  transport::TransportConfig config = packet_config(PathPolicy::ecmp, cc);
  config.packet.buffer_bytes = 4 * 1024 * 1024;  // takes the first burst: 8 windows
  return config;
}

// 8-to-1 incast: DCQCN cuts the senders' rates on CNPs and they share the
// bottleneck fairly, as DCTCP's windows do. With the paper's timers (tuned
// for 40 Gb/s) the rates recover slowly at 400 Gb/s and the incast takes
// about 1.8x its ideal time; a 5 us increase timer brings it to line rate.
TEST(PacketDcqcn, IncastSharesFairlyUnderDcqcnAndDctcp) {
  const std::uint64_t bytes = 16 * 1024 * 1024;
  const double ideal_ps = 8.0 * static_cast<double>(bytes) * 8000.0 / (400.0 * 4096 / 4160);
  struct Case {
    CongestionControl cc;
    sim::Time increase_timer_ps;
    double slowest;  // completion, as a multiple of the ideal
  };
  for (const Case k : {Case{CongestionControl::dcqcn, 55 * sim::kMicrosecond, 2.0},
                       Case{CongestionControl::dcqcn, 5 * sim::kMicrosecond, 1.05},
                       Case{CongestionControl::dctcp, 0, 1.05}}) {
    SCOPED_TRACE(std::string(transport::to_string(k.cc)) + " " +
                 std::to_string(k.increase_timer_ps));
    transport::TransportConfig config = incast_config(k.cc);
    if (k.increase_timer_ps > 0) config.packet.dcqcn.increase_timer_ps = k.increase_timer_ps;
    const Incast incast(config, bytes);
    ASSERT_EQ(incast.log.delivered.size(), 8U);
    const auto& t = incast.f.engine.totals();
    EXPECT_EQ(t.drops, 0U);
    EXPECT_GT(t.ecn_marks, 0U);
    EXPECT_GT(incast.spread(), k.cc == CongestionControl::dcqcn ? 0.95 : 0.9);
    EXPECT_LT(static_cast<double>(incast.last()), ideal_ps * k.slowest);
    expect_conserved(t);
    std::printf(
        "incast, %s (increase timer %lld ps): first/last %.4f, last %.4f x ideal, %llu "
        "CNPs\n",
        std::string(transport::to_string(k.cc)).c_str(),
        static_cast<long long>(k.increase_timer_ps), incast.spread(),
        static_cast<double>(incast.last()) / ideal_ps, static_cast<unsigned long long>(t.cnps));
    if (k.cc == CongestionControl::dcqcn) {
      EXPECT_GT(t.cnps, 0U);
      // At most one CNP per QP per 50 us.
      EXPECT_LE(t.cnps, 8 * (static_cast<std::uint64_t>(incast.last()) / 50'000'000 + 1));
    } else {
      EXPECT_EQ(t.cnps, 0U);
    }
  }
}

// RoCEv2 as deployed: DCQCN over lossless PFC with small XOFF thresholds.
// Nothing is lost and the bottleneck stays busy. Fairness is PFC's, not
// DCQCN's: a pause stops a link, whatever flows it carries, and ECMP put
// the 8 flows unevenly on the 4 spines (4, 2, 2 and 0 of them into leaf 0
// with this seed), so the senders finish about a quarter apart: the
// unfairness that motivated DCQCN, which here does not stop the pauses (its
// rates keep climbing back into them).
TEST(PacketDcqcn, OverPfcIsLossless) {
  transport::TransportConfig config = small_buffers(transport::FlowControl::pfc);
  config.packet.cc = CongestionControl::dcqcn;
  config.packet.ecn_kmin_bytes = 16 * 1024;
  config.packet.ecn_kmax_bytes = 48 * 1024;
  config.packet.dcqcn.increase_timer_ps = 5 * sim::kMicrosecond;
  const std::uint64_t bytes = 16 * 1024 * 1024;
  const Incast incast(config, bytes);
  ASSERT_EQ(incast.log.delivered.size(), 8U);
  const auto& t = incast.f.engine.totals();
  EXPECT_EQ(t.drops, 0U);
  EXPECT_EQ(t.retransmitted_packets, 0U);
  EXPECT_GT(t.cnps, 0U);
  EXPECT_GT(t.pauses, 0U);
  EXPECT_GT(incast.spread(), 0.5);
  const double ideal_ps = 8.0 * static_cast<double>(bytes) * 8000.0 / (400.0 * 4096 / 4160);
  EXPECT_LT(static_cast<double>(incast.last()), ideal_ps * 1.02);
  expect_conserved(t);
  std::printf(
      "incast, DCQCN over PFC: first/last %.4f, last %.4f x ideal, %llu CNPs, %llu "
      "pauses\n",
      incast.spread(), static_cast<double>(incast.last()) / ideal_ps,
      static_cast<unsigned long long>(t.cnps), static_cast<unsigned long long>(t.pauses));
}

transport::TransportConfig shared_config(std::uint64_t pool_bytes, double dt_alpha) {
  transport::TransportConfig config = packet_config();
  config.packet.buffer_bytes = 64 * 1024;
  config.packet.buffer = transport::BufferSharing::shared;
  config.packet.shared_buffer_bytes = pool_bytes;
  config.packet.dt_alpha = dt_alpha;
  return config;
}

// A hot port (the incast's bottleneck) may take far more than an even share
// of its switch's pool while the other ports are idle; per-port buffers of
// that share drop instead.
TEST(PacketSharedBuffer, HotPortTakesMoreThanAPerPortShare) {
  const std::uint64_t bytes = 1024 * 1024;
  transport::TransportConfig per_port = packet_config();
  per_port.packet.buffer_bytes = 512 * 1024;  // leaf0's 8 ports' even share of 4 MiB
  const Incast split(per_port, bytes);
  EXPECT_GT(split.f.engine.totals().drops, 0U);

  const Incast shared(shared_config(4 * 1024 * 1024, 1.0), bytes);
  const auto& t = shared.f.engine.totals();
  EXPECT_EQ(t.drops, 0U);
  EXPECT_EQ(t.payload_bytes_delivered, 8 * bytes);
  const std::uint64_t hot =
      shared.f.engine.port_stats(shared.f.topology.host_downlink(0)).max_queue_bytes;
  EXPECT_GT(hot, 512U * 1024);
  expect_conserved(t);
  std::printf("shared 4 MiB pool: hot port queue %llu B, 0 drops; per-port 512 KiB: %llu drops\n",
              static_cast<unsigned long long>(hot),
              static_cast<unsigned long long>(split.f.engine.totals().drops));
}

// With the pool nearly full the threshold closes: a port's queue q stays at
// or below alpha x (pool - used), so at most alpha / (1 + alpha) of the pool
// (plus the packet being serialised), and arrivals beyond it are dropped.
TEST(PacketSharedBuffer, DropsWhenThePoolIsExhausted) {
  const std::uint64_t pool = 512 * 1024;
  for (const double alpha : {1.0, 0.25}) {
    SCOPED_TRACE(alpha);
    const Incast shared(shared_config(pool, alpha), 1024 * 1024);
    const auto& t = shared.f.engine.totals();
    EXPECT_GT(t.drops, 0U);
    EXPECT_EQ(t.payload_bytes_delivered, 8U * 1024 * 1024);
    expect_conserved(t);
    const std::uint64_t hot =
        shared.f.engine.port_stats(shared.f.topology.host_downlink(0)).max_queue_bytes;
    const auto bound = static_cast<std::uint64_t>(alpha / (1 + alpha) * static_cast<double>(pool));
    EXPECT_LE(hot, bound + 2 * 4160);
    EXPECT_GT(hot, bound / 2);
    std::printf("shared 512 KiB pool, alpha %.2f: hot port queue %llu B (bound %llu), %llu drops\n",
                alpha, static_cast<unsigned long long>(hot), static_cast<unsigned long long>(bound),
                static_cast<unsigned long long>(t.drops));
  }
}

}  // namespace
}  // namespace spinel
