// Training iterations: per-rank compute with jitter, the gradient all-reduce
// in buckets that overlap the backward pass, and what a run reports of them.
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "sim/units.hpp"
#include "test_support.hpp"
#include "workloads/compute.hpp"

namespace spinel {
namespace {

namespace fs = std::filesystem;
using testing::error_of_loading;
using testing::slurp;

// 8 hosts on a non-blocking leaf-spine, sprayed: every ring step runs at the
// NIC rate, so a bucket's all-reduce takes exactly its closed-form time.
std::string scenario_text(const std::string& workload) {
  return "name: training\nseed: 3\n"
         "topology: {kind: leaf_spine, leaves: 2, spines: 4, hosts_per_leaf: 4}\n"
         "transport: {policy: spray}\n"
         "workload: {collective: ring_allreduce, " +
         workload + "}\n";
}

api::Results run(const std::string& workload, const fs::path& dir = {}) {
  const scenario::Scenario s = scenario::load_string(scenario_text(workload), "t.yaml");
  return api::run(s, api::RunOptions(dir));
}

// The buckets' all-reduces are short next to the compute between bucket
// readiness times: each runs alone, and only the last one's is exposed.
TEST(Training, BucketsOverlapTheBackwardPassAndOnlyTheLastIsExposed) {
  const sim::Time compute = 400 * sim::kMicrosecond;
  const api::Results r = run("size_bytes: 4MiB, buckets: 4, compute: 400us, iterations: 3");
  ASSERT_EQ(r.jobs[0].collectives.size(), 12u);
  ASSERT_EQ(r.jobs[0].iterations.size(), 3u);
  const sim::Time bucket_ideal = r.jobs[0].collectives.front().ideal_ps;
  ASSERT_LT(bucket_ideal, compute / 4);  // the premise of this test
  for (std::uint32_t i = 0; i < 3; ++i) {
    const workloads::IterationRecord& it = r.jobs[0].iterations[i];
    EXPECT_EQ(it.compute_end_ps - it.start_ps, compute);
    // Bucket b opens at compute * (b + 1) / 4 and runs at the ideal.
    for (std::uint32_t b = 0; b < 4; ++b) {
      const workloads::CollectiveResult& c = r.jobs[0].collectives[i * 4 + b];
      EXPECT_EQ(c.iteration, i);
      EXPECT_EQ(c.bucket, b);
      EXPECT_EQ(c.start_ps, it.start_ps + compute / 4 * (b + 1));
      EXPECT_NEAR(static_cast<double>(c.duration_ps()), static_cast<double>(bucket_ideal),
                  1e-4 * static_cast<double>(bucket_ideal));
    }
    EXPECT_EQ(it.end_ps, r.jobs[0].collectives[i * 4 + 3].end_ps);
    // Iterations follow one another without a gap.
    if (i > 0) {
      EXPECT_EQ(it.start_ps, r.jobs[0].iterations[i - 1].end_ps);
    }
  }
}

// Buckets whose all-reduce outlasts the compute between them queue up: the
// iteration takes the first bucket's readiness plus every bucket's all-reduce.
TEST(Training, LongBucketsQueueBehindEachOther) {
  const api::Results r = run("size_bytes: 64MiB, buckets: 4, compute: 40us");
  ASSERT_EQ(r.jobs[0].iterations.size(), 1u);
  const sim::Time bucket_ideal = r.jobs[0].collectives.front().ideal_ps;
  ASSERT_GT(bucket_ideal, 10 * sim::kMicrosecond);
  const double expected = 10e6 + 4.0 * static_cast<double>(bucket_ideal);
  EXPECT_NEAR(static_cast<double>(r.jobs[0].iterations[0].duration_ps()), expected,
              1e-4 * expected);
}

// With jitter each rank computes its own time; the slowest one decides when
// the last bucket can start, and the draw is the seed's.
TEST(Training, JitterMakesAStragglerAndFollowsTheSeed) {
  const fs::path a = testing::scratch_folder("training", "jitter_a");
  const fs::path b = testing::scratch_folder("training", "jitter_b");
  const std::string w = "size_bytes: 1MiB, compute: 1ms, compute_jitter: 5%, iterations: 20";
  const api::Results r = run(w, a);
  (void)run(w, b);
  EXPECT_EQ(slurp(a / "iterations.csv"), slurp(b / "iterations.csv"));
  EXPECT_EQ(slurp(a / "collectives.csv"), slurp(b / "collectives.csv"));
  ASSERT_EQ(r.jobs[0].iterations.size(), 20u);
  sim::Time shortest = sim::kForever;
  sim::Time longest = 0;
  for (const auto& it : r.jobs[0].iterations) {
    const sim::Time compute = it.compute_end_ps - it.start_ps;
    shortest = std::min(shortest, compute);
    longest = std::max(longest, compute);
    // The slowest of 8 ranks: above the mean nearly always, within 6 sigma.
    EXPECT_LE(compute, 1'300'000'000);
    // The others get a few steps ahead while it computes, but it still has to
    // send its 2(N-1)/N of the buffer after it enters.
    EXPECT_GE(it.end_ps, it.compute_end_ps + sim::serialisation_ps(2 * 7 * (1 << 20) / 8, 400));
    EXPECT_LE(it.end_ps, it.compute_end_ps + r.jobs[0].collectives.front().ideal_ps);
  }
  EXPECT_GT(longest, shortest);  // draws differ from iteration to iteration
  EXPECT_GT(longest, 1'000'000'000);
}

TEST(Training, ComputeModelDrawsInRankOrderFromItsStream) {
  workloads::ComputeConfig config{1'000'000, 0.1, 2};
  workloads::ComputeModel a(config, 4, 7, "compute.job0");
  workloads::ComputeModel b(config, 4, 7, "compute.job0");
  workloads::ComputeModel c(config, 4, 7, "compute.other");
  for (std::uint32_t r = 0; r < 4; ++r) {
    EXPECT_EQ(a.ready_at(r, 0, 0), b.ready_at(r, 0, 0));
    (void)c.ready_at(r, 0, 0);
  }
  bool differs = false;
  for (std::uint32_t r = 0; r < 4; ++r) differs = differs || a.compute_ps(r) != c.compute_ps(r);
  EXPECT_TRUE(differs);
  // Bucket 0 of 2 is ready halfway through the rank's compute, bucket 1 at its end.
  for (std::uint32_t r = 0; r < 4; ++r) {
    EXPECT_EQ(a.ready_at(r, 1, 5), a.compute_ps(r));
  }
}

TEST(Training, SummaryReportsIterationsAndGpuTime) {
  const fs::path dir = testing::scratch_folder("training", "summary");
  const api::Results r = run("size_bytes: 1MiB, compute: 100us, iterations: 4", dir);
  const sim::Time mean = r.jobs[0].iterations[0].duration_ps();  // no jitter: all alike
  const std::string summary = slurp(dir / "summary.json");
  EXPECT_NE(summary.find("\"iteration_mean_ps\": " + std::to_string(mean)), std::string::npos)
      << summary;
  const double gpu_seconds = 8.0 * static_cast<double>(r.jobs[0].iterations.back().end_ps) / 1e12;
  char text[64];
  const auto end = std::to_chars(text, text + sizeof text, gpu_seconds).ptr;
  EXPECT_NE(summary.find("\"gpu_seconds\": " + std::string(text, end)), std::string::npos)
      << summary;
  const std::string csv = slurp(dir / "iterations.csv");
  EXPECT_NE(csv.find("\njob0,3,"), std::string::npos) << csv;
}

TEST(TrainingErrors, EachMistakeIsNamedWithItsLine) {
  auto error = [](const std::string& workload) {
    return error_of_loading(
        [](const std::string& text) { return scenario::load_string(text, "t.yaml"); },
        scenario_text(workload));
  };
  EXPECT_EQ(error("size_bytes: 3, buckets: 4"),
            "t.yaml:5:64: workload.buckets: size_bytes (3) does not split into 4 buckets of at "
            "least a byte; use fewer buckets");
  EXPECT_EQ(error("size_bytes: 1MiB, compute_jitter: 150%"),
            "t.yaml:5:74: workload.compute_jitter: expected a fraction from 0 to 1 such as 0.02 "
            "or 2%, got \"150%\"");
  EXPECT_EQ(error("size_bytes: 1MiB, compute_jitter: lots"),
            "t.yaml:5:74: workload.compute_jitter: expected a fraction from 0 to 1 such as 0.02 "
            "or 2%, got \"lots\"");
  EXPECT_EQ(error("size_bytes: 1MiB, compute: 5"),
            "t.yaml:5:67: workload.compute: a duration needs a unit, e.g. 500ns; got "
            "\"5\"");
}

}  // namespace
}  // namespace spinel
