// The library API (api/spinel.hpp): what a program of its own sees. Loading
// from a string or a file with the loader's located errors, results in memory
// that agree with the files, progress and trace observers, and every kind of
// run.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>

#include "api/spinel.hpp"
#include "test_support.hpp"

namespace spinel::api {
namespace {

namespace fs = std::filesystem;
using testing::slurp;

constexpr const char* kTwoJobs = R"(
name: two_jobs
seed: 4
topology: {kind: leaf_spine, leaves: 4, spines: 2, hosts_per_leaf: 4}
jobs:
  - {name: a, collective: ring_allreduce, size_bytes: 4MiB, hosts: 8, compute: 100us, iterations: 3,
     buckets: 2}
  - {name: b, collective: all_to_all, size_bytes: 2MiB, hosts: 8, iterations: 2}
detector: {kind: c4}
faults:
  - {at: 150us, host: h3, state: slow, factor: 2}
)";

fs::path scratch(const std::string& name) {
  return testing::scratch_folder("spinel_api_", name);
}

std::size_t rows(const std::string& csv) {
  std::size_t n = 0;
  for (const char c : csv) n += c == '\n' ? 1 : 0;
  return n - 1;  // the header
}

TEST(Api, LoadsFromAStringOrAFileWithTheLoadersLocatedErrors) {
  const Scenario s = load_string(kTwoJobs, "two.yaml");
  EXPECT_EQ(s.name, "two_jobs");
  EXPECT_EQ(s.jobs.size(), 2u);
  EXPECT_EQ(load_file(fs::path(SPINEL_SOURCE_DIR) / "scenarios/quickstart.yaml").name,
            load_default().name);
  const std::string bad =
      "name: x\ntopology: {kind: leaf_spine, leaves: 2, spines: 2, "
      "hosts_per_leaf: 4}\nworkload: {collective: ring, size_bytes: 1MiB}\n";
  const std::string e =
      testing::error_of_loading([](const std::string& t) { return load_string(t, "x.yaml"); }, bad);
  EXPECT_STARTS_WITH(e, "x.yaml:3:24: workload.collective:");
  EXPECT_STARTS_WITH(testing::error_of_loading([](const std::string& p) { return load_file(p); },
                                               "/nonexistent/s.yaml"),
                     "/nonexistent/s.yaml: cannot read:");
}

TEST(Api, ResultsInMemoryAgreeWithTheFiles) {
  const Scenario s = load_string(kTwoJobs, "two.yaml");
  const fs::path dir = scratch("files");
  RunOptions options;
  options.out_dir = dir;
  const Results r = run(s, options);
  ASSERT_EQ(r.kind, RunKind::training);
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.jobs[0].name, "a");
  EXPECT_EQ(r.jobs[0].collectives.size(), 6u);  // 3 iterations of 2 buckets
  EXPECT_EQ(r.jobs[0].iterations.size(), 3u);
  EXPECT_EQ(r.jobs[1].collectives.size(), 2u);
  EXPECT_EQ(r.jobs[0].placement.size(), 8u);
  EXPECT_EQ(rows(slurp(dir / "collectives.csv")), 8u);
  EXPECT_EQ(rows(slurp(dir / "iterations.csv")), 5u);
  EXPECT_EQ(rows(slurp(dir / "faults.csv")), r.faults.size());
  EXPECT_EQ(rows(slurp(dir / "detections.csv")), r.detections.size());
  std::size_t per_job = 0;
  for (const JobResults& job : r.jobs) per_job += job.detections.size();
  EXPECT_EQ(per_job, r.detections.size());
  // summary.json's metrics are the in-memory ones, typed and as JSON.
  const std::string summary = slurp(dir / "summary.json");
  std::ostringstream mean;
  mean << "\"collective_mean_ps\": " << r.jobs[0].collective_metrics->collective_mean_ps;
  EXPECT_NE(summary.find(mean.str()), std::string::npos) << mean.str();
  ASSERT_TRUE(r.jobs[0].iteration_metrics);
  EXPECT_FALSE(r.jobs[1].iteration_metrics->iterations_per_second <= 0);
  EXPECT_TRUE(fs::exists(dir / "run.json"));
  // Without a folder: the same results, no files.
  const Results quiet = run(s);
  EXPECT_EQ(sim::json_text(quiet.metrics), sim::json_text(r.metrics));
}

