#pragma once
// The scenario keys a sweep may vary, addressed by their path in the file
// ("topology.spines"), and the kind of value each takes. The kind decides how
// range endpoints are read (units) and how values are written to
// results.csv. The scenario loader still validates every value: this table
// only has to agree with it on the kinds (a test sets each key through a sweep).
#include <string>
#include <string_view>
#include <vector>

namespace spinel::sweep {

enum class Kind {
  integer,         // 4, 16
  integer_or_all,  // all, 4 (workload.hosts)
  size,            // 4MiB: results.csv in bytes
  rate,            // 400Gbps: results.csv in Gb/s, column suffix _gbps
  duration,        // 500ns: results.csv in ps, column suffix _ps
  word,            // ecmp, spray
  decimal,         // 0.25: listed values only (no ranges), checked by the scenario loader
  placement,       // contiguous, random or a list of host indices
};

struct Key {
  std::string_view path;
  Kind kind;
};

// In the order of the scenario format.
const std::vector<Key>& sweepable_keys();

// nullptr when `path` is not sweepable.
const Key* find_key(std::string_view path);

// The results.csv column of a key: its path, with the unit the column is in
// appended when the key's name does not already say it
// ("topology.host_link.rate_gbps", "workload.compute_gap_ps", "workload.size_bytes").
std::string column_name(const Key& key);

// Why a known scenario key cannot be swept ("" for keys that are not
// scenario keys at all), to explain the error better than "unknown".
std::string_view why_not_sweepable(std::string_view path);

}  // namespace spinel::sweep
