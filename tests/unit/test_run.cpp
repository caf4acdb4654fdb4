// Whole runs through the library: determinism, outputs, conservation.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "test_support.hpp"

namespace spinel::api {
namespace {

namespace fs = std::filesystem;
using testing::slurp;

fs::path scratch(const std::string& name) {
  return testing::scratch_folder("spinel_test_", name);
}

scenario::Scenario small_random_scenario() {
  return scenario::load_string(R"(
name: small
seed: 3
topology: {kind: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 4}
workload: {collective: ring_allreduce, size_bytes: 16MiB, placement: random, iterations: 2,
           compute_gap: 20us}
)",
                               "small.yaml");
}

const char* const kResultFiles[] = {"summary.json", "collectives.csv", "flows.csv", "links.csv",
                                    "phases.csv"};

TEST(Run, SameScenarioAndSeedGiveByteIdenticalResults) {
  const scenario::Scenario s = small_random_scenario();
  const fs::path a = scratch("det_a");
  const fs::path b = scratch("det_b");
  run(s, RunOptions(a));
  run(s, RunOptions(b));
  for (const char* file : kResultFiles) {
    const std::string left = slurp(a / file);
    EXPECT_FALSE(left.empty()) << file;
    EXPECT_EQ(left, slurp(b / file)) << file << " differs between identical runs";
  }
}

TEST(Run, ProgressReportingDoesNotChangeResults) {
  // With a progress callback the run advances in slices of simulated time;
  // the events, and so the result files, must be the same.
  const scenario::Scenario s = small_random_scenario();
  const fs::path a = scratch("progress_a");
  const fs::path b = scratch("progress_b");
  run(s, RunOptions(a));
  int calls = 0;
  RunOptions counting(b);
  counting.on_progress = [&](const sim::Progress&) { ++calls; };
  run(s, counting);
  EXPECT_GT(calls, 1);
  for (const char* file : kResultFiles) EXPECT_EQ(slurp(a / file), slurp(b / file)) << file;
}

TEST(Run, ProgressReportingEndsWhenAComputeGapIsLongerThanASlice) {
  // Slices are an eighth of the ideal ring time; a gap of many slices holds
  // no event, and the slices must still move on (they once stood still).
  scenario::Scenario s = small_random_scenario();
  s.jobs[0].compute_gap_ps = 50 * sim::kMillisecond;
  int calls = 0;
  RunOptions counting;
  counting.on_progress = [&](const sim::Progress&) { ++calls; };
  const Results r = run(s, counting);
  EXPECT_EQ(r.jobs[0].collectives.size(), 2u);
  EXPECT_GT(calls, 8);
}

TEST(Run, AnotherSeedWithRandomPlacementChangesResults) {
  scenario::Scenario s = small_random_scenario();
  const fs::path a = scratch("seed_a");
  const fs::path b = scratch("seed_b");
  run(s, RunOptions(a));
  s.seed = 4;
  run(s, RunOptions(b));
  EXPECT_NE(slurp(a / "flows.csv"), slurp(b / "flows.csv"));
  EXPECT_NE(slurp(a / "summary.json"), slurp(b / "summary.json"));
}

TEST(Run, ResultFilesHaveTheDocumentedColumns) {
  const fs::path dir = scratch("columns");
  const Results r = run(small_random_scenario(), RunOptions(dir));
  auto header = [&](const char* file) {
    std::ifstream f(dir / file);
    std::string line;
    std::getline(f, line);
    return line;
  };
  EXPECT_EQ(header("collectives.csv"),
            "collective_id,job,iteration,bucket,algorithm,ranks,size_bytes,start_ps,end_ps,"
            "duration_ps,ideal_ps,ratio_to_ideal,algbw_gbps,busbw_gbps,max_congestion_ps,"
            "congestion_bound_ps,max_queue_pairs_per_host,communicator");
  EXPECT_EQ(header("iterations.csv"),
            "job,iteration,start_ps,compute_end_ps,end_ps,duration_ps,exposed_communication_ps,"
            "slowest_rank");
  EXPECT_EQ(header("phases.csv"), "job,phase,max_congestion_ps");
  EXPECT_EQ(
      header("flows.csv"),
      "flow_id,subflow,collective,step,tag,src_host,dst_host,size_bytes,path,start_ps,end_ps");
  EXPECT_EQ(header("links.csv"),
            "link_id,link,kind,rate_gbps,latency_ps,bytes,busy_ps,peak_utilisation,"
            "mean_utilisation");
  // One row per flow and per directed link; two collectives.
  auto rows = [&](const char* file) {
    std::ifstream f(dir / file);
    std::size_t n = 0;
    std::string line;
    while (std::getline(f, line)) ++n;
    return n - 1;
  };
  EXPECT_EQ(rows("flows.csv"), r.flows.completed);
  EXPECT_EQ(rows("links.csv"), r.links);
  EXPECT_EQ(rows("collectives.csv"), 2u);
  EXPECT_NE(slurp(dir / "summary.json").find("\"ratio_to_ideal\""), std::string::npos);
}

TEST(Run, BytesAreConservedOverAWholeRun) {
  const Results r = run(small_random_scenario(), RunOptions{});
  EXPECT_GT(r.flows.completed, 0u);
  EXPECT_EQ(r.flows.started, r.flows.completed);
  EXPECT_EQ(r.flows.bytes_sent, r.flows.bytes_delivered);
  EXPECT_EQ(r.flows.bytes_sent, 2ULL * 2 * 15 * (16ULL << 20));  // 2 iterations x 2(N-1) x S
  EXPECT_LT(r.flows.max_byte_error, 1.0);
}

TEST(Run, FlowsCsvCanBeTurnedOff) {
  scenario::Scenario s = small_random_scenario();
  s.output.flows = false;
  const fs::path dir = scratch("noflows");
  run(s, RunOptions(dir));
  EXPECT_FALSE(fs::exists(dir / "flows.csv"));
  EXPECT_TRUE(fs::exists(dir / "links.csv"));
}

TEST(Run, DefaultScenarioRunsAndEcmpLosesToIdeal) {
  const Results r = run(scenario::load_default(), RunOptions{});
  ASSERT_EQ(r.jobs[0].collectives.size(), 2u);
  for (const auto& c : r.jobs[0].collectives) EXPECT_GE(c.duration_ps(), c.ideal_ps - 2 * 31);
  scenario::Scenario spray = scenario::load_default();
  spray.transport.policy = transport::PathPolicy::spray;
  const Results s = run(spray, RunOptions{});
  // Spraying on the non-blocking default fabric reaches the ideal ring time.
  EXPECT_NEAR(static_cast<double>(s.jobs[0].collectives[0].duration_ps()),
              static_cast<double>(s.jobs[0].collectives[0].ideal_ps), 100.0);
  EXPECT_GT(r.jobs[0].collectives[0].duration_ps(), s.jobs[0].collectives[0].duration_ps());
}

}  // namespace
}  // namespace spinel::api
