// `spinel sweep`, `spinel merge` and their helpers, through the executable:
// exit status, messages, results.csv, a real kill and resume, shards run by
// GNU parallel and by the Slurm array script.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using spinel::testing::Result;
using spinel::testing::shell;
using spinel::testing::slurp;
using spinel::testing::spinel;

const std::string kExample = std::string(SPINEL_SOURCE_DIR) + "/scenarios/sweep_example.yaml";

fs::path scratch(const std::string& name) {
  return spinel::testing::scratch_folder("spinel_sweep_cli_", name);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The whole example swept in one process: the reference results.csv.
const std::string& whole_example_results() {
  static const std::string csv = [] {
    // Per process: ctest runs tests side by side, each wanting the reference.
    const fs::path dir = scratch("reference_" + std::to_string(getpid()));
    const Result r = spinel("sweep " + kExample + " --quiet --jobs 2 --out " + dir.string());
    EXPECT_EQ(r.status, 0) << r.output;
    return slurp(dir / "results.csv");
  }();
  return csv;
}

TEST(SweepCli, HelpTeachesByExample) {
  const Result main_help = spinel("--help");
  EXPECT_TRUE(contains(main_help.output, "spinel sweep FILE")) << main_help.output;
  EXPECT_TRUE(contains(main_help.output, "spinel merge OUTDIR...")) << main_help.output;
  for (const std::string args : {"sweep --help", "help sweep", "merge --help", "help merge"}) {
    const Result r = spinel(args);
    EXPECT_EQ(r.status, 0) << args;
    for (const char* part : {"grid:", "zip:", "seeds:", "{from: 4MiB, to: 256MiB, times: 2}",
                             "--shard I/N", "--resume", "spinel merge", "results.csv",
                             "tools/slurm/sweep.sbatch", "topology.host_link.rate"}) {
      EXPECT_TRUE(contains(r.output, part)) << args << " lacks " << part;
    }
  }
  EXPECT_EQ(spinel("help frobnicate").status, 2);
}

TEST(SweepCli, RunRefusesASweepAndValidateChecksIt) {
  Result r = spinel("run " + kExample);
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.output, kExample + ":35:1: sweep: this file is a parameter sweep; run "
                                            "its points with `spinel sweep FILE`"))
      << r.output;
  r = spinel("validate " + kExample);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, kExample + ": ok (sweep_example, 16 hosts; a sweep of 24 points)\n");

  const fs::path bad = scratch("bad.yaml");
  std::string text = slurp(kExample);
  const std::string zipped = "      topology.hosts_per_leaf: [8, 4]";
  text.replace(text.find(zipped), zipped.size(), "      topology.spine: [4, 8]\n" + zipped);
  std::ofstream(bad) << text;
  r = spinel("validate " + bad.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.output, bad.string() +
                                     ":41:7: sweep.zip[0].topology.spine: unknown key path; did "
                                     "you mean \"topology.spines\"?"))
      << r.output;
  r = spinel("sweep " + bad.string() + " --out " + scratch("bad_out").string());
  EXPECT_EQ(r.status, 2);
  EXPECT_FALSE(fs::exists(scratch("bad_out")));  // nothing ran
}

TEST(SweepCli, ListPrintsThePointsAndRunsNothing) {
  const fs::path dir = scratch("list");
  Result r = spinel("sweep " + kExample + " --list --out " + dir.string());
  EXPECT_EQ(r.status, 0);
  const std::vector<std::string> lines = lines_of(r.output);
  ASSERT_EQ(lines.size(), 24u);
  EXPECT_EQ(lines[0],
            "0\t00-ecmp_1MiB_2_8_rep0\ttransport.policy=ecmp workload.size_bytes=1MiB "
            "topology.leaves=2 topology.hosts_per_leaf=8 seed=1");
  EXPECT_TRUE(contains(lines[23], "23\t23-spray_16MiB_4_4_rep1\ttransport.policy=spray"));
  EXPECT_FALSE(fs::exists(dir));
  r = spinel("sweep " + kExample + " --list --shard 1/10");
  EXPECT_EQ(lines_of(r.output).size(), 3u);  // 1, 11, 21
  EXPECT_TRUE(contains(r.output, "\n11\t11-ecmp_16MiB_4_4_rep1\t")) << r.output;
}

