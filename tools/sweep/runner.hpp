#pragma once
// Runs a sweep's points on threads, each into its own folder, and writes
// results.csv (see folder.hpp for the layout). A point that throws (bad
// input caught late, a full disk, std::bad_alloc, ...) gets a failed row with
// its error and the others go on. With --resume, finished points are kept;
// with --shard I/N, only points whose index % N == I run. Asked to stop (the
// CLI's SIGINT/SIGTERM), it starts no more points, and the points in flight
// finish or are abandoned; results.csv still gets every finished point.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "api/run.hpp"
#include "tools/sweep/sweep.hpp"

namespace spinel::sweep {

struct Shard {
  std::uint32_t index = 0;  // 0-based
  std::uint32_t count = 1;
  [[nodiscard]] bool has(std::size_t point) const { return point % count == index; }
};

// After each point, in the order points finish (serialised: one at a time).
struct PointDone {
  const Point* point = nullptr;
  bool ok = true;
  std::string error;
  std::size_t done = 0;    // points run so far by this call
  std::size_t failed = 0;  // of those, failed
  std::size_t to_run = 0;  // points this call runs in all
};

// What `RunnerOptions::stop` holds. It may rise while the sweep runs.
enum StopLevel : int {
  kKeepGoing = 0,
  kFinishInFlight = 1,  // start no more points; let the running ones finish
  kAbandonInFlight = 2  // also stop the running ones at their next progress report
};

using PointRunner = std::function<api::Results(const api::Scenario&, const api::RunOptions&)>;

struct RunnerOptions {
  std::filesystem::path out_dir;
  std::string command_line;  // recorded in each point's run.json
  unsigned jobs = 1;         // threads
  bool resume = false;
  Shard shard;
  std::function<void(const PointDone&)> on_point;  // may be empty
  PointRunner run_point = api::run;                // tests put failures in here
  // A StopLevel, set from elsewhere (e.g. a signal handler); may be null.
  const std::atomic<int>* stop = nullptr;
};

struct SweepOutcome {
  std::size_t selected = 0;  // points of the shard
  std::size_t skipped = 0;   // already finished (--resume)
  std::size_t ran = 0;
  std::size_t failed = 0;  // of the selected points, whether run now or before
  std::size_t rows = 0;    // in results.csv: finished points of the whole folder
  // Asked to stop: points of the selection left unrun (never started, or
  // abandoned while running: these have no result.csv and run on --resume).
  bool stopped = false;
  std::size_t not_started = 0;
  std::size_t abandoned = 0;
  std::size_t stale_temp_files = 0;  // removed from the folder before running
};

// Throws SweepError when the folder holds another sweep, or finished points
// of this selection without `resume`; std::runtime_error when the folder
// cannot be written.
SweepOutcome run_sweep(const Sweep& sweep, const RunnerOptions& options);

}  // namespace spinel::sweep
