#include "tools/spinel/run.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "tools/spinel/observers.hpp"
#include "tools/spinel/outputs.hpp"
#include "tools/spinel/timeseries.hpp"
#include "tools/spinel/trace.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/link_faults.hpp"
#include "transport/transport.hpp"
#include "workloads/placement.hpp"

namespace spinel::tools {

std::filesystem::path default_out_dir(const scenario::Scenario& scenario) {
  if (!scenario.output.dir.empty()) return scenario.output.dir;
  return std::filesystem::path("out") / scenario.name;
}

void write_run_json(const std::filesystem::path& out_dir, const RunResult& r) {
  sim::Json j = sim::Json::object();
  j["wall_seconds"] = r.wall_seconds;
  j["events"] = r.events;
  j["events_per_second"] =
      r.wall_seconds > 0 ? static_cast<double>(r.events) / r.wall_seconds : 0.0;
  sim::Recorder(out_dir).write_file("run.json", j.dump());
}

RunResult run_scenario(const scenario::Scenario& scenario, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  sim::Recorder recorder =
      options.out_dir.empty() ? sim::Recorder() : sim::Recorder(options.out_dir);

  const topology::Topology topology = topology::build_leaf_spine(scenario.topology);
  topology::Routing routing(topology);
  sim::Simulator sim;
  transport::FlowModel model(sim, topology, routing, scenario.transport, scenario.seed, recorder,
                             scenario.output.flows);
  transport::FlowTransport transport(model);
  // Link faults: spray trunks assume equal members, so faults turn them off.
  transport::LinkFaults faults(sim, model);
  if (!scenario.faults.empty()) {
    model.set_spray_trunks(false);
    std::map<std::string, topology::LinkId, std::less<>> by_name;
    for (topology::LinkId l = 0; l < topology.link_count(); ++l) {
      by_name.emplace(topology.link_name(l), l);
    }
    for (const scenario::LinkFault& fault : scenario.faults) {
      const topology::LinkId l = by_name.at(fault.link);  // the loader checked the name
      const double gbps = fault.state == scenario::LinkState::down ? 0.0
                          : fault.state == scenario::LinkState::degraded
                              ? fault.rate_gbps
                              : topology.link(l).rate_gbps;
      faults.add(fault.at_ps, l, gbps);
    }
  }

  const std::vector<topology::HostId> ranks =
      workloads::place_ranks(scenario.workload, topology.host_count(), scenario.seed);
  workloads::RingAllReduce ring(sim, transport, topology, routing, ranks,
                                scenario.workload.size_bytes, scenario.workload.iterations,
                                scenario.workload.compute_gap_ps, 0);
  ring.start(0);

  // Traces and time series listen to the model only when asked for: with
  // no observer the model's hot paths skip them entirely.
  std::optional<Trace> trace;
  std::optional<Timeseries> timeseries;
  FlowObservers observers;
  if (recorder.enabled() && scenario.output.trace) {
    trace.emplace(topology);
    observers.add(*trace);
    ring.set_observer(&*trace);
  }
  if (recorder.enabled() && scenario.output.timeseries.enabled) {
    timeseries.emplace(topology, scenario.output.timeseries);
    observers.add(*timeseries);
  }
  if (!observers.empty()) model.set_observer(&observers);

  if (options.progress) {
    // Run in slices of simulated time so that the caller can report progress.
    const sim::Time slice = std::max<sim::Time>(ring.ideal_ps() / 8, sim::kMicrosecond);
    // The slices advance from the last one's end, not from now(): when no
    // event falls in a slice (a compute gap longer than it) now() stays put.
    sim::Time until = 0;
    while (sim.pending() > 0) {
      until = std::max(until, sim.now()) + slice;
      sim.run(until);
      options.progress(sim.now(), sim.events_dispatched());
    }
  } else {
    sim.run();
  }
  if (!ring.finished()) {
    throw sim::InternalError("the simulation ran out of events before the workload finished");
  }
  model.finish();
  if (timeseries) timeseries->write(recorder, sim.now());
  if (trace) trace->write(recorder);

  RunResult result;
  result.collectives = ring.results();
  result.flows = model.totals();
  result.events = sim.events_dispatched();
  result.end_ps = sim.now();
  result.hosts = topology.host_count();
  result.links = topology.link_count();
  result.oversubscription = topology.oversubscription();
  result.metrics = run_metrics(result);
  write_outputs(recorder, scenario, result);
  recorder.flush();
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace spinel::tools
