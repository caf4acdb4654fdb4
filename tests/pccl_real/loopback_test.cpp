// The protocol over real TCP on 127.0.0.1: a master and peers with peers
// killed (sockets reset) and restarted at random, and raw clients sending
// malformed and truncated frames; the invariant checker hears everything.
#include <gtest/gtest.h>

#include <thread>

#include "tests/pccl_real/real_test_support.hpp"

namespace spinel::pccl {
namespace {

TEST(PcclReal, KillAndRestartPeersKeepsInvariantsAndProgress) {
  asio::io_context io;
  LoopbackOptions o = loopback_defaults();
  o.peers = 6;
  o.duration_ps = run_length(12 * sim::kSecond);
  // A kill every 0.3-1 s, most aimed at an all-reduce: aborts even in a short run.
  o.churn_interval_min_ps = 300 * sim::kMillisecond;
  o.churn_interval_max_ps = sim::kSecond;
  o.mid_collective_share = 0.7;
  o.seed = 3;
  LoopbackGroup group(io, o);
  group.start();
  io.run();
  const LoopbackResult r = group.finish();
  print(r);
  ASSERT_FALSE(r.failed) << r.violation << " at "
                         << static_cast<double>(r.violation_at_ps) / sim::kSecond << " s";
  EXPECT_GE(r.kills, 2U);
  EXPECT_GT(r.spawned, o.peers);
  EXPECT_GE(r.steps.size(), 10U);
  EXPECT_LT(r.longest_gap_ps, o.liveness_bound_ps);
  // Steps keep completing: some in the last third of the run, after many kills.
  ASSERT_FALSE(r.steps.empty());
  EXPECT_GT(r.steps.back().at_ps, o.duration_ps * 2 / 3);
  // Kills mid-collective aborted attempts, and retries with the survivors completed.
  EXPECT_GE(r.aborted_attempts, 1U);
  std::size_t retried = 0;
  for (const auto& s : r.steps) retried += s.attempts > 1 ? 1 : 0;
  EXPECT_GE(retried, 1U);
}

// The same state machines run PCCL's training loop over real sockets: async
// DiLoCo with three inner steps, three concurrent collectives per step and
// int8 quantisation, with peers killed mid-collective; the checker compares
// every participant's bits with the quantised reduction.
TEST(PcclReal, TheTrainingLoopKeepsInvariantsUnderKills) {
  asio::io_context io;
  LoopbackOptions o = loopback_defaults();
  o.peers = 5;
  o.duration_ps = run_length(6 * sim::kSecond);
  o.churn_interval_min_ps = 300 * sim::kMillisecond;
  o.churn_interval_max_ps = sim::kSecond;
  o.mid_collective_share = 0.7;
  o.seed = 5;
  o.group.loop = {3, true, Quantisation::int8, 3};
  LoopbackGroup group(io, o);
  group.start();
  io.run();
  const LoopbackResult r = group.finish();
  print(r);
  ASSERT_FALSE(r.failed) << r.violation << " at "
                         << static_cast<double>(r.violation_at_ps) / sim::kSecond << " s";
  EXPECT_GE(r.kills, 2U);
  EXPECT_GE(r.steps.size(), 10U);
  EXPECT_GE(r.aborted_attempts, 1U);
  EXPECT_LT(r.longest_gap_ps, o.liveness_bound_ps);
}

TEST(PcclReal, AStalledPeerBlocksTheGroupUntilTheKeepaliveDropsIt) {
  asio::io_context io;
  LoopbackOptions o = loopback_defaults();
  o.peers = 4;
  o.churn_interval_max_ps = 0;
  o.duration_ps = 5 * sim::kSecond;  // the keepalive timeout is 2 s: not shortened
  LoopbackGroup group(io, o);
  group.start();
  sim::Time stalled_at_ps = 0;
  asio::steady_timer at(io, std::chrono::seconds(1));
  at.async_wait([&](const boost::system::error_code&) {
    group.stall_one();
    stalled_at_ps = group.clock().now_ps();
  });
  io.run();
  const LoopbackResult r = group.finish();
  print(r);
  ASSERT_FALSE(r.failed) << r.violation;
  EXPECT_EQ(r.stalls, 1U);
  EXPECT_EQ(r.kicks, 1U);
  // Failure detection is the keepalive only: no step for about the timeout,
  // then the survivors go on without the stalled peer.
  EXPECT_GE(r.longest_gap_ps, o.master.keepalive_timeout_ps - 500 * sim::kMillisecond);
  std::size_t three = 0;
  for (const auto& s : r.steps) three += s.at_ps > stalled_at_ps && s.world == 3 ? 1 : 0;
  EXPECT_GE(three, 3U);
}

// Without a key the decoders and the hello checks drop every bad sender
// (malformed); with one, nothing gets past the handshake (unauthenticated).
class PcclRealBadFrames : public ::testing::TestWithParam<bool> {};

TEST_P(PcclRealBadFrames, MalformedAndTruncatedFramesDropTheSenderNotTheGroup) {
  const bool keyed = GetParam();
  asio::io_context io;
  LoopbackOptions o = loopback_defaults();
  o.peers = 4;
  o.churn_interval_max_ps = 0;
  o.duration_ps = run_length(6 * sim::kSecond);
  if (!keyed) o.key = nullptr;
  LoopbackGroup group(io, o);
  group.start();
  // Until two peers are welcomed and listed (their ports are worth attacking).
  for (int i = 0; i < 50 && group.peers().size() < 2; ++i) {
    io.run_for(std::chrono::milliseconds(100));
  }
  io.run_for(std::chrono::milliseconds(300));
  const std::uint16_t master = group.master_port();
  const auto peers = group.peers();
  ASSERT_GE(peers.size(), 2U);
  const LoopbackGroup::PeerAddress victim = peers[0];
  const LoopbackGroup::PeerAddress other = peers[1];
  const std::uint16_t peer = victim.port;

  const std::vector<std::uint8_t> garbage{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'};
  const std::vector<std::uint8_t> oversize{0xff, 0xff, 0xff, 0xff, 0x01, 0x02};
  auto forged = encode(Message(Chunk{1, 0, 0, 0, {1.0F, 2.0F}}));
  forged[29] = 0x7f;  // a float count far beyond the frame
  auto truncated = encode(Message(VoteSync{3, {1, 2, 3}}));
  truncated.resize(truncated.size() - 5);
  const auto registered = hello(HelloRole::control) + encode(Message(Register{}));
  const auto as_other = hello(HelloRole::ring, other.id, victim.id, other.port);
  sim::Time attack_done_ps = 0;
  std::thread attacker([&] {
    send_raw(master, garbage);                                // malformed 1
    send_raw(master, oversize);                               // 2
    send_raw(master, hello(HelloRole::control) + forged);     // 3 (a named peer)
    send_raw(master, hello(HelloRole::control) + truncated);  // truncated: a plain drop
    send_raw(master, registered + garbage);                   // 4 (a registered peer)
    send_raw(master, hello(HelloRole::ring));                 // 5 (wrong role)
    send_raw(peer, garbage);                                  // 6
    send_raw(peer, as_other + oversize);                      // 7
    send_raw(peer, as_other + truncated);                     // truncated: a plain drop
    send_raw(peer, hello(HelloRole::ring, other.id, other.id, other.port));  // 8: wrong target
    send_raw(peer, hello(HelloRole::ring, 999999, victim.id, other.port));   // 9: not in the ring
    send_raw(peer, hello(HelloRole::ring, other.id, victim.id, 1));          // 10: wrong port
    attack_done_ps = group.clock().now_ps();
  });
  io.run();
  attacker.join();
  const LoopbackResult r = group.finish();
  print(r);
  ASSERT_FALSE(r.failed) << r.violation;
  EXPECT_EQ(r.malformed_drops, keyed ? 0U : 10U);
  EXPECT_EQ(r.unauthenticated_drops, keyed ? 12U : 0U);
  ASSERT_GT(attack_done_ps, 0);
  // The group kept stepping after the attack.
  std::size_t after = 0;
  for (const auto& s : r.steps) after += s.at_ps > attack_done_ps ? 1 : 0;
  EXPECT_GE(after, 3U);
}

INSTANTIATE_TEST_SUITE_P(Keys, PcclRealBadFrames, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "Keyed" : "Insecure"; });

}  // namespace
}  // namespace spinel::pccl
