#include "tools/sweep/extend.hpp"

#include <unistd.h>

#include <map>
#include <string>
#include <system_error>
#include <vector>

#include "tools/sweep/results.hpp"

namespace spinel::sweep {

namespace {

// A point's identity across sweeps: its swept values and its seed, as its
// row writes them (the cells between `point` and `status`).
std::string identity(const std::vector<std::string>& cells, std::size_t parameters) {
  std::string id;
  for (std::size_t i = 1; i <= parameters + 1 && i < cells.size(); ++i) {
    id += cells[i];
    id += '\x1f';
  }
  return id;
}

struct KeptPoint {
  std::filesystem::path folder;
  std::vector<std::string> cells;  // of its row
  const Point* point = nullptr;    // in the new sweep
};

void rename_or_throw(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code ec;
  std::filesystem::rename(from, to, ec);
  if (ec) {
    throw std::runtime_error("cannot move " + from.string() + " to " + to.string() + ": " +
                             ec.message());
  }
}

}  // namespace

bool may_extend(const SweepInfo& mine, const SweepInfo& found) {
  return !found.base_id.empty() && found.base_id == mine.base_id &&
         found.spinel_version == mine.spinel_version && found.columns == mine.columns;
}

std::size_t extend_folder(const Sweep& sweep, const std::filesystem::path& dir) {
  const std::vector<std::string> columns = result_columns(sweep);
  const std::size_t parameters = sweep.parameters.size();
  // The identity cells of each new point, from a row made for it.
  std::map<std::string, const Point*> by_identity;
  for (const Point& p : sweep.points) {
    by_identity[identity(split_csv_line(failed_row(sweep, p, "")), parameters)] = &p;
  }
  // Every folder under points/ (whatever its name: a move cut short leaves
  // temporary names) that holds a finished point.
  std::vector<KeptPoint> finished;
  std::vector<std::filesystem::path> unfinished;
  const std::filesystem::path points = dir / "points";
  for (const auto& entry : std::filesystem::directory_iterator(points)) {
    if (!entry.is_directory()) continue;
    const std::optional<std::string> row = read_point_row(entry.path() / kPointResult, columns);
    if (!row) {
      unfinished.push_back(entry.path());
      continue;
    }
    KeptPoint f{entry.path(), split_csv_line(*row), nullptr};
    const auto it = by_identity.find(identity(f.cells, parameters));
    if (it == by_identity.end()) {
      throw SweepError(
          dir.string() + " holds a finished point that this sweep no longer has (" +
          entry.path().filename().string() +
          "): a value or seed was removed, so this is another sweep; choose another --out, or "
          "remove that point's folder to drop it");
    }
    f.point = it->second;
    finished.push_back(std::move(f));
  }
  // Unfinished points start over anyway; their folders would be in the way.
  for (const auto& path : unfinished) std::filesystem::remove_all(path);
  // Two moves, so that no folder's new name is another one's old name.
  std::size_t k = 0;
  for (KeptPoint& f : finished) {
    if (f.folder == point_dir(dir, *f.point)) continue;
    // Unique per process: an earlier move cut short may have left temporary names.
    const std::filesystem::path temp =
        points / (".moving-" + std::to_string(getpid()) + "-" + std::to_string(k++));
    rename_or_throw(f.folder, temp);
    f.folder = temp;
  }
  for (KeptPoint& f : finished) {
    const std::filesystem::path target = point_dir(dir, *f.point);
    f.cells[0] = std::to_string(f.point->index);
    write_atomically(f.folder / kPointResult, csv_line(columns) + csv_line(f.cells));
    if (f.folder != target) rename_or_throw(f.folder, target);
  }
  write_sweep_json(dir, info_of(sweep));
  return finished.size();
}

}  // namespace spinel::sweep
