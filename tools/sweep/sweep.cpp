#include "tools/sweep/sweep.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

#include "api/scenario/yaml_reader.hpp"
#include "sim/error.hpp"
#include "sim/rng.hpp"
#include "sim/units.hpp"

namespace spinel::sweep {

namespace {

using scenario::fail_at;
using scenario::MapEntry;
using scenario::Need;
using scenario::Position;
using scenario::Value;

constexpr std::size_t kMaxLabelLength = 60;

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

bool is_path_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

// "sweep.grid" + "topology.spines": key paths stay readable (the loader
// would quote a key with dots); odd keys are quoted to keep messages on one line.
std::string param_path(const std::string& prefix, std::string_view key) {
  const bool plain =
      !key.empty() && key.size() <= 64 && std::all_of(key.begin(), key.end(), is_path_char);
  return prefix + "." + (plain ? std::string(key) : sim::quote_for_message(key));
}

std::string join(const std::vector<std::string_view>& words, std::string_view sep) {
  std::string out;
  for (const auto w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

std::string_view last_segment(std::string_view path) {
  const auto dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

// A did-you-mean for a key path: the closest path, else the one key whose
// last segment is close ("spines" -> "topology.spines").
std::string suggest(std::string_view word) {
  std::vector<std::string_view> paths;
  for (const Key& k : sweepable_keys()) paths.push_back(k.path);
  std::string_view best = scenario::closest_word(word, paths);
  if (best.empty()) {
    std::vector<std::string_view> segments;
    for (const auto p : paths) segments.push_back(last_segment(p));
    const std::string_view segment = scenario::closest_word(last_segment(word), segments);
    if (!segment.empty() && std::count(segments.begin(), segments.end(), segment) == 1) {
      best = paths[static_cast<std::size_t>(std::find(segments.begin(), segments.end(), segment) -
                                            segments.begin())];
    }
  }
  return best.empty() ? "" : "did you mean " + sim::quote_for_message(best) + "? ";
}

// A value as a YAML node whose mark is `pos`: the loader's messages about it
// then point into the sweep block. yaml-cpp cannot set a mark, so the text is
// parsed behind as many newlines and spaces as put it there.
YAML::Node node_at(const std::string& yaml, Position pos) {
  std::string text(static_cast<std::size_t>(pos.line - 1), '\n');
  text.append(static_cast<std::size_t>(pos.column - 1), ' ');
  text += yaml;
  return YAML::Load(text);
}

void set_path(YAML::Node node, std::string_view path, const YAML::Node& value) {
  const auto dot = path.find('.');
  if (dot == std::string_view::npos) {
    node[std::string(path)] = value;
    return;
  }
  set_path(node[std::string(path.substr(0, dot))], path.substr(dot + 1), value);
}

// For folder names: letters, digits and dots kept, anything else one '-' ("[0 9 18]" -> "0-9-18").
std::string label_part(std::string_view human) {
  std::string out;
  for (const char c : human) {
    const bool keep =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
    if (keep) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "x" : out;
}

class Reader {
 public:
  Reader(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  Sweep read() {
    Sweep s;
    s.source = source_;
    Value root = scenario::parse_document(text_, source_);
    // The id is of the document, not of its bytes: editing a comment or the
    // layout keeps a sweep's folder; changing any key or value does not.
    s.sweep_id = hex64(sim::name_hash(YAML::Dump(root.node())));
    std::optional<MapEntry> block;
    if (root.is_map()) {
      for (MapEntry& e : root.to_entries()) {
        if (e.key == "sweep") block = std::move(e);
      }
    }
    if (block) {
      YAML::Node tree = root.node();
      tree.remove("sweep");
    }
    // Without a block the two are the same document: dump it once (a big one,
    // a long fault list, takes seconds).
    s.base_id = block ? hex64(sim::name_hash(YAML::Dump(root.node()))) : s.sweep_id;
    s.base = scenario::load_tree(root);  // the base's own errors, without sweep context
    if (!block) {
      s.combination_values.emplace_back();
      s.combinations.push_back(s.base);
      s.points.push_back(Point{0, 0, 0, s.base.seed, "0-base"});
      return s;
    }
    s.has_block = true;
    read_block(block->value.with_path("sweep"), s);
    expand(block->value.with_path("sweep"), s);
    return s;
  }

 private:
  void read_block(const Value& v, Sweep& s) {
    bool any = false;
    v.read_map({
        {"grid", Need::optional,
         [&](const Value& grid) {
           for (const MapEntry& e : grid.to_entries()) {
             add_parameter(e, grid.path(), s.axis_sizes.size(), s);
             s.axis_sizes.push_back(s.parameters.back().values.size());
             any = true;
           }
         }},
        {"zip", Need::optional,
         [&](const Value& zip) {
           const std::vector<Value> groups = zip.is_list() ? zip.to_list() : std::vector{zip};
           for (const Value& group : groups) {
             read_zip_group(group, s);
             any = true;
           }
         }},
        {"seeds", Need::optional,
         [&](const Value& x) {
           s.seeds = x.to_uint<std::uint32_t>(1, kMaxSeeds);
           any = true;
         }},
    });
    if (!any) {
      v.fail_at_key(
          "an empty sweep; give grid (every combination), zip (values that go "
          "together) and/or seeds (repetitions), e.g. grid: {transport.policy: [ecmp, "
          "spray]}");
    }
  }

  void read_zip_group(const Value& group, Sweep& s) {
    if (!group.is_map()) {
      group.fail(
          "expected a zip group: a map of key paths to lists of the same length, e.g. "
          "{topology.leaves: [2, 4], topology.hosts_per_leaf: [8, 4]}; got " +
          group.describe());
    }
    const std::vector<MapEntry> entries = group.to_entries();
    if (entries.empty()) group.fail("an empty zip group; give the keys that vary together");
    const std::size_t axis = s.axis_sizes.size();
    const std::size_t first = s.parameters.size();
    for (const MapEntry& e : entries) {
      add_parameter(e, group.path(), axis, s);
      const Parameter& lead = s.parameters[first];
      const Parameter& p = s.parameters.back();
      if (p.values.size() != lead.values.size()) {
        fail_at(source_, e.value.position(), p.path,
                std::to_string(p.values.size()) + " values, but " + std::string(lead.key->path) +
                    " in this zip group has " + std::to_string(lead.values.size()) +
                    "; keys in a zip group vary together, so each needs as many values");
      }
    }
    s.axis_sizes.push_back(s.parameters[first].values.size());
  }

  void add_parameter(const MapEntry& e, const std::string& prefix, std::size_t axis, Sweep& s) {
    const std::string path = param_path(prefix, e.key);
    const Key* key = find_key(e.key);
    if (key == nullptr) {
      const std::string_view reason = why_not_sweepable(e.key);
      if (!reason.empty())
        fail_at(source_, e.key_position, path, "cannot be swept: " + std::string(reason));
      std::vector<std::string_view> paths;
      for (const Key& k : sweepable_keys()) paths.push_back(k.path);
      fail_at(source_, e.key_position, path,
              "unknown key path; " + suggest(e.key) + "sweepable: " + join(paths, ", "));
    }
    for (const Parameter& seen : s.parameters) {
      if (seen.key == key) {
        fail_at(source_, e.key_position, path,
                std::string(key->path) + " is already swept (" + seen.path + ", line " +
                    std::to_string(seen.values.front().position.line) +
                    "); a key varies in one place only");
      }
    }
    Parameter p;
    p.key = key;
    p.path = path;
    p.position = e.key_position;
    p.column = column_name(*key);
    p.values = read_values(e.value.with_path(path), *key);
    p.axis = axis;
    s.parameters.push_back(std::move(p));
  }

  void expand(const Value& block, Sweep& s) {
    std::size_t combinations = 1;
    for (const std::size_t n : s.axis_sizes) {
      if (combinations > kMaxPoints / n)
        combinations = kMaxPoints + 1;
      else
        combinations *= n;
    }
    if (combinations > kMaxPoints || combinations * s.seeds > kMaxPoints) {
      std::string sizes;
      for (const std::size_t n : s.axis_sizes) sizes += std::to_string(n) + " x ";
      block.fail_at_key("this sweep has more than " + std::to_string(kMaxPoints) + " points (" +
                        sizes + std::to_string(s.seeds) + " seeds); split it into several files");
    }
    for (std::size_t c = 0; c < combinations; ++c) {
      s.combination_values.push_back(values_of(c, s));
      s.combinations.push_back(validate(c, s));
    }
    const std::size_t total = combinations * s.seeds;
    const std::size_t width = std::to_string(total - 1).size();
    for (std::size_t c = 0; c < combinations; ++c) {
      for (std::uint32_t r = 0; r < s.seeds; ++r) {
        Point p;
        p.index = c * s.seeds + r;
        p.combination = c;
        p.repetition = r;
        p.seed = repetition_seed(s.base.seed, r);
        std::string index = std::to_string(p.index);
        index.insert(0, width - index.size(), '0');
        p.folder = index + "-" + label(c, r, s);
        s.points.push_back(std::move(p));
      }
    }
  }

  // Mixed radix over the axes, the last axis fastest.
  static std::vector<std::size_t> values_of(std::size_t combination, const Sweep& s) {
    std::vector<std::size_t> axis_index(s.axis_sizes.size());
    for (std::size_t a = s.axis_sizes.size(); a-- > 0;) {
      axis_index[a] = combination % s.axis_sizes[a];
      combination /= s.axis_sizes[a];
    }
    std::vector<std::size_t> out;
    for (const Parameter& p : s.parameters) out.push_back(axis_index[p.axis]);
    return out;
  }

  static std::string describe_values(const Sweep& s, std::size_t combination) {
    std::string out;
    for (std::size_t i = 0; i < s.parameters.size(); ++i) {
      if (!out.empty()) out += ' ';
      out += std::string(s.parameters[i].key->path) + "=" +
             s.parameters[i].values[s.combination_values[combination][i]].human;
    }
    return out;
  }

  // The base with this combination's values set, through the loader.
  scenario::Scenario validate(std::size_t c, const Sweep& s) const {
    try {
      const Value root = scenario::parse_document(text_, source_);
      YAML::Node tree = root.node();
      tree.remove("sweep");
      for (std::size_t i = 0; i < s.parameters.size(); ++i) {
        const Parameter& p = s.parameters[i];
        const ParamValue& v = p.values[s.combination_values[c][i]];
        set_path(tree, p.key->path, node_at(v.yaml, v.position));
      }
      return scenario::load_tree(root);
    } catch (const sim::ScenarioError& e) {
      throw sim::ScenarioError(std::string(e.what()) + " (in sweep point " +
                               std::to_string(c * s.seeds) + ": " + describe_values(s, c) + ")");
    } catch (const YAML::Exception& e) {
      throw sim::InternalError(std::string("sweep: cannot set a value: ") + e.what());
    }
  }

  static std::string label(std::size_t c, std::uint32_t r, const Sweep& s) {
    std::string out;
    for (std::size_t i = 0; i < s.parameters.size(); ++i) {
      if (!out.empty()) out += '_';
      out += label_part(s.parameters[i].values[s.combination_values[c][i]].human);
    }
    if (s.seeds > 1) out += (out.empty() ? "rep" : "_rep") + std::to_string(r);
    if (out.size() > kMaxLabelLength) out.resize(kMaxLabelLength);
    return out.empty() ? "base" : out;
  }

  std::string_view text_;
  std::string source_;
};

}  // namespace

scenario::Scenario Sweep::scenario_of(const Point& p) const {
  scenario::Scenario s = combinations[p.combination];
  s.seed = p.seed;
  return s;
}

const ParamValue& Sweep::value_of(const Point& p, std::size_t parameter) const {
  return parameters[parameter].values[combination_values[p.combination][parameter]];
}

Sweep load_sweep_string(std::string_view text, std::string_view source) {
  return Reader(text, source).read();
}

Sweep load_sweep_file(const std::filesystem::path& path) {
  const std::string text = scenario::read_text(path);
  return load_sweep_string(text, path.string());
}

std::uint64_t repetition_seed(std::uint64_t seed, std::uint32_t repetition) {
  if (repetition == 0) return seed;
  return sim::mix64(seed ^ sim::mix64(repetition));
}

std::string describe_point(const Sweep& sweep, const Point& point) {
  std::string out;
  for (std::size_t i = 0; i < sweep.parameters.size(); ++i) {
    out += std::string(sweep.parameters[i].key->path) + "=" + sweep.value_of(point, i).human + " ";
  }
  out += "seed=" + std::to_string(point.seed);
  return out;
}

}  // namespace spinel::sweep
