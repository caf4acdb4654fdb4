#include "workloads/training_run.hpp"

#include <algorithm>
#include <string>

#include "sim/error.hpp"
#include "topology/servers.hpp"
#include "transport/link_changes.hpp"
#include "workloads/graph/classic.hpp"
#include "workloads/host_faults.hpp"
#include "workloads/job_setup.hpp"
#include "workloads/placement.hpp"
#include "workloads/stream_monitor.hpp"
#include "workloads/watch_program.hpp"

namespace spinel::workloads {

TrainingRun::TrainingRun(const TrainingConfig& config, sim::Recorder& recorder, bool record_flows)
    : config_(config),
      topology_(topology::build_fabric(config.topology)),
      routing_(topology_),
      // At packet level the flow model only resolves routes (PacketTransport):
      // flows.csv then comes from the packet transport.
      model_(sim_, topology_, routing_,
             config.transport.model == transport::Model::packet
                 ? transport::router_config(config.transport)
                 : config.transport,
             config.seed, recorder,
             record_flows && config.transport.model != transport::Model::packet),
      flow_transport_(model_),
      recorder_(recorder) {
  if (config.transport.model == transport::Model::packet) {
    engine_.emplace(sim_, topology_, routing_, config.transport.packet, config.seed);
    packet_transport_.emplace(sim_, topology_, model_, *engine_, config.transport, recorder,
                              record_flows);
    transport_ = &*packet_transport_;
  }
  place_jobs();
  // Link faults go in before the jobs open their connections.
  faults_ =
      run_faults(config.faults, config.random_fault, config.topology, config.seed, placed_.at(0));
  link_faults_.emplace(sim_, model_);
  if (packet_transport_) link_faults_->set_packet_transport(&*packet_transport_);
  transport::schedule_link_faults(faults_, topology_, model_, *link_faults_);
  start_jobs();
  std::vector<ComputeSpeed*> speeds;
  for (std::size_t j = 0; j < jobs_.size(); ++j) {
    speeds.push_back(graphs_[j] ? &graphs_[j]->speed() : &computes_[j]->speed());
  }
  hangs_ = apply_host_faults(faults_, placed_, speeds);
  attach_detector();
}

// Jobs on disjoint hosts (whole servers when hosts have several GPUs: every
// GPU of a chosen server is a rank, see gpu_ranks).
void TrainingRun::place_jobs() {
  const topology::Servers servers(config_.topology);
  const std::uint32_t gpus = servers.gpus_per_server();
  placed_ = workloads::place_jobs(config_.jobs, gpus > 1 ? servers.count() : topology_.host_count(),
                                  config_.seed);
  if (gpus > 1) {
    for (std::size_t j = 0; j < placed_.size(); ++j)
      placed_[j] = gpu_ranks(placed_[j], servers, config_.jobs[j].placement);
  }
}

// Collective ids run on across jobs. A job of one collective runs as the
// graph its generator makes (graph/classic.hpp), unless that graph would be
// too large to hold (TrainingConfig::max_generated_ops).
void TrainingRun::start_jobs() {
  std::uint32_t next_id = 0;
  for (std::size_t j = 0; j < config_.jobs.size(); ++j) {
    const WorkloadConfig& w = config_.jobs[j];
    if (w.program) {
      start_graph(j, next_id);
      continue;
    }
    const auto n = static_cast<std::uint32_t>(placed_[j].size());
    // (A job of one rank, which runs no collective, stays direct too.)
    if (n > 1 && graph::classic_op_count(w, n) <= config_.max_generated_ops) {
      start_classic(j, next_id);
      continue;
    }
    start_collective(j, next_id);
  }
}

// A job of one collective on the executor of workload graphs: its program
// from the generator, run gated (GraphOptions::gated), its collectives and
// compute exactly as the collective job's own path runs them.
void TrainingRun::start_classic(std::size_t j, std::uint32_t& next_id) {
  const WorkloadConfig& w = config_.jobs[j];
  const auto n = static_cast<std::uint32_t>(placed_[j].size());
  const topology::Servers servers(config_.topology);
  graph::GraphOptions o;
  o.job = static_cast<std::uint32_t>(j);
  o.first_id = next_id;
  o.gated = true;
  o.shape = ServerShape{servers.gpus_per_server(), config_.topology.nvlink.rate_gbps,
                        config_.topology.nvlink.latency_ps};
  if (servers.gpus_per_server() > 1) {
    for (const topology::HostId h : placed_[j]) o.server_of_rank.push_back(servers.server_of(h));
  }
  graphs_.push_back(
      std::make_unique<graph::GraphRun>(sim_, *transport_, topology_, routing_, placed_[j],
                                        graph::classic_program(w, n, config_.seed), std::move(o)));
  classic_.push_back(1);
  next_id += graphs_.back()->collective_count();
  longest_ideal_ps_ =
      std::max(longest_ideal_ps_, graphs_.back()->channel_ideal_ps(0) + w.compute_ps);
  jobs_.emplace_back();
  computes_.emplace_back();
  graphs_.back()->start(w.start_ps);
}

// A job of one collective on CollectiveRun, its compute model the gate: the
// path of jobs whose generated graph would not fit in memory.
void TrainingRun::start_collective(std::size_t j, std::uint32_t& next_id) {
  const WorkloadConfig& w = config_.jobs[j];
  graphs_.emplace_back();
  classic_.push_back(1);
  const auto n = static_cast<std::uint32_t>(placed_[j].size());
  JobSetup setup = setup_job(w, static_cast<std::uint32_t>(j), placed_[j], topology_, routing_,
                             config_.topology, next_id);
  next_id += w.iterations * w.buckets;
  longest_ideal_ps_ = std::max(longest_ideal_ps_, setup.options.ideal_ps + w.compute_ps);
  jobs_.push_back(std::make_unique<CollectiveRun>(sim_, *transport_, placed_[j],
                                                  std::move(setup.schedule), setup.options));
  computes_.push_back(
      std::make_unique<ComputeModel>(ComputeConfig{w.compute_ps, w.compute_jitter, w.buckets}, n,
                                     config_.seed, "compute." + w.name));
  jobs_.back()->set_gate(computes_.back().get());
  jobs_.back()->start(w.start_ps);
}

// A graph job: its program, repeated per iteration, on its ranks.
void TrainingRun::start_graph(std::size_t j, std::uint32_t& next_id) {
  const WorkloadConfig& w = config_.jobs[j];
  const topology::Servers servers(config_.topology);
  graph::GraphOptions o;
  o.job = static_cast<std::uint32_t>(j);
  o.first_id = next_id;
  o.compute_scale = w.compute_scale;
  if (servers.gpus_per_server() > 1) {
    for (const topology::HostId h : placed_[j]) o.server_of_rank.push_back(servers.server_of(h));
    o.shape = ServerShape{servers.gpus_per_server(), config_.topology.nvlink.rate_gbps,
                          config_.topology.nvlink.latency_ps};
  }
  auto program =
      w.iterations > 1
          ? std::make_shared<const graph::Program>(graph::repeat(*w.program, w.iterations))
          : w.program;
  graphs_.push_back(std::make_unique<graph::GraphRun>(sim_, *transport_, topology_, routing_,
                                                      placed_[j], std::move(program), o));
  next_id += graphs_.back()->collective_count();
  // Progress slices: an eighth of the busiest rank's compute per iteration.
  for (const graph::RankProgram& rp : w.program->ranks) {
    sim::Time busy = 0;
    for (const graph::Op& op : rp.ops) busy += op.duration_ps;
    longest_ideal_ps_ = std::max(longest_ideal_ps_, busy);
  }
  jobs_.emplace_back();
  computes_.emplace_back();
  classic_.push_back(0);
  graphs_.back()->start(w.start_ps);
}

// The detector listens to every job's collective library: a job of one
// collective is one stream; a program one per communicator that runs
// collectives, and one of its point-to-point transfers.
void TrainingRun::attach_detector() {
  if (!config_.detector.enabled) return;
  detector_.emplace(sim_, config_.detector);
  for (std::size_t j = 0; j < jobs_.size(); ++j) {
    const auto job = static_cast<std::uint32_t>(j);
    if (jobs_[j]) {
      const std::uint32_t stream = detector_->watch(job, placed_[j], config_.jobs[j].buckets);
      stream_monitors_.push_back(
          std::make_unique<StreamMonitor>(*detector_, stream, std::vector<std::uint32_t>{},
                                          static_cast<std::uint32_t>(jobs_[j]->collectives())));
      jobs_[j]->set_monitor(stream_monitors_.back().get());
      continue;
    }
    graph::GraphRun& g = *graphs_[j];
    if (classic_[j] != 0) {
      g.set_monitor(*detector_, {detector_->watch(job, placed_[j], config_.jobs[j].buckets)},
                    graph::GraphRun::kNoStream);
      continue;
    }
    watch_program(*detector_, g, job);
  }
}

void TrainingRun::record_port_series(sim::Time interval_ps,
                                     const std::vector<topology::LinkId>& links) {
  engine_->record_series(interval_ps, links);
}

void TrainingRun::run(const sim::ProgressCallback& progress) {
  // Observers listen only when there are some: with none, the model's and
  // the collectives' hot paths skip them entirely.
  if (!step_observers_.empty()) {
    for (auto& job : jobs_) {
      if (job) job->set_observer(&step_observers_);
    }
    for (auto& g : graphs_) {
      if (g) g->set_observer(&step_observers_);
    }
  }
  if (!flow_observers_.empty()) model_.set_observer(&flow_observers_);
  if (progress) {
    // Report per slice of simulated time, or per so many events when a slice
    // holds more. A slice reaches at least the next event: one that falls
    // short (a compute gap longer than it, an event days ahead) would not
    // advance, and stepping through the gap slice by slice may never end.
    constexpr std::uint64_t kEventsPerReport = 1 << 16;
    const sim::Time slice = std::max<sim::Time>(longest_ideal_ps_ / 8, sim::kMicrosecond);
    sim::Time until = 0;
    do {
      until =
          std::max(until > sim::kForever - slice ? sim::kForever : until + slice, sim_.next_time());
      sim_.run(until, kEventsPerReport);
      progress(sim::Progress{sim_.now(), sim_.events_dispatched(), fraction_done()});
    } while (sim_.pending() > 0 && !sim_.stopped());
  } else {
    sim_.run();
  }
  check_finished();
}

std::optional<double> TrainingRun::fraction_done() const {
  std::size_t done = 0;
  std::size_t all = 0;
  for (std::size_t j = 0; j < jobs_.size(); ++j) {
    if (classic_[j] != 0) {  // by collectives, as ever
      const CollectiveRun& run = job(j);
      done += run.results().size();
      all += run.collectives();
    } else {
      done += graphs_[j]->ops_done();
      all += graphs_[j]->op_count();
    }
  }
  if (all == 0) return std::nullopt;
  return static_cast<double>(done) / static_cast<double>(all);
}

void TrainingRun::check_finished() const {
  const bool stopped = hangs_ || model_.links_down() > 0;  // a hung rank, a lost link
  for (std::size_t j = 0; j < jobs_.size(); ++j) {
    if (classic_[j] == 0) {
      if (!graphs_[j]->finished() && !stopped) {
        throw sim::ScenarioError("job " + config_.jobs[j].name +
                                 " cannot finish: its ranks wait for each other (a deadlock in "
                                 "its program); the ops that started and cannot end:" +
                                 graphs_[j]->blocked());
      }
      continue;
    }
    if (!job(j).finished() && !stopped) {
      throw sim::InternalError("the simulation ran out of events before the workload finished");
    }
  }
}

void TrainingRun::finish() {
  if (engine_) {
    engine_->write(recorder_);
  } else {
    model_.finish();
  }
}

std::vector<IterationRecord> TrainingRun::iterations(std::size_t j) const {
  if (classic_[j] == 0) return {};  // see graph::iteration_stats
  if (graphs_[j]) {
    return graph::classic_iterations(*graphs_[j], static_cast<std::uint32_t>(j),
                                     config_.jobs[j].buckets);
  }
  return computes_[j]->records(static_cast<std::uint32_t>(j), jobs_[j]->results());
}

const CollectiveRun& TrainingRun::job(std::size_t j) const {
  if (jobs_[j]) return *jobs_[j];
  if (classic_[j] == 0) throw sim::InternalError("training run: a graph job has no one collective");
  return graphs_[j]->channel(0);
}

transport::FlowTotals TrainingRun::flow_totals() const {
  return packet_transport_ ? packet_transport_->totals() : model_.totals();
}

std::optional<transport::PacketTotals> TrainingRun::packet_totals() const {
  if (!engine_) return std::nullopt;
  return engine_->totals();
}

sim::Time TrainingRun::end_ps() const {
  if (!engine_) return sim_.now();
  // The last delivery that ended a collective (or op), not the last packet:
  // ACKs, and a retransmission timer that fires after the data all arrived,
  // keep the engine busy past the workload's end. A run that ended nothing
  // (a rank hung from the start) ends at its last packet.
  sim::Time end = 0;
  for (std::size_t j = 0; j < jobs_.size(); ++j) {
    if (classic_[j] == 0) {
      end = std::max(end, graphs_[j]->end_ps());
      continue;
    }
    for (const CollectiveResult& c : job(j).results()) end = std::max(end, c.end_ps);
  }
  return end > 0 ? end : engine_->last_activity_ps();
}

}  // namespace spinel::workloads
