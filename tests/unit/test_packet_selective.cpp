// Selective repeat against go-back-N under loss: the receiver keeps what
// arrives past a hole and SACKs it, the sender resends only the holes.
#include <gtest/gtest.h>

#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"

namespace spinel {
namespace {

// An all-to-all on 16 hosts whose 24 KiB switch buffers overflow (no
// congestion control): plenty of drops to recover from.
api::Results run(const std::string& policy, const std::string& retransmit) {
  const std::string text =
      "name: s\n"
      "topology: {kind: leaf_spine, leaves: 4, spines: 2, hosts_per_leaf: 4}\n"
      "transport:\n  model: packet\n  policy: " +
      policy + "\n  packet: {buffer_bytes: 24KiB, cc: none, rto: 20us, retransmit: " + retransmit +
      "}\nworkload:\n  collective: all_to_all\n  size_bytes: 4MiB\n  placement: random\n";
  return api::run(scenario::load_string(text, "s.yaml"), api::RunOptions{});
}

TEST(PacketSelective, ResendsFewerPacketsThanGoBackN) {
  for (const std::string policy : {"ecmp", "spray"}) {
    SCOPED_TRACE(policy);
    const api::Results gbn = run(policy, "go_back_n");
    const api::Results sel = run(policy, "selective");
    for (const api::Results* r : {&gbn, &sel}) {
      ASSERT_TRUE(r->packets.has_value());
      const transport::PacketTotals& t = *r->packets;
      EXPECT_GT(t.drops, 0U);
      // Every byte delivered exactly once (the receiver counts each byte once).
      EXPECT_EQ(t.payload_bytes_delivered, r->flows.bytes_sent);
      EXPECT_EQ(r->flows.bytes_delivered, r->flows.bytes_sent);
      EXPECT_EQ(t.payload_bytes_sent, t.payload_bytes_delivered + t.payload_bytes_dropped +
                                          t.payload_bytes_duplicate + t.payload_bytes_discarded);
      EXPECT_EQ(t.messages_sent, t.messages_delivered);
    }
    std::printf("%s: retransmitted go-back-N %llu, selective %llu (drops %llu, %llu)\n",
                policy.c_str(), static_cast<unsigned long long>(gbn.packets->retransmitted_packets),
                static_cast<unsigned long long>(sel.packets->retransmitted_packets),
                static_cast<unsigned long long>(gbn.packets->drops),
                static_cast<unsigned long long>(sel.packets->drops));
    EXPECT_LT(sel.packets->retransmitted_packets, gbn.packets->retransmitted_packets);
    EXPECT_GT(sel.packets->sacks, 0U);
    EXPECT_EQ(sel.packets->payload_bytes_discarded, 0U);  // nothing past a hole is thrown away
  }
}

}  // namespace
}  // namespace spinel
