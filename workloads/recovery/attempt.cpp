#include "workloads/recovery/attempt.hpp"

#include <algorithm>
#include <utility>

#include "sim/error.hpp"
#include "transport/link_changes.hpp"
#include "workloads/detection_score.hpp"
#include "workloads/job_setup.hpp"
#include "workloads/watch_program.hpp"

namespace spinel::recovery {

bool IterationTally::count(sim::Time t) {
  ++done_;
  last_end_ps_ = t;
  if (t - last_checkpoint_ps_ >= interval_ps_) {
    saved_ = done_;
    saved_end_ps_ = t;
    last_checkpoint_ps_ = t;
  }
  if (done_ < remaining_) return false;
  finished_ = true;
  saved_ = done_;
  saved_end_ps_ = t;
  return true;
}

Alarm judge(const World& world, const transport::FlowModel& model, const workloads::Detection& d) {
  Alarm alarm{d, std::nullopt, false};
  std::optional<std::pair<bool, std::size_t>> best;
  for (std::size_t i = 0; i < world.faults.size(); ++i) {
    if (!world.active(world.faults[i], d.at_ps)) continue;
    const bool hit =
        workloads::localises(d, world.faults[i].fault, world.topology, model, world.links);
    if (!best || hit >= best->first) best = std::pair{hit, i};
  }
  if (best) {
    alarm.fault = best->second;
    alarm.localised = best->first;
  }
  return alarm;
}

Attempt::Attempt(World& world, sim::Time start, std::uint64_t remaining, std::uint32_t index)
    : world_(world),
      start_(start),
      self_(sim_.add_handler(*this)),
      model_(sim_, world.topology, world.routing, world.config.transport, world.config.seed,
             recorder_, false),
      transport_(model_),
      link_faults_(sim_, model_),
      tally_(start, remaining, world.recovery.checkpoint_interval_ps) {
  set_link_rates();
  start_job(index);
  watch();
  if (graph_) {
    graph_->start(0);
  } else {
    job_->start(0);
  }
}

// The fabric as it is now: links at their rates before anything connects.
void Attempt::set_link_rates() {
  if (world_.links_changed() ||
      std::any_of(world_.faults.begin(), world_.faults.end(),
                  [](const FaultRecord& f) { return f.fault.acts_on_links(); })) {
    model_.set_spray_trunks(false);
  }
  for (topology::LinkId l = 0; l < world_.topology.link_count(); ++l) {
    if (world_.link_gbps[l] != world_.topology.link(l).rate_gbps)
      model_.set_link_rate(l, world_.link_gbps[l]);
  }
}

// The job on the world's ranks, with its own compute stream per attempt;
// host faults in place now hit from the start.
void Attempt::start_job(std::uint32_t index) {
  const workloads::WorkloadConfig& w = world_.job;
  if (w.program) {
    start_graph();
    return;
  }
  const std::vector<topology::HostId>& ranks = world_.crew.ranks();
  workloads::JobSetup setup = workloads::setup_job(w, 0, ranks, world_.topology, world_.routing,
                                                   world_.config.topology, index);
  setup.options.iterations =
      static_cast<std::uint32_t>(std::min<std::uint64_t>(tally_.left(), UINT32_MAX / w.buckets));
  job_ = std::make_unique<workloads::CollectiveRun>(sim_, transport_, ranks,
                                                    std::move(setup.schedule), setup.options);
  compute_ = std::make_unique<workloads::ComputeModel>(
      workloads::ComputeConfig{w.compute_ps, w.compute_jitter, w.buckets},
      static_cast<std::uint32_t>(ranks.size()), world_.config.seed,
      "compute." + w.name + "." + std::to_string(index));
  for (const FaultRecord& f : world_.faults) {
    if (!f.fault.acts_on_links() && world_.active(f, start_)) hit_host(f.fault, 0);
  }
  job_->set_gate(compute_.get());
  job_->set_monitor(this);
}

// A job with a program: its graph for as many iterations as the attempt may
// simulate (fast-forward skips the rest), on the crew's GPUs.
void Attempt::start_graph() {
  const workloads::WorkloadConfig& w = world_.job;
  const std::vector<topology::HostId>& ranks = world_.crew.ranks();
  const std::size_t per = std::max<std::size_t>(w.program->op_count(), 1);
  graph_iterations_ = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(tally_.left(), std::max<std::size_t>(16, kGraphOps / per)));
  workloads::graph::GraphOptions o;
  o.compute_scale = w.compute_scale;
  if (world_.servers.gpus_per_server() > 1) {
    for (const topology::HostId h : ranks) o.server_of_rank.push_back(world_.servers.server_of(h));
    o.shape = workloads::ServerShape{world_.servers.gpus_per_server(),
                                     world_.config.topology.nvlink.rate_gbps,
                                     world_.config.topology.nvlink.latency_ps};
  }
  graph_ = std::make_unique<workloads::graph::GraphRun>(
      sim_, transport_, world_.topology, world_.routing, ranks,
      std::make_shared<const workloads::graph::Program>(
          workloads::graph::repeat(*w.program, graph_iterations_)),
      std::move(o));
  graph_->set_iteration_listener(this);
  for (const FaultRecord& f : world_.faults) {
    if (!f.fault.acts_on_links() && world_.active(f, start_)) hit_host(f.fault, 0);
  }
}