TEST(Api, ProgressReachesTheWholeRunAndTracesHearEveryFlowAndStep) {
  const Scenario s = load_string(kTwoJobs, "two.yaml");
  struct Flows final : transport::FlowObserver {
    void link_load(sim::Time, topology::LinkId, double) override { ++loads; }
    void flow_completed(sim::Time, const transport::FlowRecord&) override { ++flows; }
    std::uint64_t loads = 0;
    std::uint64_t flows = 0;
  } flows;
  struct Steps final : workloads::StepObserver {
    void step_finished(const workloads::StepRecord& step) override {
      ++steps;
      EXPECT_GE(step.end_ps, step.start_ps);
    }
    std::uint64_t steps = 0;
  } steps;
  RunOptions options;
  sim::Time last_now = 0;
  double last_fraction = -1;
  int calls = 0;
  options.on_progress = [&](const sim::Progress& p) {
    ++calls;
    EXPECT_GE(p.now_ps, last_now);
    ASSERT_TRUE(p.fraction);
    EXPECT_GE(*p.fraction, last_fraction);
    last_now = p.now_ps;
    last_fraction = *p.fraction;
  };
  options.flow_observers.push_back(&flows);
  options.step_observers.push_back(&steps);
  const Results r = run(s, options);
  EXPECT_GT(calls, 2);
  EXPECT_DOUBLE_EQ(last_fraction, 1.0);
  EXPECT_GT(flows.loads, 0u);
  EXPECT_EQ(flows.flows, r.flows.completed);
  EXPECT_GT(steps.steps, 0u);
  // Observers and progress only listen: the results are those of a plain run.
  EXPECT_EQ(sim::json_text(run(s).metrics), sim::json_text(r.metrics));
}

TEST(Api, RunsRecoveryAndPcclScenariosToo) {
  const Scenario recovery = load_string(R"(
name: r
topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4}
workload: {collective: ring_allreduce, size_bytes: 1MiB, hosts: 6, compute: 1s, iterations: 200}
detector: {kind: c4, hang_timeout: 2s}
recovery: {checkpoint_interval: 5s, restart: 2s, repair: 100s}
faults: [{at: 30s, host: h2, state: hung}]
)",
                                        "r.yaml");
  double fraction = 0;
  RunOptions options;
  options.on_progress = [&](const sim::Progress& p) { fraction = p.fraction.value_or(0); };
  const Results r = run(recovery, options);
  ASSERT_EQ(r.kind, RunKind::recovery);
  ASSERT_TRUE(r.recovery);
  EXPECT_TRUE(r.recovery->finished());
  EXPECT_EQ(r.recovery->attempts.size(), 2u);
  EXPECT_GT(fraction, 0.0);
  EXPECT_LT(fraction, 1.0);  // reported between attempts, before the last one

  Scenario churn = load_file(fs::path(SPINEL_SOURCE_DIR) / "scenarios/pccl/churn.yaml");
  churn.pccl->duration_ps /= 10;
  int calls = 0;
  options.on_progress = [&](const sim::Progress&) { ++calls; };
  const Results p = run(churn, options);
  ASSERT_EQ(p.kind, RunKind::pccl);
  ASSERT_TRUE(p.pccl && p.pccl_metrics);
  EXPECT_FALSE(p.pccl->result.failed) << p.pccl->result.violation;
  EXPECT_EQ(p.pccl_metrics->steps_completed, p.pccl->result.steps.size());
  EXPECT_GT(calls, 10);
  EXPECT_EQ(sim::json_text(run(churn).metrics), sim::json_text(p.metrics));
}

TEST(Api, KnowsItsVersionAndCommit) {
  EXPECT_EQ(version(), SPINEL_VERSION);
  EXPECT_FALSE(git_commit().empty());
}

}  // namespace
}  // namespace spinel::api
