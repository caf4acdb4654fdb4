// Hashed entropies (transport.packet.entropies, issue 19): a sprayed packet
// carries one of N entropy values and each switch hashes (flow, entropy) to
// its uplink. One entropy is ECMP (one path per flow); N entropies reach
// the closed form's expected number of distinct paths; many spread like
// spraying, few collide.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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
using transport::PathPolicy;

// One flow of 64 packets from `src` (leaf 0) to `dst` (leaf 1) over 16
// spines: the spines its packets went through.
std::uint32_t distinct_spines(std::uint32_t entropies, topology::HostId src, topology::HostId dst) {
  transport::TransportConfig config = packet_config(PathPolicy::spray);
  config.packet.entropies = entropies;
  PacketFabric f(leaf_spine(2, 8, 16), config);
  DeliveryLog log(f.sim);
  start_flow(f, {src, dst, 9}, 64 * 4096, log.self);
  f.sim.run();
  EXPECT_EQ(log.delivered.size(), 1U);
  const topology::NodeId leaf = f.topology.attachment(src);
  std::uint32_t used = 0;
  for (topology::LinkId l = 0; l < f.topology.link_count(); ++l) {
    const topology::Link& link = f.topology.link(l);
    if (link.kind == topology::LinkKind::leaf_up && link.src == leaf &&
        f.engine.port_stats(l).packets > 0) {
      ++used;
    }
  }
  return used;
}

TEST(PacketEntropies, OneEntropyIsOnePathPerFlowAsEcmp) {
  for (topology::HostId src = 0; src < 8; ++src) {
    EXPECT_EQ(distinct_spines(1, src, 8 + (src * 3) % 8), 1U);
  }
}

// N entropies hashed uniformly onto 16 spines reach 16 (1 - (15/16)^N)
// distinct ones on average: the collisions the issue asks for.
TEST(PacketEntropies, DistinctPathsFollowTheClosedForm) {
  for (const std::uint32_t n : {2U, 4U, 8U, 16U}) {
    double sum = 0;
    for (topology::HostId src = 0; src < 8; ++src) {
      for (topology::HostId dst = 8; dst < 16; ++dst) sum += distinct_spines(n, src, dst);
    }
    const double mean = sum / 64;
    const double expected = 16 * (1 - std::pow(15.0 / 16, n));
    SCOPED_TRACE(n);
    EXPECT_NEAR(mean, expected, 0.1 * expected);
    EXPECT_LT(mean, static_cast<double>(std::min(n, 16U)));  // collisions, unlike spraying
  }
  EXPECT_EQ(distinct_spines(256, 0, 8), 16U);
  EXPECT_EQ(distinct_spines(0, 0, 8), 16U);  // off: spraying's round robin
}

// A permutation across leaves: with one entropy per flow the flows collide
// on spines as ECMP's do; with many the run comes close to spraying's.
sim::Time permutation(PathPolicy policy, std::uint32_t entropies) {
  transport::TransportConfig config = packet_config(policy);
  config.packet.entropies = entropies;
  config.packet.buffer_bytes = 16 * 1024 * 1024;  // no drops: only the spreading differs
  PacketFabric f(leaf_spine(4, 8, 8), config);
  DeliveryLog log(f.sim);
  for (topology::HostId h = 0; h < 32; ++h) {
    start_flow(f, {h, static_cast<topology::HostId>((h + 8) % 32), static_cast<std::uint16_t>(h)},
               1024 * 1024, log.self);
  }
  f.sim.run();
  EXPECT_EQ(log.delivered.size(), 32U);
  sim::Time last = 0;
  for (const auto& d : log.delivered) last = std::max(last, d.second);
  return last;
}

TEST(PacketEntropies, ManyEntropiesSpreadLikeSprayingFewCollide) {
  const auto spray = static_cast<double>(permutation(PathPolicy::spray, 0));
  const auto ecmp = static_cast<double>(permutation(PathPolicy::ecmp, 0));
  const auto one = static_cast<double>(permutation(PathPolicy::spray, 1));
  const auto many = static_cast<double>(permutation(PathPolicy::spray, 256));
  EXPECT_GT(ecmp, 1.3 * spray);
  EXPECT_GT(one, 1.3 * spray);
  // Hashing 256 entropies onto 8 spines is close to even, not exactly so
  // as spraying's round robin is.
  EXPECT_LT(many, 1.2 * spray);
  EXPECT_LT(many, one);
}

TEST(PacketEntropies, KeyIsSprayOnlyAndEchoedWhenOn) {
  const std::string base =
      "name: t\n"
      "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 2}\n"
      "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n"
      "transport:\n"
      "  model: packet\n";
  const scenario::Scenario on =
      scenario::load_string(base + "  policy: spray\n  packet:\n    entropies: 8\n", "t.yaml");
  EXPECT_EQ(on.transport.packet.entropies, 8U);
  EXPECT_NE(sim::json_text(scenario::to_json(on)).find("\"entropies\": 8"), std::string::npos);
  const scenario::Scenario off = scenario::load_string(base + "  policy: spray\n", "t.yaml");
  EXPECT_EQ(sim::json_text(scenario::to_json(off)).find("entropies"), std::string::npos);
  EXPECT_STARTS_WITH(testing::error_of_loading(
                         [](const std::string& y) { return scenario::load_string(y, "t.yaml"); },
                         base + "  policy: ecmp\n  packet:\n    entropies: 8\n"),
                     "t.yaml:8:5: transport.packet.entropies: ");
}

}  // namespace
}  // namespace spinel
