// Graph jobs from a scenario: `parallel`, `groups` and `program` keys, their
// located errors, and whole runs through the library (the shipped example,
// its result files, a deadlock).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "test_support.hpp"
#include "tools/sweep/sweep.hpp"

namespace spinel::api {
namespace {

namespace fs = std::filesystem;
using testing::slurp;

const std::string kHead = R"(name: g
topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4}
)";

scenario::Scenario load(const std::string& workload) {
  return scenario::load_string(kHead + workload, "g.yaml");
}

std::string error_of(const std::string& workload) {
  return testing::error_of_loading([](const std::string& y) { return load(y); }, workload);
}

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(GraphScenario, ParallelDegreesMakeTheGroups) {
  const scenario::Scenario s = load(R"(workload:
  parallel: {tp: 2, pp: 2, dp: 2}
  program:
    - {compute: 1us}
    - {collective: ring_allreduce, group: tp, size_bytes: 1MiB}
)");
  ASSERT_EQ(s.jobs.size(), 1U);
  const auto& p = *s.jobs[0].program;
  EXPECT_EQ(p.rank_count(), 8U);
  ASSERT_EQ(p.communicators.size(), 12U);  // 4 tp, 4 pp, 4 dp groups of 2
  EXPECT_EQ(p.communicators[0].name, "tp.0");
  EXPECT_EQ(p.communicators[0].ranks, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(p.communicators[4].name, "pp.0");
  EXPECT_EQ(p.communicators[4].ranks, (std::vector<std::uint32_t>{0, 2}));
  EXPECT_EQ(p.communicators[8].name, "dp.0");
  EXPECT_EQ(p.communicators[8].ranks, (std::vector<std::uint32_t>{0, 4}));
  // Rank 5 (t 1, p 0, d 1) all-reduces on its own tp group, tp.2 = {4, 5}.
  EXPECT_EQ(p.communicators[p.ranks[5].ops[1].communicator].name, "tp.2");
}

TEST(GraphScenario, ErrorsAreLocated) {
  EXPECT_EQ(error_of("workload:\n  parallel: {tp: 2, dp: 2}\n  program: [{compute: 1us}]\n"),
            "g.yaml:4:13: workload.parallel: tp * pp * dp = 4, but the job has 8 ranks (hosts "
            "times GPUs per server); make the product match");
  EXPECT_EQ(error_of("workload:\n  parallel: {dp: 8, ep: 3}\n  program: [{compute: 1us}]\n"),
            "g.yaml:4:25: workload.parallel.ep: expert-parallel groups are made of data-parallel "
            "replicas: ep (3) must divide dp (8)");
  EXPECT_EQ(error_of("workload:\n  parallel: {dp: 8}\n  program:\n    - {collective: "
                     "ring_allreduce, group: ep, size_bytes: 1MiB}\n"),
            "g.yaml:6:43: workload.program[0].group: no group \"ep\"; this job has tp, pp, dp");
  EXPECT_EQ(
      error_of("workload:\n  parallel: {pp: 8}\n  program:\n    - {send: next, group: pp, "
               "size_bytes: 1MiB}\n"),
      "g.yaml:6:7: workload.program[0]: this send has no matching receive: add a `recv: prev` on "
      "group pp (the k-th send pairs with the k-th receive)");
  EXPECT_EQ(error_of("workload:\n  parallel: {pp: 8}\n  program:\n    - {send: next, group: pp, "
                     "size_bytes: 1MiB}\n    - {recv: prev, group: pp, size_bytes: 2MiB}\n"),
            "g.yaml:7:7: workload.program[1]: this receive expects 2097152 bytes, but its send "
            "(the 1th on group pp) sends 1048576");
  EXPECT_EQ(error_of("workload:\n  parallel: {dp: 8}\n  program:\n    - {compute: 1us, after: "
                     "[later]}\n    - {name: later, compute: 1us}\n"),
            "g.yaml:6:30: workload.program[0].after[0]: no earlier op is named \"later\"; after "
            "names ops above this one (a dependency on a later op would be a cycle)");
  EXPECT_EQ(error_of("workload:\n  parallel: {dp: 8}\n  program:\n    - {compute: 1us, "
                     "collective: all_gather}\n"),
            "g.yaml:6:7: workload.program[0]: an op is only one of compute (a duration), "
            "collective (a kind), send or recv (next or prev)");
  EXPECT_STARTS_WITH(error_of("workload:\n  collective: ring_allreduce\n  size_bytes: 1MiB\n  "
                              "program: [{compute: 1us}]\n"),
                     "g.yaml:4:3: workload.collective: a job with a program runs its ops;");
  EXPECT_EQ(error_of("workload:\n  parallel: {dp: 8}\n"),
            "g.yaml:4:3: workload.parallel: this key belongs to a workload graph: give a program "
            "(or a transformer) too");
  EXPECT_EQ(error_of("workload:\n  groups: [{name: pair, ranks: [0, 9]}]\n  program: [{compute: "
                     "1us}]\n"),
            "g.yaml:4:36: workload.groups[0].ranks[1]: expected a rank of the job from 0 to 7, got "
            "\"9\"");
}

// The shipped example runs to the end, its collectives name their
// communicators, and its breakdown adds up to each iteration.
TEST(GraphScenario, TheHybridExampleRunsAndExplainsItsIterations) {
  const scenario::Scenario s =
      scenario::load_file(std::string(SPINEL_SOURCE_DIR) + "/scenarios/hybrid_example.yaml");
  const fs::path dir = testing::scratch_folder("spinel_test_", "hybrid");
  const Results r = run(s, RunOptions(dir));
  ASSERT_EQ(r.jobs.size(), 1U);
  const JobResults& job = r.jobs[0];
  EXPECT_TRUE(job.finished);
  ASSERT_EQ(job.breakdown.size(), 3U);
  sim::Time compute = 0;
  for (const auto& it : job.breakdown) {
    EXPECT_EQ(it.compute_ps + it.exposed_comm_ps + it.bubble_ps, it.duration_ps());
    EXPECT_GT(it.exposed_by_group_ps.at("dp"), 0);
    EXPECT_GT(it.bubble_ps, 0);  // stage 1 waits for stage 0's forward
    compute += it.compute_ps;
  }
  // 2 ms forward + 4 ms backward on every rank, per iteration; windows tile the run.
  EXPECT_EQ(compute, 3 * 6'000'000'000LL);
  EXPECT_EQ(job.breakdown[1].start_ps, job.breakdown[0].end_ps);
  // 2 tp all-reduces per iteration on each of 4 tp groups, 1 dp all-reduce on each of 16.
  EXPECT_EQ(job.collectives.size(), 3U * (2 * 4 + 16));
  const std::string collectives = slurp(dir / "collectives.csv");
  EXPECT_NE(collectives.find(",tp.3\n"), std::string::npos);
  EXPECT_NE(collectives.find(",dp.15\n"), std::string::npos);
  // Each rank: 9 templates minus the pipeline ops its stage skips (2).
  EXPECT_EQ(lines(slurp(dir / "ops.csv")), 1 + 3U * 32 * 7);
  EXPECT_EQ(lines(slurp(dir / "iteration_breakdown.csv")), 1 + 3U * (3 + 3));
  const std::string iterations = slurp(dir / "iterations.csv");
  EXPECT_EQ(lines(iterations), 4U);
  // Deterministic, to the byte.
  const fs::path again = testing::scratch_folder("spinel_test_", "hybrid_again");
  run(s, RunOptions(again));
  for (const char* f : {"collectives.csv", "ops.csv", "iteration_breakdown.csv", "summary.json"}) {
    EXPECT_EQ(slurp(dir / f), slurp(again / f)) << f;
  }
}

// trace.json puts every op on a track of its rank's host: compute, then each
// communicator the rank uses (its sends on the pipeline group's track).
TEST(GraphScenario, TheTraceHasATrackPerCommunicatorPerRank) {
  scenario::Scenario s =
      scenario::load_file(std::string(SPINEL_SOURCE_DIR) + "/scenarios/hybrid_example.yaml");
  s.output.trace = true;
  s.jobs[0].iterations = 1;
  const fs::path dir = testing::scratch_folder("spinel_test_", "hybrid_trace");
  run(s, RunOptions(dir));
  const std::string trace = slurp(dir / "trace.json");
  // Rank 0 (host 0): compute, tp.0, pp.0 (its send to stage 1), dp.0, in the order used.
  for (const char* track :
       {R"("pid":0,"tid":2,"args":{"name":"compute"})", R"("pid":0,"tid":3,"args":{"name":"tp.0"})",
        R"("pid":0,"tid":4,"args":{"name":"pp.0"})", R"("pid":0,"tid":5,"args":{"name":"dp.0"})"}) {
    EXPECT_NE(trace.find(track), std::string::npos) << track;
  }
  EXPECT_NE(trace.find(R"({"name":"fwd","cat":"compute","ph":"X","ts":0.000000,"dur":2000.000000,)"
                       R"("pid":0,"tid":2,"args":{"rank":0,"op":0,"bytes":0}})"),
            std::string::npos);
  EXPECT_NE(trace.find(R"("name":"dp_sync","cat":"collective")"), std::string::npos);
}

// Explicit groups may overlap the parallel ones; ranks outside a named
// group skip its ops. A program whose receives wait for sends that come
// after them on the other rank deadlocks: the run says which ops.
TEST(GraphScenario, ADeadlockedProgramStopsWithTheBlockedOps) {
  const scenario::Scenario s = load(R"(workload:
  parallel: {dp: 8}
  groups: [{name: pair, ranks: [0, 5]}]
  program:
    - {name: wait, recv: prev, group: pair, size_bytes: 1KiB}
    - {name: reply, recv: next, group: pair, size_bytes: 1KiB}
    - {send: next, group: pair, size_bytes: 1KiB}
    - {send: prev, group: pair, size_bytes: 1KiB}
)");
  try {
    run(s, RunOptions{});
    FAIL() << "no error";
  } catch (const sim::ScenarioError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("job job0 cannot finish"), std::string::npos) << what;
    EXPECT_NE(what.find("rank 0 op 0 (reply): receive from rank 5 tag 0, whose send never starts"),
              std::string::npos)
        << what;
  }
}

// The parallel degrees sweep, together (zip) so that their product stays
// the job's rank count; each point's program has its own groups.
TEST(GraphScenario, ParallelDegreesSweep) {
  const sweep::Sweep sw = sweep::load_sweep_string(kHead + R"(workload:
  parallel: {tp: 2, pp: 1, dp: 4, ep: 1}
  program:
    - {compute: 1us}
    - {collective: ring_allreduce, group: tp, size_bytes: 1MiB}
sweep:
  zip:
    - workload.parallel.tp: [2, 4]
      workload.parallel.pp: [2, 1]
      workload.parallel.dp: [2, 2]
      workload.parallel.ep: [2, 1]
)",
                                                   "g.yaml");
  ASSERT_EQ(sw.points.size(), 2U);
  const auto first = sw.scenario_of(sw.points[0]);
  const auto second = sw.scenario_of(sw.points[1]);
  EXPECT_EQ(first.jobs[0].program->communicators.front().ranks.size(), 2U);
  EXPECT_EQ(second.jobs[0].program->communicators.front().ranks.size(), 4U);
  // ep 2 adds the ep and edp groups: 4 tp + 4 pp + 4 dp + 4 ep + 8 edp (of one rank).
  EXPECT_EQ(first.jobs[0].program->communicators.size(), 24U);
}