TEST(SweepCli, OneAndTwoJobsGiveByteIdenticalResults) {
  const fs::path one = scratch("jobs1");
  const fs::path two = scratch("jobs2");
  const Result a = spinel("sweep " + kExample + " --jobs 1 --out " + one.string());
  const Result b = spinel("sweep " + kExample + " --jobs 2 --quiet --out " + two.string());
  ASSERT_EQ(a.status, 0) << a.output;
  ASSERT_EQ(b.status, 0) << b.output;
  // Progress (not a terminal here: plain lines) and the summary.
  EXPECT_TRUE(contains(a.output, "24/24 points, 0 failed, ")) << a.output;
  EXPECT_TRUE(contains(a.output,
                       "sweep_example: 24 points: 24 ok, 0 failed; 24 run now, 0 "
                       "already finished\nresults in " +
                           (one / "results.csv").string()))
      << a.output;
  EXPECT_EQ(b.output, "");  // --quiet
  const std::string csv = slurp(one / "results.csv");
  EXPECT_EQ(lines_of(csv).size(), 25u);
  EXPECT_EQ(csv, slurp(two / "results.csv"));
  EXPECT_EQ(csv, whole_example_results());
}

TEST(SweepCli, AFailingPointGetsItsRowAndExitStatusOne) {
  // Point 5's folder cannot take collectives.csv (a folder is in the way),
  // as when a disk fails: that run throws, the others do not care.
  const fs::path dir = scratch("failing");
  const std::string folder = "05-ecmp_4MiB_2_8_rep1";
  fs::create_directories(dir / "points" / folder / "collectives.csv");
  const Result r = spinel("sweep " + kExample + " --jobs 2 --out " + dir.string());
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "spinel: point " + folder + " failed: cannot write points/" +
                                     folder + "/collectives.csv"))
      << r.output;
  EXPECT_TRUE(contains(r.output, "24 points: 23 ok, 1 failed")) << r.output;
  const std::vector<std::string> rows = lines_of(slurp(dir / "results.csv"));
  const std::vector<std::string> expected = lines_of(whole_example_results());
  ASSERT_EQ(rows.size(), 25u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i == 6) continue;  // point 5
    EXPECT_EQ(rows[i], expected[i]);
  }
  EXPECT_EQ(rows[6].rfind("5,ecmp,4194304,2,8,", 0), 0u) << rows[6];
  EXPECT_TRUE(
      contains(rows[6], ",failed,cannot write points/" + folder + "/collectives.csv,,,,,,,,,,,,,"))
      << rows[6];
}

// A sweep whose point 1 is a million-host ring (an extreme estimate) and
// point 0 four hosts.
fs::path extreme_sweep(const fs::path& dir) {
  fs::create_directories(dir);
  const fs::path file = dir / "extreme.yaml";
  std::ofstream(file) << "name: extreme\n"
                         "topology: {kind: leaf_spine, leaves: 2, spines: 4, hosts_per_leaf: 2}\n"
                         "workload: {collective: ring_allreduce, size_bytes: 64KiB}\n"
                         "output: {flows: false}\n"
                         "sweep:\n"
                         "  zip:\n"
                         "    - topology.leaves: [2, 1024]\n"
                         "      topology.hosts_per_leaf: [2, 1024]\n";
  return file;
}

TEST(SweepCli, AnExtremePointNeedsForceAndNothingStarts) {
  const fs::path dir = scratch("extreme");
  const fs::path file = extreme_sweep(dir);
  Result r = spinel("sweep " + file.string() + " --out " + (dir / "out").string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "warning: " + file.string() + ":")) << r.output;
  EXPECT_TRUE(contains(r.output, "events: at a few million events a second")) << r.output;
  EXPECT_TRUE(contains(r.output, " (1 point)\n")) << r.output;
  EXPECT_TRUE(contains(r.output,
                       "spinel: not run: the estimate above is extreme for 1 point; "
                       "narrow the sweep, or run it anyway with --force"))
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "out" / "results.csv"));
  // The shard without the extreme point runs, with or without --force.
  r = spinel("sweep " + file.string() + " --shard 0/2 --force --out " + (dir / "out").string());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "1 ok, 0 failed")) << r.output;
}

TEST(SweepCli, FinishedPointsNeedResume) {
  const fs::path dir = scratch("again");
  ASSERT_EQ(spinel("sweep " + kExample + " --quiet --out " + dir.string()).status, 0);
  Result r = spinel("sweep " + kExample + " --quiet --out " + dir.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.output, "already holds the results of 24 of these points")) << r.output;
  EXPECT_TRUE(contains(r.output, "add --resume")) << r.output;
  r = spinel("sweep " + kExample + " --resume --out " + dir.string());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "24 ok, 0 failed; 0 run now, 24 already finished")) << r.output;
  EXPECT_EQ(slurp(dir / "results.csv"), whole_example_results());
}

