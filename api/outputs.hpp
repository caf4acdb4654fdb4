#pragma once
// The result files of a run, written from its results (the public interface
// users plot from). Only deterministic values go in, except run.json (wall
// time). The transport writes its own: flows.csv, links.csv, the packet
// level's files.
#include <filesystem>
#include <string_view>

#include "api/results.hpp"
#include "api/scenario/scenario.hpp"
#include "sim/json.hpp"
#include "sim/recorder.hpp"
#include "topology/config.hpp"
#include "topology/topology.hpp"

namespace spinel::api {

// summary.json: the version, the seed, the scenario as understood and the
// run's metrics; every kind of run writes it.
void write_summary_json(sim::Recorder& recorder, const scenario::Scenario& scenario,
                        const sim::Json& metrics);

// run.json: what made the results (spinel's version and git commit, the
// build type and compiler, `command_line`, the UTC date `started_utc`, the
// folder written) and the run's wall time and event rate: the one output
// file that is not deterministic (kept apart from summary.json for that reason).
void write_run_json(const std::filesystem::path& out_dir, const Results& results,
                    std::string_view command_line, std::string_view started_utc);

// placement.csv: each job's rank -> host, its server and its NIC's switch.
void write_placement_csv(sim::Recorder& recorder, const Results& results,
                         const topology::Topology& topology, const topology::FabricConfig& fabric);

// A training run: collectives.csv, iterations.csv, phases.csv, faults.csv,
// detections.csv (with a detector) and summary.json.
void write_training_files(sim::Recorder& recorder, const scenario::Scenario& scenario,
                          const Results& results);

// A recovery run: attempts.csv, faults.csv, detections.csv, summary.json.
void write_recovery_files(sim::Recorder& recorder, const scenario::Scenario& scenario,
                          const recovery::RecoveryRun& run, const sim::Json& metrics);

// A pccl run: churn.csv, steps.csv, summary.json.
void write_pccl_files(sim::Recorder& recorder, const scenario::Scenario& scenario,
                      const pccl::PcclResult& result, const sim::Json& metrics);

}  // namespace spinel::api