// The transformer's sizes and settings sweep: each point's program is
// generated from its own model (its compute and its volumes follow).
TEST(GraphScenario, TransformerSizesSweep) {
  const sweep::Sweep sw = sweep::load_sweep_string(kHead + R"(workload:
  parallel: {tp: 2, pp: 2, dp: 2}
  transformer:
    layers: 4
    hidden_size: 1024
    sequence_length: 512
    global_batch_size: 8
    layer_forward: 100us
    moe: {experts: 2, top_k: 1, every: 2}
sweep:
  grid:
    workload.transformer.layers: [4, 8]
    workload.transformer.hidden_size: [1024, 2048]
  zip:
    - workload.transformer.micro_batch_size: [1, 2]
      workload.transformer.schedule: [gpipe, one_f_one_b]
      workload.transformer.layer_forward: [100us, 200us]
      workload.transformer.moe.top_k: [1, 2]
      workload.transformer.sequence_parallel: [false, true]
      workload.compute_scale: [1, 0.5]
)",
                                                   "g.yaml");
  ASSERT_EQ(sw.points.size(), 8U);
  std::set<std::size_t> op_counts;
  std::set<std::uint64_t> tp_bytes;
  for (const auto& point : sw.points) {
    const scenario::Scenario s = sw.scenario_of(point);
    const auto& p = *s.jobs[0].program;
    op_counts.insert(p.op_count());
    std::uint64_t bytes = 0;
    for (const auto& op : p.ranks[0].ops) {
      if (op.kind == workloads::graph::OpKind::collective &&
          p.communicators[op.communicator].name.starts_with("tp.")) {
        bytes += op.size_bytes;
      }
    }
    tp_bytes.insert(bytes);
  }
  // More layers, more ops; a wider model or a larger micro-batch, more bytes.
  EXPECT_GE(op_counts.size(), 2U);
  EXPECT_GE(tp_bytes.size(), 3U);
  const scenario::Scenario last = sw.scenario_of(sw.points.back());
  EXPECT_EQ(last.jobs[0].compute_scale, 0.5);
}

