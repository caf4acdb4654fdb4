#pragma once
// The result files of a run (the public interface users plot from):
// collectives.csv and summary.json here; flows.csv and links.csv come from
// the transport. Only deterministic values go in; wall time never does.
#include "api/scenario/scenario.hpp"
#include "sim/json.hpp"
#include "sim/recorder.hpp"

namespace spinel::tools {

struct RunResult;

// The "metrics" object of summary.json.
sim::Json run_metrics(const RunResult& result);

// summary.json: the version, the seed, the scenario as understood and the
// run's metrics; every kind of run writes it.
void write_summary_json(sim::Recorder& recorder, const scenario::Scenario& scenario,
                        const sim::Json& metrics);

void write_outputs(sim::Recorder& recorder, const scenario::Scenario& scenario,
                   const RunResult& result);

}  // namespace spinel::tools