// C4 (when it is the detector) stops the job on its first alarm; people
// watch in either case: behind C4, they catch what it misses.
void Attempt::watch() {
  const workloads::DetectorConfig& detector = world_.config.detector;
  if (detector.kind == workloads::DetectorKind::c4) {
    c4_.emplace(sim_, detector);
    if (graph_) {
      workloads::watch_program(*c4_, *graph_, 0);
    } else {
      c4_->watch(0, world_.crew.ranks(), world_.job.buckets);
    }
    c4_->stop_on_alarm(true);
  }
  // People watch a program's iterations: one "collective" each.
  manual_.emplace(sim_, detector, graph_ ? 1 : world_.job.buckets, 0);
  manual_->stop_on_notice(true);
}

AttemptEnd Attempt::run() {
  arm_wake();
  for (;;) {
    sim_.run();
    if (tally_.finished() || stopped_) break;
    take_alarms();
    if (stopping_) {
      stop_on_detection(*stopping_);
      break;
    }
    if (people_noticed()) {
      arm_wake();
      continue;
    }
    if (sim_.pending() == 0 && graph_ && graph_->finished()) {
      throw sim::ScenarioError(
          "recovery: an attempt of the job's program simulated all the " +
          std::to_string(graph_iterations_) +
          " iterations its graph holds without reaching a stop or the job's end (fast-forward "
          "skips only iterations that repeat exactly); use a smaller program or fewer "
          "disturbances per attempt");
    }
    if (sim_.pending() == 0) throw sim::InternalError("recovery: the job is stuck unwatched");
  }
  end_.finished = tally_.finished();
  end_.done = tally_.done();
  end_.last_end_ps = tally_.last_end_ps();
  end_.saved = tally_.saved();
  end_.saved_end_ps = tally_.saved_end_ps();
  end_.simulated = simulated_;
  end_.skipped = skipped_;
  end_.events = sim_.events_dispatched();
  return end_;
}

void Attempt::collective_opened(std::uint32_t job, std::uint32_t index, std::uint32_t bucket,
                                sim::Time at) {
  if (c4_) c4_->collective_opened(job, index, bucket, at);
}

void Attempt::rank_entered(std::uint32_t job, std::uint32_t index, std::uint32_t rank,
                           sim::Time at) {
  if (c4_) c4_->rank_entered(job, index, rank, at);
}

void Attempt::transfer_started(const workloads::TransferStat& t) {
  if (c4_) c4_->transfer_started(t);
}

void Attempt::transfer_done(std::uint32_t job, transport::ConnectionId connection, sim::Time at) {
  if (c4_) c4_->transfer_done(job, connection, at);
}

