// PCCL protocol: the master's votes, aborts and state sync as direct calls,
// and whole groups of peers on the in-memory harness.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "sim/rng.hpp"
#include "tests/unit/pccl_harness.hpp"
#include "workloads/pccl/data.hpp"
#include "workloads/pccl/ring.hpp"

namespace spinel::pccl {
namespace {

template <typename M>
std::vector<const M*> sent(const Output& out, PeerId to) {
  std::vector<const M*> found;
  for (const Send& s : out.sends) {
    if (s.to == to && std::holds_alternative<M>(s.message))
      found.push_back(&std::get<M>(s.message));
  }
  return found;
}

bool has_notice(const Output& out, NoticeKind kind, PeerId peer) {
  return std::any_of(out.notices.begin(), out.notices.end(),
                     [&](const Notice& n) { return n.kind == kind && n.peer == peer; });
}

TEST(PcclMaster, FirstPeerIsAdmittedAtOnceNewcomersOnlyWhenEveryAcceptedPeerVotes) {
  Master m({});
  Output out = m.on_message(0, 0, Register{});
  EXPECT_TRUE(has_notice(out, NoticeKind::admitted, 0));
  ASSERT_EQ(sent<Topology>(out, 0).size(), 1U);
  // Peer 1 registers while peer 0 is between votes: it waits.
  out = m.on_message(1, 1, Register{});
  EXPECT_FALSE(has_notice(out, NoticeKind::admitted, 1));
  out = m.on_message(2, 0, VoteSync{0, {1, 2}});
  ASSERT_EQ(sent<SyncPlan>(out, 0).size(), 1U);
  EXPECT_TRUE(sent<SyncPlan>(out, 0)[0]->keys.empty());
  m.on_message(3, 0, SyncDone{true});
  out = m.on_message(4, 0, VoteCollective{0});
  ASSERT_EQ(sent<TooFewPeers>(out, 0).size(), 1U);  // alone: no all-reduce
  EXPECT_EQ(m.accepted(), std::vector<PeerId>{0});
  out = m.on_message(5, 0, VoteTopology{});
  EXPECT_TRUE(has_notice(out, NoticeKind::admitted, 1));
  EXPECT_EQ(m.accepted(), (std::vector<PeerId>{0, 1}));
  ASSERT_EQ(sent<Topology>(out, 1).size(), 1U);
  EXPECT_EQ(sent<Topology>(out, 0)[0]->ring, (std::vector<PeerId>{0, 1}));
}

// Master with peers 0, 1, 2 accepted, waiting for their shared-state votes.
void three_in_sync_vote(Master& m) {
  m.on_message(0, 0, Register{});
  m.on_message(0, 1, Register{});
  m.on_message(0, 2, Register{});
  m.on_message(0, 0, VoteSync{0, {1, 2}});
  m.on_message(0, 0, SyncDone{true});
  m.on_message(0, 0, VoteCollective{0});
  const Output out = m.on_message(0, 0, VoteTopology{});
  ASSERT_EQ(m.accepted(), (std::vector<PeerId>{0, 1, 2}));
  ASSERT_EQ(m.phase(), MasterPhase::sync_vote);
}

TEST(PcclMaster, AdmissionNeedsEveryAcceptedVoteAndADepartureReleasesIt) {
  Master m({});
  three_in_sync_vote(m);
  for (PeerId p : {0U, 1U, 2U}) m.on_message(1, p, VoteSync{0, {1, 2}});
  for (PeerId p : {0U, 1U, 2U}) m.on_message(1, p, SyncDone{true});
  for (PeerId p : {0U, 1U, 2U}) m.on_message(1, p, VoteCollective{0});
  ASSERT_EQ(m.phase(), MasterPhase::collective);
  for (PeerId p : {0U, 1U, 2U}) m.on_message(2, p, CollectiveDone{0, 0});
  ASSERT_EQ(m.phase(), MasterPhase::topology_vote);
  m.on_message(3, 7, Register{});
  m.on_message(3, 0, VoteTopology{});
  Output out = m.on_message(3, 1, VoteTopology{});
  EXPECT_FALSE(has_notice(out, NoticeKind::admitted, 7));  // peer 2 has not voted
  // Peer 2 dies: it leaves every pending vote, and the consensus is re-checked.
  out = m.on_disconnect(4, 2);
  EXPECT_TRUE(has_notice(out, NoticeKind::admitted, 7));
  EXPECT_EQ(m.accepted(), (std::vector<PeerId>{0, 1, 7}));
}

TEST(PcclMaster, OutdatedPeersFetchOnlyTheDifferingKeysFromAHolderOfThePopularState) {
  Master m({});
  three_in_sync_vote(m);
  m.on_message(1, 0, VoteSync{5, {10, 20}});
  m.on_message(1, 1, VoteSync{5, {11, 20}});  // key 0 differs
  const Output out = m.on_message(1, 2, VoteSync{5, {10, 20}});
  ASSERT_EQ(sent<SyncPlan>(out, 1).size(), 1U);
  const SyncPlan& plan = *sent<SyncPlan>(out, 1)[0];
  EXPECT_EQ(plan.keys, std::vector<std::uint32_t>{0});
  EXPECT_EQ(plan.source, 0U);
  EXPECT_EQ(plan.hashes, (std::vector<std::uint64_t>{10, 20}));
  EXPECT_TRUE(sent<SyncPlan>(out, 0)[0]->keys.empty());
  EXPECT_TRUE(sent<SyncPlan>(out, 2)[0]->keys.empty());
  EXPECT_TRUE(has_notice(out, NoticeKind::sync_begin, kMaster));
  // No collective may start before the fetch is done, even with every vote in.
  for (PeerId p : {0U, 1U, 2U}) m.on_message(2, p, VoteCollective{0});
  m.on_message(2, 0, SyncDone{true});
  m.on_message(2, 2, SyncDone{true});
  EXPECT_EQ(m.phase(), MasterPhase::sync_fetch);
  const Output done = m.on_message(3, 1, SyncDone{true});
  EXPECT_TRUE(has_notice(done, NoticeKind::sync_end, kMaster));
  EXPECT_EQ(m.phase(), MasterPhase::collective);
}

TEST(PcclMaster, AFailedFetchIsReplannedFromAnotherHolder) {
  Master m({});
  three_in_sync_vote(m);
  m.on_message(1, 0, VoteSync{5, {10, 20}});
  m.on_message(1, 1, VoteSync{5, {10, 20}});
  m.on_message(1, 2, VoteSync{4, {9, 20}});
  m.on_message(2, 1, SyncDone{true});
  m.on_disconnect(2, 0);  // the source dies
  const Output out = m.on_message(3, 2, SyncDone{false});
  ASSERT_EQ(sent<SyncPlan>(out, 2).size(), 1U);
  EXPECT_EQ(sent<SyncPlan>(out, 2)[0]->source, 1U);
  EXPECT_EQ(sent<SyncPlan>(out, 2)[0]->keys, std::vector<std::uint32_t>{0});
}

TEST(PcclMaster, AReportAndTheDeathItCausesAbortEachPeerExactlyOnce) {
  Master m({});
  three_in_sync_vote(m);
  for (PeerId p : {0U, 1U, 2U}) m.on_message(1, p, VoteSync{0, {1, 2}});
  for (PeerId p : {0U, 1U, 2U}) m.on_message(1, p, SyncDone{true});
  for (PeerId p : {0U, 1U, 2U}) m.on_message(1, p, VoteCollective{0});
  Output out = m.on_message(2, 0, ReportAbort{0, 0});
  EXPECT_EQ(sent<AbortCollective>(out, 0).size(), 1U);
  EXPECT_EQ(sent<AbortCollective>(out, 1).size(), 1U);
  EXPECT_EQ(sent<AbortCollective>(out, 2).size(), 1U);
  out = m.on_message(2, 1, ReportAbort{0, 0});  // a second report: nothing more
  EXPECT_TRUE(out.sends.empty());
  out = m.on_disconnect(2, 2);  // the cause is noticed later: nothing more
  EXPECT_TRUE(sent<AbortCollective>(out, 0).empty());
  // The survivors retry, as attempt 1 with two participants.
  m.on_message(3, 0, VoteCollective{0});
  out = m.on_message(3, 1, VoteCollective{0});
  ASSERT_EQ(sent<StartCollective>(out, 0).size(), 1U);
  EXPECT_EQ(sent<StartCollective>(out, 0)[0]->attempt, 1U);
  EXPECT_EQ(sent<StartCollective>(out, 0)[0]->ring, (std::vector<PeerId>{0, 1}));
}

// Found by running churn: once every accepted peer died mid-phase, the master
// waited for votes that could never come, and newcomers were never admitted.
TEST(PcclMaster, WhenEveryAcceptedPeerIsGoneNewcomersAreAdmittedAgain) {
  for (int phase = 0; phase < 3; ++phase) {
    Master m({});
    three_in_sync_vote(m);
    if (phase >= 1) {
      for (PeerId p : {0U, 1U, 2U}) m.on_message(1, p, VoteSync{0, {1, 2}});
    }
    if (phase >= 2) {
      for (PeerId p : {0U, 1U, 2U}) m.on_message(1, p, SyncDone{true});
      for (PeerId p : {0U, 1U, 2U}) m.on_message(1, p, VoteCollective{0});
    }
    m.on_message(2, 9, Register{});
    m.on_disconnect(3, 0);
    m.on_disconnect(3, 1);
    const Output out = m.on_disconnect(3, 2);
    EXPECT_TRUE(has_notice(out, NoticeKind::admitted, 9)) << phase;
    EXPECT_EQ(m.accepted(), std::vector<PeerId>{9}) << phase;
  }
}

TEST(PcclMaster, ASilentPeerIsDroppedWhenTheKeepaliveTimeoutPasses) {
  Master m({sim::kSecond, 3 * sim::kSecond});
  m.on_message(0, 0, Register{});
  m.on_message(0, 1, Register{});
  Output out = m.on_timer(2 * sim::kSecond, Master::kKeepaliveTimer);
  EXPECT_TRUE(out.disconnects.empty());
  m.on_message(3 * sim::kSecond, 0, Keepalive{});
  out = m.on_timer(4 * sim::kSecond, Master::kKeepaliveTimer);
  EXPECT_EQ(out.disconnects, std::vector<PeerId>{1});
  EXPECT_TRUE(has_notice(out, NoticeKind::kicked, 1));
}

PeerConfig small_config() {
  PeerConfig c;
  c.floats = 37;  // uneven chunks and parts
  c.connections_per_neighbour = 3;
  c.step_compute_ps = 100 * sim::kMillisecond;
  return c;
}

TEST(PcclPeers, FourPeersStepWithBitIdenticalResults) {
  test::Harness h(small_config());
  for (int i = 0; i < 4; ++i) h.spawn();
  h.run_until(5 * sim::kSecond);
  EXPECT_FALSE(h.checker().failed()) << h.checker().violation();
  EXPECT_GE(h.steps, 30U);
  for (PeerId p = 1; p < 4; ++p) {
    EXPECT_EQ(h.peer(p).state_hashes(), h.peer(0).state_hashes());
    EXPECT_EQ(h.peer(p).revision(), h.peer(0).revision());
  }
}

TEST(PcclPeers, ADeathMidRingAbortsEverySurvivorOnceAndTheRetryUsesTheSurvivors) {
  test::Harness h(small_config());
  for (int i = 0; i < 4; ++i) h.spawn();
  h.run_until(sim::kSecond);
  while (h.master().phase() != MasterPhase::collective) h.run_until(h.now() + sim::kMillisecond);
  h.run_until(h.now() + sim::kMillisecond);  // the ring is under way
  const std::uint64_t steps = h.steps;
  h.kill(2);
  h.run_until(h.now() + sim::kSecond);
  EXPECT_FALSE(h.checker().failed()) << h.checker().violation();
  EXPECT_EQ(h.aborts, 1U);
  EXPECT_GT(h.steps, steps);
  const std::size_t abort_index = Message(AbortCollective{}).index();
  for (PeerId p : {0U, 1U, 3U}) EXPECT_EQ(h.received(p, abort_index), 1U) << p;
  EXPECT_EQ(h.master().accepted(), (std::vector<PeerId>{0, 1, 3}));
}

TEST(PcclPeers, AnOptimisedRingFollowsTheProbeAndIsSearchedOnlyWhenMembershipChanges) {
  MasterConfig mc;
  mc.ring_order = RingOrder::optimised;
  test::Harness h(small_config(), mc);
  // Every edge of the id ring is slow, so the fast ring runs backwards.
  std::size_t probes = 0;
  h.master().set_bandwidth_probe([&](PeerId from, PeerId to) {
    ++probes;
    return to == (from + 1) % 4 ? 1.0 : 100.0;
  });
  for (int i = 0; i < 4; ++i) h.spawn();
  h.run_until(sim::kSecond);
  while (h.master().phase() != MasterPhase::collective) h.run_until(h.now() + sim::kMillisecond);
  EXPECT_EQ(h.master().participants(), (std::vector<PeerId>{0, 3, 2, 1}));
  const std::size_t searched = probes;
  const std::uint64_t steps = h.steps;
  h.run_until(h.now() + sim::kSecond);
  EXPECT_GT(h.steps, steps);
  EXPECT_EQ(probes, searched);  // same members: the ring is kept
  h.kill(2);
  h.run_until(h.now() + sim::kSecond);
  while (h.master().phase() != MasterPhase::collective) h.run_until(h.now() + sim::kMillisecond);
  EXPECT_EQ(h.master().participants(), (std::vector<PeerId>{0, 3, 1}));
  EXPECT_EQ(probes, searched + 6);  // three members, six directed pairs
  EXPECT_FALSE(h.checker().failed()) << h.checker().violation();
}

TEST(PcclPeers, ANewcomerFetchesTheWeightsOnlyAndJoinsBetweenSteps) {
  test::Harness h(small_config());
  h.spawn();
  h.spawn();
  h.run_until(2 * sim::kSecond);
  const PeerId late = h.spawn();
  h.run_until(4 * sim::kSecond);
  EXPECT_FALSE(h.checker().failed()) << h.checker().violation();
  EXPECT_EQ(h.master().accepted().size(), 3U);
  EXPECT_EQ(h.peer(late).state_hashes(), h.peer(0).state_hashes());
  const std::size_t reply = Message(StateRequest{}).index();
  EXPECT_EQ(h.received(0, reply) + h.received(1, reply), 1U);  // one fetch, of key 0
}

TEST(PcclPeers, AStalledPeerBlocksTheOthersUntilTheKeepaliveTimeout) {
  MasterConfig mc{sim::kSecond, 10 * sim::kSecond};
  test::Harness h(small_config(), mc);
  for (int i = 0; i < 3; ++i) h.spawn();
  h.run_until(2 * sim::kSecond);
  h.stall(1);
  const std::uint64_t steps = h.steps;
  h.run_until(9 * sim::kSecond);
  EXPECT_LE(h.steps, steps + 1);  // at most the step already under way
  h.run_until(14 * sim::kSecond);
  EXPECT_GT(h.steps, steps + 5);
  EXPECT_EQ(h.master().accepted(), (std::vector<PeerId>{0, 2}));
  EXPECT_FALSE(h.checker().failed()) << h.checker().violation();
}

TEST(PcclPeers, RandomChurnKeepsEveryInvariant) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    test::Harness h(small_config(), {sim::kSecond, 5 * sim::kSecond});
    sim::Rng rng(seed, "test.churn");
    std::vector<PeerId> live;
    for (int i = 0; i < 4; ++i) live.push_back(h.spawn());
    for (sim::Time t = 0; t < 120 * sim::kSecond;) {
      t += static_cast<sim::Time>(rng.below(2 * sim::kSecond));
      h.run_until(t);
      if (live.size() < 2 || (live.size() < 8 && rng.uniform() > 0.4)) {
        live.push_back(h.spawn());
      } else {
        const auto i = static_cast<std::ptrdiff_t>(rng.below(live.size()));
        if (rng.below(4) == 0) {
          h.stall(live[i]);
        } else {
          h.kill(live[i]);
        }
        live.erase(live.begin() + i);
      }
    }
    h.run_until(130 * sim::kSecond);
    ASSERT_FALSE(h.checker().failed()) << "seed " << seed << ": " << h.checker().violation();
    EXPECT_GT(h.steps, 10U) << seed;
  }
}

