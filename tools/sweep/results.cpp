#include "tools/sweep/results.hpp"

#include <algorithm>
#include <charconv>

namespace spinel::sweep {

namespace {

constexpr std::string_view kOk = "ok";
constexpr std::string_view kFailed = "failed";

std::vector<std::string> leading_cells(const Sweep& sweep, const Point& point) {
  std::vector<std::string> cells{std::to_string(point.index)};
  for (std::size_t i = 0; i < sweep.parameters.size(); ++i) {
    cells.push_back(sweep.value_of(point, i).column);
  }
  cells.push_back(std::to_string(point.seed));
  return cells;
}

std::string metric_cell(const sim::Json& metrics, std::string_view name) {
  const auto value = metrics.find(name);
  if (value == metrics.end() || value->is_null()) return "";
  std::string text = sim::json_text(*value);
  text.pop_back();  // the trailing newline
  return text;
}

std::string one_line(std::string_view text) {
  std::string out(text);
  std::replace(out.begin(), out.end(), '\n', ' ');
  std::replace(out.begin(), out.end(), '\r', ' ');
  return out;
}

}  // namespace

const std::vector<std::string_view>& metric_columns() {
  static const std::vector<std::string_view> columns = {
      "hosts",
      "collectives",
      "collective_mean_ps",
      "collective_min_ps",
      "collective_max_ps",
      "ideal_ps",
      "ratio_to_ideal",
      "busbw_gbps",
      "max_congestion_ps",
      "congestion_bound_ps",
      "max_queue_pairs_per_host",
      "end_ps",
      "events",
      "flows",
      "bytes_delivered",
      "rate_recomputations",
  };
  return columns;
}

const std::vector<std::string_view>& pccl_metric_columns() {
  static const std::vector<std::string_view> columns = {
      "steps_completed",  "steps_per_hour",  "step_mean_ps",     "edge_gbps",   "max_step_gap_ps",
      "aborted_attempts", "aborted_bytes",   "cancelled_bytes",  "chunk_bytes", "peers_spawned",
      "deaths",           "stalls",          "leaves",           "kicks",       "recovery_count",
      "recovery_mean_ps", "recovery_max_ps", "invariant_checks", "violation",   "end_ps",
  };
  return columns;
}

const std::vector<std::string_view>& recovery_metric_columns() {
  static const std::vector<std::string_view> columns = {
      "job_hours",
      "gpu_hours",
      "useful_gpu_hours",
      "lost_gpu_hours",
      "lost_fraction",
      "lost_rework_gpu_hours",
      "lost_stalled_gpu_hours",
      "lost_restart_gpu_hours",
      "attempts",
      "stops_by_c4",
      "stops_by_people",
      "faults",
      "faults_acted_on",
      "false_alarms",
      "wrong_suspects",
      "end_ps",
  };
  return columns;
}

const std::vector<std::string_view>& metric_columns(const Sweep& sweep) {
  if (sweep.base.pccl) return pccl_metric_columns();
  if (sweep.base.recovery) return recovery_metric_columns();
  return metric_columns();
}

std::vector<JobColumn> job_columns(const Sweep& sweep) {
  std::vector<JobColumn> columns;
  if (sweep.base.pccl || sweep.base.recovery) return columns;
  const auto& jobs = sweep.base.jobs;
  // A graph job's collectives differ in kind and size: no pooled collective
  // metrics (summary.json has none), but where its iterations went.
  static constexpr std::string_view kCollective[] = {"collective_mean_ps", "ratio_to_ideal",
                                                     "busbw_gbps"};
  static constexpr std::string_view kIteration[] = {"iteration_mean_ps", "iterations_per_second"};
  static constexpr std::string_view kGraph[] = {"compute_mean_ps", "exposed_comm_mean_ps",
                                                "bubble_mean_ps"};
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const bool graph = jobs[j].program != nullptr;
    const std::string prefix = jobs.size() == 1 ? "" : jobs[j].name + ".";
    auto add = [&](std::string_view key) {
      columns.push_back(JobColumn{prefix + std::string(key), j, key});
    };
    if (jobs.size() > 1 && !graph) {
      for (const auto key : kCollective) add(key);
    }
    for (const auto key : kIteration) add(key);
    if (graph) {
      for (const auto key : kGraph) add(key);
    }
  }
  return columns;
}

std::vector<std::string> result_columns(const Sweep& sweep) {
  std::vector<std::string> columns{"point"};
  for (const Parameter& p : sweep.parameters) columns.push_back(p.column);
  for (const char* c : {"seed", "status", "error"}) columns.emplace_back(c);
  for (const auto m : metric_columns(sweep)) columns.emplace_back(m);
  for (const JobColumn& c : job_columns(sweep)) columns.push_back(c.name);
  return columns;
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    const std::string& c = cells[i];
    if (c.find_first_of(",\"\n\r") == std::string::npos) {
      out += c;
      continue;
    }
    out += '"';
    for (const char ch : c) {
      if (ch == '"') out += '"';
      out += ch;
    }
    out += '"';
  }
  out += '\n';
  return out;
}

std::vector<std::string> split_csv_line(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

std::string ok_row(const Sweep& sweep, const Point& point, const sim::Json& metrics) {
  std::vector<std::string> cells = leading_cells(sweep, point);
  cells.emplace_back(kOk);
  cells.emplace_back();
  for (const auto m : metric_columns(sweep)) cells.push_back(metric_cell(metrics, m));
  const auto jobs = metrics.find("jobs");
  const bool has_jobs = jobs != metrics.end() && jobs->is_array();
  for (const JobColumn& c : job_columns(sweep)) {
    const bool has_job = has_jobs && c.job < jobs->size();
    cells.push_back(has_job ? metric_cell((*jobs)[c.job], c.key) : std::string());
  }
  return csv_line(cells);
}

std::string failed_row(const Sweep& sweep, const Point& point, std::string_view error) {
  std::vector<std::string> cells = leading_cells(sweep, point);
  cells.emplace_back(kFailed);
  cells.push_back(one_line(error));
  cells.resize(cells.size() + metric_columns(sweep).size() + job_columns(sweep).size());
  return csv_line(cells);
}

std::optional<RowInfo> read_row(std::string_view row, const std::vector<std::string>& columns) {
  if (row.empty() || row.back() != '\n' || row.find('\n') != row.size() - 1) return std::nullopt;
  const std::vector<std::string> cells = split_csv_line(row);
  if (cells.size() != columns.size()) return std::nullopt;
  const auto status = static_cast<std::size_t>(std::find(columns.begin(), columns.end(), "status") -
                                               columns.begin());
  if (status >= cells.size() || (cells[status] != kOk && cells[status] != kFailed)) {
    return std::nullopt;
  }
  RowInfo info;
  const std::string& index = cells.front();
  const auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), info.point);
  if (index.empty() || ec != std::errc{} || end != index.data() + index.size()) return std::nullopt;
  info.failed = cells[status] == kFailed;
  return info;
}

}  // namespace spinel::sweep
