#pragma once
// What a run will need, estimated from the scenario before anything runs, so
// that an accepted scenario never overflows the clock, runs out of memory
// or crawls without a word. The estimates are cheap (no fabric is built but
// for a time series) and documented in docs/scenario-reference.md ("What a
// run needs"):
// - simulated time, a lower bound per job: iterations of its collective at
//   the rate a rank's links allow (or its longest compute op), against the
//   clock's 2^63 ps (about 106 days): over it is a located error;
// - timeseries.csv rows: selected links x that time / interval, against the
//   row limit: over it is a located error;
// - the link changes a fault schedule holds (flapping links toggle every half
//   period), against a memory bound: over it is a located error;
// - events (flows, packets, churn) and the memory of the fabric and of
//   concurrent flows: above a soft bound a warning, above a hard bound
//   `spinel run` needs --force.
#include <optional>
#include <string>
#include <vector>

#include "api/scenario/yaml_reader.hpp"

namespace spinel::scenario {

struct Scenario;

// A run that is valid but slow or large: a located line (FILE:LINE:COL: key:
// why), and whether it is past the bound `spinel run` keeps without --force.
struct CostWarning {
  std::string message;
  bool extreme = false;
};

// The bounds, exposed for tests and docs.
inline constexpr double kWarnEvents = 1e9;      // about minutes at a few M events/s
inline constexpr double kExtremeEvents = 1e11;  // hours to days: --force
inline constexpr double kWarnBytes = 4.0 * (1ULL << 30);
inline constexpr double kExtremeBytes = 32.0 * (1ULL << 30);
inline constexpr double kMaxBytes = 1024.0 * (1ULL << 30);  // refused outright
// Link changes a fault schedule may hold: each costs about kBytesPerLinkChange
// until it fires.
inline constexpr double kMaxLinkChanges = 1 << 22;
inline constexpr double kBytesPerLinkChange = 130;
// A directed link of a built fabric with its node share, measured (about
// 120-160 bytes on leaf-spine, dual-port and 3-tier fabrics of 16k-131k hosts).
inline constexpr double kBytesPerFabricLink = 160;

// The directed links the scenario's fabric will have (two per cable), counted
// from its configuration without building it.
double fabric_links(const Scenario& s);

// Throws a located sim::ScenarioError for what cannot fit the clock, the
// output limits or memory; returns warnings for what is valid but costly.
// `root` is the document `s` was read from (for the places of keys).
std::vector<CostWarning> check_cost(const Scenario& s, const Value& root);

// A lower bound of the simulated time the scenario's jobs need, and the job
// and keys that set it, for a message after the clock overflowed anyway
// ("" when the scenario has no jobs).
std::string longest_job(const Scenario& s);

}  // namespace spinel::scenario
