#pragma once
// results.csv: one row per point, ordered by point index, columns
//   point, <one per swept key>, seed, status, error, <metrics>
// Swept values are in canonical form (bytes, Gb/s, ps: see keys.hpp); the
// metrics are summary.json's, by the same names; a failed point has status
// "failed", its error, and empty metrics. Every row is one line (errors are
// folded onto one line), so rows are stored, read back and merged as lines of
// text and any split of the work gives the same bytes.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/json.hpp"
#include "tools/sweep/sweep.hpp"

namespace spinel::sweep {

// The metrics of summary.json that results.csv carries, in column order.
const std::vector<std::string_view>& metric_columns();
// A pccl sweep's metrics instead (summary.json's pccl metrics).
const std::vector<std::string_view>& pccl_metric_columns();
// A recovery sweep's (summary.json's recovery metrics).
const std::vector<std::string_view>& recovery_metric_columns();
const std::vector<std::string_view>& metric_columns(const Sweep& sweep);

// A training sweep's per-job columns, after those: summary.json's
// metrics.jobs[job].<key>. One job: its iteration metrics under their own
// names (iteration_mean_ps, ...). Several: every job's collective and
// iteration metrics as <job name>.<key>, since the pooled columns above mix
// the jobs.
struct JobColumn {
  std::string name;
  std::size_t job = 0;
  std::string_view key;
};
std::vector<JobColumn> job_columns(const Sweep& sweep);

std::vector<std::string> result_columns(const Sweep& sweep);

// Cells joined with commas, quoted where CSV needs it, ending in '\n'.
std::string csv_line(const std::vector<std::string>& cells);

// The cells of one CSV line (quotes undone, no trailing newline).
std::vector<std::string> split_csv_line(std::string_view line);

std::string ok_row(const Sweep& sweep, const Point& point, const sim::Json& metrics);
std::string failed_row(const Sweep& sweep, const Point& point, std::string_view error);

// What a row says about its point, read back (merge, resume).
struct RowInfo {
  std::size_t point = 0;
  bool failed = false;
};
// nullopt when `row` is not a row of a table with these columns.
std::optional<RowInfo> read_row(std::string_view row, const std::vector<std::string>& columns);

}  // namespace spinel::sweep
