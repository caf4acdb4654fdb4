// The workload graph: validation of programs, and the executor against
// closed forms, against CollectiveRun, and on programs that cannot finish.
#include <gtest/gtest.h>

#include <memory>

#include "fabric.hpp"
#include "workloads/collectives.hpp"
#include "workloads/graph/graph_run.hpp"
#include "workloads/graph/iteration_stats.hpp"
#include "workloads/graph/program.hpp"

namespace spinel::workloads::graph {
namespace {

using testing::Fabric;
using testing::leaf_spine;

constexpr double kHopPs = 500'000.0;  // the default 500 ns per link

Op compute(sim::Time ps) {
  Op op;
  op.kind = OpKind::compute;
  op.duration_ps = ps;
  return op;
}

Op collective(std::uint32_t communicator, Collective kind, std::uint64_t bytes) {
  Op op;
  op.kind = OpKind::collective;
  op.communicator = communicator;
  op.collective = kind;
  op.size_bytes = bytes;
  return op;
}

Op p2p(OpKind kind, std::uint32_t peer, std::uint64_t bytes, std::uint32_t tag = 0) {
  Op op;
  op.kind = kind;
  op.peer = peer;
  op.size_bytes = bytes;
  op.tag = tag;
  return op;
}

std::vector<topology::HostId> first_hosts(std::uint32_t n) {
  std::vector<topology::HostId> v(n);
  for (std::uint32_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

// Runs `program` on ranks 0..n-1 of a non-blocking 2-leaf fabric of 400 Gb/s.
struct Harness {
  explicit Harness(Program p, transport::PathPolicy policy = transport::PathPolicy::ecmp)
      : fabric(leaf_spine(2, 4, 4), policy), program(std::make_shared<Program>(std::move(p))) {
    EXPECT_EQ(validate(*program), "");
    run = std::make_unique<GraphRun>(fabric.sim, fabric.transport, fabric.topology, fabric.routing,
                                     first_hosts(program->rank_count()), program, GraphOptions{});
    run->start(0);
    fabric.sim.run();
  }
  Fabric fabric;
  std::shared_ptr<const Program> program;
  std::unique_ptr<GraphRun> run;
};

Program ranks(std::uint32_t n) {
  Program p;
  p.ranks.resize(n);
  return p;
}

TEST(GraphValidate, AcceptsAMatchedProgram) {
  Program p = ranks(2);
  const std::uint32_t c = p.communicator("world", {0, 1});
  p.ranks[0].add(collective(c, Collective::ring_allreduce, 1024));
  p.ranks[1].add(collective(c, Collective::ring_allreduce, 1024));
  p.ranks[0].add(p2p(OpKind::send, 1, 64), {0});
  p.ranks[1].add(p2p(OpKind::recv, 0, 64), {0});
  EXPECT_EQ(validate(p), "");
}

TEST(GraphValidate, NamesTheFaultyRankAndOp) {
  {
    Program p = ranks(1);
    p.ranks[0].add(compute(1));
    p.ranks[0].ops.push_back(compute(1));  // a dependency on itself, by hand
    p.ranks[0].deps.push_back(1);
    p.ranks[0].dep_begin.push_back(2);
    EXPECT_NE(validate(p).find("rank 0 op 1: depends on op 1"), std::string::npos) << validate(p);
  }
  {
    Program p = ranks(3);
    const std::uint32_t c = p.communicator("tp", {0, 1});
    p.ranks[2].add(collective(c, Collective::ring_allreduce, 8));
    EXPECT_NE(validate(p).find("rank 2 op 0: a collective on communicator tp, which the rank is "
                               "not in"),
              std::string::npos)
        << validate(p);
  }
  {
    Program p = ranks(2);
    const std::uint32_t c = p.communicator("dp", {0, 1});
    p.ranks[0].add(collective(c, Collective::ring_allreduce, 8));
    p.ranks[1].add(collective(c, Collective::all_gather, 8));
    EXPECT_NE(validate(p).find("communicator dp: collective 0 of rank 1 (all_gather, 8 bytes) "
                               "differs from rank 0's (ring_allreduce, 8 bytes)"),
              std::string::npos)
        << validate(p);
  }
  {
    Program p = ranks(2);
    const std::uint32_t c = p.communicator("dp", {1, 0});
    p.ranks[0].add(collective(c, Collective::ring_allreduce, 8));
    EXPECT_NE(validate(p).find("rank 0 calls 1 collectives on it, rank 1 calls 0"),
              std::string::npos)
        << validate(p);
  }
  {
    Program p = ranks(2);
    p.ranks[0].add(p2p(OpKind::send, 1, 8, 3));
    EXPECT_NE(validate(p).find("rank 0 op 0: a send to rank 1 (tag 3) that rank 1 never receives"),
              std::string::npos)
        << validate(p);
  }
  {
    Program p = ranks(2);
    p.ranks[0].add(p2p(OpKind::send, 1, 8));
    p.ranks[1].add(p2p(OpKind::recv, 0, 16));
    EXPECT_NE(validate(p).find("sends 8 bytes to rank 1, whose matching receive (op 0) expects 16"),
              std::string::npos)
        << validate(p);
  }
  {
    Program p = ranks(2);
    p.ranks[1].add(p2p(OpKind::recv, 1, 16));
    EXPECT_NE(validate(p).find("peer 1"), std::string::npos) << validate(p);
  }
}

// One GPU per rank: ready compute ops queue for it.
TEST(GraphRun, ComputeOpsOfARankRunOneAtATime) {
  Program p = ranks(2);
  const std::uint32_t a = p.ranks[0].add(compute(100));
  p.ranks[0].add(compute(50));       // ready at 0 too, waits for the GPU
  p.ranks[0].add(compute(10), {a});  // ready at 100, behind the 50
  p.ranks[1].add(compute(7));
  Harness h(std::move(p));
  ASSERT_TRUE(h.run->finished());
  EXPECT_EQ(h.run->timing(0, 0).end_ps, 100);
  EXPECT_EQ(h.run->timing(0, 1).start_ps, 100);
  EXPECT_EQ(h.run->timing(0, 1).end_ps, 150);
  EXPECT_EQ(h.run->timing(0, 2).start_ps, 150);
  EXPECT_EQ(h.run->timing(0, 2).end_ps, 160);
  EXPECT_EQ(h.run->timing(1, 0).end_ps, 7);
  EXPECT_EQ(h.run->end_ps(), 160);
}

// A send across the fabric takes size / rate plus the path's latency (host
// link, leaf, spine, leaf, host: 4 hops), after the compute it waits for.
TEST(GraphRun, SendAndReceiveTakeTheClosedForm) {
  constexpr std::uint64_t kBytes = 4 << 20;
  Program p = ranks(5);
  const std::uint32_t c = p.ranks[0].add(compute(1'000'000));
  p.ranks[0].add(p2p(OpKind::send, 4, kBytes), {c});
  p.ranks[4].add(p2p(OpKind::recv, 0, kBytes));
  Harness h(std::move(p));
  ASSERT_TRUE(h.run->finished());
  const double expected = 1e6 + kBytes * 8000.0 / 400.0 + 4 * kHopPs;
  EXPECT_NEAR(static_cast<double>(h.run->timing(4, 0).end_ps), expected, expected * 1e-3);
  EXPECT_EQ(h.run->timing(4, 0).start_ps, 0);  // posted at once, waiting for the data
  EXPECT_EQ(h.run->timing(0, 1).end_ps, h.run->timing(4, 0).end_ps);
}

// A receive posted after its data arrived completes when it is posted.
TEST(GraphRun, AReceivePostedLateTakesBufferedData) {
  Program p = ranks(5);
  p.ranks[0].add(p2p(OpKind::send, 4, 1024));
  const std::uint32_t late = p.ranks[4].add(compute(50'000'000));
  p.ranks[4].add(p2p(OpKind::recv, 0, 1024), {late});
  Harness h(std::move(p));
  ASSERT_TRUE(h.run->finished());
  EXPECT_LT(h.run->timing(0, 0).end_ps, 50'000'000);
  EXPECT_EQ(h.run->timing(4, 1).end_ps, 50'000'000);
}

// A lone collective in a graph takes what CollectiveRun gives it alone.
TEST(GraphRun, ACollectiveMatchesTheExecutorRunAlone) {
  constexpr std::uint32_t kN = 8;
  constexpr std::uint64_t kBytes = 16 << 20;
  Program p = ranks(kN);
  std::vector<std::uint32_t> all(kN);
  for (std::uint32_t r = 0; r < kN; ++r) all[r] = r;
  const std::uint32_t world = p.communicator("world", all);
  for (std::uint32_t r = 0; r < kN; ++r) {
    p.ranks[r].add(collective(world, Collective::ring_allreduce, kBytes));
  }
  Harness h(std::move(p));
  ASSERT_TRUE(h.run->finished());
  const auto results = h.run->collective_results();
  ASSERT_EQ(results.size(), 1U);

  Fabric alone(leaf_spine(2, 4, 4));
  CollectiveOptions options;
  options.size_bytes = kBytes;
  CollectiveRun run(alone.sim, alone.transport, first_hosts(kN),
                    make_schedule(Collective::ring_allreduce, kN, kBytes), options);
  run.start(0);
  alone.sim.run();
  EXPECT_EQ(results[0].duration_ps(), run.results().at(0).duration_ps());
  EXPECT_EQ(h.run->timing(3, 0).end_ps, results[0].end_ps);
  EXPECT_EQ(h.run->communicator_of(results[0].collective_id), world);
}

// Tensor-parallel pairs inside a leaf and data-parallel pairs across the
// spine (sprayed, so that no hash collision slows them), all at once on the
// same ranks: each communicator on its own connections, the eight
// all-reduces concurrent, each rank's NIC shared by its two communicators.
TEST(GraphRun, CollectivesOnDifferentCommunicatorsRunConcurrently) {
  constexpr std::uint64_t kBytes = 8 << 20;
  Program p = ranks(8);
  // tp: {0,1} {2,3} on leaf 0, {4,5} {6,7} on leaf 1; dp: {0,4} {1,5} {2,6} {3,7}.
  std::vector<std::uint32_t> tp(8);
  std::vector<std::uint32_t> dp(8);
  for (std::uint32_t g = 0; g < 4; ++g) {
    const std::uint32_t t = p.communicator("tp." + std::to_string(g), {2 * g, 2 * g + 1});
    tp[2 * g] = tp[2 * g + 1] = t;
    const std::uint32_t d = p.communicator("dp." + std::to_string(g), {g, g + 4});
    dp[g] = dp[g + 4] = d;
  }
  for (std::uint32_t r = 0; r < 8; ++r) {
    p.ranks[r].add(collective(tp[r], Collective::ring_allreduce, kBytes));
    p.ranks[r].add(collective(dp[r], Collective::ring_allreduce, kBytes));
  }
  Harness h(std::move(p), transport::PathPolicy::spray);
  ASSERT_TRUE(h.run->finished());
  // A 2-rank ring all-reduce moves S/2 twice each way; alone it would take
  // 2 * (S/2)/B + latency. Both at once on one NIC: each gets half of it.
  const double alone_ps = kBytes * 8000.0 / 400.0;
  const auto results = h.run->collective_results();
  ASSERT_EQ(results.size(), 8U);
  for (const CollectiveResult& c : results) {
    EXPECT_EQ(c.start_ps, 0);
    EXPECT_GT(static_cast<double>(c.duration_ps()), 1.9 * alone_ps);
    EXPECT_LT(static_cast<double>(c.duration_ps()), 2.1 * alone_ps + 20 * kHopPs);
  }
  EXPECT_EQ(h.run->channels(), 8U);
}

// Collectives on one communicator run one after the other, in program order,
// even when the second is ready first.
TEST(GraphRun, CollectivesOnOneCommunicatorRunInProgramOrder) {
  Program q = ranks(5);
  const std::uint32_t pair = q.communicator("pair", {0, 4});
  for (const std::uint32_t r : {0U, 4U}) {
    const std::uint32_t slow = q.ranks[r].add(compute(30'000'000));
    q.ranks[r].add(collective(pair, Collective::ring_allreduce, 1 << 20), {slow});
    q.ranks[r].add(collective(pair, Collective::all_gather, 1 << 20));  // ready at once
  }
  Harness h(std::move(q));
  ASSERT_TRUE(h.run->finished());
  EXPECT_GE(h.run->timing(0, 2).end_ps, h.run->timing(0, 1).end_ps);
  const auto results = h.run->collective_results();
  ASSERT_EQ(results.size(), 2U);
  EXPECT_GE(results[0].start_ps, 30'000'000);
  EXPECT_GE(results[1].start_ps, results[0].end_ps);
}

// Both ranks wait to receive before they send: the program is matched, so
// it validates, but it cannot run; the run says which ops are stuck.
TEST(GraphRun, ADeadlockNamesTheBlockedRanksAndOps) {
  Program p = ranks(5);
  p.labels.push_back("wait for 4");
  Op r0 = p2p(OpKind::recv, 4, 64);
  r0.label = 1;
  const std::uint32_t a = p.ranks[0].add(r0);
  p.ranks[0].add(p2p(OpKind::send, 4, 64), {a});
  const std::uint32_t b = p.ranks[4].add(p2p(OpKind::recv, 0, 64));
  p.ranks[4].add(p2p(OpKind::send, 0, 64), {b});
  Harness h(std::move(p));
  EXPECT_FALSE(h.run->finished());
  const std::string why = h.run->blocked();
  EXPECT_NE(why.find("rank 0 op 0 (wait for 4): receive from rank 4 tag 0, whose send never "
                     "starts"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("rank 4 op 0: receive from rank 0"), std::string::npos) << why;
}

// The same program gives the same timings twice (and every byte sent is
// delivered).
TEST(GraphRun, IsDeterministicAndConservesBytes) {
  auto make = [] {
    Program p = ranks(8);
    std::vector<std::uint32_t> all{0, 1, 2, 3, 4, 5, 6, 7};
    const std::uint32_t world = p.communicator("world", all);
    for (std::uint32_t r = 0; r < 8; ++r) {
      const std::uint32_t c = p.ranks[r].add(compute(1000 * (r + 1)));
      const std::uint32_t x =
          p.ranks[r].add(collective(world, Collective::all_to_all, 1 << 20), {c});
      if (r % 2 == 0) p.ranks[r].add(p2p(OpKind::send, r + 1, 4096, 7), {x});
      if (r % 2 == 1) p.ranks[r].add(p2p(OpKind::recv, r - 1, 4096, 7), {x});
    }
    return p;
  };
  Harness a(make());
  Harness b(make());
  ASSERT_TRUE(a.run->finished());
  for (std::uint32_t r = 0; r < 8; ++r) {
    for (std::uint32_t i = 0; i < a.program->ranks[r].size(); ++i) {
      EXPECT_EQ(a.run->timing(r, i).end_ps, b.run->timing(r, i).end_ps);
    }
  }
  const auto totals = a.fabric.model.totals();
  EXPECT_EQ(totals.bytes_delivered, totals.bytes_sent);
  EXPECT_GT(totals.bytes_sent, 0U);
}

// GPipe on p stages of one rank each (ranks 0, 4, ... across the spine), m
// micro-batches, forward f and backward 2f, activations of a few bytes (so
// communication is all but free): the iteration takes (m + p - 1)(f + 2f)
// and each stage idles (p - 1) / (m + p - 1) of it, the textbook bubble.
Program gpipe(std::uint32_t p, std::uint32_t m, sim::Time f) {
  Program prog = ranks(4 * (p - 1) + 1);
  const std::uint32_t pp = prog.communicator("pp.0", {});
  for (std::uint32_t s = 0; s < p; ++s) prog.communicators[pp].ranks.push_back(4 * s);
  for (std::uint32_t s = 0; s < p; ++s) {
    RankProgram& rp = prog.ranks[4 * s];
    const std::uint32_t prev = 4 * s - 4;
    const std::uint32_t next = 4 * s + 4;
    std::vector<std::uint32_t> forward(m);
    for (std::uint32_t j = 0; j < m; ++j) {  // forwards
      std::vector<std::uint32_t> after;
      if (s > 0) {
        Op in = p2p(OpKind::recv, prev, 8, j);
        in.communicator = pp;
        after.push_back(rp.add(in));
      }
      const std::uint32_t fwd = rp.add(compute(f), after);
      forward[j] = fwd;
      if (s + 1 < p) {
        Op out = p2p(OpKind::send, next, 8, j);
        out.communicator = pp;
        rp.add(out, {fwd});
      }
    }
    for (std::uint32_t j = 0; j < m; ++j) {  // backwards, each after its own forward
      std::vector<std::uint32_t> after{forward[j]};
      if (s + 1 < p) {
        Op in = p2p(OpKind::recv, next, 8, 1000 + j);
        in.communicator = pp;
        after.push_back(rp.add(in));
      }
      const std::uint32_t bwd = rp.add(compute(2 * f), after);
      if (s > 0) {
        Op out = p2p(OpKind::send, prev, 8, 1000 + j);
        out.communicator = pp;
        rp.add(out, {bwd});
      }
    }
  }
  return prog;  // the ranks between the stages have nothing to do
}

TEST(GraphStats, GPipeBubbleIsTheTextbookFraction) {
  constexpr sim::Time kF = 1'000'000'000;  // 1 ms: latencies of a few us are noise
  for (const auto& [p, m] : {std::pair{2U, 4U}, std::pair{2U, 8U}}) {
    Harness h(gpipe(p, m, kF));
    ASSERT_TRUE(h.run->finished());
    const auto stats = iteration_stats(*h.run);
    ASSERT_EQ(stats.size(), 1U);
    const double span = static_cast<double>(stats[0].duration_ps());
    // Plus one path latency (4 hops) each way between the stages.
    EXPECT_NEAR(span, (m + p - 1) * 3.0 * kF + 2 * 4 * kHopPs, 1e-6 * span);
    // Means over every rank of the program, idle ones included: take the
    // stages' own share back out of them.
    const double ranks_in_program = h.program->rank_count();
    const double stage_idle =
        (static_cast<double>(stats[0].bubble_ps + stats[0].exposed_comm_ps) * ranks_in_program -
         (ranks_in_program - p) * span) /
        p;
    EXPECT_NEAR(stage_idle / span, (p - 1.0) / (m + p - 1.0), 1e-3) << p << " " << m;
    EXPECT_EQ(stats[0].compute_ps * h.program->rank_count(), p * m * 3 * kF);
  }
}

// Overlapped: a data-parallel all-reduce that runs during the next compute
// is hidden; one the rank then waits on is exposed, under its group.
TEST(GraphStats, ExposedCommunicationIsWhatComputeDidNotHide) {
  Program p = ranks(5);
  const std::uint32_t dp = p.communicator("dp.0", {0, 4});
  for (const std::uint32_t r : {0U, 4U}) {
    const std::uint32_t a = p.ranks[r].add(compute(1'000'000));
    const std::uint32_t ar =
        p.ranks[r].add(collective(dp, Collective::ring_allreduce, 64 << 20), {a});
    const std::uint32_t b = p.ranks[r].add(compute(100'000'000), {a});  // overlaps the all-reduce
    p.ranks[r].add(compute(1'000'000), {ar, b});
  }
  Harness h(std::move(p));
  ASSERT_TRUE(h.run->finished());
  const auto s = iteration_stats(*h.run).at(0);
  const sim::Time ar_end = h.run->timing(0, 1).end_ps;
  ASSERT_GT(ar_end, 101'000'000);  // 64 MiB at 400 Gb/s takes ~1.3 ms: longer than the compute
  // Ranks 0 and 4 each expose ar_end - 101 us; ranks 1-3 have no ops.
  EXPECT_EQ(s.exposed_comm_ps, 2 * (ar_end - 101'000'000) / 5);
  EXPECT_EQ(s.exposed_by_group_ps.at("dp"), s.exposed_comm_ps);
  EXPECT_EQ(s.compute_ps, 2 * 102'000'000 / 5);
}

// repeat() chains iterations per rank, and the collectives of every copy
// match up, so the run has one instance per iteration.
TEST(GraphStats, RepeatedIterationsFollowEachOther) {
  Program once = ranks(5);
  const std::uint32_t dp = once.communicator("dp.0", {0, 4});
  for (const std::uint32_t r : {0U, 4U}) {
    const std::uint32_t a = once.ranks[r].add(compute(10'000'000));
    once.ranks[r].add(collective(dp, Collective::ring_allreduce, 1 << 20), {a});
  }
  Program three = repeat(once, 3);
  EXPECT_EQ(three.iterations, 3U);
  EXPECT_EQ(validate(three), "");
  Harness h(std::move(three));
  ASSERT_TRUE(h.run->finished());
  const auto stats = iteration_stats(*h.run);
  ASSERT_EQ(stats.size(), 3U);
  EXPECT_EQ(stats[1].start_ps, stats[0].end_ps);
  EXPECT_EQ(stats[2].start_ps, stats[1].end_ps);
  EXPECT_EQ(h.run->collective_results().size(), 3U);
  EXPECT_EQ(stats[0].duration_ps(), stats[2].duration_ps());
}

}  // namespace
}  // namespace spinel::workloads::graph
