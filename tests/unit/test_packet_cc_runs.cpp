// PFC, DCQCN and shared buffers under every policy and collective: random
// configurations deliver every byte, the accounting balances, and PFC with
// its default headroom never drops.
#include <gtest/gtest.h>

#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "sim/rng.hpp"

namespace spinel {
namespace {

TEST(PacketCcRuns, RandomConfigurationsDeliverEverything) {
  sim::Rng rng(11, "packet-cc-property");
  const char* policies[] = {"ecmp", "spray", "mprdma:2", "split", "planned"};
  const char* collectives[] = {"ring_allreduce", "all_to_all", "halving_doubling_allreduce",
                               "tree_allreduce"};
  const char* ccs[] = {"none", "dctcp", "dcqcn"};
  std::uint64_t pauses = 0;
  std::uint64_t cnps = 0;
  std::uint64_t shared_drops = 0;
  for (int i = 0; i < 40; ++i) {
    const bool pfc = rng.below(2) == 0;
    const std::string cc = ccs[rng.below(3)];
    std::string packet = "    mtu_bytes: " + std::to_string(1024 * (1 + rng.below(4))) +
                         "\n    buffer_bytes: " + std::to_string(8 + rng.below(64)) + "KiB\n" +
                         "    ecn_kmin_bytes: 2KiB\n    ecn_kmax_bytes: 6KiB\n    cc: " + cc +
                         "\n    dcqcn_increase_timer: " + std::to_string(2 + rng.below(60)) +
                         "us\n    rto: " + std::to_string(5 + rng.below(50)) + "us\n";
    if (pfc) {
      const std::uint64_t xoff = 8 + rng.below(64);
      packet += "    flow_control: pfc\n    pfc_xoff_bytes: " + std::to_string(xoff) +
                "KiB\n    pfc_xon_bytes: " + std::to_string(xoff - rng.below(8)) + "KiB\n";
    } else if (rng.below(2) == 0) {
      packet += "    buffer: shared\n    dt_alpha: " +
                std::to_string(0.25 * static_cast<double>(1 + rng.below(8))) +
                "\n    shared_buffer_bytes: " + std::to_string(64 + rng.below(512)) + "KiB\n";
    }
    const std::string text =
        "name: p\n"
        "topology: {kind: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 4}\n"
        "transport:\n  model: packet\n  policy: " +
        std::string(policies[rng.below(5)]) + "\n  packet:\n" + packet +
        "workload:\n  collective: " + collectives[rng.below(4)] +
        "\n  size_bytes: " + std::to_string(64 + rng.below(2048)) + "KiB\n  placement: random\n";
    SCOPED_TRACE(text);
    const api::Results r = api::run(scenario::load_string(text, "p.yaml"), api::RunOptions{});
    ASSERT_TRUE(r.packets.has_value());
    const transport::PacketTotals& t = *r.packets;
    EXPECT_EQ(r.flows.bytes_delivered, r.flows.bytes_sent);
    EXPECT_EQ(t.payload_bytes_delivered, r.flows.bytes_sent);
    EXPECT_EQ(t.payload_bytes_sent, t.payload_bytes_delivered + t.payload_bytes_dropped +
                                        t.payload_bytes_duplicate + t.payload_bytes_discarded);
    EXPECT_EQ(t.messages_sent, t.messages_delivered);
    if (pfc) {
      EXPECT_EQ(t.drops, 0U);
    } else {
      EXPECT_EQ(t.pauses, 0U);
      shared_drops += t.drops;
    }
    if (cc != "dcqcn") {
      EXPECT_EQ(t.cnps, 0U);
    }
    pauses += t.pauses;
    cnps += t.cnps;
  }
  // The configurations did exercise the mechanisms.
  EXPECT_GT(pauses, 0U);
  EXPECT_GT(cnps, 0U);
  EXPECT_GT(shared_drops, 0U);
}

// Both sides together: PFC, DCQCN and shared buffers with REPS, adaptive
// routing, selective repeat and a cable that fails (at the start or
// mid-run, sometimes back later): every byte is still delivered once and
// accounted for, and dead links lose packets only there (PFC's other drops
// stay at 0).
TEST(PacketCcRuns, WithPerPacketPoliciesSelectiveRepeatAndAFailedCable) {
  sim::Rng rng(13, "packet-cc-paths-property");
  const char* policies[] = {"ecmp", "spray", "split", "reps", "adaptive"};
  const char* collectives[] = {"ring_allreduce", "all_to_all", "halving_doubling_allreduce"};
  const char* ccs[] = {"none", "dctcp", "dcqcn"};
  std::uint64_t pauses = 0;
  std::uint64_t down_link_drops = 0;
  std::uint64_t sacks = 0;
  for (int i = 0; i < 30; ++i) {
    const bool pfc = rng.below(2) == 0;
    std::string packet =
        "    mtu_bytes: " + std::to_string(1024 * (1 + rng.below(4))) +
        "\n    buffer_bytes: " + std::to_string(8 + rng.below(64)) + "KiB\n" +
        "    ecn_kmin_bytes: 2KiB\n    ecn_kmax_bytes: 6KiB\n    cc: " + ccs[rng.below(3)] +
        "\n    dcqcn_increase_timer: 5us\n    rto: " + std::to_string(5 + rng.below(50)) +
        "us\n    retransmit: " + (rng.below(2) == 0 ? "selective" : "go_back_n") +
        "\n    reps_buffer: " + std::to_string(1 + rng.below(64)) + "\n";
    if (pfc) {
      const std::uint64_t xoff = 8 + rng.below(64);
      packet += "    flow_control: pfc\n    pfc_xoff_bytes: " + std::to_string(xoff) + "KiB\n";
    } else if (rng.below(2) == 0) {
      packet +=
          "    buffer: shared\n    shared_buffer_bytes: " + std::to_string(64 + rng.below(512)) +
          "KiB\n";
    }
    const std::string cable =
        "leaf" + std::to_string(rng.below(4)) + ">spine" + std::to_string(rng.below(4));
    const std::uint64_t down_us = rng.below(3) == 0 ? 0 : 1 + rng.below(20);
    std::string faults =
        "faults:\n  - {at: " + std::to_string(down_us) + "us, link: " + cable + ", state: down}\n";
    if (rng.below(2) == 0) {
      faults += "  - {at: " + std::to_string(down_us + 5 + rng.below(40)) + "us, link: " + cable +
                ", state: up}\n";
    }
    const std::string text =
        "name: p\n"
        "topology: {kind: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 4}\n"
        "transport:\n  model: packet\n  policy: " +
        std::string(policies[rng.below(5)]) +
        "\n  convergence: " + std::to_string(rng.below(3) * 5) + "us\n  packet:\n" + packet +
        "workload:\n  collective: " + collectives[rng.below(3)] +
        "\n  size_bytes: " + std::to_string(64 + rng.below(1024)) + "KiB\n  placement: random\n" +
        faults;
    SCOPED_TRACE(text);
    const api::Results r = api::run(scenario::load_string(text, "p.yaml"), api::RunOptions{});
    ASSERT_TRUE(r.packets.has_value());
    const transport::PacketTotals& t = *r.packets;
    EXPECT_EQ(r.flows.bytes_delivered, r.flows.bytes_sent);
    EXPECT_EQ(t.payload_bytes_delivered, r.flows.bytes_sent);
    EXPECT_EQ(t.payload_bytes_sent, t.payload_bytes_delivered + t.payload_bytes_dropped +
                                        t.payload_bytes_duplicate + t.payload_bytes_discarded);
    EXPECT_EQ(t.messages_sent, t.messages_delivered);
    if (pfc) {
      EXPECT_EQ(t.drops, t.down_link_drops);
    }
    pauses += t.pauses;
    down_link_drops += t.down_link_drops;
    sacks += t.sacks;
  }
  EXPECT_GT(pauses, 0U);
  EXPECT_GT(down_link_drops, 0U);
  EXPECT_GT(sacks, 0U);
}

}  // namespace
}  // namespace spinel
