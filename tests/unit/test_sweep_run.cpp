// Running sweeps in process: results.csv, determinism across threads,
// failing points, resume, shards and their merge.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <new>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "api/run.hpp"
#include "counting_runner.hpp"
#include "test_support.hpp"
#include "tiny_sweep.hpp"
#include "tools/sweep/folder.hpp"
#include "tools/sweep/merge.hpp"
#include "tools/sweep/results.hpp"
#include "tools/sweep/runner.hpp"
#include "tools/sweep/sweep.hpp"

namespace spinel::sweep {
namespace {

namespace fs = std::filesystem;
using testing::CountingRunner;
using testing::slurp;

const std::string kSweep(testing::kTinySweep);

fs::path scratch(const std::string& name) {
  return testing::scratch_folder("spinel_sweep_", name);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

RunnerOptions options(const fs::path& dir, unsigned jobs = 1) {
  RunnerOptions o;
  o.out_dir = dir;
  o.jobs = jobs;
  return o;
}

class SweepRun : public ::testing::Test {
 protected:
  const Sweep sweep_ = load_sweep_string(kSweep, "tiny.yaml");
};

TEST_F(SweepRun, ResultsCsvHasOneRowPerPointInOrder) {
  const fs::path dir = scratch("rows");
  const SweepOutcome r = run_sweep(sweep_, options(dir, 2));
  EXPECT_EQ(r.selected, 8u);
  EXPECT_EQ(r.ran, 8u);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.rows, 8u);
  const std::vector<std::string> lines = lines_of(slurp(dir / "results.csv"));
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(
      lines[0],
      "point,transport.policy,workload.size_bytes,seed,status,error,hosts,collectives,"
      "collective_mean_ps,collective_min_ps,collective_max_ps,ideal_ps,ratio_to_ideal,"
      "busbw_gbps,max_congestion_ps,congestion_bound_ps,max_queue_pairs_per_host,end_ps,events,"
      "flows,bytes_delivered,rate_recomputations,iteration_mean_ps,iterations_per_second");
  for (std::size_t i = 0; i < 8; ++i) {
    const std::vector<std::string> cells = split_csv_line(lines[i + 1]);
    ASSERT_EQ(cells.size(), 24u) << lines[i + 1];
    EXPECT_EQ(cells[0], std::to_string(i));
    EXPECT_EQ(cells[1], i < 4 ? "ecmp" : "spray");
    EXPECT_EQ(cells[2], (i / 2) % 2 == 0 ? "65536" : "131072");
    EXPECT_EQ(cells[3], std::to_string(sweep_.points[i].seed));
    EXPECT_EQ(cells[4], "ok");
    EXPECT_EQ(cells[5], "");
    EXPECT_EQ(cells[6], "4");  // hosts
    // The row repeats the point's own summary.json.
    const std::string summary = slurp(dir / "points" / sweep_.points[i].folder / "summary.json");
    EXPECT_NE(summary.find("\"collective_mean_ps\": " + cells[8] + ","), std::string::npos);
    EXPECT_NE(summary.find("\"ideal_ps\": " + cells[11] + ","), std::string::npos);
    EXPECT_NE(summary.find("\"busbw_gbps\": " + cells[13] + ","), std::string::npos);
    for (const char* f : {"collectives.csv", "links.csv", "run.json", "result.csv"}) {
      EXPECT_TRUE(fs::exists(dir / "points" / sweep_.points[i].folder / f)) << f;
    }
  }
  const std::optional<SweepInfo> info = read_sweep_json(dir);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->sweep_id, sweep_.sweep_id);
  EXPECT_EQ(info->points, 8u);
  EXPECT_EQ(info->columns, result_columns(sweep_));
}

TEST_F(SweepRun, MetricColumnsAreSummaryMetrics) {
  const api::Results r = api::run(sweep_.scenario_of(sweep_.points[0]), {});
  for (const auto name : metric_columns()) {
    EXPECT_TRUE(r.metrics.contains(name)) << name << " is not in summary.json's metrics";
  }
}

TEST_F(SweepRun, ThreadsDoNotChangeTheResults) {
  const fs::path one = scratch("jobs1");
  const fs::path three = scratch("jobs3");
  run_sweep(sweep_, options(one, 1));
  run_sweep(sweep_, options(three, 3));
  const std::string csv = slurp(one / "results.csv");
  EXPECT_FALSE(csv.empty());
  EXPECT_EQ(csv, slurp(three / "results.csv"));
  for (const Point& p : sweep_.points) {
    EXPECT_EQ(slurp(one / "points" / p.folder / "summary.json"),
              slurp(three / "points" / p.folder / "summary.json"))
        << p.folder;
  }
}

TEST_F(SweepRun, AFailingPointDoesNotStopTheOthers) {
  const fs::path dir = scratch("failing");
  RunnerOptions o = options(dir, 2);
  // Spray at 128KiB runs out of memory (both seeds); the disk fills up under
  // ecmp at 128KiB, seed repetition 1.
  o.run_point = [&](const scenario::Scenario& s, const api::RunOptions& run) {
    if (s.jobs[0].size_bytes == 128 << 10 && s.transport.policy == transport::PathPolicy::spray) {
      throw std::bad_alloc();
    }
    if (s.jobs[0].size_bytes == 128 << 10 && s.seed != 1) {
      throw std::runtime_error("cannot write " + (run.out_dir / "links.csv").string() +
                               ": No space left on device");
    }
    return api::run(s, run);
  };
  std::vector<std::size_t> reported;
  o.on_point = [&](const PointDone& d) {
    reported.push_back(d.point->index);
    EXPECT_EQ(d.to_run, 8u);
    EXPECT_EQ(d.done, reported.size());
    EXPECT_EQ(d.ok, d.error.empty());
  };
  const SweepOutcome r = run_sweep(sweep_, o);
  EXPECT_EQ(r.ran, 8u);
  EXPECT_EQ(r.failed, 3u);
  EXPECT_EQ(std::set<std::size_t>(reported.begin(), reported.end()).size(), 8u);
  const std::vector<std::string> lines = lines_of(slurp(dir / "results.csv"));
  ASSERT_EQ(lines.size(), 9u);
  std::set<std::size_t> failed;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> cells = split_csv_line(lines[i]);
    if (cells[4] == "ok") {
      EXPECT_EQ(cells[5], "");
      EXPECT_NE(cells[8], "");
      continue;
    }
    failed.insert(i - 1);
    EXPECT_EQ(cells[4], "failed");
    for (std::size_t m = 6; m < cells.size(); ++m) EXPECT_EQ(cells[m], "") << lines[i];
  }
  EXPECT_EQ(failed, (std::set<std::size_t>{3, 6, 7}));
  EXPECT_EQ(split_csv_line(lines[7])[5], "out of memory (std::bad_alloc)");
  // Paths in errors are relative to the sweep folder: results.csv does not
  // depend on where it is.
  EXPECT_EQ(split_csv_line(lines[4])[5], "cannot write points/" + sweep_.points[3].folder +
                                             "/links.csv: No space left on device");
  // A failed point is finished too: it has its result.csv.
  EXPECT_TRUE(fs::exists(dir / "points" / sweep_.points[7].folder / "result.csv"));
}