TEST(SweepCli, BadCommandLines) {
  for (const std::string& args : std::vector<std::string>{
           "sweep", "sweep " + kExample + " --shard 2/2", "sweep " + kExample + " --shard 1",
           "sweep " + kExample + " --jobs 0", "sweep " + kExample + " --jobs many",
           "sweep " + kExample + " --frobnicate", "sweep " + kExample + " " + kExample,
           "sweep " + kExample + " --out", "merge", "merge a b", "merge --frobnicate"}) {
    const Result r = spinel(args);
    EXPECT_EQ(r.status, 2) << args << ": " << r.output;
    EXPECT_TRUE(contains(r.output, "spinel: ")) << args << ": " << r.output;
  }
  const Result missing = spinel("sweep /nonexistent/sweep.yaml");
  EXPECT_EQ(missing.status, 2);
  EXPECT_TRUE(contains(missing.output, "/nonexistent/sweep.yaml: cannot read")) << missing.output;
  const Result not_a_sweep = spinel("merge " + scratch("no_sweep").string());
  EXPECT_EQ(not_a_sweep.status, 2);
  EXPECT_TRUE(contains(not_a_sweep.output, "no sweep.json")) << not_a_sweep.output;
}

// 16 points of some milliseconds each (more under ASan), so that the sweep can be
// killed half-way.
const char* const kSlowSweep =
    "name: slow\n"
    "topology: {kind: leaf_spine, leaves: 8, spines: 4, hosts_per_leaf: 8}\n"
    "workload: {collective: ring_allreduce, size_bytes: 4MiB, placement: random}\n"
    "output: {flows: false}\n"
    "sweep:\n"
    "  grid: {workload.iterations: [2, 3]}\n"
    "  seeds: 8\n";

std::size_t finished_points(const fs::path& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir / "points", ec)) {
    if (fs::exists(entry.path() / "result.csv")) ++n;
  }
  return n;
}

TEST(SweepCli, AKilledSweepResumesWhereItStopped) {
  const fs::path file = scratch("slow.yaml");
  std::ofstream(file) << kSlowSweep;
  const fs::path dir = scratch("killed");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    execl(SPINEL_BINARY, SPINEL_BINARY, "sweep", file.c_str(), "--jobs", "1", "--out", dir.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int status = 0;
  bool exited = false;
  while (finished_points(dir) < 2 && std::chrono::steady_clock::now() < deadline) {
    if (waitpid(child, &status, WNOHANG) == child) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!exited) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
  }
  ASSERT_TRUE(WIFSIGNALED(status)) << "the sweep ended before it could be killed";
  const std::size_t kept = finished_points(dir);
  ASSERT_GE(kept, 2u);
  ASSERT_LT(kept, 16u);

  const Result r = spinel("sweep " + file.string() + " --resume --jobs 2 --out " + dir.string());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "16 points: 16 ok, 0 failed; " + std::to_string(16 - kept) +
                                     " run now, " + std::to_string(kept) + " already finished"))
      << r.output;
  const fs::path whole = scratch("killed_whole");
  ASSERT_EQ(spinel("sweep " + file.string() + " --quiet --jobs 2 --out " + whole.string()).status,
            0);
  EXPECT_EQ(slurp(dir / "results.csv"), slurp(whole / "results.csv"));
}

