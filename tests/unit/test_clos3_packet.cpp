// The packet level on three tiers: 6-link paths, adaptive routing that
// chooses again at the agg, and every policy through a failed core link.
#include <gtest/gtest.h>

#include <cstdio>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "fabric.hpp"
#include "packet_fabric.hpp"

namespace spinel {
namespace {

using testing::DeliveryLog;
using testing::packet_config;
using testing::PacketFabric;
using transport::PathPolicy;

// Of h0's bytes that reach agg0 on a k = 4 fat tree, the share that goes on
// to core1, while a background QP from the other leaf of pod 0 (h2, no
// congestion control, 400 Gb/s) is pinned through agg0>core0, slowed to
// 100 Gb/s so that its queue stays long. h0's leaf has both uplinks idle,
// so only a choice at the agg can keep h0 off the busy core link.
double share_past_the_busy_core_link(PathPolicy policy) {
  PacketFabric f(topology::fat_tree(4), packet_config(policy));
  DeliveryLog log(f.sim);
  const auto links = f.topology.links_by_name();
  const topology::LinkId busy = links.at("agg0>core0");
  const std::uint64_t bytes = 8 << 20;
  f.engine.set_link_rate(busy, 100);
  const topology::HostPaths paths = f.routing.paths(2, 15);
  std::vector<topology::LinkId> pinned;
  for (std::uint32_t i = 0; i < paths.count() && pinned.empty(); ++i) {
    std::vector<topology::LinkId> candidate;
    paths.append_path(i, candidate);
    if (candidate[2] == busy) pinned = candidate;
  }
  EXPECT_EQ(pinned.size(), 6u);
  f.engine.send(f.engine.add_qp(2, 15, pinned), bytes, log.self, 0, 2);
  testing::start_flow(f, {0, 14, 1000}, bytes, log.self);
  f.sim.run();
  EXPECT_EQ(log.delivered.size(), 2u);
  // Only h0's packets cross leaf0>agg0 and agg0>core1.
  return static_cast<double>(f.engine.port_stats(links.at("agg0>core1")).bytes) /
         static_cast<double>(f.engine.port_stats(links.at("leaf0>agg0")).bytes);
}

TEST(Clos3Packet, AdaptiveRoutingChoosesAgainAtTheAgg) {
  const double spray = share_past_the_busy_core_link(PathPolicy::spray);
  const double adaptive = share_past_the_busy_core_link(PathPolicy::adaptive);
  std::printf("h0's bytes at agg0 that went to the idle core: spray %.3f, adaptive %.3f\n", spray,
              adaptive);
  EXPECT_NEAR(spray, 0.5, 0.02);  // round robin over the 4 paths: half of agg0's to each core
  EXPECT_GT(adaptive, 0.9);
}

// A k = 4 fat tree at packet level: a ring under every policy while a core
// link dies (with routing convergence) delivers every byte.
TEST(Clos3Packet, EveryPolicyThroughAFailedCoreLink) {
  for (const char* policy : {"ecmp", "spray", "reps", "adaptive", "split", "planned", "mprdma:2"}) {
    const api::Scenario s = scenario::load_string(
        std::string("name: p\ntopology: {kind: fat_tree, k: 4}\n"
                    "transport: {model: packet, convergence: 20us, policy: ") +
            policy +
            "}\n"
            "workload: {collective: ring_allreduce, size_bytes: 2MiB, placement: random}\n"
            "faults: [{at: 10us, link: agg0>core0, state: down}]\n",
        "p.yaml");
    const api::Results r = api::run(s);
    EXPECT_TRUE(r.jobs[0].finished) << policy;
    ASSERT_TRUE(r.packets) << policy;
    EXPECT_EQ(r.flows.bytes_sent, r.flows.bytes_delivered) << policy;
  }
}

}  // namespace
}  // namespace spinel
