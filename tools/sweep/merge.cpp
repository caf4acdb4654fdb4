#include "tools/sweep/merge.hpp"

#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <system_error>

#include "tools/sweep/folder.hpp"
#include "tools/sweep/results.hpp"

namespace spinel::sweep {

namespace {

struct ShardPoint {
  std::string row;
  std::filesystem::path where;
  bool failed = false;
};

// "3, 7-9, 12": at most `limit` runs, then "...".
std::string describe_indices(const std::vector<std::size_t>& sorted, std::size_t limit = 12) {
  std::string out;
  std::size_t runs = 0;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    if (runs++ == limit) return out + ", ...";
    if (!out.empty()) out += ", ";
    out += std::to_string(sorted[i]);
    if (j > i) out += "-" + std::to_string(sorted[j]);
    i = j + 1;
  }
  return out;
}

// The point index a point folder's name starts with ("07-spray_4MiB" -> 7).
std::optional<std::size_t> folder_index(const std::string& name) {
  std::size_t index = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), index);
  if (ec != std::errc{} || end == name.data() || end == name.data() + name.size() || *end != '-') {
    return std::nullopt;
  }
  return index;
}

void collect(const std::filesystem::path& dir, const SweepInfo& info,
             std::map<std::size_t, ShardPoint>& found) {
  const std::filesystem::path points = dir / "points";
  std::error_code ec;
  std::filesystem::directory_iterator it(points, ec);
  if (ec) {
    throw SweepError(points.string() + ": cannot list the points (" + ec.message() +
                     "); merge reads each shard's whole folder");
  }
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::optional<std::size_t> index = folder_index(name);
    if (!index || !it->is_directory()) continue;
    const std::filesystem::path result = it->path() / kPointResult;
    std::optional<std::string> row;
    try {
      row = read_point_row(result, info.columns);
    } catch (const SweepError&) {
      throw;
    } catch (const std::runtime_error& e) {
      throw SweepError(e.what());
    }
    if (!row) continue;  // not finished
    const std::optional<RowInfo> r = read_row(*row, info.columns);
    if (r->point != *index || r->point >= info.points) {
      throw SweepError(result.string() + ": the row is of point " + std::to_string(r->point) +
                       ", not of the point the folder names");
    }
    const auto [at, inserted] = found.emplace(*index, ShardPoint{*row, result, r->failed});
    if (!inserted) {
      throw SweepError("point " + std::to_string(*index) + " is finished twice: in " +
                       at->second.where.string() + " and in " + result.string() +
                       "; give each shard's folder once (or remove one copy)");
    }
  }
  if (ec) throw SweepError(points.string() + ": cannot list the points (" + ec.message() + ")");
}

}  // namespace

MergeOutcome merge_sweeps(const std::vector<std::filesystem::path>& dirs,
                          const std::filesystem::path& out) {
  if (dirs.empty()) throw SweepError("merge needs at least one sweep folder");
  std::optional<SweepInfo> info;
  std::filesystem::path first;
  for (const auto& dir : dirs) {
    const std::optional<SweepInfo> mine = read_sweep_json(dir);
    if (!mine) {
      throw SweepError(dir.string() + ": no sweep.json; not the --out folder of spinel sweep");
    }
    if (!info) {
      info = mine;
      first = dir;
      continue;
    }
    const std::string why = differences(*info, *mine);
    if (!why.empty()) {
      throw SweepError(dir.string() + " is not of the same sweep as " + first.string() + ": " +
                       why);
    }
  }
  std::map<std::size_t, ShardPoint> found;
  for (const auto& dir : dirs) collect(dir, *info, found);

  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < info->points; ++i) {
    if (found.find(i) == found.end()) missing.push_back(i);
  }
  if (!missing.empty()) {
    throw SweepError(std::to_string(missing.size()) + " of " + std::to_string(info->points) +
                     " points are not finished in these folders: " + describe_indices(missing) +
                     "; run their shards (again) with --resume, or add the missing folders");
  }

  MergeOutcome outcome;
  std::string csv = csv_line(info->columns);
  for (const auto& [index, f] : found) {
    csv += f.row;
    if (f.failed) ++outcome.failed;
  }
  outcome.points = found.size();
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) throw std::runtime_error("cannot create " + out.string() + ": " + ec.message());
  write_sweep_json(out, *info);
  write_atomically(out / "results.csv", csv);
  return outcome;
}

}  // namespace spinel::sweep
