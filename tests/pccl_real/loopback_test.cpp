// The protocol over real TCP on 127.0.0.1: a master and peers with peers
// killed (sockets reset) and restarted at random, and raw clients sending
// malformed and truncated frames; the invariant checker hears everything.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "workloads/pccl/loopback_group.hpp"
#include "workloads/pccl/wire.hpp"

namespace spinel::pccl {
namespace {

// CI runs every test under ASan+UBSan, several times slower: shorter there.
sim::Time run_length(sim::Time normal) {
#if defined(__SANITIZE_ADDRESS__)
  return normal / 2;
#else
  if (const char* s = std::getenv("SPINEL_PCCL_REAL_SECONDS")) {
    return static_cast<sim::Time>(std::atof(s) * static_cast<double>(sim::kSecond));
  }
  return normal;
#endif
}

void print(const LoopbackResult& r) {
  std::printf(
      "steps %zu, aborted attempts %llu, peers spawned %llu, kills %llu, malformed drops %llu, "
      "longest gap %.3f s, checks %llu\n",
      r.steps.size(), static_cast<unsigned long long>(r.aborted_attempts),
      static_cast<unsigned long long>(r.spawned), static_cast<unsigned long long>(r.kills),
      static_cast<unsigned long long>(r.malformed_drops),
      static_cast<double>(r.longest_gap_ps) / sim::kSecond,
      static_cast<unsigned long long>(r.checks));
}

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

// Blocking raw-socket client: connect, write `bytes`, close.
void send_raw(std::uint16_t port, const std::vector<std::uint8_t>& bytes) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  asio::write(s, asio::buffer(bytes));
  s.close();
}

std::vector<std::uint8_t> hello(HelloRole role, PeerId peer = 0, PeerId target = 0) {
  std::vector<std::uint8_t> out;
  encode_into(DriverFrame(Hello{role, 1, peer, 0, target}), out);
  return out;
}

std::vector<std::uint8_t> operator+(std::vector<std::uint8_t> a,
                                    const std::vector<std::uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(PcclReal, MalformedAndTruncatedFramesDropTheSenderNotTheGroup) {
  asio::io_context io;
  LoopbackOptions o = loopback_defaults();
  o.peers = 4;
  o.churn_interval_max_ps = 0;
  o.duration_ps = run_length(6 * sim::kSecond);
  LoopbackGroup group(io, o);
  group.start();
  // Until some peer is welcomed (it then has a listening port worth attacking).
  for (int i = 0; i < 50 && group.some_peer().port == 0; ++i) {
    io.run_for(std::chrono::milliseconds(100));
  }
  io.run_for(std::chrono::milliseconds(300));
  const std::uint16_t master = group.master_port();
  const LoopbackGroup::PeerAddress victim = group.some_peer();
  const std::uint16_t peer = victim.port;
  ASSERT_NE(peer, 0);

  const std::vector<std::uint8_t> garbage{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'};
  const std::vector<std::uint8_t> oversize{0xff, 0xff, 0xff, 0xff, 0x01, 0x02};
  auto forged = encode(Message(Chunk{1, 0, 0, 0, {1.0F, 2.0F}}));
  forged[25] = 0x7f;  // a float count far beyond the frame
  auto truncated = encode(Message(VoteSync{3, {1, 2, 3}}));
  truncated.resize(truncated.size() - 5);
  const auto registered = hello(HelloRole::control) + encode(Message(Register{}));
  sim::Time attack_done_ps = 0;
  std::thread attacker([&] {
    send_raw(master, garbage);                                // malformed 1
    send_raw(master, oversize);                               // 2
    send_raw(master, hello(HelloRole::control) + forged);     // 3 (a named peer)
    send_raw(master, hello(HelloRole::control) + truncated);  // truncated: a plain drop
    send_raw(master, registered + garbage);                   // 4 (a registered peer)
    send_raw(master, hello(HelloRole::ring));                 // 5 (wrong role)
    send_raw(peer, garbage);                                  // 6
    send_raw(peer, hello(HelloRole::ring, 999999, victim.id) + oversize);   // 7
    send_raw(peer, hello(HelloRole::ring, 999998, victim.id) + truncated);  // truncated
    send_raw(peer, hello(HelloRole::ring, 999997, victim.id + 1));          // 8: wrong target
    attack_done_ps = group.clock().now_ps();
  });
  io.run();
  attacker.join();
  const LoopbackResult r = group.finish();
  print(r);
  ASSERT_FALSE(r.failed) << r.violation;
  EXPECT_EQ(r.malformed_drops, 8U);
  ASSERT_GT(attack_done_ps, 0);
  // The group kept stepping after the attack.
  std::size_t after = 0;
  for (const auto& s : r.steps) after += s.at_ps > attack_done_ps ? 1 : 0;
  EXPECT_GE(after, 3U);
}

}  // namespace
}  // namespace spinel::pccl
