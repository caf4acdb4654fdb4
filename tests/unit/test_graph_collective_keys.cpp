// A program's rooted collectives (`root`) and all-to-allv (`matrix_bytes`):
// loaded onto the ops, run with the root and the sizes given, and every
// mistake in them a located error.
#include <gtest/gtest.h>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "test_support.hpp"

namespace spinel::api {
namespace {

// 8 hosts of one GPU: every transfer crosses the fabric.
const std::string kHead = R"(name: k
topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4}
workload:
  parallel: {dp: 2, pp: 4}
  program:
)";

scenario::Scenario load(const std::string& program) {
  return scenario::load_string(kHead + program, "k.yaml");
}

std::string error_of(const std::string& program) {
  return testing::error_of_loading([](const std::string& y) { return load(y); }, program);
}

constexpr std::uint64_t kMiB = 1ULL << 20;

// Each pp group has 4 ranks: a gather of 4 MiB brings 1 MiB from each of
// the 3 others to the root; the all-to-allv sends its matrix's entries off
// the diagonal. The bytes on the fabric are exactly those.
TEST(GraphCollectiveKeys, RootAndMatrixReachTheRun) {
  const scenario::Scenario s =
      load(R"(    - {collective: gather, group: pp, size_bytes: 4MiB, root: 2}
    - {collective: all_to_allv, group: pp, matrix_bytes: [[0, 1MiB, 0, 0], [2MiB, 0, 0, 0], [0, 0, 5MiB, 3MiB], [1MiB, 1MiB, 1MiB, 0]]}
)");
  const auto& p = *s.jobs[0].program;
  const auto& ops = p.ranks[0].ops;
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].root, 2u);
  ASSERT_NE(ops[1].matrix, workloads::graph::kNoMatrix);
  EXPECT_EQ(p.matrices[ops[1].matrix][2][3], 3 * kMiB);
  EXPECT_EQ(ops[1].size_bytes, 14 * kMiB / 4);  // the mean a rank sends
  const Results r = run(s, RunOptions());
  ASSERT_TRUE(r.jobs[0].finished);
  // Per pp group: gather 3 MiB, all-to-allv 1 + 2 + 3 + 3 = 9 MiB (not the 5 MiB to itself).
  EXPECT_EQ(r.flows.bytes_delivered, 2 * (3 * kMiB + 9 * kMiB));
  ASSERT_EQ(r.jobs[0].collectives.size(), 4u);
  EXPECT_EQ(r.jobs[0].collectives[0].collective, workloads::Collective::gather);
}

// The root decides where a gather converges. Group g is hosts 0, 1, 2 (leaf
// 0) and 4 (leaf 1), one 100 Gb/s spine link each way: with root 3 (host 4)
// all three chunks cross it, with root 0 only host 4's does.
TEST(GraphCollectiveKeys, TheRootChangesTheTraffic) {
  const std::string text = R"(name: k
topology: {kind: leaf_spine, leaves: 2, spines: 1, hosts_per_leaf: 4, spine_link: {rate: 100Gbps}}
workload:
  groups: [{name: g, ranks: [0, 1, 2, 4]}]
  program:
    - {collective: gather, group: g, size_bytes: 64MiB, root: ROOT}
)";
  auto time_with_root = [&](const std::string& root) {
    std::string t = text;
    t.replace(t.find("ROOT"), 4, root);
    const Results r = run(scenario::load_string(t, "k.yaml"), RunOptions());
    return r.jobs[0].collectives.at(0).duration_ps();
  };
  const sim::Time far = time_with_root("3");
  const sim::Time near = time_with_root("0");
  // 48 MiB vs 16 MiB over the 100 Gb/s spine link: about 3 times as long.
  EXPECT_GT(far, 2 * near);
}

TEST(GraphCollectiveKeys, MistakesAreLocated) {
  EXPECT_EQ(error_of("    - {collective: gather, group: pp, size_bytes: 4MiB, root: 4}\n"),
            "k.yaml:6:63: workload.program[0].root: root 4 is not a rank of group pp.0 (4 ranks: "
            "the root is a group rank, 0 to 3)");
  EXPECT_EQ(error_of("    - {collective: ring_allreduce, group: pp, size_bytes: 4MiB, root: 1}\n"),
            "k.yaml:6:65: workload.program[0].root: only broadcast, reduce, gather and scatter "
            "have a root");
  EXPECT_EQ(error_of("    - {collective: all_to_allv, group: pp, size_bytes: 4MiB}\n"),
            "k.yaml:6:44: workload.program[0].size_bytes: an all_to_allv's sizes are its "
            "matrix_bytes (rank i sends row i); remove size_bytes");
  EXPECT_EQ(error_of("    - {collective: all_to_allv, group: pp}\n"),
            "k.yaml:6:7: workload.program[0]: missing matrix_bytes: an all_to_allv's N x N "
            "matrix, row i the bytes group rank i sends to each rank");
  EXPECT_EQ(
      error_of("    - {collective: all_to_allv, group: pp, matrix_bytes: [[0, 1], [1, 0]]}\n"),
      "k.yaml:6:58: workload.program[0].matrix_bytes: a 2 x 2 matrix, but group pp.0 has 4 "
      "ranks; give one row and column per rank");
  EXPECT_EQ(error_of("    - {collective: all_to_allv, group: dp, matrix_bytes: [[0, 1], [1]]}\n"),
            "k.yaml:6:67: workload.program[0].matrix_bytes[1]: expected a row of 2 sizes (one per "
            "rank: the matrix is square), got a list");
  EXPECT_STARTS_WITH(
      error_of("    - {collective: all_to_allv, group: dp, matrix_bytes: [[0, 1], [x, 0]]}\n"),
      "k.yaml:6:68: workload.program[0].matrix_bytes[1][0]: ");
  EXPECT_EQ(error_of("    - {collective: all_gather, group: dp, size_bytes: 1MiB, matrix_bytes: "
                     "[[0, 1], [1, 0]]}\n"),
            "k.yaml:6:61: workload.program[0].matrix_bytes: only an all_to_allv has a size "
            "matrix");
}

}  // namespace
}  // namespace spinel::api
