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

// Options are parsed by CLI11 for every command; a bad command line still
// exits 2, before anything runs, with the command's own wording from before
// CLI11 (tools/spinel/options.hpp keeps it).
TEST(Cli, EveryCommandRejectsUnknownOptionsBadAndMissingValues) {
  const std::pair<std::string, std::string> cases[] = {
      {"run --frobnicate", "unknown option '--frobnicate' for run"},
      {"run --seed", "--seed needs a value"},
      {"run --quiet --out", "--out needs a value"},
      {"run --seed -3", "--seed"},
      {"run a.yaml b.yaml", "run takes one scenario file; got 'a.yaml' and 'b.yaml'"},
      // An unknown option is named, not mistaken for a second file with its value.
      {"sweep --seeds 0 s.yaml", "unknown option '--seeds' for sweep"},
      {"topology a.yaml b.yaml", "one scenario file, got 'a.yaml' and 'b.yaml'"},
      {"sweep s.yaml --jobs", "--jobs needs a value"},
      {"sweep s.yaml --jobs 0", "--jobs takes a number of threads from 1 to 4096, got '0'"},
      {"sweep s.yaml -j 5000", "--jobs takes a number of threads from 1 to 4096, got '5000'"},
      {"merge a --out", "--out needs a value"},
      {"dst --seeds 0 p.yaml", "--seeds takes a positive integer, got '0'"},
      {"dst p.yaml --frobnicate", "spinel dst: unknown option '--frobnicate'"},
      {"topology f.yaml --export png", "--export takes graphml or dot, got 'png'"},
      {"topology f.yaml --export", "--export needs a value"},
      {"chakra-info p --replicate 0", "--replicate takes a positive integer, got '0'"},
      {"chakra-info p --dimensions 8,x", "--dimensions takes sizes like 8,4, got '8,x'"},
      {"pccl-master --quantisation fp8", "--quantisation takes none, fp16 or int8, got 'fp8'"},
      {"pccl-local --peers", "--peers needs a value"},
      {"pccl-master --insecure extra", "unknown option 'extra' for pccl-master"},
      {"pccl-peer --steps 0 --master 127.0.0.1:7",
       "--steps takes an integer from 1 to 18446744073709551615, got '0'"},
  };
  for (const auto& [args, reason] : cases) {
    const Result r = spinel(args);
    EXPECT_EQ(r.status, 2) << args << ": " << r.output;
    EXPECT_NE(r.output.find(reason), std::string::npos) << args << ": " << r.output;
    EXPECT_NE(r.output.find("spinel"), std::string::npos) << args << ": " << r.output;
  }
}

// "--out=DIR" is "--out DIR", and of a repeated option the last value counts
// (as before CLI11: a wrapper script may append its own --seed).
TEST(Cli, ValuesAfterAnEqualsSignAndTheLastRepeatWins) {
  const fs::path out = spinel::testing::scratch_folder("spinel_cli_", "equals");
  const Result r = spinel("run --quiet --seed=3 --seed 5 --out=" + out.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "");
  EXPECT_NE(spinel::testing::slurp(out / "summary.json").find("\"seed\": 5,"), std::string::npos);
  fs::remove_all(out);
}

// Every command line of tools/outputs_check/inputs/command_lines.txt (a usage
// error or a help for each command, 148 lines) ends in exit status 0 or 2 with
// a message, from the source folder: never a crash, an escaped exception or a
// sanitizer report (this test runs in the ASan build too).
TEST(Cli, EveryKnownBadCommandLineEndsCleanly) {
  std::ifstream lines(fs::path(SPINEL_SOURCE_DIR) / "tools/outputs_check/inputs/command_lines.txt");
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    const Result r = spinel::testing::shell(
        "cd " + std::string(SPINEL_SOURCE_DIR) + " && env -u SPINEL_PCCL_KEY timeout 20 " +
        std::string(SPINEL_BINARY) + " " + line + " </dev/null");
    EXPECT_TRUE(r.status == 0 || r.status == 2) << line << ": " << r.status << "\n" << r.output;
    EXPECT_FALSE(r.output.empty()) << line;
    for (const char* crash : {"terminate called", "what():", "Sanitizer", "runtime error"}) {
      EXPECT_EQ(r.output.find(crash), std::string::npos) << line << ": " << r.output;
    }
  }
  EXPECT_GE(count, 100);
}

TEST(Cli, ValidateAcceptsEveryShippedScenario) {
  for (const auto& entry : fs::directory_iterator(fs::path(SPINEL_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    const Result r = spinel("validate " + entry.path().string());
    EXPECT_EQ(r.status, 0) << entry.path() << ": " << r.output;
  }
}

}  // namespace