TEST(PcclData, ReferenceReductionMatchesTheRingOrderAndIsOrderSensitive) {
  std::vector<std::vector<float>> in;
  for (PeerId p = 0; p < 5; ++p) in.push_back(make_input(3, p, 0, 101));
  const std::vector<float> ring = reference_allreduce(in);
  std::vector<float> naive(101, 0.0F);
  for (const auto& v : in) {
    for (std::size_t i = 0; i < v.size(); ++i) naive[i] = naive[i] + v[i];
  }
  // Same sums up to rounding, different bits somewhere: the order matters.
  EXPECT_NE(std::memcmp(ring.data(), naive.data(), ring.size() * sizeof(float)), 0);
  for (std::size_t i = 0; i < ring.size(); ++i) EXPECT_NEAR(ring[i], naive[i], 1e-2);
  EXPECT_EQ(chunk_range(10, 3, 2).begin, 6U);
  EXPECT_EQ(chunk_range(10, 3, 2).end, 10U);  // the remainder to the last
}

TEST(PcclData, NetworkBytesSplitTheWholeSizeNotTheFewFloats) {
  // 256 floats over 63 peers: the last chunk has 8 floats, the others 4; the
  // 1 GiB they stand for splits within a byte or so per chunk.
  const std::uint64_t gib = 1ULL << 30;
  EXPECT_EQ(chunk_range(256, 63, 62).end - chunk_range(256, 63, 62).begin, 8U);
  EXPECT_EQ(part_bytes(gib, 63, 0, 1, 0), gib / 63);
  EXPECT_EQ(part_bytes(gib, 63, 62, 1, 0), gib - 62 * (gib / 63));
  EXPECT_LE(part_bytes(gib, 63, 62, 1, 0) - part_bytes(gib, 63, 0, 1, 0), 62U);
  std::uint64_t sum = 0;
  for (std::uint32_t c = 0; c < 5; ++c) {
    for (std::uint32_t j = 0; j < 3; ++j) sum += part_bytes(1000, 5, c, 3, j);
  }
  EXPECT_EQ(sum, 1000U);
  EXPECT_EQ(part_bytes(1000, 5, 4, 3, 2), 68U);  // 200 split 66, 66, 68
}

TEST(PcclRing, OptimisedRingAvoidsSlowEdges) {
  for (std::size_t n : {5U, 12U}) {
    std::vector<PeerId> peers;
    for (std::size_t i = 0; i < n; ++i) peers.push_back(static_cast<PeerId>(10 + i));
    std::vector<std::vector<double>> bw(n, std::vector<double>(n, 100.0));
    for (std::size_t i = 0; i < n; ++i) bw[i][(i + 1) % n] = 1.0;  // the id ring is slow
    const std::vector<PeerId> ring = optimise_ring(peers, bw);
    ASSERT_EQ(ring.size(), n);
    EXPECT_EQ(ring[0], 10U);
    std::vector<std::size_t> order;
    for (PeerId p : ring) order.push_back(p - 10);
    EXPECT_EQ(ring_bottleneck_gbps(order, bw), 100.0) << n;
  }
}

}  // namespace
}  // namespace spinel::pccl