// The slow sweep in a child process, sent `signals` once two points have
// finished; its exit status and what it wrote to stderr.
struct Stopped {
  int status = 0;
  std::string stderr_text;
};
Stopped stop_slow_sweep(const fs::path& file, const fs::path& dir, std::vector<int> signals) {
  const fs::path log = dir.string() + ".stderr";
  const pid_t child = fork();
  if (child == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen(log.c_str(), "w", stderr);
    execl(SPINEL_BINARY, SPINEL_BINARY, "sweep", file.c_str(), "--jobs", "1", "--out", dir.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  Stopped out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (finished_points(dir) < 2 && std::chrono::steady_clock::now() < deadline) {
    if (waitpid(child, &out.status, WNOHANG) == child) {
      out.stderr_text = slurp(log);
      return out;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (const int s : signals) {
    kill(child, s);
    // Apart, or the kernel merges them into one pending signal.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  waitpid(child, &out.status, 0);
  out.stderr_text = slurp(log);
  return out;
}

TEST(SweepCli, SigintFinishesTheRunningPointWritesResultsAndSaysHowToResume) {
  const fs::path file = scratch("slow_int.yaml");
  std::ofstream(file) << kSlowSweep;
  const fs::path dir = scratch("interrupted");
  const Stopped r = stop_slow_sweep(file, dir, {SIGINT});
  ASSERT_TRUE(WIFEXITED(r.status)) << "killed by the signal instead of stopping";
  ASSERT_EQ(WEXITSTATUS(r.status), 130) << r.stderr_text;
  EXPECT_TRUE(contains(r.stderr_text, "stopped by SIGINT")) << r.stderr_text;
  EXPECT_TRUE(contains(r.stderr_text,
                       "spinel sweep " + file.string() + " --out " + dir.string() + " --resume"))
      << r.stderr_text;
  // Every finished point is in results.csv, and nothing else.
  const std::size_t kept = finished_points(dir);
  EXPECT_GE(kept, 2u);
  EXPECT_EQ(lines_of(slurp(dir / "results.csv")).size(), 1 + kept);

  const Result rest = spinel("sweep " + file.string() + " --resume --quiet --out " + dir.string());
  EXPECT_EQ(rest.status, 0) << rest.output;
  const fs::path whole = scratch("interrupted_whole");
  ASSERT_EQ(spinel("sweep " + file.string() + " --quiet --jobs 2 --out " + whole.string()).status,
            0);
  EXPECT_EQ(slurp(dir / "results.csv"), slurp(whole / "results.csv"));
}

TEST(SweepCli, TwoSigtermsAbandonTheRunningPointAndExit143) {
  const fs::path file = scratch("slow_term.yaml");
  std::ofstream(file) << kSlowSweep;
  const fs::path dir = scratch("terminated");
  const Stopped r = stop_slow_sweep(file, dir, {SIGTERM, SIGTERM});
  ASSERT_TRUE(WIFEXITED(r.status)) << "killed by the signal instead of stopping";
  EXPECT_EQ(WEXITSTATUS(r.status), 143) << r.stderr_text;
  EXPECT_TRUE(contains(r.stderr_text, "stopped by SIGTERM")) << r.stderr_text;
  EXPECT_EQ(lines_of(slurp(dir / "results.csv")).size(), 1 + finished_points(dir));
}

TEST(SweepCli, MergeChecksTheShards) {
  const fs::path dir = scratch("merge");
  for (int i = 0; i < 2; ++i) {
    const Result r = spinel("sweep " + kExample + " --quiet --shard " + std::to_string(i) +
                            "/3 --out " + (dir / std::to_string(i)).string());
    ASSERT_EQ(r.status, 0) << r.output;
  }
  Result r = spinel("merge " + (dir / "0").string() + " " + (dir / "1").string() + " --out " +
                    (dir / "all").string());
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.output,
                       "spinel: merge: 8 of 24 points are not finished in these "
                       "folders: 2, 5, 8, 11, 14, 17, 20, 23; run their shards (again) "
                       "with --resume"))
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "all" / "results.csv"));
  ASSERT_EQ(
      spinel("sweep " + kExample + " --quiet --shard 2/3 --out " + (dir / "2").string()).status, 0);
  r = spinel("merge " + (dir / "0").string() + " " + (dir / "1").string() + " " +
             (dir / "2").string() + " --out " + (dir / "all").string());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "merged 24 points (0 failed) from 3 folders")) << r.output;
  EXPECT_EQ(slurp(dir / "all" / "results.csv"), whole_example_results());
}

// GNU parallel, not moreutils' program of the same name.
bool have_gnu_parallel() {
  const Result r = shell("parallel --version </dev/null");
  return r.status == 0 && contains(r.output, "GNU parallel");
}

TEST(SweepCli, ShardsRunByGnuParallelMergeIntoTheWhole) {
  if (!have_gnu_parallel()) {
    GTEST_SKIP() << "GNU parallel is not installed (./dev setup installs the Debian package "
                    "parallel)";
  }
  const fs::path dir = scratch("parallel");
  fs::create_directories(dir / "home");
  // As the README shows: 3 shards, 2 at a time, each in its own folder.
  const Result run = shell("cd " + dir.string() + " && PARALLEL_HOME=" + (dir / "home").string() +
                           " parallel --will-cite -j 2 " + SPINEL_BINARY + " sweep " + kExample +
                           " --shard {}/3 --jobs 1 --quiet --out shard{} ::: 0 1 2");
  ASSERT_EQ(run.status, 0) << run.output;
  const Result merge =
      spinel("merge " + (dir / "shard0").string() + " " + (dir / "shard1").string() + " " +
             (dir / "shard2").string() + " --out " + (dir / "merged").string());
  ASSERT_EQ(merge.status, 0) << merge.output;
  EXPECT_EQ(slurp(dir / "merged" / "results.csv"), whole_example_results());
}

