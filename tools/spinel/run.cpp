#include "tools/spinel/run.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "tools/spinel/faults.hpp"
#include "tools/spinel/job_setup.hpp"
#include "tools/spinel/observers.hpp"
#include "tools/spinel/outputs.hpp"
#include "tools/spinel/pccl_run.hpp"
#include "tools/spinel/recovery.hpp"
#include "tools/spinel/timeseries.hpp"
#include "tools/spinel/trace.hpp"
#include "topology/routing.hpp"
#include "topology/servers.hpp"
#include "topology/topology.hpp"
#include "transport/packet_model.hpp"
#include "transport/packet_transport.hpp"
#include "transport/transport.hpp"
#include "workloads/collective.hpp"
#include "workloads/collectives.hpp"
#include "workloads/detector.hpp"
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
  if (scenario.pccl) {
    // Fault-tolerant all-reduce under churn: its own driver and files.
    const PcclRun run = run_pccl(scenario, options.out_dir);
    RunResult r;
    r.metrics = run.metrics;
    r.events = run.events;
    r.end_ps = run.result.end_ps;
    r.wall_seconds = run.wall_seconds;
    return r;
  }
  if (scenario.recovery) {
    // A long job with restarts: its own driver and files.
    const RecoveryRun run = run_recovery(scenario, options.out_dir, options.progress);
    RunResult r;
    r.metrics = run.metrics;
    r.events = run.events;
    r.end_ps = run.end_ps;
    r.wall_seconds = run.wall_seconds;
    return r;
  }
  const auto wall_start = std::chrono::steady_clock::now();
  sim::Recorder recorder =
      options.out_dir.empty() ? sim::Recorder() : sim::Recorder(options.out_dir);

  const topology::Topology topology = topology::build_fabric(scenario.topology);
  topology::Routing routing(topology);
  sim::Simulator sim;
  // At packet level the flow model only resolves routes (PacketTransport):
  // flows.csv then comes from the packet transport.
  const bool packet = scenario.transport.model == transport::Model::packet;
  transport::FlowModel model(
      sim, topology, routing,
      packet ? transport::router_config(scenario.transport) : scenario.transport, scenario.seed,
      recorder, scenario.output.flows && !packet);
  transport::FlowTransport flow_transport(model);
  std::optional<transport::PacketModel> engine;
  std::optional<transport::PacketTransport> packet_transport;
  transport::Transport* transport = &flow_transport;
  if (packet) {
    engine.emplace(sim, topology, routing, scenario.transport.packet, scenario.seed);
    packet_transport.emplace(sim, topology, model, *engine, scenario.transport, recorder,
                             scenario.output.flows);
    transport = &*packet_transport;
  }

  // Jobs on disjoint hosts (whole servers when hosts have several GPUs:
  // every GPU of a chosen server is a rank, see workloads::gpu_ranks);
  // collective ids run on across jobs.
  const topology::Servers servers(scenario.topology);
  const std::uint32_t gpus = servers.gpus_per_server();
  std::vector<std::vector<topology::HostId>> placed = workloads::place_jobs(
      scenario.jobs, gpus > 1 ? servers.count() : topology.host_count(), scenario.seed);
  if (gpus > 1) {
    for (std::size_t j = 0; j < placed.size(); ++j)
      placed[j] = workloads::gpu_ranks(placed[j], servers, scenario.jobs[j].placement);
  }
  // Link faults go in before the jobs open their connections.
  const std::vector<scenario::Fault> faults = run_faults(scenario, placed);
  transport::LinkFaults link_faults(sim, model);
  if (packet) link_faults.set_packet_transport(&*packet_transport);
  schedule_link_faults(faults, topology, model, link_faults);

  std::vector<std::unique_ptr<workloads::CollectiveRun>> jobs;
  std::vector<std::unique_ptr<workloads::ComputeModel>> computes;  // one per job: its gate
  std::uint32_t next_id = 0;
  sim::Time longest_ideal = 0;
  for (std::size_t j = 0; j < scenario.jobs.size(); ++j) {
    const workloads::WorkloadConfig& w = scenario.jobs[j];
    const auto n = static_cast<std::uint32_t>(placed[j].size());
    JobSetup setup = setup_job(w, static_cast<std::uint32_t>(j), placed[j], topology, routing,
                               scenario.topology, next_id);
    next_id += w.iterations * w.buckets;
    longest_ideal = std::max(longest_ideal, setup.options.ideal_ps + w.compute_ps);
    jobs.push_back(std::make_unique<workloads::CollectiveRun>(
        sim, *transport, placed[j], std::move(setup.schedule), setup.options));
    computes.push_back(std::make_unique<workloads::ComputeModel>(
        workloads::ComputeConfig{w.compute_ps, w.compute_jitter, w.buckets}, n, scenario.seed,
        "compute." + w.name));
    jobs.back()->set_gate(computes.back().get());
    jobs.back()->start(w.start_ps);
  }
  const bool hangs = apply_host_faults(faults, placed, computes);
  // The detector listens to every job's collective library.
  std::optional<workloads::Detector> detector;
  if (scenario.detector.enabled) {
    detector.emplace(sim, scenario.detector);
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      detector->watch(placed[j], scenario.jobs[j].buckets);
      jobs[j]->set_monitor(&*detector);
    }
  }

  // Traces and time series listen to the model only when asked for: with
  // no observer the model's hot paths skip them entirely.
  std::optional<Trace> trace;
  std::optional<Timeseries> timeseries;
  FlowObservers observers;
  if (recorder.enabled() && scenario.output.trace) {
    trace.emplace(topology);
    observers.add(*trace);
    for (auto& job : jobs) job->set_observer(&*trace);
  }
  if (recorder.enabled() && scenario.output.timeseries.enabled) {
    if (packet) {
      // Ports, not fluid loads: the engine counts per interval itself.
      engine->record_series(scenario.output.timeseries.interval_ps,
                            selected_links(topology, scenario.output.timeseries));
    } else {
      timeseries.emplace(topology, scenario.output.timeseries);
      observers.add(*timeseries);
    }
  }
  if (!observers.empty()) model.set_observer(&observers);

  if (options.progress) {
    // Run in slices of simulated time so that the caller can report progress.
    const sim::Time slice = std::max<sim::Time>(longest_ideal / 8, sim::kMicrosecond);
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
  // A job with a hung rank, or a connection stalled on a lost link, stops
  // there: the run ends when nothing else can happen, and the job's summary
  // says it did not finish.
  for (const auto& job : jobs) {
    if (!job->finished() && !hangs && model.links_down() == 0) {
      throw sim::InternalError("the simulation ran out of events before the workload finished");
    }
  }
  if (packet) {
    engine->write(recorder);
  } else {
    model.finish();
  }
  if (timeseries) timeseries->write(recorder, sim.now());
  if (trace) trace->write(recorder);

  RunResult result;
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const auto& job = jobs[j];
    result.collectives.insert(result.collectives.end(), job->results().begin(),
                              job->results().end());
    result.phase_congestion_ps.push_back(job->phase_congestion_ps());
    const auto records = computes[j]->records(static_cast<std::uint32_t>(j), job->results());
    result.iterations.insert(result.iterations.end(), records.begin(), records.end());
    result.job_ranks.push_back(static_cast<std::uint32_t>(job->hosts().size()));
    result.job_finished.push_back(job->finished());
  }
  if (detector) {
    result.detections = detector->detections();
    result.detection = score_detections(faults, topology, model, result.detections);
  }
  result.flows = packet ? packet_transport->totals() : model.totals();
  if (packet) result.packets = engine->totals();
  result.events = sim.events_dispatched();
  // Packet level: the last packet, not the last (idle) retransmission timer.
  result.end_ps = sim.now();
  if (packet) {
    result.end_ps = engine->last_activity_ps();
    for (const auto& c : result.collectives) result.end_ps = std::max(result.end_ps, c.end_ps);
  }
  result.hosts = topology.host_count();
  result.links = topology.link_count();
  result.oversubscription = topology.oversubscription();
  if (topology.top_tier() > 2) result.agg_oversubscription = topology.agg_oversubscription();
  result.metrics = run_metrics(result);
  if (detector) result.metrics["detection"] = detection_metrics(faults, result.detection);
  write_outputs(recorder, scenario, result);
  write_faults_csv(recorder, scenario, faults, placed);
  write_detections_csv(recorder, scenario, result.detections, result.detection);
  recorder.flush();
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace spinel::tools