void Attempt::collective_done(std::uint32_t job, std::uint32_t index, sim::Time at, bool last) {
  if (c4_) c4_->collective_done(job, index, at, last);
  manual_->collective_done(job, index, at, last);
  if (index % world_.job.buckets == world_.job.buckets - 1) iteration_end(at);
}

void Attempt::iteration_done(std::uint32_t iteration, sim::Time at) {
  manual_->collective_done(0, iteration, at, iteration + 1 == graph_iterations_);
  iteration_end(at);
}

void Attempt::handle(const sim::Event& event) {
  if (event.tag == kStop) {
    stop_by_people(sim_.now());
    return;
  }
  if (event.payload != wake_generation_) return;  // superseded
  register_next();
  arm_wake();
}

// An iteration done at real time t: the job stops after its last one.
bool Attempt::count_iteration(sim::Time t) {
  if (!tally_.count(t)) return false;
  end_.end_ps = t;
  sim_.stop();
  return true;
}

// People noticed something: they act once they have found the part.
bool Attempt::people_noticed() {
  if (!manual_->notice() || manual_stop_ps_ != sim::kForever) return false;
  manual_stop_ps_ = real(manual_->notice()->at_ps) + world_.config.detector.diagnosis_delay_ps;
  return true;
}

void Attempt::iteration_end(sim::Time at) {
  ++simulated_;
  take_alarms();
  people_noticed();
  if (count_iteration(real(at))) return;
  periods_.push(at);
  if (world_.recovery.fast_forward) fast_forward(at);
  arm_wake();
}

// Skips whole periods while nothing can change, up to 2 periods before the
// next disturbance (when it is handed over, as without skipping).
void Attempt::fast_forward(sim::Time at) {
  if (!periods_.steady() || stopping_) return;
  if ((c4_ && !c4_->quiescent()) || !manual_->quiescent()) return;
  // Every period compared began after the last disturbance landed.
  if (periods_.oldest() < std::max(registered_until_, settled_)) return;
  const sim::Time t = periods_.period();
  const sim::Time next = next_disturbance();
  std::uint64_t skip = tally_.left();
  if (next != sim::kForever) {
    const sim::Time room = next - 2 * t - real(at);
    if (room < t) return;
    skip = std::min<std::uint64_t>(skip, static_cast<std::uint64_t>(room / t));
  }
  const sim::Time from = real(at);
  for (std::uint64_t k = 1; k <= skip; ++k) {
    if (count_iteration(from + static_cast<sim::Time>(k) * t)) {
      skipped_ += k;
      return;
    }
  }
  skipped_ += skip;
  offset_ += static_cast<sim::Time>(skip) * t;
}

// The next thing to hand to the simulation: an action not yet handed over,
// or people acting.
sim::Time Attempt::next_disturbance() const {
  const Calendar::Entry* next_action = world_.calendar.after(handed_);
  sim::Time next = next_action == nullptr ? sim::kForever : next_action->first.first;
  if (!stop_registered_) next = std::min(next, manual_stop_ps_);
  return next;
}

// Wakes 2 periods before the next disturbance to hand it over.
void Attempt::arm_wake() {
  const sim::Time next = next_disturbance();
  if (next == sim::kForever) return;
  const sim::Time lead = 2 * periods_.period();
  sim_.schedule_at(sim_time(next > lead ? next - lead : 0), self_, kWake, ++wake_generation_);
}

