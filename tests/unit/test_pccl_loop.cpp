// PCCL's training loop in the state machines: DiLoCo's inner steps, several
// concurrent collectives per step, async DiLoCo and quantised all-reduce,
// each against the invariants (bit-identical results, one abort per peer
// per attempt, no overlap with topology updates or syncs).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "sim/rng.hpp"
#include "tests/unit/pccl_harness.hpp"
#include "workloads/pccl/data.hpp"
#include "workloads/pccl/quantise.hpp"

namespace spinel::pccl {
namespace {

PeerConfig loop_config(TrainingLoop loop) {
  PeerConfig c;
  c.floats = 97;  // uneven tensors, chunks and parts
  c.connections_per_neighbour = 2;
  c.step_compute_ps = 100 * sim::kMillisecond;
  c.loop = loop;
  return c;
}

// When the master completed each step's all-reduce, and when each of its
// rings started (attempt 0).
std::vector<sim::Time> times_of(const test::Harness& h, NoticeKind kind) {
  std::vector<sim::Time> at;
  for (std::size_t i = 0; i < h.notices.size(); ++i) {
    if (h.notices[i].kind == kind && h.notices[i].attempt == 0) at.push_back(h.notice_times[i]);
  }
  return at;
}

// The mean time between completed outer steps, from the second on.
double mean_period_ms(const test::Harness& h) {
  const std::vector<sim::Time> done = times_of(h, NoticeKind::collective_complete);
  if (done.size() < 3) return 0;
  return static_cast<double>(done.back() - done[1]) / static_cast<double>(done.size() - 2) /
         static_cast<double>(sim::kMillisecond);
}

TEST(PcclQuantise, Int8KeepsEachValueWithinHalfAStepOfItsPartsScale) {
  std::vector<float> v{0.5F, -1.27F, 0.001F, 1.0F, -0.3333F};
  const std::vector<float> before = v;
  quantise(v, Quantisation::int8);
  const float scale = 1.27F / 127.0F;
  for (std::size_t i = 0; i < v.size(); ++i) {
    EXPECT_LE(std::fabs(v[i] - before[i]), scale / 2 * 1.0001F) << i;
    const float level = v[i] / scale;
    EXPECT_NEAR(level, std::round(level), 1e-3) << "not on the grid: " << i;
  }
  EXPECT_EQ(v[1], -1.27F / 127.0F * 127.0F);  // the largest keeps its magnitude's level
  std::vector<float> zeros(5, 0.0F);
  quantise(zeros, Quantisation::int8);
  EXPECT_EQ(zeros, std::vector<float>(5, 0.0F));
}

TEST(PcclQuantise, Fp16RoundsToTheNearestHalfTiesToEven) {
  // Scale 1 (the largest magnitude is 1): values are plain halves.
  std::vector<float> v{1.0F,
                       0.5F + 0x1.0p-12F,        // half-way between two halves: to even (down)
                       0.5F + 3 * 0x1.0p-12F,    // half-way: to even (up)
                       0.5F + 0x1.8p-12F,        // above half-way: up
                       0x1.0p-20F + 0x1.0p-26F,  // subnormal half: steps of 2^-24
                       -0.75F};
  quantise(v, Quantisation::fp16);
  EXPECT_EQ(v[0], 1.0F);
  EXPECT_EQ(v[1], 0.5F);
  EXPECT_EQ(v[2], 0.5F + 4 * 0x1.0p-12F);
  EXPECT_EQ(v[3], 0.5F + 2 * 0x1.0p-12F);
  EXPECT_EQ(v[4], 0x1.0p-20F);
  EXPECT_EQ(v[5], -0.75F);
  std::vector<float> none{0.1F, 0.2F};
  quantise(none, Quantisation::none);
  EXPECT_EQ(none, (std::vector<float>{0.1F, 0.2F}));
}

TEST(PcclQuantise, WireBytesAreHalfOrAQuarterPlusTheScale) {
  EXPECT_EQ(quantised_bytes(1000, Quantisation::none), 1000U);
  EXPECT_EQ(quantised_bytes(1000, Quantisation::fp16), 504U);
  EXPECT_EQ(quantised_bytes(1000, Quantisation::int8), 254U);
}

TEST(PcclData, APseudoGradientSumsTheInnerStepsAndOneInnerStepIsTheInput) {
  EXPECT_EQ(make_pseudo_gradient(3, 1, 7, 1, 10), make_input(3, 1, 7, 10));
  const std::vector<float> g = make_pseudo_gradient(3, 1, 2, 3, 10);
  for (std::uint32_t i = 0; i < 10; ++i) {
    const float want =
        make_input(3, 1, 6, 10)[i] + make_input(3, 1, 7, 10)[i] + make_input(3, 1, 8, 10)[i];
    EXPECT_EQ(g[i], want) << i;
  }
}

TEST(PcclData, TheReferenceSplitsTensorsAndQuantisesEveryHop) {
  std::vector<std::vector<float>> in;
  for (PeerId p = 0; p < 4; ++p) in.push_back(make_input(5, p, 0, 53));
  const std::vector<float> plain = reference_allreduce(in);
  // Tags and parts change only where chunks start: unquantised, each
  // element is still summed in the order of its chunk's ring.
  EXPECT_EQ(reference_allreduce(in, {1, 3, Quantisation::none}), plain);
  for (Quantisation q : {Quantisation::fp16, Quantisation::int8}) {
    const std::vector<float> small = reference_allreduce(in, {3, 2, q});
    EXPECT_NE(small, plain) << to_string(q);
    double worst = 0;
    double largest = 0;
    for (std::size_t i = 0; i < plain.size(); ++i) {
      worst = std::max(worst, static_cast<double>(std::fabs(small[i] - plain[i])));
      largest = std::max(largest, static_cast<double>(std::fabs(plain[i])));
    }
    EXPECT_LT(worst, largest * (q == Quantisation::int8 ? 0.05 : 0.002)) << to_string(q);
  }
}

TEST(PcclLoop, DiLoCoRunsInnerStepsBetweenOuterAllReducesOfThePseudoGradient) {
  TrainingLoop diloco;
  diloco.inner_steps = 5;
  test::Harness one(loop_config({}));
  test::Harness five(loop_config(diloco));
  for (int i = 0; i < 4; ++i) {
    one.spawn();
    five.spawn();
  }
  one.run_until(5 * sim::kSecond);
  five.run_until(5 * sim::kSecond);
  ASSERT_FALSE(one.checker().failed()) << one.checker().violation();
  ASSERT_FALSE(five.checker().failed()) << five.checker().violation();
  // After a second of back-off (the first peer is alone at first), 100 ms
  // of compute and a ring of a few ms: about 5x fewer outer steps.
  EXPECT_GE(one.steps, 30U);
  EXPECT_GE(five.steps, 6U);
  EXPECT_LE(five.steps, one.steps / 4);
  // What a peer all-reduces is the pseudo-gradient of its op's five inner steps.
  const Peer& p = five.peer(2);
  while (p.phase() != PeerPhase::finished) five.run_until(five.now() + sim::kMillisecond);
  EXPECT_EQ(p.input(), make_pseudo_gradient(1, 2, p.op(), 5, 97));
  EXPECT_NE(p.input(), make_input(1, 2, p.op(), 97));
}

TEST(PcclLoop, ConcurrentCollectivesRunTaggedOnThePoolAndEndBitIdentical) {
  TrainingLoop three;
  three.concurrent_collectives = 3;
  test::Harness h(loop_config(three));
  for (int i = 0; i < 4; ++i) h.spawn();
  h.run_until(3 * sim::kSecond);
  ASSERT_FALSE(h.checker().failed()) << h.checker().violation();
  EXPECT_GE(h.steps, 15U);  // after the first second's back-off, one about every 110 ms
  // Every tag's parts went out at once: a peer starting a ring sends one
  // part per (tag, part) on connections (op + tag + part) mod pool.
  Peer fresh(9, loop_config(three));
  Output out;
  fresh.start(0);
  fresh.on_message(0, kMaster, Topology{1, 4, {9, 10, 11}});
  fresh.on_message(0, kMaster, SyncPlan{0, fresh.state_hashes(), {}, kMaster});
  out = fresh.on_message(0, kMaster, StartCollective{4, 0, {9, 10, 11}});
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sent;  // (tag, connection)
  for (const Send& s : out.sends) {
    if (const auto* c = std::get_if<Chunk>(&s.message)) sent.emplace_back(c->tag, s.connection);
  }
  EXPECT_EQ(sent, (std::vector<std::pair<std::uint32_t, std::uint32_t>>{
                      {0, 0}, {0, 1}, {1, 1}, {1, 0}, {2, 0}, {2, 1}}));
}

TEST(PcclLoop, AsyncOverlapsTheOuterAllReduceWithTheNextInnerStepsAndAppliesItLate) {
  TrainingLoop sync_loop;
  sync_loop.inner_steps = 2;
  TrainingLoop async_loop = sync_loop;
  async_loop.async = true;
  test::Harness s(loop_config(sync_loop));
  test::Harness a(loop_config(async_loop));
  for (int i = 0; i < 4; ++i) {
    s.spawn();
    a.spawn();
  }
  s.run_until(10 * sim::kSecond);
  a.run_until(10 * sim::kSecond);
  ASSERT_FALSE(s.checker().failed()) << s.checker().violation();
  ASSERT_FALSE(a.checker().failed()) << a.checker().violation();
  // 200 ms of inner steps plus, in sync, the ring and every vote; in async
  // the ring hides behind the inner steps and only the votes before it
  // (topology, sync, collective: a few harness round trips) show.
  const double sync_ms = mean_period_ms(s);
  const double async_ms = mean_period_ms(a);
  EXPECT_GT(sync_ms, 200 + 6);  // the ring: 2(W-1) one-millisecond hops
  EXPECT_LT(async_ms, sync_ms - 5);
  EXPECT_GE(async_ms, 200);
  // Op k's result goes into the weights only once the inner steps that
  // overlapped its ring are done: 200 ms after peer 0 heard the ring start;
  // in sync, as soon as the ring completes.
  const auto commit_lag = [](const test::Harness& h) {
    const std::vector<sim::Time> starts = times_of(h, NoticeKind::collective_start);
    sim::Time least = sim::kSecond * 1000;
    for (std::size_t i = 0; i < h.notices.size(); ++i) {
      const Notice& n = h.notices[i];
      if (n.kind == NoticeKind::peer_step && n.peer == 0 && n.op < starts.size()) {
        least = std::min(least, h.notice_times[i] - starts[n.op]);
      }
    }
    return least;
  };
  EXPECT_GE(commit_lag(a), 200 * sim::kMillisecond + test::Harness::kLatency);
  EXPECT_LT(commit_lag(s), 20 * sim::kMillisecond);
}

TEST(PcclLoop, AnAbortDuringAnAsyncAllReduceRetriesWithoutRestartingTheInnerSteps) {
  TrainingLoop loop;
  loop.inner_steps = 3;
  loop.async = true;
  test::Harness h(loop_config(loop));
  for (int i = 0; i < 4; ++i) h.spawn();
  h.run_until(sim::kSecond);
  while (h.master().phase() != MasterPhase::collective) h.run_until(h.now() + sim::kMillisecond);
  h.run_until(h.now() + 2 * sim::kMillisecond);  // the ring is under way
  const sim::Time ring_start = h.now();
  const std::uint64_t steps = h.steps;
  h.kill(1);
  h.run_until(h.now() + 200 * sim::kMillisecond);
  ASSERT_FALSE(h.checker().failed()) << h.checker().violation();
  EXPECT_EQ(h.aborts, 1U);
  EXPECT_EQ(h.steps, steps + 1);                       // the retry completed with the survivors...
  EXPECT_EQ(h.peer(0).phase(), PeerPhase::computing);  // ...inside the inner steps
  const std::size_t abort_index = Message(AbortCollective{}).index();
  for (PeerId p : {0U, 2U, 3U}) EXPECT_EQ(h.received(p, abort_index), 1U) << p;
  // The inner steps end 300 ms after the first attempt began, not after the
  // retry; then the result goes in and the next step begins.
  const std::uint64_t revision = h.peer(0).revision();
  h.run_until(ring_start + 290 * sim::kMillisecond);
  EXPECT_EQ(h.peer(0).phase(), PeerPhase::computing);
  EXPECT_EQ(h.peer(0).revision(), revision);
  h.run_until(ring_start + 300 * sim::kMillisecond);
  EXPECT_NE(h.peer(0).phase(), PeerPhase::computing);
  EXPECT_EQ(h.peer(0).revision(), revision + 1);
  h.run_until(h.now() + 3 * sim::kSecond);
  EXPECT_FALSE(h.checker().failed()) << h.checker().violation();
  EXPECT_GT(h.steps, steps + 5);
}

TEST(PcclLoop, QuantisedAllReduceLeavesEverySurvivorWithTheSameBits) {
  for (Quantisation q : {Quantisation::fp16, Quantisation::int8}) {
    TrainingLoop loop;
    loop.quantisation = q;
    loop.concurrent_collectives = 2;
    test::Harness h(loop_config(loop));
    for (int i = 0; i < 5; ++i) h.spawn();
    h.run_until(sim::kSecond);
    h.kill(3);
    h.run_until(2 * sim::kSecond);
    ASSERT_FALSE(h.checker().failed()) << to_string(q) << ": " << h.checker().violation();
    // Compare every survivor's bytes directly, beyond the checker: stop
    // when all are finished with the same op.
    while (!(h.peer(0).phase() == PeerPhase::finished && h.peer(1).phase() == PeerPhase::finished &&
             h.peer(2).phase() == PeerPhase::finished &&
             h.peer(4).phase() == PeerPhase::finished)) {
      h.run_until(h.now() + sim::kMicrosecond * 100);
    }
    const std::vector<float>& first = h.peer(0).buffer();
    for (PeerId p : {1U, 2U, 4U}) {
      ASSERT_EQ(h.peer(p).op(), h.peer(0).op());
      EXPECT_EQ(std::memcmp(h.peer(p).buffer().data(), first.data(), first.size() * 4), 0)
          << to_string(q) << " peer " << p;
    }
    std::vector<std::vector<float>> in;
    for (PeerId p : {0U, 1U, 2U, 4U}) in.push_back(h.peer(p).input());
    EXPECT_NE(first, reference_allreduce(in)) << "quantisation changed nothing";
    EXPECT_EQ(first, reference_allreduce(in, h.peer(0).ring_shape()));
  }
}

TEST(PcclLoop, RandomChurnKeepsEveryInvariantWithEveryFeatureOn) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    TrainingLoop loop;
    loop.inner_steps = 1 + static_cast<std::uint32_t>(seed % 3);
    loop.async = seed % 2 == 0;
    loop.quantisation = static_cast<Quantisation>(seed % 3);
    loop.concurrent_collectives = 1 + static_cast<std::uint32_t>(seed % 4);
    test::Harness h(loop_config(loop), {sim::kSecond, 5 * sim::kSecond});
    sim::Rng rng(seed, "test.churn");
    std::vector<PeerId> live;
    for (int i = 0; i < 4; ++i) live.push_back(h.spawn());
    for (sim::Time t = 0; t < 60 * sim::kSecond;) {
      // Often within a ring: the rings take a few milliseconds here.
      t += static_cast<sim::Time>(rng.below(sim::kSecond));
      h.run_until(t);
      if (live.size() < 2 || (live.size() < 8 && rng.uniform() > 0.4)) {
        live.push_back(h.spawn());
      } else {
        const auto i = static_cast<std::ptrdiff_t>(rng.below(live.size()));
        if (rng.below(6) == 0) {
          h.stall(live[i]);
        } else {
          h.kill(live[i]);
        }
        live.erase(live.begin() + i);
      }
    }
    h.run_until(70 * sim::kSecond);
    ASSERT_FALSE(h.checker().failed()) << "seed " << seed << ": " << h.checker().violation();
    EXPECT_GT(h.steps, 5U) << seed;
  }
}

}  // namespace
}  // namespace spinel::pccl
