#pragma once
// Joins the folders of a sweep's shards into one results.csv. Each folder's
// sweep.json must name the same sweep, and the folders' finished points
// (points/*/result.csv) must hold every point exactly once; the result is
// byte-identical to results.csv of the same sweep run whole.
#include <cstddef>
#include <filesystem>
#include <vector>

namespace spinel::sweep {

struct MergeOutcome {
  std::size_t points = 0;
  std::size_t failed = 0;
};

// Writes OUT/results.csv and OUT/sweep.json. Throws SweepError (nothing
// written) when the folders are of different sweeps, or points are missing
// or found twice; std::runtime_error when OUT cannot be written.
MergeOutcome merge_sweeps(const std::vector<std::filesystem::path>& dirs,
                          const std::filesystem::path& out);

}  // namespace spinel::sweep
