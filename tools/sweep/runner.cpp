#include "tools/sweep/runner.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "tools/sweep/extend.hpp"
#include "tools/sweep/folder.hpp"
#include "tools/sweep/results.hpp"

namespace spinel::sweep {

namespace {

// Thrown through the point's run from its progress report, to abandon it.
struct Abandoned {};

bool asked(const std::atomic<int>* stop, StopLevel level) {
  return stop != nullptr && stop->load(std::memory_order_relaxed) >= level;
}

// Paths in messages relative to the sweep folder, so results.csv does not
// depend on where --out points.
std::string relative_message(std::string message, const std::filesystem::path& dir) {
  std::string prefix = dir.string();
  if (prefix.empty()) return message;
  if (prefix.back() != '/') prefix += '/';
  for (std::size_t at = message.find(prefix); at != std::string::npos;
       at = message.find(prefix, at)) {
    message.erase(at, prefix.size());
  }
  return message;
}

void claim_folder(const Sweep& sweep, const RunnerOptions& options) {
  const std::filesystem::path& dir = options.out_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir / "points", ec);
  if (ec) {
    throw std::runtime_error("cannot create the sweep folder " + (dir / "points").string() + ": " +
                             ec.message());
  }
  const SweepInfo mine = info_of(sweep);
  if (const std::optional<SweepInfo> found = read_sweep_json(dir)) {
    const std::string why = differences(mine, *found);
    if (why.empty()) return;
    if (!may_extend(mine, *found)) {
      throw SweepError(dir.string() + " holds another sweep: " + why +
                       "; choose another --out, or remove the folder");
    }
    // The same base and keys: values or seeds were added. One process moves
    // the finished points to their new places, then everyone resumes.
    if (!options.resume || options.shard.count > 1) {
      throw SweepError(dir.string() +
                       " holds an earlier form of this sweep (the same scenario and "
                       "swept keys, other values or seeds); run it once with --resume and "
                       "without --shard to keep its finished points and run only the new ones");
    }
    extend_folder(sweep, dir);
    return;
  }
  write_sweep_json(dir, mine);
}

class Pool {
 public:
  Pool(const Sweep& sweep, const RunnerOptions& options, std::vector<const Point*> points)
      : sweep_(sweep),
        options_(options),
        columns_(result_columns(sweep)),
        points_(std::move(points)),
        rows_(points_.size()) {}

  void run() {
    const auto threads = static_cast<std::size_t>(std::max(1u, options_.jobs));
    std::vector<std::thread> workers;
    for (std::size_t t = 1; t < std::min(threads, points_.size()); ++t) {
      workers.emplace_back([this] { work(); });
    }
    work();
    for (auto& w : workers) w.join();
  }

  [[nodiscard]] const std::vector<std::string>& rows() const { return rows_; }
  [[nodiscard]] const std::vector<const Point*>& points() const { return points_; }
  [[nodiscard]] std::size_t failed() const { return failed_; }
  // Stopped: the points that did not finish have no row.
  [[nodiscard]] bool finished(std::size_t i) const { return !rows_[i].empty(); }
  [[nodiscard]] std::size_t started() const { return std::min(next_.load(), points_.size()); }

 private:
  void work() {
    while (!asked(options_.stop, kFinishInFlight)) {
      const std::size_t i = next_++;
      if (i >= points_.size()) return;
      std::string error;
      rows_[i] = run_one(*points_[i], error);
      if (rows_[i].empty()) return;  // abandoned
      const std::lock_guard lock(mutex_);
      ++done_;
      if (!error.empty()) ++failed_;
      if (options_.on_point) {
        options_.on_point(
            PointDone{points_[i], error.empty(), error, done_, failed_, points_.size()});
      }
    }
  }

