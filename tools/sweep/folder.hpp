#pragma once
// The output folder of a sweep (--out DIR), shared by every shard that writes
// into it:
//   DIR/sweep.json          which sweep the folder holds: checked by --resume,
//                           by shards sharing the folder and by merge
//   DIR/results.csv         the header and the row of every finished point
//   DIR/points/<folder>/    a point's run outputs, then result.csv (the
//                           header and its row), written last and atomically:
//                           a point is finished exactly when it has one
// Files are written to a temporary name in the same folder and renamed, so a
// sweep killed at any moment leaves finished points whole and nothing half
// written under a final name.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tools/sweep/sweep.hpp"

namespace spinel::sweep {

// Folders or command lines that do not fit together (another sweep's
// folder, points missing or twice in a merge, ...): exit status 2.
class SweepError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What sweep.json records.
struct SweepInfo {
  std::string sweep_id;
  std::string base_id;  // "" in folders of spinel before 0.1 kept it
  std::string spinel_version;
  std::string name;
  std::string source;
  std::size_t points = 0;
  std::vector<std::string> columns;  // of results.csv
};

SweepInfo info_of(const Sweep& sweep);

// nullopt when DIR has no sweep.json; SweepError when it cannot be read.
std::optional<SweepInfo> read_sweep_json(const std::filesystem::path& dir);
void write_sweep_json(const std::filesystem::path& dir, const SweepInfo& info);

// Empty when `found` is the same sweep as `expected`, else why not.
std::string differences(const SweepInfo& expected, const SweepInfo& found);

std::filesystem::path point_dir(const std::filesystem::path& dir, const Point& point);
inline constexpr std::string_view kPointResult = "result.csv";

// A finished point's row, read from its result.csv; nullopt when the point
// has not finished. SweepError when the file is not a row of this table.
std::optional<std::string> read_point_row(const std::filesystem::path& result_csv,
                                          const std::vector<std::string>& columns);

// Replaces `path` with `contents`: temporary file in the same folder, fsync,
// rename. Throws std::runtime_error naming the file.
void write_atomically(const std::filesystem::path& path, std::string_view contents);

// Removes what write_atomically left behind in DIR and DIR/points/*/ when
// its process was killed: temporary files of this host whose process is
// gone, and any older than an hour (a write takes milliseconds; other hosts'
// processes cannot be asked). Returns how many it removed.
std::size_t remove_stale_temp_files(const std::filesystem::path& dir);

// The whole file; nullopt when it does not exist. Throws std::runtime_error
// when it exists but cannot be read.
std::optional<std::string> read_if_exists(const std::filesystem::path& path);

}  // namespace spinel::sweep
