// The collective job as a workload graph (workloads/graph/classic.hpp): the
// generator draws the compute model's jitter in its order and cuts it into
// buckets as it does, and a run on the gated graph executor gives what the
// collective job's own path (CollectiveRun and ComputeModel) gives, to the
// event: faults, the detector, gaps, several jobs, both transport levels.
#include <gtest/gtest.h>

#include <numeric>

#include "api/runs.hpp"
#include "api/scenario/scenario.hpp"
#include "sim/recorder.hpp"
#include "sim/units.hpp"
#include "workloads/graph/classic.hpp"
#include "workloads/training_run.hpp"

namespace spinel {
namespace {

using workloads::graph::classic_collective_op;
using workloads::graph::classic_compute_op;
using workloads::graph::OpKind;

TEST(ClassicGraph, ComputeIsTheComputeModelsCutIntoBuckets) {
  workloads::WorkloadConfig w;
  w.name = "j";
  w.size_bytes = 1000;
  w.buckets = 3;
  w.iterations = 2;
  w.compute_ps = 1000 * sim::kMicrosecond + 7;
  w.compute_jitter = 0.05;
  w.compute_gap_ps = 5 * sim::kMicrosecond;
  const std::uint32_t ranks = 4;
  const auto p = workloads::graph::classic_program(w, ranks, 9);
  ASSERT_EQ(p->op_count(), workloads::graph::classic_op_count(w, ranks));
  EXPECT_EQ(p->iterations, 2u);
  EXPECT_EQ(p->iteration_gap_ps, w.compute_gap_ps);
  ASSERT_EQ(p->communicators.size(), 1u);
  EXPECT_EQ(p->communicators[0].ranks.size(), ranks);
  EXPECT_EQ(workloads::graph::validate(*p), "");
  workloads::ComputeModel model({w.compute_ps, w.compute_jitter, w.buckets}, ranks, 9, "compute.j");
  for (std::uint32_t k = 0; k < w.iterations; ++k) {
    std::vector<sim::Time> first_ready;  // bucket 0's: asking again would begin anew
    for (std::uint32_t r = 0; r < ranks; ++r) {
      first_ready.push_back(model.ready_at(r, k * w.buckets, 0));
    }
    for (std::uint32_t r = 0; r < ranks; ++r) {
      const auto& ops = p->ranks[r].ops;
      sim::Time sum = 0;
      for (std::uint32_t b = 0; b < w.buckets; ++b) {
        const auto& work = ops[classic_compute_op(k, b, w.buckets)];
        const auto& coll = ops[classic_collective_op(k, b, w.buckets)];
        ASSERT_EQ(work.kind, OpKind::compute);
        ASSERT_EQ(coll.kind, OpKind::collective);
        EXPECT_EQ(coll.size_bytes, 1000u / 3);
        sum += work.duration_ps;
        // Bucket b is ready where the compute model says it is.
        EXPECT_EQ(sum, b == 0 ? first_ready[r] : model.ready_at(r, k * w.buckets + b, 0));
      }
      EXPECT_EQ(sum, model.compute_ps(r));
    }
  }
}

// Everything a run reports, from the graph and from the collective job's path.
struct Outcome {
  std::uint64_t events = 0;
  std::vector<std::vector<workloads::CollectiveResult>> collectives;
  std::vector<std::vector<workloads::IterationRecord>> iterations;
  std::vector<workloads::Detection> detections;
  transport::FlowTotals flows;
  sim::Time end_ps = 0;
  std::vector<double> fractions;
};

Outcome run(const std::string& text, std::uint64_t max_generated_ops, bool graph_expected) {
  const scenario::Scenario s = scenario::load_string(text, "t.yaml");
  workloads::TrainingConfig config = api::training_config(s);
  config.max_generated_ops = max_generated_ops;
  sim::Recorder recorder;
  workloads::TrainingRun run(config, recorder, false);
  Outcome o;
  run.run([&](const sim::Progress& p) { o.fractions.push_back(p.fraction.value_or(-1)); });
  for (std::size_t j = 0; j < run.jobs(); ++j) {
    EXPECT_TRUE(run.collective_job(j));
    EXPECT_EQ(run.graph(j) != nullptr, graph_expected);
    o.collectives.push_back(run.job(j).results());
    o.iterations.push_back(run.iterations(j));
  }
  if (run.detector() != nullptr) o.detections = run.detector()->detections();
  o.events = run.events();
  o.flows = run.flow_totals();
  o.end_ps = run.end_ps();
  return o;
}

void expect_same(const Outcome& a, const Outcome& b) {
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.end_ps, b.end_ps);
  EXPECT_EQ(a.fractions, b.fractions);
  EXPECT_EQ(a.flows.completed, b.flows.completed);
  EXPECT_EQ(a.flows.bytes_delivered, b.flows.bytes_delivered);
  ASSERT_EQ(a.collectives.size(), b.collectives.size());
  for (std::size_t j = 0; j < a.collectives.size(); ++j) {
    ASSERT_EQ(a.collectives[j].size(), b.collectives[j].size());
    for (std::size_t i = 0; i < a.collectives[j].size(); ++i) {
      const auto& x = a.collectives[j][i];
      const auto& y = b.collectives[j][i];
      EXPECT_EQ(x.collective_id, y.collective_id);
      EXPECT_EQ(x.iteration, y.iteration);
      EXPECT_EQ(x.bucket, y.bucket);
      EXPECT_EQ(x.size_bytes, y.size_bytes);
      EXPECT_EQ(x.start_ps, y.start_ps);
      EXPECT_EQ(x.end_ps, y.end_ps);
      EXPECT_EQ(x.ideal_ps, y.ideal_ps);
      EXPECT_EQ(x.max_congestion_ps, y.max_congestion_ps);
      EXPECT_EQ(x.max_queue_pairs_per_host, y.max_queue_pairs_per_host);
    }
    ASSERT_EQ(a.iterations[j].size(), b.iterations[j].size());
    for (std::size_t i = 0; i < a.iterations[j].size(); ++i) {
      const auto& x = a.iterations[j][i];
      const auto& y = b.iterations[j][i];
      EXPECT_EQ(x.start_ps, y.start_ps);
      EXPECT_EQ(x.compute_end_ps, y.compute_end_ps);
      EXPECT_EQ(x.end_ps, y.end_ps);
      EXPECT_EQ(x.slowest_rank, y.slowest_rank);
    }
  }
  ASSERT_EQ(a.detections.size(), b.detections.size());
  for (std::size_t i = 0; i < a.detections.size(); ++i) {
    EXPECT_EQ(a.detections[i].at_ps, b.detections[i].at_ps);
    EXPECT_EQ(a.detections[i].evidence, b.detections[i].evidence);
  }
}

// A straggler part-way through a bucket, a hang, a degraded link and the
// detector watching; two jobs with jitter and a gap between iterations.
const char* const kFaulty = R"(name: faulty
seed: 4
topology: {kind: leaf_spine, leaves: 2, spines: 4, hosts_per_leaf: 8}
transport: {policy: ecmp}
jobs:
  - {name: a, collective: ring_allreduce, size_bytes: 8MiB, hosts: 8, placement: contiguous,
     compute: 300us, compute_jitter: 3%, buckets: 3, iterations: 12, compute_gap: 20us}
  - {name: b, collective: halving_doubling_allreduce, size_bytes: 4MiB, hosts: 8,
     placement: contiguous, compute: 250us, compute_jitter: 2%, buckets: 2, iterations: 12,
     start: 7us}
faults:
  - {at: 1ms, link: h3>leaf0, state: degraded, rate: 100Gbps}
  - {at: 1234567ns, host: h5, state: slow, factor: 1.7}
  - {at: 3ms, host: h9, state: hung}
detector: {kind: c4, hang_timeout: 500us, slow_factor: 1.3, window: 3}
)";

