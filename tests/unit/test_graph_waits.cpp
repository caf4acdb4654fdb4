// The workload graph's parts for flow lists: start times that hold nothing,
// ops that need only some of their dependencies, wait ops, dependencies
// across ranks; their validation.
#include <gtest/gtest.h>

#include <memory>

#include "fabric.hpp"
#include "sim/error.hpp"
#include "workloads/graph/graph_run.hpp"
#include "workloads/graph/program.hpp"

namespace spinel::workloads::graph {
namespace {

constexpr sim::Time kUs = sim::kMicrosecond;

Op compute(sim::Time ps, sim::Time not_before_ps = 0) {
  Op op;
  op.kind = OpKind::compute;
  op.duration_ps = ps;
  op.not_before_ps = not_before_ps;
  return op;
}

// Runs `p` on the first hosts of a small fabric; returns the run.
std::unique_ptr<GraphRun> run(testing::Fabric& f, Program p) {
  auto program = std::make_shared<Program>(std::move(p));
  EXPECT_EQ(validate(*program), "");
  std::vector<topology::HostId> hosts(program->rank_count());
  for (std::uint32_t i = 0; i < hosts.size(); ++i) hosts[i] = i;
  auto r = std::make_unique<GraphRun>(f.sim, f.transport, f.topology, f.routing, hosts, program,
                                      GraphOptions{});
  r->start(0);
  f.sim.run();
  return r;
}

// An op waiting for its start time does not hold its rank's GPU: the op
// after it in program order computes meanwhile.
TEST(GraphWaits, AStartTimeHoldsNothing) {
  Program p;
  p.ranks.resize(1);
  p.ranks[0].add(compute(1 * kUs, 5 * kUs));
  p.ranks[0].add(compute(2 * kUs));
  testing::Fabric f(testing::leaf_spine(2, 2, 2));
  const auto r = run(f, p);
  EXPECT_TRUE(r->finished());
  EXPECT_EQ(r->timing(0, 1).start_ps, 0);
  EXPECT_EQ(r->timing(0, 0).start_ps, 5 * kUs);
  EXPECT_EQ(r->timing(0, 0).end_ps, 6 * kUs);
}

// A wait op that needs 2 of 3 computes on other ranks is done at the second;
// one that needs all (needs 0) at the last.
TEST(GraphWaits, NeedsCountsDependenciesAcrossRanks) {
  Program p;
  p.ranks.resize(4);
  for (std::uint32_t r = 0; r < 3; ++r) p.ranks[r].add(compute((r + 1) * kUs));
  Op wait;
  wait.kind = OpKind::wait;
  wait.needs = 2;
  p.ranks[3].add(wait);
  wait.needs = 0;
  p.ranks[3].add(wait);
  for (std::uint32_t r = 0; r < 3; ++r) {
    p.cross_deps.push_back(CrossDependency{3, 0, r, 0});
    p.cross_deps.push_back(CrossDependency{3, 1, r, 0});
  }
  testing::Fabric f(testing::leaf_spine(2, 2, 2));
  const auto r = run(f, p);
  EXPECT_TRUE(r->finished());
  EXPECT_EQ(r->timing(3, 0).end_ps, 2 * kUs);
  EXPECT_EQ(r->timing(3, 1).end_ps, 3 * kUs);
}

TEST(GraphWaits, ValidationNamesTheOp) {
  Program p;
  p.ranks.resize(2);
  Op wait;
  wait.kind = OpKind::wait;
  wait.needs = 2;
  p.ranks[1].add(compute(kUs));
  p.ranks[1].add(wait);
  p.cross_deps.push_back(CrossDependency{1, 1, 0, 0});
  EXPECT_EQ(validate(p), "a cross dependency of rank 1 op 1 on rank 0 op 0, which does not exist");
  p.ranks[0].add(compute(kUs));
  EXPECT_EQ(validate(p), "rank 1 op 1: needs 2 of its dependencies, but has 1");
  p.cross_deps.push_back(CrossDependency{1, 1, 1, 0});
  EXPECT_EQ(validate(p), "");
  EXPECT_THROW((void)repeat(p, 2), sim::InternalError);
}

}  // namespace
}  // namespace spinel::workloads::graph
