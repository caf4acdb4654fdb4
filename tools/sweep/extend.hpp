#pragma once
// Extending a sweep in its folder: the file gained values or seeds (or lost
// nothing but comments), so the folder's finished points are points of the
// new sweep too, possibly at other indices. `spinel sweep FILE --resume`
// keeps them and runs only the new points.
#include <cstddef>
#include <filesystem>

#include "tools/sweep/folder.hpp"
#include "tools/sweep/sweep.hpp"

namespace spinel::sweep {

// Whether `found` (a folder's sweep.json) may be an earlier form of `mine`:
// the same base scenario, spinel version and results.csv columns, so the
// swept keys are the same and only their values or the seeds changed.
bool may_extend(const SweepInfo& mine, const SweepInfo& found);

// Moves every finished point of `dir` to its folder and index in `sweep`
// (renaming folders, rewriting the index in their result.csv) and drops
// unfinished point folders, then records `sweep` in sweep.json. Returns how
// many finished points were kept. SweepError, before anything moves, when a
// finished point is not a point of `sweep` (a value or seed was removed).
std::size_t extend_folder(const Sweep& sweep, const std::filesystem::path& dir);

}  // namespace spinel::sweep