TEST(ClassicGraph, RunsAsTheCollectiveJobDidWithFaultsAndTheDetector) {
  const Outcome graph = run(kFaulty, 1ULL << 22, true);
  const Outcome direct = run(kFaulty, 0, false);
  // The premises: the detector heard the graph, h5 (job a's rank 5) straggled
  // and h9 (job b's rank 1) hung its job.
  ASSERT_FALSE(graph.detections.empty());
  ASSERT_EQ(graph.iterations[0].size(), 12u);
  EXPECT_EQ(graph.iterations[0].back().slowest_rank, 5u);
  EXPECT_LT(graph.iterations[1].size(), 12u);
  expect_same(graph, direct);
}

TEST(ClassicGraph, RunsAsTheCollectiveJobDidAtPacketLevel) {
  const char* const text = R"(name: packets
seed: 2
topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4}
transport: {model: packet, policy: spray}
workload: {collective: ring_allreduce, size_bytes: 1MiB, compute: 40us, compute_jitter: 5%,
           buckets: 2, iterations: 3, compute_gap: 3us}
)";
  const Outcome graph = run(text, 1ULL << 22, true);
  ASSERT_EQ(graph.iterations[0].size(), 3u);
  expect_same(graph, run(text, 0, false));
}

}  // namespace
}  // namespace spinel
