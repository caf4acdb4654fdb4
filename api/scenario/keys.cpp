#include "api/scenario/keys.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "sim/error.hpp"

namespace spinel::scenario {

namespace {

struct Index {
  std::unordered_map<std::string_view, const KeyDoc*> by_path;
  std::unordered_set<std::string_view> maps;  // the paths of maps that have keys in the table
};

const Index& index() {
  static const Index built = [] {
    Index ix;
    for (const KeyDoc& k : scenario_keys()) {
      if (!ix.by_path.emplace(k.path, &k).second) {
        throw sim::InternalError("scenario key table: " + std::string(k.path) + " listed twice");
      }
      const std::size_t dot = k.path.rfind('.');
      ix.maps.insert(dot == std::string_view::npos ? std::string_view() : k.path.substr(0, dot));
    }
    return ix;
  }();
  return built;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

const KeyDoc* find_scenario_key(std::string_view path) {
  const auto& by_path = index().by_path;
  const auto it = by_path.find(path);
  return it == by_path.end() ? nullptr : it->second;
}

std::string table_path(std::string_view value_path) {
  std::string out;
  out.reserve(value_path.size());
  for (std::size_t i = 0; i < value_path.size(); ++i) {
    out += value_path[i];
    if (value_path[i] != '[') continue;
    const std::size_t close = value_path.find(']', i);
    if (close == std::string_view::npos) break;
    out += ']';
    i = close;
  }
  if (starts_with(out, "jobs[]")) out.replace(0, 6, "workload");
  if (starts_with(out, "faults_file[]")) out.replace(0, 13, "faults[]");
  return out;
}

void check_fields(std::string_view map_path, std::span<const Field> fields) {
  const std::string map = table_path(map_path);
  if (!index().maps.contains(map)) return;
  for (const Field& f : fields) {
    std::string path = map;
    if (!path.empty()) path += '.';
    path += f.key;
    // jobs[].name and jobs[].start are the keys a jobs item adds to a workload's.
    const KeyDoc* doc = find_scenario_key(path);
    if (doc == nullptr && starts_with(map_path, "jobs[")) {
      doc = find_scenario_key("jobs[]." + std::string(f.key));
    }
    if (doc == nullptr) {
      throw sim::InternalError("the scenario loader reads " + path +
                               ", which api/scenario/key_table.cpp does not list");
    }
    const bool required = starts_with(doc->fallback, "required");
    if (required != (f.need == Need::required)) {
      throw sim::InternalError("the scenario loader reads " + path + " as " +
                               (f.need == Need::required ? "required" : "optional") +
                               ", api/scenario/key_table.cpp says its default is " +
                               std::string(doc->fallback));
    }
  }
}

}  // namespace spinel::scenario