void Attempt::register_next() {
  const Calendar::Entry* next_action = world_.calendar.after(handed_);
  const sim::Time action_at = next_action == nullptr ? sim::kForever : next_action->first.first;
  if (!stop_registered_ && manual_stop_ps_ <= action_at && manual_stop_ps_ != sim::kForever) {
    stop_registered_ = true;
    const sim::Time at = sim_time(manual_stop_ps_);
    registered_until_ = std::max(registered_until_, at);
    sim_.schedule_at(at, self_, kStop);
    return;
  }
  if (next_action == nullptr) return;
  const ActionKey key = next_action->first;
  const Action a = next_action->second;
  handed_ = key;
  const sim::Time at = sim_time(key.first);
  registered_until_ = std::max(registered_until_, at);
  switch (a.type) {
    case Action::arrival:
      // Drawn now, on the job as it is; its fault's actions come next.
      world_.land(key);
      handed_ = {key.first, 0};
      break;
    case Action::host_fault:
      hit_host(world_.faults[a.fault].fault, at);
      break;
    case Action::link_change:
      link_faults_.add(at, a.links, a.gbps);
      settled_ = std::max(settled_, at + world_.config.transport.convergence_ps);
      break;
    case Action::repair: {
      const FaultRecord& f = world_.faults[a.fault];
      if (!world_.active(f, key.first)) break;
      for (const transport::LinkChange& c :
           transport::link_changes(f.fault, world_.topology, world_.links)) {
        for (const topology::LinkId l : c.links) {
          link_faults_.add(at, l, world_.topology.link(l).rate_gbps);
        }
      }
      settled_ = std::max(settled_, at + world_.config.transport.convergence_ps);
      break;
    }
  }
}

void Attempt::hit_host(const transport::Fault& f, sim::Time at) {
  const topology::HostId h = transport::fault_host(f);
  const std::vector<topology::HostId>& ranks = world_.crew.ranks();
  const auto rank = std::find(ranks.begin(), ranks.end(), h);
  if (rank == ranks.end()) return;
  const auto r = static_cast<std::uint32_t>(rank - ranks.begin());
  if (f.state == transport::FaultState::hung) {
    if (graph_) {
      graph_->speed().hang_from(r, at);
    } else {
      compute_->hang_from(r, at);
    }
  } else if (f.state == transport::FaultState::slow) {
    if (graph_) {
      graph_->speed().slow_from(r, at, f.factor);
    } else {
      compute_->slow_from(r, at, f.factor);
    }
  }
}

// C4's new alarms, at once (before any skipping moves the clock): one that
// names a host stops the job; one that names only a connection (no host
// shared by the slow ones: a link, somewhere on its route) is reported, and
// the job goes on.
void Attempt::take_alarms() {
  if (!c4_) return;
  const std::vector<workloads::Detection>& raised = c4_->detections();
  for (; alarms_seen_ < raised.size(); ++alarms_seen_) {
    workloads::Detection d = raised[alarms_seen_];
    d.at_ps = real(d.at_ps);
    if (!stopping_ && !d.connection_suspect) {
      stopping_ = judge(world_, model_, d);
    } else if (!stopping_) {
      end_.reports.push_back(judge(world_, model_, d));
    }
  }
}

void Attempt::stop_on_detection(const Alarm& alarm) {
  stopped_ = true;
  end_.end_ps = alarm.detection.at_ps;
  end_.detector = "c4";
  end_.detection = alarm.detection;
  end_.fault = alarm.fault;
  end_.localised = alarm.localised;
}

// People found the part: the earliest fault still acting on the job.
void Attempt::stop_by_people(sim::Time now) {
  stopped_ = true;
  end_.end_ps = real(now);
  end_.detector = "manual";
  workloads::Detection d;
  d.at_ps = end_.end_ps;
  d.anomaly = manual_->notice()->anomaly;
  d.evidence = manual_->notice()->evidence;
  for (std::size_t i = 0; i < world_.faults.size(); ++i) {
    const FaultRecord& f = world_.faults[i];
    if (!world_.active(f, end_.end_ps)) continue;
    const std::optional<topology::HostId> h = world_.host_hit(f.fault);
    if (h && !world_.crew.in_job(*h)) continue;
    end_.fault = i;
    end_.localised = true;
    d.src_host = d.dst_host = h.value_or(0);
    break;
  }
  end_.detection = d;
  sim_.stop();
}

}  // namespace spinel::recovery
