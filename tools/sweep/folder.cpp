#include "tools/sweep/folder.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "sim/json.hpp"
#include "tools/sweep/results.hpp"

namespace spinel::sweep {

namespace {

std::runtime_error io_error(const std::filesystem::path& path, std::string_view what, int err) {
  return std::runtime_error("cannot " + std::string(what) + " " + path.string() + ": " +
                            std::strerror(err));
}

constexpr std::string_view kTempMark = ".tmp.";

std::string host_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "host");
  return host;
}

// Unique among processes that share the folder, also across machines (a
// shared file system): host name and process id.
std::string temp_suffix() {
  return std::string(kTempMark) + host_name() + "." + std::to_string(getpid());
}

// Whether `name` is "<file>.tmp.<host>.<pid>" of a write that cannot be
// going on any more.
bool stale_temp_name(const std::string& name, const std::string& my_host,
                     const std::filesystem::path& path) {
  const auto mark = name.find(kTempMark);
  const auto dot = name.rfind('.');
  if (mark == std::string::npos || mark == 0 || dot <= mark + kTempMark.size()) return false;
  const std::string host = name.substr(mark + kTempMark.size(), dot - mark - kTempMark.size());
  pid_t pid = 0;
  const char* first = name.data() + dot + 1;
  const char* last = name.data() + name.size();
  const auto [end, ec] = std::from_chars(first, last, pid);
  if (ec != std::errc{} || end != last || pid <= 0) return false;
  if (host == my_host && pid != getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::error_code error;
  const auto written = std::filesystem::last_write_time(path, error);
  return !error && std::filesystem::file_time_type::clock::now() - written > std::chrono::hours(1);
}

}  // namespace

SweepInfo info_of(const Sweep& sweep) {
  SweepInfo info;
  info.sweep_id = sweep.sweep_id;
  info.base_id = sweep.base_id;
  info.spinel_version = SPINEL_VERSION;
  info.name = sweep.base.name;
  info.source = sweep.source;
  info.points = sweep.points.size();
  info.columns = result_columns(sweep);
  return info;
}

std::optional<SweepInfo> read_sweep_json(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / "sweep.json";
  std::optional<std::string> text;
  try {
    text = read_if_exists(path);
  } catch (const std::runtime_error& e) {
    throw SweepError(e.what());
  }
  if (!text) return std::nullopt;
  try {
    const sim::Json j = sim::Json::parse(*text);
    SweepInfo info;
    info.sweep_id = j.at("sweep_id").get<std::string>();
    if (j.contains("base_id")) info.base_id = j["base_id"].get<std::string>();
    info.spinel_version = j.at("spinel_version").get<std::string>();
    info.name = j.at("name").get<std::string>();
    info.source = j.at("source").get<std::string>();
    info.points = j.at("points").get<std::size_t>();
    for (const auto& c : j.at("columns")) info.columns.push_back(c.get<std::string>());
    return info;
  } catch (const sim::Json::exception& e) {
    throw SweepError(path.string() + ": not a sweep.json written by spinel (" + e.what() + ")");
  }
}

void write_sweep_json(const std::filesystem::path& dir, const SweepInfo& info) {
  sim::Json j = sim::Json::object();
  j["sweep_id"] = info.sweep_id;
  j["base_id"] = info.base_id;
  j["spinel_version"] = info.spinel_version;
  j["name"] = info.name;
  j["source"] = info.source;
  j["points"] = static_cast<std::uint64_t>(info.points);
  sim::Json columns = sim::Json::array();
  for (const auto& c : info.columns) columns.push_back(c);
  j["columns"] = std::move(columns);
  write_atomically(dir / "sweep.json", sim::json_text(j));
}

std::string differences(const SweepInfo& expected, const SweepInfo& found) {
  if (found.sweep_id != expected.sweep_id) {
    return "sweep_id " + found.sweep_id + " (from " + found.source + ") is not " +
           expected.sweep_id + " (from " + expected.source + "): the sweep files differ";
  }
  if (found.spinel_version != expected.spinel_version) {
    return "written by spinel " + found.spinel_version + ", not " + expected.spinel_version +
           ": results of different versions may not compare";
  }
  if (found.points != expected.points || found.columns != expected.columns) {
    return "the points or the columns of results.csv differ";
  }
  return "";
}

std::filesystem::path point_dir(const std::filesystem::path& dir, const Point& point) {
  return dir / "points" / point.folder;
}

std::optional<std::string> read_point_row(const std::filesystem::path& result_csv,
                                          const std::vector<std::string>& columns) {
  std::optional<std::string> text = read_if_exists(result_csv);
  if (!text) return std::nullopt;
  const std::string header = csv_line(columns);
  if (text->compare(0, header.size(), header) != 0 ||
      !read_row(std::string_view(*text).substr(header.size()), columns)) {
    throw SweepError(result_csv.string() +
                     ": not a result of this sweep (its header or its row differ); remove the "
                     "point's folder to run it again");
  }
  return text->substr(header.size());
}

void write_atomically(const std::filesystem::path& path, std::string_view contents) {
  std::filesystem::path temp = path;
  temp += temp_suffix();
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw io_error(temp, "create", errno);
  std::size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      ::unlink(temp.c_str());
      throw io_error(temp, "write", err);
    }
    written += static_cast<std::size_t>(n);
  }
  // fsync before rename: after a crash the file is either the old one or
  // the complete new one, never empty.
  const int synced = ::fsync(fd) == 0 ? 0 : errno;
  const int closed = ::close(fd) == 0 ? 0 : errno;
  if (synced != 0 || closed != 0) {
    ::unlink(temp.c_str());
    throw io_error(temp, "write", synced != 0 ? synced : closed);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    throw io_error(path, "write", err);
  }
}

std::size_t remove_stale_temp_files(const std::filesystem::path& dir) {
  const std::string my_host = host_name();
  std::size_t removed = 0;
  const auto clean = [&](const std::filesystem::path& folder) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
      const std::string name = entry.path().filename().string();
      if (stale_temp_name(name, my_host, entry.path()) &&
          std::filesystem::remove(entry.path(), ec)) {
        ++removed;
      }
    }
  };
  clean(dir);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "points", ec)) {
    if (entry.is_directory(ec)) clean(entry.path());
  }
  return removed;
}

std::optional<std::string> read_if_exists(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (ec && ec != std::errc::no_such_file_or_directory) throw io_error(path, "read", ec.value());
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(path, "read", errno != 0 ? errno : EIO);
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) throw io_error(path, "read", EIO);
  return out.str();
}

}  // namespace spinel::sweep
