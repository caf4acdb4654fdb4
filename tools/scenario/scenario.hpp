#pragma once
// A scenario: one YAML file that says which fabric to build, how traffic is
// carried and which workload runs on it. Loading validates every key and
// value; problems are sim::ScenarioError with one line
//   FILE:LINE:COL: key.path: what is wrong; what is allowed
// See scenarios/quickstart.yaml for the format, with comments.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/error.hpp"
#include "sim/json.hpp"
#include "sim/time.hpp"
#include "tools/scenario/yaml_reader.hpp"
#include "topology/config.hpp"
#include "transport/config.hpp"
#include "workloads/config.hpp"
#include "workloads/pccl/config.hpp"

namespace spinel::scenario {

// Which directed links timeseries.csv covers.
enum class LinkSelection {
  all,        // every directed link
  host,       // host_up and host_down (the NICs)
  uplinks,    // leaf_up: leaf -> spine
  downlinks,  // spine_down: spine -> leaf
  fabric,     // leaf_up and spine_down
  list,       // the links named in TimeseriesConfig::link_names
};

struct TimeseriesConfig {
  bool enabled = false;
  sim::Time interval_ps = 0;
  LinkSelection links = LinkSelection::all;
  std::vector<std::string> link_names;  // for LinkSelection::list, as links.csv names them
};

struct OutputConfig {
  std::string dir;     // "" means the default out/<name>
  bool flows = true;   // write flows.csv (one row per flow; huge on big runs)
  bool trace = false;  // write trace.json (Chrome Trace Event format; for small runs)
  TimeseriesConfig timeseries;
};

std::string_view to_string(LinkSelection links);

// A scheduled fault (or repair): `faults:` in the scenario. Each names one
// element: a directed link (`link:`, as links.csv names it) or a host
// (`host:`, hN: the GPU behind NIC N, with its NIC's rank in whichever job
// runs there).
enum class FaultState { down, degraded, up, flapping, slow, hung, nic_down };
std::string_view to_string(FaultState state);

struct Fault {
  sim::Time at_ps = 0;
  std::string link;  // a link fault: as links.csv names it, e.g. leaf0>spine1
  std::string host;  // a host fault: hN
  FaultState state = FaultState::down;
  double rate_gbps = 0;     // degraded: the rate it keeps
  double factor = 1;        // slow: its compute takes this many times as long
  sim::Time period_ps = 0;  // flapping: one down-then-up cycle (down for the first half)
  sim::Time until_ps = 0;   // flapping: when it stops, up
  [[nodiscard]] bool on_host() const { return !host.empty(); }
  // Whether it changes links (nic_down does, through its host's link), as
  // opposed to a host's compute.
  [[nodiscard]] bool acts_on_links() const { return !on_host() || state == FaultState::nic_down; }
};

// One fault of a kind at a random place and time, drawn per run from the
// seed (stream "random_fault"): `random_fault:` in the scenario, for
// detection campaigns that sweep kinds and seeds.
enum class RandomFaultKind {
  straggler,        // a host of the first job: slow by `factor`
  hang,             // a host of the first job: hung
  nic_degraded,     // that host's link to its leaf keeps `rate_fraction` of its rate
  uplink_degraded,  // an uplink of that host's leaf keeps `rate_fraction` of its rate
  uplink_down,      // an uplink of that host's leaf goes down
  nic_down,         // that host's NIC: both directions of its link down
};
std::string_view to_string(RandomFaultKind kind);

struct RandomFault {
  bool enabled = false;
  RandomFaultKind kind = RandomFaultKind::straggler;
  sim::Time from_ps = 0;  // it lands uniformly in [from, to)
  sim::Time to_ps = 0;
  double factor = 1.5;          // straggler
  double rate_fraction = 0.25;  // *_degraded
};

struct Scenario {
  std::string source;  // the file path as given, or "<default>" for the built-in default
  std::string name;    // [A-Za-z0-9_.-]+, 1..64 chars, not "." or ".."; names the output folder
  std::string description;  // optional free text
  std::uint64_t seed = 1;
  topology::LeafSpineConfig topology;
  // `topology: {kind: wan, ...}`: sites joined by WAN links, instead of the
  // leaf-spine above (pccl runs only).
  std::optional<topology::WanConfig> wan;
  transport::TransportConfig transport;
  // One or more jobs (`workload:` is one job named job0; `jobs:` a list).
  // hosts: 0 = all; explicit placement: hosts = ranks.size().
  std::vector<workloads::WorkloadConfig> jobs;
  OutputConfig output;
  std::vector<Fault> faults;           // in file order; applied at their times
  RandomFault random_fault;            // `random_fault:`; off when absent
  workloads::DetectorConfig detector;  // `detector:`; off when absent
  // Fault-tolerant all-reduce under churn (`pccl:`), instead of jobs.
  std::optional<pccl::PcclConfig> pccl;
};

// The fabric's hosts (NICs), of the leaf-spine or the WAN.
std::uint32_t host_count(const Scenario& scenario);

// Reads and validates a scenario file. An unreadable file is a ScenarioError
// "FILE: cannot read: <reason>".
Scenario load_file(const std::filesystem::path& path);

// Validates scenario text; `source` names it in error messages.
Scenario load_string(std::string_view yaml, std::string_view source);

// Validates an already parsed document (parse_document), which the caller
// may have edited: a sweep sets the keys it varies, then validates each point.
// A top-level `sweep` key is an error here (sweeps strip it before calling).
Scenario load_tree(const Value& root);

// A scenario file's text. An unreadable file (or one over 64MiB) is a
// ScenarioError "FILE: cannot read: <reason>".
std::string read_text(const std::filesystem::path& path);

// The built-in default: load_string(default_scenario_yaml(), "<default>").
Scenario load_default();

// The exact text of scenarios/quickstart.yaml.
std::string_view default_scenario_yaml();

// Canonical echo of every field (defaults included) under the file's key
// names, with quantities normalised: size_bytes in bytes, link rates as
// "rate_gbps", latencies as "latency_ps", "compute_gap_ps"; enums as their
// YAML words; hosts as "all" or a count; explicit placement as "explicit"
// plus "ranks".
sim::Json to_json(const Scenario& scenario);

}  // namespace spinel::scenario
