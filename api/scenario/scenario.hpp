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

#include "api/scenario/cost_check.hpp"
#include "api/scenario/yaml_reader.hpp"
#include "sim/error.hpp"
#include "sim/json.hpp"
#include "sim/time.hpp"
#include "topology/config.hpp"
#include "transport/config.hpp"
#include "transport/fault.hpp"
#include "transport/timeseries.hpp"
#include "workloads/config.hpp"
#include "workloads/pccl/config.hpp"
#include "workloads/random_faults.hpp"
#include "workloads/recovery/config.hpp"

namespace spinel::scenario {

// The types a scenario fills, under the loader's names; each lives with the
// layer whose code uses it.
using recovery::FaultRate;          // workloads/recovery/config.hpp
using recovery::RecoveryConfig;     //
using transport::Fault;             // transport/fault.hpp
using transport::FaultState;        //
using transport::LinkSelection;     // transport/timeseries.hpp
using transport::TimeseriesConfig;  //
using workloads::RandomFault;       // workloads/random_faults.hpp
using workloads::RandomFaultKind;   //

struct OutputConfig {
  std::string dir;     // "" means the default out/<name>
  bool flows = true;   // write flows.csv (one row per flow; huge on big runs)
  bool trace = false;  // write trace.json (Chrome Trace Event format; for small runs)
  bool ops = false;    // write ops.csv (graph jobs: one row per op per rank)
  TimeseriesConfig timeseries;
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
  // Valid but costly (api/scenario/cost_check.hpp): `spinel validate` and
  // `spinel run` print these; run needs --force for the extreme ones.
  std::vector<CostWarning> warnings;
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

// The folder the scenario asks its results to go to: output.dir, or
// out/<name> when it names none (summary.json records this; run.json
// records the folder a run actually wrote, which --out or a sweep may change).
std::string output_dir(const Scenario& scenario);

}  // namespace spinel::scenario
