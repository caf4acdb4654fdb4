#pragma once
// A sweep: a scenario file with a `sweep:` block, expanded into points.
//
//   sweep:
//     grid:                                 # every combination (cartesian product)
//       transport.policy: [ecmp, spray]
//       workload.size_bytes: {from: 4MiB, to: 64MiB, times: 4}
//     zip:                                  # vary together: value i goes with value i
//       - {topology.leaves: [2, 4], topology.hosts_per_leaf: [8, 4]}
//     seeds: 2                              # each combination with 2 seeds
//
// The axes are each grid key, then each zip group, then the seeds; the first
// varies slowest, like nested loops in file order. The file without its sweep
// block is the base scenario and must be valid by itself; a point is the base
// with the point's values set at their key paths. Every combination is
// validated by the scenario loader when the sweep loads, so a bad value or a
// bad combination is an error (at the value's place in the sweep block)
// before anything runs.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "api/scenario/scenario.hpp"
#include "tools/sweep/keys.hpp"
#include "tools/sweep/values.hpp"

namespace spinel::sweep {

// More points than this is an error: split the sweep into several files.
inline constexpr std::size_t kMaxPoints = 100'000;
inline constexpr std::uint32_t kMaxSeeds = 10'000;

struct Parameter {
  const Key* key = nullptr;
  std::string path;             // where it is swept, for messages: "sweep.grid.topology.spines"
  scenario::Position position;  // of its key in the sweep block
  std::string column;           // its results.csv column
  std::vector<ParamValue> values;
  std::size_t axis = 0;  // grid keys have an axis each; a zip group shares one
};

struct Point {
  std::size_t index = 0;
  std::size_t combination = 0;   // index into Sweep::combinations
  std::uint32_t repetition = 0;  // 0 .. seeds-1
  std::uint64_t seed = 0;
  std::string folder;  // "<index>-<label>": the point's folder under points/
};

struct Sweep {
  std::string source;      // the file as given
  std::string sweep_id;    // 16 hex digits: FNV-1a of the file's YAML, comments and layout aside
  std::string base_id;     // the same of the file without its sweep block
  bool has_block = false;  // false: a plain scenario, swept as one point
  scenario::Scenario base;
  std::vector<Parameter> parameters;
  std::vector<std::size_t> axis_sizes;  // without the seeds
  std::uint32_t seeds = 1;
  // Per combination of values: each parameter's value index, and the
  // validated scenario (with the base's seed).
  std::vector<std::vector<std::size_t>> combination_values;
  std::vector<scenario::Scenario> combinations;
  std::vector<Point> points;

  [[nodiscard]] scenario::Scenario scenario_of(const Point& p) const;
  [[nodiscard]] const ParamValue& value_of(const Point& p, std::size_t parameter) const;
};

// Errors are sim::ScenarioError "FILE:LINE:COL: key.path: ...".
Sweep load_sweep_file(const std::filesystem::path& path);
Sweep load_sweep_string(std::string_view text, std::string_view source);

// The seed of repetition r: the scenario's own seed for r = 0 (so a sweep
// without `seeds` runs each point as `spinel run` would), then seeds mixed
// from it. The same for every combination: points that differ only in their
// values share their random draws (common random numbers).
std::uint64_t repetition_seed(std::uint64_t seed, std::uint32_t repetition);

// "transport.policy=spray workload.size_bytes=16MiB seed=1", for --list.
std::string describe_point(const Sweep& sweep, const Point& point);

}  // namespace spinel::sweep