TEST_F(SweepRun, ResumeRunsOnlyTheMissingPoints) {
  const fs::path whole = scratch("resume_whole");
  run_sweep(sweep_, options(whole, 2));
  const std::string expected = slurp(whole / "results.csv");

  // An interrupted sweep: half of the points finished (shard 0/2 ran them).
  const fs::path dir = scratch("resume");
  RunnerOptions half = options(dir, 2);
  half.shard = Shard{0, 2};
  run_sweep(sweep_, half);
  EXPECT_EQ(lines_of(slurp(dir / "results.csv")).size(), 5u);

  // Without --resume, finished points are not silently redone.
  EXPECT_THROW(run_sweep(sweep_, options(dir, 2)), SweepError);

  CountingRunner counter;
  RunnerOptions resume = options(dir, 2);
  resume.resume = true;
  resume.run_point = counter;
  SweepOutcome r = run_sweep(sweep_, resume);
  EXPECT_EQ(*counter.runs, 4);
  EXPECT_EQ(r.skipped, 4u);
  EXPECT_EQ(r.ran, 4u);
  EXPECT_EQ(slurp(dir / "results.csv"), expected);

  // A point killed half-way: its outputs are there but not its result.csv
  // (and maybe a temporary file of it).
  const fs::path killed = dir / "points" / sweep_.points[5].folder;
  fs::remove(killed / "result.csv");
  std::ofstream(killed / "collectives.csv") << "point,half-writ";
  std::ofstream(killed / "result.csv.tmp.host.123") << "point,";
  fs::remove(dir / "results.csv");
  *counter.runs = 0;
  r = run_sweep(sweep_, resume);
  EXPECT_EQ(*counter.runs, 1);
  EXPECT_EQ(r.skipped, 7u);
  EXPECT_EQ(slurp(dir / "results.csv"), expected);
  EXPECT_EQ(slurp(killed / "collectives.csv"),
            slurp(whole / "points" / sweep_.points[5].folder / "collectives.csv"));

  // Nothing left to do: nothing runs, the same results.
  *counter.runs = 0;
  run_sweep(sweep_, resume);
  EXPECT_EQ(*counter.runs, 0);
  EXPECT_EQ(slurp(dir / "results.csv"), expected);
}

