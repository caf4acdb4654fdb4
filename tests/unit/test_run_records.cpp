// What a run records about itself: where each rank ran (placement.csv), what
// made the results (run.json), the folder the scenario asks for
// (summary.json), and per job in a sweep's results.csv.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "api/spinel.hpp"
#include "api/version.hpp"
#include "test_support.hpp"
#include "tools/sweep/results.hpp"
#include "tools/sweep/runner.hpp"
#include "tools/sweep/sweep.hpp"

namespace spinel::api {
namespace {

namespace fs = std::filesystem;
using testing::slurp;

constexpr const char* kTwoJobs = R"(
name: records
seed: 3
topology: {kind: leaf_spine, leaves: 4, spines: 2, hosts_per_leaf: 4}
jobs:
  - {name: a, collective: ring_allreduce, size_bytes: 4MiB, hosts: 8, compute: 100us, iterations: 2}
  - {name: b, collective: all_to_all, size_bytes: 2MiB, hosts: 4, placement: random}
output: {flows: false}
)";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  for (const char c : text) {
    if (c == '\n') {
      out.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  return out;
}

TEST(RunRecords, PlacementCsvHasEveryRankOfEveryJob) {
  const Scenario s = load_string(kTwoJobs, "records.yaml");
  const fs::path dir = testing::scratch_folder("spinel_records_", "placement");
  const Results r = run(s, RunOptions(dir));
  const std::vector<std::string> lines = lines_of(slurp(dir / "placement.csv"));
  ASSERT_EQ(lines.size(), 1u + 8u + 4u);
  EXPECT_EQ(lines[0], "job,rank,host,server,switch");
  std::size_t row = 1;
  for (const JobResults& job : r.jobs) {
    for (std::size_t rank = 0; rank < job.placement.size(); ++rank, ++row) {
      const topology::HostId h = job.placement[rank];
      // Hosts sit leaf by leaf, 4 a leaf.
      EXPECT_EQ(lines[row], job.name + "," + std::to_string(rank) + "," + std::to_string(h) + "," +
                                std::to_string(h) + ",leaf" + std::to_string(h / 4));
    }
  }
}

TEST(RunRecords, PlacementCsvNamesTheServerOfEachGpu) {
  const Scenario s = load_string(R"(
name: servers
topology: {kind: leaf_spine, leaves: 4, spines: 2, hosts_per_leaf: 2, nics_per_host: 2,
           rail_optimised: true}
workload: {collective: ring_allreduce, size_bytes: 1MiB}
)",
                                 "servers.yaml");
  const fs::path dir = testing::scratch_folder("spinel_records_", "servers");
  const Results r = run(s, RunOptions(dir));
  const std::vector<std::string> lines = lines_of(slurp(dir / "placement.csv"));
  ASSERT_EQ(lines.size(), 9u);
  // Rail-optimised: the two GPUs of server 0 are hosts 0 (leaf0, rail 0) and
  // 4 (leaf2, rail 1).
  std::vector<std::string> server0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].find(",0,leaf") != std::string::npos) server0.push_back(lines[i]);
  }
  ASSERT_EQ(server0.size(), 2u) << slurp(dir / "placement.csv");
  EXPECT_NE(server0[0].find(",0,0,leaf0"), std::string::npos) << server0[0];
  EXPECT_NE(server0[1].find(",4,0,leaf2"), std::string::npos) << server0[1];
}

TEST(RunRecords, RunJsonSaysWhatMadeTheResults) {
  const Scenario s = load_string(kTwoJobs, "records.yaml");
  const fs::path dir = testing::scratch_folder("spinel_records_", "run_json");
  RunOptions options(dir);
  options.command_line = "spinel run records.yaml --seed 3";
  run(s, options);
  const std::string j = slurp(dir / "run.json");
  EXPECT_NE(j.find("\"git_commit\": \"" + std::string(git_commit()) + "\""), std::string::npos);
  EXPECT_NE(j.find("\"compiler\": \"" + std::string(compiler()) + "\""), std::string::npos);
  EXPECT_NE(j.find("\"build_type\": "), std::string::npos);
  EXPECT_NE(j.find("\"command_line\": \"spinel run records.yaml --seed 3\""), std::string::npos);
  EXPECT_NE(j.find("\"started_utc\": \"20"), std::string::npos) << j;
  EXPECT_NE(j.find("\"out_dir\": \"" + fs::absolute(dir).lexically_normal().string() + "\""),
            std::string::npos)
      << j;
  // summary.json says the folder the scenario asks for, the same whatever
  // folder this run wrote (it stays byte-identical).
  EXPECT_NE(slurp(dir / "summary.json").find("\"dir\": \"out/records\""), std::string::npos);
}

TEST(RunRecords, SweepResultsHaveColumnsPerJob) {
  const sweep::Sweep sw = sweep::load_sweep_string(
      std::string(kTwoJobs) + "sweep: {grid: {transport.policy: [ecmp, spray]}}\n", "r.yaml");
  const std::vector<std::string> columns = sweep::result_columns(sw);
  for (const char* c : {"a.collective_mean_ps", "a.ratio_to_ideal", "a.busbw_gbps",
                        "a.iteration_mean_ps", "a.iterations_per_second", "b.ratio_to_ideal"}) {
    EXPECT_NE(std::find(columns.begin(), columns.end(), c), columns.end()) << c;
  }
  const fs::path dir = testing::scratch_folder("spinel_records_", "sweep");
  sweep::RunnerOptions o;
  o.out_dir = dir;
  sweep::run_sweep(sw, o);
  const std::vector<std::string> lines = lines_of(slurp(dir / "results.csv"));
  ASSERT_EQ(lines.size(), 3u);
  const std::vector<std::string> cells = sweep::split_csv_line(lines[1]);
  ASSERT_EQ(cells.size(), columns.size());
  // Each job's cells are its own summary.json metrics, not the pooled ones.
  const Results r = run(sw.scenario_of(sw.points[0]));
  auto cell = [&](const std::string& name) {
    return cells[static_cast<std::size_t>(std::find(columns.begin(), columns.end(), name) -
                                          columns.begin())];
  };
  EXPECT_EQ(cell("a.collective_mean_ps"),
            std::to_string(r.jobs[0].collective_metrics->collective_mean_ps));
  EXPECT_EQ(cell("b.collective_mean_ps"),
            std::to_string(r.jobs[1].collective_metrics->collective_mean_ps));
  EXPECT_EQ(cell("a.iteration_mean_ps"),
            std::to_string(r.jobs[0].iteration_metrics->iteration_mean_ps));
  EXPECT_NE(cell("a.ratio_to_ideal"), cell("ratio_to_ideal"));

  // One job: its iteration metrics under their own names.
  const sweep::Sweep one = sweep::load_sweep_string(
      "name: one\ntopology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 2}\n"
      "workload: {collective: ring_allreduce, size_bytes: 1MiB, iterations: 2}\n"
      "sweep: {seeds: 2}\n",
      "one.yaml");
  const std::vector<std::string> c1 = sweep::result_columns(one);
  EXPECT_EQ(c1.back(), "iterations_per_second");
  EXPECT_EQ(c1[c1.size() - 2], "iteration_mean_ps");
}

}  // namespace
}  // namespace spinel::api
