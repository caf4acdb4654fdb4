// The spinel executable: exit codes, messages, output files.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using spinel::testing::Result;
using spinel::testing::spinel;

fs::path write_file(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / name;
  std::ofstream(p) << text;
  return p;
}

TEST(Cli, HelpTeachesTheCommands) {
  const Result r = spinel("--help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.output.find("spinel run"), std::string::npos);
  EXPECT_NE(r.output.find("spinel validate"), std::string::npos);
  const Result run_help = spinel("run --help");
  EXPECT_EQ(run_help.status, 0);
  EXPECT_NE(run_help.output.find("size_bytes"), std::string::npos);  // shows the format by example
}

TEST(Cli, RunWithoutFileRunsTheDefaultScenario) {
  const fs::path out = fs::temp_directory_path() / "spinel_cli_default";
  fs::remove_all(out);
  const Result r = spinel("run --out " + out.string());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("quickstart"), std::string::npos);
  EXPECT_NE(r.output.find("ratio"), std::string::npos);
  for (const char* f : {"summary.json", "collectives.csv", "flows.csv", "links.csv", "run.json"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
}

TEST(Cli, SeedOverrideChangesARandomPlacementRun) {
  const fs::path a = fs::temp_directory_path() / "spinel_cli_seed_a";
  const fs::path b = fs::temp_directory_path() / "spinel_cli_seed_b";
  ASSERT_EQ(spinel("run --quiet --seed 1 --out " + a.string()).status, 0);
  ASSERT_EQ(spinel("run --quiet --seed 2 --out " + b.string()).status, 0);
  std::ifstream fa(a / "summary.json");
  std::ifstream fb(b / "summary.json");
  const std::string sa((std::istreambuf_iterator<char>(fa)), std::istreambuf_iterator<char>());
  const std::string sb((std::istreambuf_iterator<char>(fb)), std::istreambuf_iterator<char>());
  EXPECT_NE(sa, sb);
  EXPECT_NE(sa.find("\"seed\": 1"), std::string::npos);
}

TEST(Cli, BadScenarioExitsTwoWithFileLineColumnAndKey) {
  const fs::path p = write_file("spinel_cli_bad.yaml",
                                "name: bad\n"
                                "topology:\n"
                                "  kind: leaf_spine\n"
                                "  leaves: 4\n"
                                "  spine: 4\n"
                                "  hosts_per_leaf: 4\n"
                                "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n");
  for (const std::string cmd : {"run ", "validate "}) {
    const Result r = spinel(cmd + p.string());
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find(p.string() + ":5:3: topology.spine: unknown key"), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("did you mean \"spines\""), std::string::npos) << r.output;
  }
}

TEST(Cli, MissingFileAndBadArgumentsAreClearErrors) {
  Result r = spinel("run /nonexistent/scenario.yaml");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("/nonexistent/scenario.yaml"), std::string::npos);
  r = spinel("run --seed minus-one");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--seed"), std::string::npos);
  r = spinel("frobnicate");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("unknown command"), std::string::npos);
}

TEST(Cli, ValidateAcceptsEveryShippedScenario) {
  for (const auto& entry : fs::directory_iterator(fs::path(SPINEL_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    const Result r = spinel("validate " + entry.path().string());
    EXPECT_EQ(r.status, 0) << entry.path() << ": " << r.output;
  }
}

}  // namespace
