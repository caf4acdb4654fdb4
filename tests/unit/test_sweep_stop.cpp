// A sweep asked to stop (SIGINT/SIGTERM in the CLI): no new points, the
// running ones finish or are abandoned, results.csv keeps what finished, and
// --resume completes the sweep with the same bytes; stale temporary files of
// killed writes are removed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "api/run.hpp"
#include "test_support.hpp"
#include "tiny_sweep.hpp"
#include "tools/sweep/folder.hpp"
#include "tools/sweep/runner.hpp"
#include "tools/sweep/sweep.hpp"

namespace spinel::sweep {
namespace {

namespace fs = std::filesystem;
using testing::slurp;

const std::string kSweep(testing::kTinySweep);

fs::path scratch(const std::string& name) {
  return testing::scratch_folder("spinel_sweep_stop_", name);
}

std::size_t result_files(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& entry : fs::directory_iterator(dir / "points")) {
    if (fs::exists(entry.path() / kPointResult)) ++n;
  }
  return n;
}

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

class SweepStop : public ::testing::Test {
 protected:
  RunnerOptions options(const fs::path& dir) {
    RunnerOptions o;
    o.out_dir = dir;
    o.jobs = 1;
    o.stop = &stop_;
    return o;
  }
  // The whole sweep in one go, for comparing bytes.
  std::string whole_results() {
    const fs::path dir = scratch("whole");
    RunnerOptions o = options(dir);
    o.stop = nullptr;
    run_sweep(sweep_, o);
    return slurp(dir / "results.csv");
  }

  const Sweep sweep_ = load_sweep_string(kSweep, "tiny.yaml");
  std::atomic<int> stop_{kKeepGoing};
};

TEST_F(SweepStop, FinishInFlightStartsNoMorePointsAndKeepsTheFinished) {
  const fs::path dir = scratch("finish");
  RunnerOptions o = options(dir);
  int runs = 0;
  o.run_point = [&](const scenario::Scenario& s, const api::RunOptions& r) {
    if (++runs == 3) stop_ = kFinishInFlight;  // as the first Ctrl-C during point 3
    return api::run(s, r);
  };
  const SweepOutcome r = run_sweep(sweep_, o);
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.ran, 3u);  // the point in flight finished
  EXPECT_EQ(r.abandoned, 0u);
  EXPECT_EQ(r.not_started, 5u);
  EXPECT_EQ(r.rows, 3u);
  EXPECT_EQ(lines(slurp(dir / "results.csv")), 1u + 3u);
  EXPECT_EQ(result_files(dir), 3u);

  stop_ = kKeepGoing;
  o.resume = true;
  o.run_point = api::run;
  const SweepOutcome rest = run_sweep(sweep_, o);
  EXPECT_FALSE(rest.stopped);
  EXPECT_EQ(rest.skipped, 3u);
  EXPECT_EQ(rest.ran, 5u);
  EXPECT_EQ(slurp(dir / "results.csv"), whole_results());
}

TEST_F(SweepStop, AbandonStopsTheRunningPointWithoutAResult) {
  const fs::path dir = scratch("abandon");
  RunnerOptions o = options(dir);
  int runs = 0;
  bool reported = false;
  o.run_point = [&](const scenario::Scenario& s, const api::RunOptions& r) {
    if (++runs == 2) {
      // A second signal while point 2 runs: its next progress report ends it.
      stop_ = kAbandonInFlight;
      EXPECT_TRUE(r.on_progress);
      reported = true;
      r.on_progress(sim::Progress{});
      ADD_FAILURE() << "the progress report did not abandon the point";
    }
    return api::run(s, r);
  };
  const SweepOutcome r = run_sweep(sweep_, o);
  EXPECT_TRUE(reported);
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.ran, 1u);
  EXPECT_EQ(r.abandoned, 1u);
  EXPECT_EQ(r.not_started, 6u);
  EXPECT_EQ(r.failed, 0u);  // abandoned is not failed
  EXPECT_EQ(lines(slurp(dir / "results.csv")), 1u + 1u);
  EXPECT_EQ(result_files(dir), 1u);

  stop_ = kKeepGoing;
  o.resume = true;
  o.run_point = api::run;
  EXPECT_EQ(run_sweep(sweep_, o).ran, 7u);
  EXPECT_EQ(slurp(dir / "results.csv"), whole_results());
}

TEST_F(SweepStop, WithoutAStopFlagPointsRunWithoutAProgressHook) {
  // Runs exactly as before stopping existed.
  const fs::path dir = scratch("no_flag");
  RunnerOptions o = options(dir);
  o.stop = nullptr;
  o.run_point = [&](const scenario::Scenario& s, const api::RunOptions& r) {
    EXPECT_FALSE(r.on_progress);
    return api::run(s, r);
  };
  EXPECT_EQ(run_sweep(sweep_, o).ran, 8u);
}

TEST_F(SweepStop, ResumeRemovesStaleTemporaryFilesOnly) {
  const fs::path dir = scratch("temps");
  RunnerOptions o = options(dir);
  run_sweep(sweep_, o);
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  const fs::path point = dir / "points" / sweep_.points[0].folder;
  // A dead process of this host (no pid is this large), a live one (our
  // parent: a write going on), and another host's, recent and old.
  const fs::path dead = point / ("result.csv.tmp." + std::string(host) + ".2147483646");
  const fs::path alive =
      dir / ("results.csv.tmp." + std::string(host) + "." + std::to_string(getppid()));
  const fs::path other_recent = dir / "sweep.json.tmp.elsewhere.example.42";
  const fs::path other_old = point / "result.csv.tmp.elsewhere.example.43";
  const fs::path unrelated = point / "notes.tmp.txt";
  for (const fs::path& p : {dead, alive, other_recent, other_old, unrelated}) {
    std::ofstream(p) << "half";
  }
  fs::last_write_time(other_old, fs::file_time_type::clock::now() - std::chrono::hours(2));

  o.resume = true;
  const SweepOutcome r = run_sweep(sweep_, o);
  EXPECT_EQ(r.stale_temp_files, 2u);
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_FALSE(fs::exists(other_old));
  EXPECT_TRUE(fs::exists(alive));
  EXPECT_TRUE(fs::exists(other_recent));
  EXPECT_TRUE(fs::exists(unrelated));
}

}  // namespace
}  // namespace spinel::sweep
