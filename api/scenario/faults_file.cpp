#include "api/scenario/faults_file.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/scenario/keys.hpp"
#include "sim/units.hpp"

namespace spinel::scenario {

namespace {

constexpr std::uint64_t kMaxFaultsFileBytes = 1ULL << 30;

// The columns a faults file may have: the keys of a `faults` item.
std::vector<std::string_view> fault_keys() {
  constexpr std::string_view item = "faults[].";
  std::vector<std::string_view> keys;
  for (const KeyDoc& k : scenario_keys()) {
    if (k.path.substr(0, item.size()) == item) keys.push_back(k.path.substr(item.size()));
  }
  return keys;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The cells of one line, trimmed, into `out` (reused across rows).
void split(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  for (;;) {
    const std::size_t comma = line.find(',');
    out.push_back(trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    line.remove_prefix(comma + 1);
  }
}

}  // namespace

void read_faults_file(const Value& path_value,
                      const std::function<void(std::span<const Value>)>& read_rows) {
  const std::string text = path_value.is_scalar() ? path_value.to_string() : std::string();
  if (text.empty())
    path_value.fail("expected the path of a CSV file of faults, got " + path_value.describe());
  std::filesystem::path path(text);
  if (path.is_relative()) path = std::filesystem::path(path_value.source()).parent_path() / path;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  if (ec || !in) path_value.fail("cannot read " + path.string());
  if (size > kMaxFaultsFileBytes) path_value.fail(path.string() + " is over 1GiB");
  std::string content(size, '\0');
  in.read(content.data(), static_cast<std::streamsize>(size));
  const auto source = std::make_shared<const std::string>(path.string());
  const auto fail = [&](int line, std::string_view message) {
    fail_at(*source, Position{line, 1}, "faults_file", message);
  };

  const std::vector<std::string_view> allowed = fault_keys();
  std::vector<std::string> header;
  std::vector<std::string_view> cells;
  std::size_t row = 0;
  int line = 0;
  std::string_view rest = content;
  while (!rest.empty()) {
    ++line;
    const std::size_t end = rest.find('\n');
    const std::string_view text_line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    const std::string_view trimmed = trim(text_line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    split(trimmed, cells);
    if (header.empty()) {
      for (const std::string_view c : cells) {
        if (std::find(allowed.begin(), allowed.end(), c) == allowed.end()) {
          fail(line,
               "unknown column " + sim::quote_for_message(c) +
                   " in the header; columns are keys of a fault: " + describe_choices(allowed));
        }
        if (std::find(header.begin(), header.end(), c) != header.end()) {
          fail(line, "column " + sim::quote_for_message(c) + " is named twice in the header");
        }
        header.emplace_back(c);
      }
      continue;
    }
    if (cells.size() != header.size()) {
      fail(line, "expected " + std::to_string(header.size()) + " cells as the header has, got " +
                     std::to_string(cells.size()));
    }
    YAML::Node map(YAML::NodeType::Map);
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (!cells[c].empty()) map[header[c]] = std::string(cells[c]);
    }
    const Value item(source, map, "faults_file[" + std::to_string(row) + "]", Position{line, 1});
    read_rows(std::span<const Value>(&item, 1));
    ++row;
  }
  if (header.empty()) path_value.fail(path.string() + " has no header row (at, link, state, ...)");
}

}  // namespace spinel::scenario
