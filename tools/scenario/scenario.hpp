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
  uplinks,    // leaf_up (leaf -> spine or agg) and agg_up (agg -> core)
  downlinks,  // spine_down (spine -> leaf), agg_down (agg -> leaf) and core_down (core -> agg)
  fabric,     // uplinks and downlinks: every switch-to-switch link
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
// element: a directed link (`link:`, as links.csv names it), a host
// (`host:`, hN: the GPU behind NIC N, with its NIC's rank in whichever job
// runs there) or a switch (`switch:`, leafN, spineN, aggN or coreN: every
// link to and from it, down or back up).
enum class FaultState { down, degraded, up, flapping, slow, hung, nic_down, nic_port_down };
std::string_view to_string(FaultState state);

struct Fault {
  sim::Time at_ps = 0;
  std::string link;         // a link fault: as links.csv names it, e.g. leaf0>spine1
  std::string host;         // a host fault: hN
  std::string switch_name;  // a switch fault: leafN, spineN, aggN or coreN
  FaultState state = FaultState::down;
  std::uint32_t port = 0;   // nic_port_down: which port of the host's dual-port NIC
  double rate_gbps = 0;     // degraded: the rate it keeps
  double factor = 1;        // slow: its compute takes this many times as long
  sim::Time period_ps = 0;  // flapping: one down-then-up cycle (down for the first half)
  sim::Time until_ps = 0;   // flapping: when it stops, up
  [[nodiscard]] bool on_host() const { return !host.empty(); }
  [[nodiscard]] bool on_switch() const { return !switch_name.empty(); }
  // Whether it changes links (nic_down and nic_port_down do, through its
  // host's links), as opposed to a host's compute.
  [[nodiscard]] bool acts_on_links() const {
    return !on_host() || state == FaultState::nic_down || state == FaultState::nic_port_down;
  }
  // What faults.csv names: the link, the host, hN.pK for a NIC port, or the switch.
  [[nodiscard]] std::string element() const {
    if (state == FaultState::nic_port_down) return host + ".p" + std::to_string(port);
    return on_host() ? host : (on_switch() ? switch_name : link);
  }
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
  nic_port_down,    // one port of that host's dual-port NIC (drawn uniformly), both directions
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

// A failure process for long jobs (`fault_process:`): faults of a kind
// arrive as a Poisson process at elements / mtbf, on the elements the job
// uses at the time (its GPUs, their NICs, or the uplinks of its leaves).
struct FaultRate {
  RandomFaultKind kind = RandomFaultKind::hang;
  double mtbf_hours = 0;        // per element
  double factor = 1.5;          // straggler
  double rate_fraction = 0.25;  // *_degraded
};

// `recovery:`: a detection stops the job, the suspect is isolated, and the
// job restarts from its last checkpoint (tools/spinel/recovery.hpp).
struct RecoveryConfig {
  sim::Time checkpoint_interval_ps = 30 * 60 * sim::kSecond;
  sim::Time restart_ps = 10 * 60 * sim::kSecond;   // from the stop to the first iteration
  sim::Time repair_ps = 24 * 3600 * sim::kSecond;  // an isolated server, a faulty link
  // Skip iterations that repeat exactly (see recovery.hpp); the results
  // are the same either way, only faster.
  bool fast_forward = true;
};

struct Scenario {
  std::string source;  // the file path as given, or "<default>" for the built-in default
  std::string name;    // [A-Za-z0-9_.-]+, 1..64 chars, not "." or ".."; names the output folder
  std::string description;  // optional free text
  std::uint64_t seed = 1;
  topology::FabricConfig topology;
  // `topology: {kind: wan, ...}`: sites joined by WAN links, instead of the
  // Clos above (pccl runs only).
  std::optional<topology::WanConfig> wan;
  transport::TransportConfig transport;
  // One or more jobs (`workload:` is one job named job0; `jobs:` a list).
  // hosts: 0 = all; explicit placement: hosts = ranks.size().
  std::vector<workloads::WorkloadConfig> jobs;
  OutputConfig output;
  std::vector<Fault> faults;               // in file order; applied at their times
  RandomFault random_fault;                // `random_fault:`; off when absent
  workloads::DetectorConfig detector;      // `detector:`; off when absent
  std::vector<FaultRate> fault_process;    // `fault_process:`; needs recovery
  std::optional<RecoveryConfig> recovery;  // `recovery:`: a long job with restarts
  // Fault-tolerant all-reduce under churn (`pccl:`), instead of jobs.
  std::optional<pccl::PcclConfig> pccl;
};

// The fabric's hosts (NICs), of the Clos or the WAN.
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