TEST(SweepCli, SlurmArrayScriptRunsOneShardPerTask) {
  const std::string script = std::string(SPINEL_SOURCE_DIR) + "/tools/slurm/sweep.sbatch";
  const fs::path dir = scratch("slurm");
  // As Slurm would run `sbatch --array=1-3`: three tasks, ids 1 to 3, one folder.
  for (int id = 1; id <= 3; ++id) {
    const Result r = shell("SLURM_ARRAY_TASK_ID=" + std::to_string(id) +
                           " SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=3 "
                           "SLURM_CPUS_PER_TASK=2 SPINEL=" +
                           SPINEL_BINARY + " bash " + script + " " + kExample + " " + dir.string());
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "shard " + std::to_string(id - 1) + "/3")) << r.output;
  }
  const Result merge = spinel("merge " + dir.string());
  ASSERT_EQ(merge.status, 0) << merge.output;
  EXPECT_EQ(slurp(dir / "results.csv"), whole_example_results());

  // Tasks that are not one shard each are refused, saying what to write.
  const std::array<std::pair<const char*, const char*>, 7> refused = {{
      // A task out of the array's range.
      {"SLURM_ARRAY_TASK_ID=7 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=3",
       "use a contiguous --array"},
      // Outside an array.
      {"SLURM_ARRAY_TASK_ID=", "not a job array task"},
      // `--array=3,5` without SWEEP_SHARDS: task 3 would have run shard 0 of 2.
      {"SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=3 SLURM_ARRAY_TASK_MAX=5 "
       "SLURM_ARRAY_TASK_COUNT=2",
       "use a contiguous --array"},
      // `--array=2` alone would have run the whole sweep as shard 0/1.
      {"SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_MIN=2 SLURM_ARRAY_TASK_MAX=2 "
       "SLURM_ARRAY_TASK_COUNT=1",
       "SWEEP_SHARDS=N sbatch --array=2"},
      // Named shards: a task id beyond the count, and counts that are not one.
      {"SWEEP_SHARDS=3 SLURM_ARRAY_TASK_ID=3", "the task ids are shard numbers 0..N-1"},
      {"SWEEP_SHARDS=three SLURM_ARRAY_TASK_ID=3", "SWEEP_SHARDS must be the shard count N"},
      {"SWEEP_SHARDS=0 SLURM_ARRAY_TASK_ID=0", "SWEEP_SHARDS must be the shard count N"},
  }};
  for (const auto& [env, message] : refused) {
    const Result r = shell(std::string("env -u SWEEP_SHARDS ") + env + " bash " + script + " " +
                           kExample + " " + dir.string());
    EXPECT_EQ(r.status, 2) << env;
    EXPECT_TRUE(contains(r.output, message)) << env << ": " << r.output;
  }
}

TEST(SweepCli, SlurmArrayScriptRerunsNamedShards) {
  const std::string script = std::string(SPINEL_SOURCE_DIR) + "/tools/slurm/sweep.sbatch";
  const fs::path dir = scratch("slurm_rerun");
  // As `sbatch --array=0-3` would, then shards 1 and 3 again after their points are lost.
  const auto task = [&](const std::string& env, int id) {
    return shell(env + " SLURM_ARRAY_TASK_ID=" + std::to_string(id) + " SPINEL=" + SPINEL_BINARY +
                 " bash " + script + " " + kExample + " " + dir.string());
  };
  for (int id = 0; id < 4; ++id) {
    const Result r =
        task("SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=3 SLURM_ARRAY_TASK_COUNT=4", id);
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "1 threads")) << r.output;
  }
  for (const auto& point : fs::directory_iterator(dir / "points")) {
    const int index = std::stoi(point.path().filename().string().substr(0, 2));
    if (index % 4 == 1 || index % 4 == 3) fs::remove_all(point.path());
  }
  EXPECT_EQ(spinel("merge " + dir.string()).status, 2);
  for (int id : {1, 3}) {
    const Result r = task(
        "SWEEP_SHARDS=4 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=3 "
        "SLURM_ARRAY_TASK_COUNT=2",
        id);
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "shard " + std::to_string(id) + "/4")) << r.output;
  }
  const Result merge = spinel("merge " + dir.string());
  ASSERT_EQ(merge.status, 0) << merge.output;
  EXPECT_EQ(slurp(dir / "results.csv"), whole_example_results());
}

}  // namespace
