// A training run through the library: the run itself is workloads'
// TrainingRun; here its observers (trace.json, timeseries.csv, the
// caller's), its results in memory and its files.
#include <optional>

#include "api/metrics.hpp"
#include "api/outputs.hpp"
#include "api/runs.hpp"
#include "api/trace.hpp"
#include "transport/timeseries.hpp"
#include "workloads/training_run.hpp"

namespace spinel::api {

namespace {

std::vector<workloads::Detection> job_detections(const workloads::TrainingRun& run, std::size_t j) {
  std::vector<workloads::Detection> mine;
  if (const workloads::Detector* detector = run.detector()) {
    for (const workloads::Detection& d : detector->detections()) {
      if (d.job == j) mine.push_back(d);
    }
  }
  return mine;
}

// A graph job: its collectives on every communicator, where its iterations
// went, and (when asked) every op.
JobResults graph_results(const Scenario& s, const workloads::TrainingRun& run, std::size_t j) {
  const workloads::graph::GraphRun& g = *run.graph(j);
  const workloads::graph::Program& p = g.program();
  JobResults r;
  r.name = s.jobs[j].name;
  r.graph = true;
  r.ranks = p.rank_count();
  r.finished = g.finished();
  r.placement = run.placement()[j];
  r.collectives = g.collective_results();
  r.communicators.clear();
  for (const auto& c : p.communicators) r.communicators.push_back(c.name);
  r.breakdown = workloads::graph::iteration_stats(g);
  for (const auto& b : r.breakdown) {
    workloads::IterationRecord it;
    it.job = static_cast<std::uint32_t>(j);
    it.iteration = b.iteration;
    it.start_ps = b.start_ps;
    it.compute_end_ps = b.end_ps - b.exposed_comm_ps;
    it.end_ps = b.end_ps;
    r.iterations.push_back(it);
  }
  r.iteration_metrics = iteration_metrics(r.iterations, r.ranks);
  r.detections = job_detections(run, j);
  if (s.output.ops) {
    for (std::uint32_t rank = 0; rank < p.rank_count(); ++rank) {
      for (std::uint32_t i = 0; i < p.ranks[rank].size(); ++i) {
        const workloads::graph::Op& op = p.ranks[rank].ops[i];
        const workloads::graph::OpTiming& t = g.timing(rank, i);
        r.ops.push_back(
            JobResults::OpRow{rank, i, p.labels[op.label], op.kind,
                              op.communicator == workloads::graph::kNoCommunicator
                                  ? std::string()
                                  : p.communicators[op.communicator].name,
                              op.kind == workloads::graph::OpKind::compute ? 0 : op.size_bytes,
                              t.start_ps, t.end_ps});
      }
    }
  }
  return r;
}

JobResults job_results(const Scenario& s, const workloads::TrainingRun& run, std::size_t j) {
  if (!run.collective_job(j)) return graph_results(s, run, j);
  const workloads::CollectiveRun& job = run.job(j);
  JobResults r;
  r.name = s.jobs[j].name;
  r.ranks = static_cast<std::uint32_t>(job.hosts().size());
  r.finished = job.finished();
  r.placement = run.placement()[j];
  r.collectives = job.results();
  r.iterations = run.iterations(j);
  r.phase_congestion_ps = job.phase_congestion_ps();
  r.detections = job_detections(run, j);
  std::vector<const workloads::CollectiveResult*> mine;
  for (const auto& c : r.collectives) mine.push_back(&c);
  r.collective_metrics = collective_metrics(mine);
  r.iteration_metrics = iteration_metrics(r.iterations, r.ranks);
  return r;
}

Results results_of(const Scenario& s, const workloads::TrainingRun& run) {
  Results r;
  r.kind = RunKind::training;
  std::vector<const workloads::CollectiveResult*> all;
  for (std::size_t j = 0; j < run.jobs(); ++j) {
    r.jobs.push_back(job_results(s, run, j));
  }
  for (const JobResults& job : r.jobs) {
    if (job.graph) continue;  // their collectives differ in kind and size: see their breakdown
    for (const auto& c : job.collectives) all.push_back(&c);
  }
  r.collective_metrics = collective_metrics(all);
  r.faults = run.faults();
  if (const workloads::Detector* detector = run.detector()) {
    r.detections = detector->detections();
    r.detection = workloads::score_detections(r.faults, run.topology(), run.model(), r.detections);
  }
  r.flows = run.flow_totals();
  r.packets = run.packet_totals();
  r.events = run.events();
  r.end_ps = run.end_ps();
  r.hosts = run.topology().host_count();
  r.links = run.topology().link_count();
  r.oversubscription = run.topology().oversubscription();
  if (run.topology().top_tier() > 2) {
    r.agg_oversubscription = run.topology().agg_oversubscription();
  }
  r.metrics = training_metrics_json(r, run.detector() != nullptr);
  return r;
}

}  // namespace

Results run_training(const Scenario& s, const RunOptions& options) {
  sim::Recorder recorder =
      options.out_dir.empty() ? sim::Recorder() : sim::Recorder(options.out_dir);
  workloads::TrainingRun run(training_config(s), recorder, s.output.flows);
  // Traces and time series listen only when asked for: with no observer
  // the model's hot paths skip them entirely.
  std::optional<Trace> trace;
  std::optional<transport::Timeseries> timeseries;
  if (recorder.enabled() && s.output.trace) {
    trace.emplace(run.topology());
    run.add_flow_observer(*trace);
    run.add_step_observer(*trace);
  }
  if (recorder.enabled() && s.output.timeseries.enabled) {
    if (run.packet_level()) {
      // Ports, not fluid loads: the engine counts per interval itself.
      run.record_port_series(s.output.timeseries.interval_ps,
                             transport::selected_links(run.topology(), s.output.timeseries));
    } else {
      timeseries.emplace(run.topology(), s.output.timeseries);
      run.add_flow_observer(*timeseries);
    }
  }
  for (transport::FlowObserver* o : options.flow_observers) run.add_flow_observer(*o);
  for (workloads::StepObserver* o : options.step_observers) run.add_step_observer(*o);

  run.run(options.on_progress);
  run.finish();
  if (timeseries) timeseries->write(recorder, run.now());
  if (trace) {
    for (std::size_t j = 0; j < run.jobs(); ++j) {
      if (!run.collective_job(j)) trace->add_ops(*run.graph(j));
    }
    trace->write(recorder);
  }
  Results results = results_of(s, run);
  write_training_files(recorder, s, results);
  write_placement_csv(recorder, results, run.topology(), s.topology);
  recorder.flush();
  return results;
}

}  // namespace spinel::api
