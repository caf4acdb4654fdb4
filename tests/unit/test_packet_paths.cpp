// Per-packet path choice at packet level: REPS steers away from a marked
// path, adaptive routing from a long queue, and both keep every byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "fabric.hpp"
#include "packet_fabric.hpp"

namespace spinel {
namespace {

using testing::DeliveryLog;
using testing::leaf_spine;
using testing::packet_config;
using testing::PacketFabric;
using transport::PathPolicy;

// The share of h0's packets that crossed leaf0's first uplink, which a
// background QP pinned there (h1 -> h5 at line rate, no congestion
// control) keeps busy: 2 leaves x 4 hosts, 4 spines, every link 400 Gb/s.
struct CongestedUplink {
  double share = 0;             // of h0's wire bytes on the congested uplink
  std::uint64_t delivered = 0;  // h0's payload bytes delivered
  std::uint64_t ecn_marks = 0;
  std::vector<std::uint64_t> uplink_bytes;
};

CongestedUplink run_congested(PathPolicy policy) {
  transport::TransportConfig config = packet_config(policy);
  config.packet.ecn_kmin_bytes = 16 * 1024;
  config.packet.ecn_kmax_bytes = 64 * 1024;
  PacketFabric f(leaf_spine(2, 4, 4), config);
  DeliveryLog log(f.sim);
  const topology::HostPaths paths = f.routing.paths(1, 5);
  std::vector<topology::LinkId> pinned;
  paths.append_path(0, pinned);
  const topology::LinkId congested = pinned[1];
  const transport::QpId background = f.engine.add_qp(1, 5, pinned);
  const std::uint64_t bytes = 16 << 20;
  f.engine.send(background, 2 * bytes, log.self, 0, 1);
  const auto c = f.transport.connect({0, 4, 1000});
  transport::FlowSpec spec;
  spec.connection = c;
  spec.size_bytes = bytes;
  spec.notify = log.self;
  f.transport.start_flow(spec);
  f.sim.run();
  EXPECT_EQ(log.delivered.size(), 2U);
  CongestedUplink r;
  // Of leaf0's uplinks only the congested one carries the background.
  std::uint64_t others = 0;
  for (topology::LinkId l = 0; l < f.topology.link_count(); ++l) {
    if (f.topology.link(l).kind != topology::LinkKind::leaf_up ||
        f.topology.link(l).src != f.topology.link(congested).src)
      continue;
    r.uplink_bytes.push_back(f.engine.port_stats(l).bytes);
    if (l != congested) others += f.engine.port_stats(l).bytes;
  }
  const std::uint64_t sent = f.engine.port_stats(f.topology.host_uplink(0)).bytes;
  r.share = 1.0 - static_cast<double>(others) / static_cast<double>(sent);
  const transport::PacketTotals& t = f.engine.totals();
  r.delivered = t.payload_bytes_delivered - 2 * bytes;
  r.ecn_marks = t.ecn_marks;
  EXPECT_EQ(t.payload_bytes_sent, t.payload_bytes_delivered + t.payload_bytes_dropped +
                                      t.payload_bytes_duplicate + t.payload_bytes_discarded);
  return r;
}

TEST(PacketPaths, RepsSteersAwayFromTheMarkedPath) {
  const CongestedUplink spray = run_congested(PathPolicy::spray);
  const CongestedUplink reps = run_congested(PathPolicy::reps);
  std::printf("share of the congested uplink: spray %.3f, reps %.3f\n", spray.share, reps.share);
  EXPECT_NEAR(spray.share, 0.25, 0.01);  // round robin: a quarter whatever the queues
  EXPECT_GT(reps.ecn_marks, 0U);
  EXPECT_LT(reps.share, 0.5 * spray.share);
  EXPECT_EQ(reps.delivered, std::uint64_t{16} << 20);
  // Deterministic: the same run gives the same bytes on every uplink.
  EXPECT_EQ(run_congested(PathPolicy::reps).uplink_bytes, reps.uplink_bytes);
}

TEST(PacketPaths, AdaptiveAvoidsTheLoadedUplink) {
  const CongestedUplink adaptive = run_congested(PathPolicy::adaptive);
  std::printf("share of the congested uplink: adaptive %.3f\n", adaptive.share);
  EXPECT_LT(adaptive.share, 0.1);
  EXPECT_EQ(adaptive.delivered, std::uint64_t{16} << 20);
}

// Every host of leaf 0 sends to one on leaf 1 (and back): on a symmetric
// fabric adaptive routing keeps the uplinks within a few percent.
TEST(PacketPaths, AdaptiveBalancesASymmetricFabric) {
  PacketFabric f(leaf_spine(2, 4, 4), packet_config(PathPolicy::adaptive));
  DeliveryLog log(f.sim);
  for (topology::HostId h = 0; h < 8; ++h) {
    const auto c = f.transport.connect({h, (h + 4) % 8, static_cast<std::uint16_t>(h)});
    transport::FlowSpec spec;
    spec.connection = c;
    spec.size_bytes = 8 << 20;
    spec.notify = log.self;
    f.transport.start_flow(spec);
  }
  f.sim.run();
  ASSERT_EQ(log.delivered.size(), 8U);
  std::uint64_t low = ~std::uint64_t{0};
  std::uint64_t high = 0;
  for (topology::LinkId l = 0; l < f.topology.link_count(); ++l) {
    if (f.topology.link(l).kind != topology::LinkKind::leaf_up) continue;
    low = std::min(low, f.engine.port_stats(l).bytes);
    high = std::max(high, f.engine.port_stats(l).bytes);
  }
  EXPECT_GT(low, 0U);
  EXPECT_LE(static_cast<double>(high), 1.03 * static_cast<double>(low)) << low << " .. " << high;
  EXPECT_EQ(f.engine.totals().payload_bytes_delivered, std::uint64_t{8} * (8 << 20));
}

}  // namespace
}  // namespace spinel
