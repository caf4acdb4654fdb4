// Resuming a sweep whose file changed: comments and layout keep the folder;
// added values or seeds keep the finished points and run only the new ones;
// anything else is another sweep.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "api/run.hpp"
#include "counting_runner.hpp"
#include "test_support.hpp"
#include "tools/sweep/folder.hpp"
#include "tools/sweep/runner.hpp"
#include "tools/sweep/sweep.hpp"

namespace spinel::sweep {
namespace {

namespace fs = std::filesystem;
using testing::CountingRunner;
using testing::slurp;

const std::string kBase =
    "name: grow\n"
    "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 2}\n"
    "workload: {collective: ring_allreduce, size_bytes: 64KiB, placement: random}\n"
    "output: {flows: false}\n";

std::string sweep_text(const std::string& sizes, int seeds) {
  return kBase +
         "sweep:\n"
         "  grid:\n"
         "    transport.policy: [ecmp, spray]\n"
         "    workload.size_bytes: " +
         sizes + "\n  seeds: " + std::to_string(seeds) + "\n";
}

RunnerOptions options(const fs::path& dir, const CountingRunner& counting, bool resume) {
  RunnerOptions o;
  o.out_dir = dir;
  o.resume = resume;
  o.run_point = counting;
  return o;
}

TEST(SweepExtend, CommentsAndLayoutKeepTheSweep) {
  const Sweep a = load_sweep_string(sweep_text("[64KiB, 128KiB]", 1), "a.yaml");
  const Sweep b =
      load_sweep_string("# a comment\n" + sweep_text("[64KiB,   128KiB]   # sizes", 1), "a.yaml");
  EXPECT_EQ(a.sweep_id, b.sweep_id);
  const Sweep c = load_sweep_string(sweep_text("[64KiB, 256KiB]", 1), "a.yaml");
  EXPECT_NE(a.sweep_id, c.sweep_id);
  EXPECT_EQ(a.base_id, c.base_id);
  const Sweep d =
      load_sweep_string(sweep_text("[64KiB, 128KiB]", 1) + "description: another base\n", "a.yaml");
  EXPECT_NE(a.base_id, d.base_id);

  const fs::path dir = testing::scratch_folder("spinel_sweep_", "comments");
  CountingRunner n;
  run_sweep(a, options(dir, n, false));
  EXPECT_EQ(*n.runs, 4);
  const SweepOutcome again = run_sweep(b, options(dir, n, true));
  EXPECT_EQ(again.skipped, 4u);
  EXPECT_EQ(*n.runs, 4);
}

// More values and more seeds: only the new points run, and the folder ends
// as if the extended sweep had run from scratch.
TEST(SweepExtend, MoreValuesAndSeedsRunOnlyTheNewPoints) {
  const Sweep small = load_sweep_string(sweep_text("[64KiB, 256KiB]", 1), "g.yaml");
  const Sweep big = load_sweep_string(sweep_text("[64KiB, 128KiB, 256KiB]", 2), "g.yaml");
  ASSERT_EQ(small.points.size(), 4u);
  ASSERT_EQ(big.points.size(), 12u);

  const fs::path dir = testing::scratch_folder("spinel_sweep_", "extend");
  CountingRunner n;
  run_sweep(small, options(dir, n, false));
  // Without --resume, or in shards, the earlier form is refused with what to do.
  try {
    run_sweep(big, options(dir, n, false));
    FAIL() << "an extension without --resume ran";
  } catch (const SweepError& e) {
    EXPECT_NE(std::string(e.what()).find("earlier form of this sweep"), std::string::npos)
        << e.what();
  }
  RunnerOptions shard = options(dir, n, true);
  shard.shard = Shard{0, 2};
  EXPECT_THROW(run_sweep(big, shard), SweepError);
  EXPECT_EQ(*n.runs, 4);

  const SweepOutcome grown = run_sweep(big, options(dir, n, true));
  EXPECT_EQ(grown.skipped, 4u);
  EXPECT_EQ(grown.ran, 8u);
  EXPECT_EQ(*n.runs, 12);

  const fs::path fresh = testing::scratch_folder("spinel_sweep_", "extend_fresh");
  run_sweep(big, options(fresh, n, false));
  EXPECT_EQ(slurp(dir / "results.csv"), slurp(fresh / "results.csv"));
  EXPECT_EQ(slurp(dir / "sweep.json"), slurp(fresh / "sweep.json"));
  for (const Point& p : big.points) {
    EXPECT_EQ(slurp(dir / "points" / p.folder / "result.csv"),
              slurp(fresh / "points" / p.folder / "result.csv"))
        << p.folder;
    EXPECT_EQ(slurp(dir / "points" / p.folder / "summary.json"),
              slurp(fresh / "points" / p.folder / "summary.json"))
        << p.folder;
  }
  // Resumed again: nothing left to run.
  EXPECT_EQ(run_sweep(big, options(dir, n, true)).ran, 0u);
}

TEST(SweepExtend, RemovingAValueIsAnotherSweep) {
  const Sweep two = load_sweep_string(sweep_text("[64KiB, 128KiB]", 1), "r.yaml");
  const Sweep one = load_sweep_string(sweep_text("[64KiB, 256KiB]", 1), "r.yaml");
  const fs::path dir = testing::scratch_folder("spinel_sweep_", "remove");
  CountingRunner n;
  run_sweep(two, options(dir, n, false));
  try {
    run_sweep(one, options(dir, n, true));
    FAIL() << "a sweep without some finished points took their folder";
  } catch (const SweepError& e) {
    EXPECT_NE(std::string(e.what()).find("no longer has"), std::string::npos) << e.what();
  }
  // Nothing moved: the first sweep still resumes with nothing to run.
  EXPECT_EQ(run_sweep(two, options(dir, n, true)).ran, 0u);
}

// Another base scenario (or other swept keys) is never an extension.
TEST(SweepExtend, AnotherBaseIsAnotherSweep) {
  const Sweep a = load_sweep_string(sweep_text("[64KiB]", 1), "b.yaml");
  std::string other = sweep_text("[64KiB, 128KiB]", 1);
  other.replace(other.find("spines: 2"), 9, "spines: 1");
  const Sweep b = load_sweep_string(other, "b.yaml");
  const fs::path dir = testing::scratch_folder("spinel_sweep_", "base");
  CountingRunner n;
  run_sweep(a, options(dir, n, false));
  try {
    run_sweep(b, options(dir, n, true));
    FAIL() << "another base resumed";
  } catch (const SweepError& e) {
    EXPECT_NE(std::string(e.what()).find("holds another sweep"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace spinel::sweep