// The same executor at packet level: a small pipeline with tensor and data
// parallel groups finishes, every payload byte delivered, deterministically.
TEST(GraphScenario, RunsAtPacketLevel) {
  const scenario::Scenario s = load(R"(transport: {model: packet, policy: spray}
workload:
  parallel: {tp: 2, pp: 2, dp: 2}
  iterations: 2
  program:
    - {name: act_in, recv: prev, group: pp, size_bytes: 64KiB}
    - {name: fwd, compute: 20us}
    - {collective: ring_allreduce, group: tp, size_bytes: 128KiB}
    - {send: next, group: pp, size_bytes: 64KiB}
    - {name: sync, collective: ring_allreduce, group: dp, size_bytes: 256KiB}
)");
  const Results a = run(s, RunOptions{});
  ASSERT_TRUE(a.packets.has_value());
  ASSERT_EQ(a.jobs.size(), 1U);
  EXPECT_TRUE(a.jobs[0].finished);
  EXPECT_EQ(a.jobs[0].breakdown.size(), 2U);
  EXPECT_EQ(a.flows.bytes_delivered, a.flows.bytes_sent);
  const Results b = run(s, RunOptions{});
  EXPECT_EQ(a.end_ps, b.end_ps);
  EXPECT_EQ(a.jobs[0].breakdown[1].end_ps, b.jobs[0].breakdown[1].end_ps);
}

