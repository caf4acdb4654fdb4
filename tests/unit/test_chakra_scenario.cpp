// Chakra traces from a scenario: `workload: {chakra: PREFIX}`, its located
// errors, and runs through the library against the same workload given
// natively; the shipped example traces are what their generator writes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "test_support.hpp"
#include "workloads/chakra/et_writer.hpp"
#include "workloads/chakra/examples.hpp"

namespace spinel::api {
namespace {

namespace fs = std::filesystem;
namespace pb = ChakraProtoMsg;
using workloads::chakra::EtWriter;

const std::string kHead = R"(name: c
topology: {kind: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 4}
)";

fs::path folder(const std::string& name) {
  const fs::path dir = testing::scratch_folder("spinel_chakra_scenario_", name);
  fs::create_directories(dir);
  return dir;
}

// `ranks` files of one all-reduce each, t.<rank>.et in `dir`.
void write_allreduce(const fs::path& dir, std::uint32_t ranks, std::int64_t bytes) {
  for (std::uint32_t r = 0; r < ranks; ++r) {
    EtWriter w;
    w.coll(0, pb::ALL_REDUCE, bytes, {});
    w.write((dir / ("t." + std::to_string(r) + ".et")).string());
  }
}

scenario::Scenario load_in(const fs::path& dir, const std::string& workload) {
  return scenario::load_string(kHead + workload, (dir / "c.yaml").string());
}

std::string error_in(const fs::path& dir, const std::string& workload) {
  return testing::error_of_loading([&](const std::string& y) { return load_in(dir, y); }, workload);
}

// The trace's 16 ranks make the job; its one all-reduce takes exactly what
// the native collective job's takes.
TEST(ChakraScenario, AllReduceMatchesTheNativeCollective) {
  const fs::path dir = folder("native");
  write_allreduce(dir, 16, 1 << 20);
  const scenario::Scenario s = load_in(dir, "workload: {chakra: t}\noutput: {flows: false}\n");
  ASSERT_TRUE(s.jobs[0].program);
  EXPECT_EQ(s.jobs[0].program->rank_count(), 16U);
  const Results chakra = run(s, RunOptions{});
  const Results native =
      run(scenario::load_string(
              kHead + "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n", "n.yaml"),
          RunOptions{});
  ASSERT_EQ(chakra.jobs[0].collectives.size(), 1U);
  ASSERT_EQ(native.jobs[0].collectives.size(), 1U);
  EXPECT_TRUE(chakra.jobs[0].finished);
  EXPECT_EQ(chakra.jobs[0].collectives[0].duration_ps(),
            native.jobs[0].collectives[0].duration_ps());
}

TEST(ChakraScenario, ReplicateAndHostsMustAgreeWithTheTrace) {
  const fs::path dir = folder("replicate");
  write_allreduce(dir, 1, 4096);
  const scenario::Scenario s = load_in(dir, "workload: {chakra: t, replicate: 8}\n");
  EXPECT_EQ(s.jobs[0].program->rank_count(), 8U);
  EXPECT_EQ(s.jobs[0].hosts, 8U);
  EXPECT_EQ(error_in(dir, "workload: {chakra: t, replicate: 8, hosts: 4}\n"),
            (dir / "c.yaml").string() +
                ":3:44: workload.hosts: the job has 4 ranks (hosts times GPUs per server), the "
                "trace 8; leave hosts out to take the trace's, or make them agree");
}

TEST(ChakraScenario, ErrorsAreLocated) {
  const fs::path dir = folder("errors");
  const std::string yaml = (dir / "c.yaml").string();
  EXPECT_EQ(error_in(dir, "workload: {chakra: none}\n"),
            yaml + ":3:20: workload.chakra: " + (dir / "none").string() +
                ": no trace files none.<rank>.et in " + dir.string() +
                " (Chakra traces are one file per rank: none.0.et, none.1.et, ...)");
  write_allreduce(dir, 2, 1024);
  std::ofstream(dir / "t.1.et", std::ios::binary) << std::string("\x05\x0a", 2);
  const std::string m = error_in(dir, "workload:\n  chakra: t\n");
  EXPECT_STARTS_WITH(m, yaml + ":4:11: workload.chakra: " + (dir / "t.1.et").string() +
                            ": byte offset 0: a message of 5 bytes, but only 1 bytes are left");
  EXPECT_EQ(error_in(dir,
                     "workload: {collective: ring_allreduce, size_bytes: 1MiB, "
                     "replicate: 2}\n"),
            yaml +
                ":3:58: workload.replicate: this key belongs to a Chakra trace: give chakra "
                "too");
  EXPECT_EQ(error_in(dir, "workload: {chakra: t, program: [{compute: 1us}]}\n"),
            yaml +
                ":3:1: workload: a Chakra trace is the job's program: leave out program, "
                "transformer, parallel, groups, flows and connection_matrix");
  EXPECT_STARTS_WITH(error_in(dir, "workload: {chakra: t, replicate: 0}\n"),
                     yaml + ":3:34: workload.replicate: expected an integer from 1 to");
}

// Ranks that each receive before they send wait for each other: the run
// stops and names the nodes (by their names), it does not hang.
TEST(ChakraScenario, ACrossRankDeadlockStopsTheRun) {
  const fs::path dir = folder("deadlock");
  for (std::int64_t r = 0; r < 2; ++r) {
    EtWriter w;
    w.recv(1, 1 - r, r, 100, 0, {}).set_name("wait" + std::to_string(r));
    w.send(2, r, 1 - r, 100, 0, {1});
    w.write((dir / ("t." + std::to_string(r) + ".et")).string());
  }
  try {
    run(load_in(dir, "workload: {chakra: t}\n"), RunOptions{});
    FAIL() << "no error";
  } catch (const sim::ScenarioError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("rank 1 op 0 (wait1): receive from rank 0 tag 0, whose send never starts"),
              std::string::npos)
        << what;
  }
}