TEST_F(SweepRun, AnotherSweepsFolderIsRefused) {
  const fs::path dir = scratch("other");
  run_sweep(sweep_, options(dir));
  const Sweep other = load_sweep_string(kSweep + "description: changed\n", "other.yaml");
  RunnerOptions o = options(dir);
  o.resume = true;
  try {
    run_sweep(other, o);
    FAIL() << "ran into another sweep's folder";
  } catch (const SweepError& e) {
    EXPECT_NE(std::string(e.what()).find("holds another sweep"), std::string::npos) << e.what();
  }
}

TEST_F(SweepRun, ShardsMergeIntoTheWhole) {
  const fs::path whole = scratch("merge_whole");
  run_sweep(sweep_, options(whole, 2));
  const std::string expected = slurp(whole / "results.csv");

  // Shards in folders of their own, merged.
  std::vector<fs::path> dirs;
  for (std::uint32_t i = 0; i < 3; ++i) {
    dirs.push_back(scratch("merge_shard" + std::to_string(i)));
    RunnerOptions o = options(dirs.back());
    o.shard = Shard{i, 3};
    const SweepOutcome r = run_sweep(sweep_, o);
    EXPECT_EQ(r.selected, i < 2 ? 3u : 2u);
  }
  const fs::path merged = scratch("merged");
  const MergeOutcome m = merge_sweeps(dirs, merged);
  EXPECT_EQ(m.points, 8u);
  EXPECT_EQ(m.failed, 0u);
  EXPECT_EQ(slurp(merged / "results.csv"), expected);
  EXPECT_EQ(read_sweep_json(merged)->sweep_id, sweep_.sweep_id);

  // Shards sharing one folder (a cluster's shared file system): the last
  // one's results.csv is whole, and merging the folder gives the same.
  const fs::path shared = scratch("merge_shared");
  for (std::uint32_t i = 0; i < 3; ++i) {
    RunnerOptions o = options(shared);
    o.shard = Shard{i, 3};
    run_sweep(sweep_, o);
  }
  EXPECT_EQ(slurp(shared / "results.csv"), expected);
  fs::remove(shared / "results.csv");
  merge_sweeps({shared}, shared);
  EXPECT_EQ(slurp(shared / "results.csv"), expected);
}

std::string merge_error(const std::vector<fs::path>& dirs) {
  const fs::path out = scratch("merge_error_out");
  try {
    merge_sweeps(dirs, out);
  } catch (const SweepError& e) {
    EXPECT_FALSE(fs::exists(out / "results.csv"));
    return e.what();
  }
  ADD_FAILURE() << "merged";
  return "";
}

TEST_F(SweepRun, MergeComplainsAboutMissingDuplicatedAndForeignPoints) {
  std::vector<fs::path> dirs;
  for (std::uint32_t i = 0; i < 3; ++i) {
    dirs.push_back(scratch("merge_bad" + std::to_string(i)));
    RunnerOptions o = options(dirs.back());
    o.shard = Shard{i, 3};
    run_sweep(sweep_, o);
  }
  EXPECT_EQ(merge_error({dirs[0], dirs[2]}),
            "3 of 8 points are not finished in these folders: 1, 4, 7; run their shards (again) "
            "with --resume, or add the missing folders");
  const std::string twice = merge_error({dirs[0], dirs[1], dirs[2], dirs[1]});
  EXPECT_NE(twice.find("point 1 is finished twice"), std::string::npos) << twice;

  const fs::path other = scratch("merge_other");
  run_sweep(load_sweep_string(kSweep + "description: another sweep\n", "other.yaml"),
            options(other));
  const std::string foreign = merge_error({dirs[0], other});
  EXPECT_NE(foreign.find("is not of the same sweep as"), std::string::npos) << foreign;
  EXPECT_NE(foreign.find("the sweep files differ"), std::string::npos) << foreign;

  const std::string none = merge_error({scratch("merge_nothing")});
  EXPECT_NE(none.find("no sweep.json"), std::string::npos) << none;
}

TEST_F(SweepRun, ABrokenPointResultIsAnErrorNotARow) {
  const fs::path dir = scratch("broken");
  run_sweep(sweep_, options(dir));
  std::ofstream(dir / "points" / sweep_.points[2].folder / "result.csv") << "garbage\n";
  RunnerOptions o = options(dir);
  o.resume = true;
  EXPECT_THROW(run_sweep(sweep_, o), SweepError);
  EXPECT_THROW(merge_sweeps({dir}, dir), SweepError);
}

}  // namespace
}  // namespace spinel::sweep
