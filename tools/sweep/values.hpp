#pragma once
// The values a sweep gives one key: a list ([ecmp, spray], [4MiB, 16MiB]) or
// a range in the key's unit ({from: 4MiB, to: 256MiB, times: 2} is geometric,
// {from: 4, to: 16, step: 4} arithmetic). Each value is kept three ways: the
// YAML text set into the scenario, its results.csv form and a short human
// form. The scenario loader judges the values later, per point; here only
// their shape and units are checked.
#include <string>
#include <vector>

#include "api/scenario/yaml_reader.hpp"
#include "tools/sweep/keys.hpp"

namespace spinel::sweep {

struct ParamValue {
  std::string yaml;    // set into the scenario for this value
  std::string column;  // results.csv: bytes, Gb/s and ps as plain numbers; words as they are
  std::string human;   // with units (4MiB, 400Gbps, 1.5us): folder labels, --list, messages
  scenario::Position position;  // where the value (or its range) is written in the file
};

// A range gives at most this many values (a typo such as step: 1 on a size
// would otherwise make millions of points).
inline constexpr std::size_t kMaxRangeValues = 10'000;

// Reads `v` (a list or a range) as values of `key`. Errors name v's path.
std::vector<ParamValue> read_values(const scenario::Value& v, const Key& key);

}  // namespace spinel::sweep