// The shipped traces are their generator's output, and the shipped
// scenarios run to the end.
TEST(ChakraScenario, ShippedExamplesAreGeneratedAndRun) {
  const fs::path dir = folder("examples");
  workloads::chakra::write_example_traces(dir.string());
  const fs::path shipped = fs::path(SPINEL_SOURCE_DIR) / "scenarios" / "chakra";
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_EQ(testing::slurp(entry.path()), testing::slurp(shipped / entry.path().filename()))
        << entry.path().filename() << ": run tools/chakra_examples (spinel-chakra-examples "
        << "scenarios/chakra) again";
    ++files;
  }
  EXPECT_EQ(files, 16U + 8U);
  for (const char* name : {"chakra_allreduce.yaml", "chakra_pipeline.yaml"}) {
    const scenario::Scenario s =
        scenario::load_file(std::string(SPINEL_SOURCE_DIR) + "/scenarios/" + name);
    const Results r = run(s, RunOptions{});
    ASSERT_EQ(r.jobs.size(), 1U) << name;
    EXPECT_TRUE(r.jobs[0].finished) << name;
  }
  const Results pipeline =
      run(scenario::load_file(std::string(SPINEL_SOURCE_DIR) + "/scenarios/chakra_pipeline.yaml"),
          RunOptions{});
  // Per iteration: 2 all-reduces on each tp group, 1 on every rank.
  EXPECT_EQ(pipeline.jobs[0].collectives.size(), 3U * (2 + 2 + 1));
  ASSERT_EQ(pipeline.jobs[0].breakdown.size(), 3U);
  // compute_scale 0.5: stage 1's 400 + 800 us become 600 us per iteration.
  for (const auto& it : pipeline.jobs[0].breakdown) {
    EXPECT_EQ(it.compute_ps, (4 * 450 + 4 * 600) * sim::kMicrosecond / 8);
  }
}

TEST(ChakraCli, InfoSummarisesATrace) {
  const std::string pipeline = std::string(SPINEL_SOURCE_DIR) + "/scenarios/chakra/pipeline";
  testing::Result r = testing::spinel("chakra-info " + pipeline);
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* line :
       {": 8 traced ranks; Chakra version 0.0.4\n", "  COMM_COLL: 24\n",
        "  of them is_cpu_op: 8 (skipped)\n", "num_ops 8;",
        "  tp0 (4 ranks): 2 x ring_allreduce 8MiB;\n",
        "  world (8 ranks): 1 x ring_allreduce 64MiB;\n", "point to point: 8 sends, 64MiB\n",
        // Stage 1: 400 us forward, 800 us backward.
        "critical-path compute: 1.2ms (rank 4;"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << " in\n" << r.output;
  }
  r = testing::spinel("chakra-info " + pipeline + " --replicate 2");
  EXPECT_NE(r.output.find("replicated to 16 ranks"), std::string::npos) << r.output;
  r = testing::spinel("chakra-info --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.output.find("critical-path compute time"), std::string::npos);
  r = testing::spinel("chakra-info /nonexistent/trace");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("/nonexistent/trace: cannot list /nonexistent"), std::string::npos)
      << r.output;
  r = testing::spinel("chakra-info " + pipeline + " --replicate x");
  EXPECT_EQ(r.status, 2);
}

}  // namespace
}  // namespace spinel::api