// The transformer generator from a scenario: the shipped example runs, its
// bubble is there (4 stages, 8 micro-batches: at least (p-1)/(m+p-1) of the
// iteration idles), and its checks are located at their keys.
TEST(GraphScenario, TheTransformerExampleRuns) {
  const scenario::Scenario s =
      scenario::load_file(std::string(SPINEL_SOURCE_DIR) + "/scenarios/transformer_example.yaml");
  const Results r = run(s, RunOptions{});
  ASSERT_EQ(r.jobs.size(), 1U);
  const JobResults& job = r.jobs[0];
  EXPECT_TRUE(job.finished);
  ASSERT_EQ(job.breakdown.size(), 2U);
  const auto& it = job.breakdown[1];
  EXPECT_EQ(it.compute_ps + it.exposed_comm_ps + it.bubble_ps, it.duration_ps());
  const double idle = static_cast<double>(it.duration_ps() - it.compute_ps);
  EXPECT_GE(idle / static_cast<double>(it.duration_ps()), 3.0 / 11.0 - 1e-9);
  EXPECT_GT(it.exposed_by_group_ps.at("dp"), 0);
  EXPECT_GT(it.exposed_by_group_ps.at("tp"), 0);
}

TEST(GraphScenario, TransformerErrorsAreLocated) {
  const std::string base = R"(workload:
  parallel: {tp: 2, pp: 2, dp: 2}
  transformer: {layers: 4, hidden_size: 64, sequence_length: 128, global_batch_size: 8,
                layer_forward: 1ms, heads: 3}
)";
  EXPECT_EQ(error_of(base), "g.yaml:4:13: workload.parallel: tp: 2 does not divide heads (3)");
  EXPECT_STARTS_WITH(
      error_of("workload:\n  transformer: {layers: 4, hidden_size: 64, sequence_length: 128, "
               "global_batch_size: 8}\n"),
      "g.yaml:4:3: workload.transformer: the transformer needs parallel");
  EXPECT_STARTS_WITH(error_of("workload:\n  parallel: {tp: 2, pp: 2, dp: 2}\n  transformer: "
                              "{layers: 3, hidden_size: 64, sequence_length: 128, "
                              "global_batch_size: 8, layer_forward: 1ms}\n"),
                     "g.yaml:4:13: workload.parallel: pp: ");
}

}  // namespace
}  // namespace spinel::api