  // The point's row; `error` set when it failed; empty when the point was
  // abandoned. Never throws: a point's failure, whatever it is, stays that
  // point's.
  std::string run_one(const Point& point, std::string& error) const {
    const std::filesystem::path dir = point_dir(options_.out_dir, point);
    std::string row;
    try {
      try {
        api::RunOptions run;
        run.out_dir = dir;
        run.command_line = options_.command_line;
        if (options_.stop != nullptr) {
          run.on_progress = [stop = options_.stop](const sim::Progress&) {
            if (asked(stop, kAbandonInFlight)) throw Abandoned{};
          };
        }
        const api::Results result = options_.run_point(sweep_.scenario_of(point), run);
        row = ok_row(sweep_, point, result.metrics);
      } catch (const Abandoned&) {
        // No result.csv: the point runs again on --resume, over what it
        // had written.
        return "";
      } catch (const std::bad_alloc&) {
        error = "out of memory (std::bad_alloc)";
      } catch (const std::exception& e) {
        error = relative_message(e.what(), options_.out_dir);
        if (error.empty()) error = "failed without a message";
      } catch (...) {
        error = "failed with an unknown exception";
      }
      if (!error.empty()) row = failed_row(sweep_, point, error);
      std::filesystem::create_directories(dir);
      write_atomically(dir / kPointResult, csv_line(columns_) + row);
    } catch (const std::exception& e) {
      // Not even the failure could be recorded (disk full?): report it, and
      // the point runs again on --resume.
      error = "cannot record the result: " + relative_message(e.what(), options_.out_dir);
      row = failed_row(sweep_, point, error);
    }
    return row;
  }

  const Sweep& sweep_;
  const RunnerOptions& options_;
  const std::vector<std::string> columns_;
  const std::vector<const Point*> points_;
  std::vector<std::string> rows_;  // each slot written by one worker only
  std::atomic<std::size_t> next_{0};
  std::mutex mutex_;
  std::size_t done_ = 0;
  std::size_t failed_ = 0;
};

}  // namespace

SweepOutcome run_sweep(const Sweep& sweep, const RunnerOptions& options) {
  if (options.shard.count == 0 || options.shard.index >= options.shard.count) {
    throw SweepError("a shard is I/N with 0 <= I < N");
  }
  const std::filesystem::path& dir = options.out_dir;
  claim_folder(sweep, options);
  const std::vector<std::string> columns = result_columns(sweep);

  SweepOutcome outcome;
  outcome.stale_temp_files = remove_stale_temp_files(dir);
  std::vector<const Point*> to_run;
  std::size_t finished_before = 0;
  const Point* first_finished = nullptr;
  for (const Point& p : sweep.points) {
    if (!options.shard.has(p.index)) continue;
    ++outcome.selected;
    const std::optional<std::string> row =
        read_point_row(point_dir(dir, p) / kPointResult, columns);
    if (!row) {
      to_run.push_back(&p);
      continue;
    }
    ++finished_before;
    if (first_finished == nullptr) first_finished = &p;
    if (read_row(*row, columns)->failed) ++outcome.failed;
  }
  if (finished_before > 0 && !options.resume) {
    throw SweepError(dir.string() + " already holds the results of " +
                     std::to_string(finished_before) + " of these points (e.g. " +
                     (dir / "points" / first_finished->folder).string() +
                     "); add --resume to keep them and run the rest, or choose another --out");
  }
  outcome.skipped = finished_before;

  Pool pool(sweep, options, std::move(to_run));
  pool.run();
  for (std::size_t i = 0; i < pool.points().size(); ++i) {
    if (pool.finished(i)) {
      ++outcome.ran;
    } else if (i < pool.started()) {
      ++outcome.abandoned;
    } else {
      ++outcome.not_started;
    }
  }
  outcome.stopped = outcome.abandoned + outcome.not_started > 0;
  outcome.failed += pool.failed();

  // Every point finished in the folder, read now: other shards sharing the
  // folder may have finished some while this one ran. This run's own rows
  // come from memory, in case one could not be recorded.
  std::vector<std::optional<std::string>> rows(sweep.points.size());
  for (std::size_t i = 0; i < pool.points().size(); ++i) {
    if (pool.finished(i)) rows[pool.points()[i]->index] = pool.rows()[i];
  }
  std::string csv = csv_line(columns);
  for (const Point& p : sweep.points) {
    if (!rows[p.index]) rows[p.index] = read_point_row(point_dir(dir, p) / kPointResult, columns);
    if (!rows[p.index]) continue;
    csv += *rows[p.index];
    ++outcome.rows;
  }
  write_atomically(dir / "results.csv", csv);
  return outcome;
}

}  // namespace spinel::sweep
