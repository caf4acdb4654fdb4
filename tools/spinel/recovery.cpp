#include "tools/spinel/recovery.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "sim/error.hpp"
#include "sim/recorder.hpp"
#include "sim/rng.hpp"
#include "sim/simulator.hpp"
#include "tools/spinel/detection.hpp"
#include "tools/spinel/faults.hpp"
#include "tools/spinel/job_setup.hpp"
#include "tools/spinel/outputs.hpp"
#include "topology/names.hpp"
#include "topology/routing.hpp"
#include "topology/servers.hpp"
#include "topology/topology.hpp"
#include "transport/flow_model.hpp"
#include "transport/link_faults.hpp"
#include "transport/transport.hpp"
#include "workloads/collective.hpp"
#include "workloads/compute.hpp"
#include "workloads/detector.hpp"
#include "workloads/manual_detector.hpp"
#include "workloads/placement.hpp"

namespace spinel::tools {

namespace {

using scenario::FaultState;
using scenario::RandomFaultKind;

// Something that happens to the fabric or the job at a real time: a host
// fault, a link change, the failure process's next arrival (drawn into a
// fault when its turn comes), or a link's repair.
struct Action {
  enum Type { host_fault, link_change, arrival, repair } type = host_fault;
  std::size_t fault = 0;
  std::vector<topology::LinkId> links;  // a link change: these, at once
  double gbps = 0;
};
using ActionKey = std::pair<sim::Time, std::uint64_t>;  // (real time, sequence)

// The clock's range is 106 days; a job still running at 100 stops the run.
constexpr sim::Time kLongestRun = 100 * 86400 * sim::kSecond;

double hours(sim::Time ps) {
  return static_cast<double>(ps) / (3600.0 * 1e12);
}

// Everything that outlives an attempt: the fabric, the job's servers, the
// faults and what is still to happen.
class World {
 public:
  explicit World(const scenario::Scenario& s)
      : sc(s),
        w(s.jobs.at(0)),
        rc(*s.recovery),
        topology(topology::build_fabric(s.topology)),
        routing(topology),
        servers(s.topology),
        links(topology.links_by_name()),
        gpus(servers.gpus_per_server()),
        process_rng(s.seed, "fault_process") {
    const std::uint32_t fabric_units = gpus > 1 ? servers.count() : topology.host_count();
    units = workloads::place_jobs(s.jobs, fabric_units, s.seed).at(0);
    unit_back_ps.assign(fabric_units, 0);
    link_gbps.resize(topology.link_count());
    for (topology::LinkId l = 0; l < topology.link_count(); ++l)
      link_gbps[l] = topology.link(l).rate_gbps;
    place();
    for (const scenario::Fault& f : s.faults) add_fault(f, "scheduled", false);
    // The process's rate: elements of each kind, over their MTBF.
    std::vector<std::uint32_t> leaves;
    for (const topology::HostId h : ranks) leaves.push_back(h / s.topology.hosts_per_leaf);
    std::sort(leaves.begin(), leaves.end());
    leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
    for (const scenario::FaultRate& r : s.fault_process) {
      const bool uplink =
          r.kind == RandomFaultKind::uplink_degraded || r.kind == RandomFaultKind::uplink_down;
      const double elements =
          uplink ? static_cast<double>(leaves.size() * topology::uplinks_per_leaf(s.topology))
                 : static_cast<double>(ranks.size());
      kind_rate.push_back(elements / (r.mtbf_hours * 3600.0 * 1e12));
      process_rate += kind_rate.back();
    }
    if (process_rate > 0) schedule_arrival(0);
  }

  const scenario::Scenario& sc;
  const workloads::WorkloadConfig& w;
  const scenario::RecoveryConfig& rc;
  const topology::Topology topology;
  topology::Routing routing;
  const topology::Servers servers;
  const std::unordered_map<std::string, topology::LinkId> links;
  const std::uint32_t gpus;

  std::vector<std::uint32_t> units;  // the job's servers (hosts for 1-GPU servers), in order
  std::vector<topology::HostId> ranks;
  std::vector<sim::Time> unit_back_ps;  // per unit of the fabric: back from repair then
  std::vector<double> link_gbps;        // per link, after the actions that landed
  std::vector<FaultRecord> faults;
  std::map<ActionKey, Action> actions;  // still to land, in time order

  [[nodiscard]] std::uint32_t unit_of(topology::HostId h) const {
    return gpus > 1 ? servers.server_of(h) : h;
  }
  [[nodiscard]] std::vector<topology::HostId> hosts_of(std::uint32_t unit) const {
    if (gpus == 1) return {unit};
    std::vector<topology::HostId> hosts;
    for (std::uint32_t g = 0; g < gpus; ++g) hosts.push_back(servers.nic(unit, g));
    return hosts;
  }
  [[nodiscard]] std::string unit_name(std::uint32_t unit) const {
    return (gpus > 1 ? "s" : "h") + std::to_string(unit);
  }
  [[nodiscard]] bool active(const FaultRecord& f, sim::Time t) const {
    return f.fault.at_ps <= t && f.cleared_ps > t && f.fault.state != FaultState::up;
  }
  // The host whose NIC link (or compute) the fault hits, if any.
  [[nodiscard]] std::optional<topology::HostId> host_hit(const scenario::Fault& f) const {
    if (f.on_host()) return fault_host(f);
    // A NIC link is named hN>leafL or leafL>hN.
    const std::size_t arrow = f.link.find('>');
    for (const std::string_view end :
         {std::string_view(f.link).substr(0, arrow), std::string_view(f.link).substr(arrow + 1)}) {
      if (end.size() > 1 && end[0] == 'h') {
        return static_cast<topology::HostId>(std::stoul(std::string(end.substr(1))));
      }
    }
    return std::nullopt;
  }
  [[nodiscard]] bool in_job(topology::HostId h) const {
    return std::find(ranks.begin(), ranks.end(), h) != ranks.end();
  }

  void place() {
    if (gpus > 1) {
      ranks = workloads::gpu_ranks(units, servers, w.placement);
    } else {
      ranks.assign(units.begin(), units.end());
    }
  }

  // A fault from now on: its record and the actions that make it happen.
  void add_fault(const scenario::Fault& f, std::string kind, bool repaired) {
    const std::size_t index = faults.size();
    FaultRecord record;
    record.fault = f;
    record.kind = std::move(kind);
    faults.push_back(std::move(record));
    if (f.acts_on_links()) {
      for (const LinkChange& c : link_changes(f, topology, links)) {
        push(c.at_ps, Action{Action::link_change, index, c.links, c.gbps});
      }
    } else {
      push(f.at_ps, Action{Action::host_fault, index, {}, 0});
    }
    if (repaired) push(f.at_ps + rc.repair_ps, Action{Action::repair, index, {}, 0});
  }

  void push(sim::Time at, Action a) { actions.emplace(ActionKey{at, next_seq_++}, a); }

  // The process's next arrival after `after`: exponential inter-arrival
  // times at the summed rate; its kind and place are drawn when it lands.
  void schedule_arrival(sim::Time after) {
    const double wait = process_rng.exponential() / process_rate;
    push(after + static_cast<sim::Time>(wait) + 1, Action{Action::arrival, 0, {}, 0});
  }

  // An arrival becomes a fault on the job as it is now.
  void materialise(sim::Time at) {
    double pick = process_rng.uniform() * process_rate;
    std::size_t k = 0;
    while (k + 1 < kind_rate.size() && pick >= kind_rate[k]) pick -= kind_rate[k++];
    const scenario::FaultRate& r = sc.fault_process[k];
    const topology::HostId host = ranks[process_rng.below(ranks.size())];
    const auto uplink_index =
        static_cast<std::uint32_t>(process_rng.below(topology::uplinks_per_leaf(sc.topology)));
    const std::uint32_t port = draw_port(r.kind, process_rng, sc.topology);
    const bool uplink =
        r.kind == RandomFaultKind::uplink_degraded || r.kind == RandomFaultKind::uplink_down;
    add_fault(
        fault_of_kind(r.kind, r.factor, r.rate_fraction, host, uplink_index, port, at, sc.topology),
        std::string(scenario::to_string(r.kind)), uplink);
    schedule_arrival(at);
  }

  // The action at `key` happens: global state follows (arrivals become
  // faults whose actions come next).
  void land(ActionKey key) {
    const Action a = actions.at(key);
    actions.erase(key);
    switch (a.type) {
      case Action::arrival:
        materialise(key.first);
        break;
      case Action::link_change:
        if (faults[a.fault].cleared_ps > key.first) {
          for (const topology::LinkId l : a.links) link_gbps[l] = a.gbps;
        }
        break;
      case Action::repair:
        repair(a.fault, key.first, "repaired");
        break;
      case Action::host_fault:
        break;  // a host fault is its record: active from its time until cleared
    }
  }

  // Everything due by `t` (inclusive) lands.
  void land_until(sim::Time t) {
    while (!actions.empty() && actions.begin()->first.first <= t) land(actions.begin()->first);
  }

  void repair(std::size_t index, sim::Time t, const char* by) {
    FaultRecord& f = faults[index];
    if (!active(f, t)) return;
    f.cleared_ps = t;
    f.cleared_by = by;
    if (!f.fault.acts_on_links()) return;
    for (const LinkChange& c : link_changes(f.fault, topology, links)) {
      for (const topology::LinkId l : c.links) link_gbps[l] = topology.link(l).rate_gbps;
    }
  }

  // A job cannot start with a dead NIC: its launch fails naming the host,
  // which is isolated before the start. Returns whether any was.
  bool isolate_dead_nics(sim::Time t) {
    bool any = false;
    for (const topology::HostId h : ranks) {
      bool alive = false;  // some port works both ways
      for (std::uint32_t p = 0; p < topology.nic_ports(); ++p) {
        alive = alive || (link_gbps[topology.host_uplink(h, p)] > 0 &&
                          link_gbps[topology.host_downlink(h, p)] > 0);
      }
      if (alive) continue;
      const std::uint32_t unit = unit_of(h);
      if (std::find(isolated_.begin(), isolated_.end(), unit) == isolated_.end()) {
        isolate(unit, t, "launch");
      }
      any = true;
    }
    return any;
  }

  // The unit leaves the job and goes to repair; its faults go with it.
  void isolate(std::uint32_t unit, sim::Time t, const char* by = "isolated") {
    const std::vector<topology::HostId> hosts = hosts_of(unit);
    for (std::size_t i = 0; i < faults.size(); ++i) {
      const std::optional<topology::HostId> h = host_hit(faults[i].fault);
      if (h && std::find(hosts.begin(), hosts.end(), *h) != hosts.end()) repair(i, t, by);
    }
    unit_back_ps[unit] = t + rc.repair_ps;
    isolated_.push_back(unit);
  }

  // Replaces the isolated units with spares, as soon as there are some:
  // returns when the job can start (not before `earliest`).
  sim::Time replace_isolated(sim::Time earliest) {
    sim::Time start = earliest;
    for (const std::uint32_t gone : isolated_) {
      const auto pos = std::find(units.begin(), units.end(), gone);
      for (;;) {
        std::optional<std::uint32_t> spare;
        sim::Time soonest = sim::kForever;
        for (std::uint32_t u = 0; u < unit_back_ps.size(); ++u) {
          if (std::find(units.begin(), units.end(), u) != units.end()) continue;
          if (unit_back_ps[u] <= start) {
            spare = u;
            break;
          }
          soonest = std::min(soonest, unit_back_ps[u]);
        }
        if (spare) {
          *pos = *spare;
          break;
        }
        if (soonest == sim::kForever) throw sim::InternalError("recovery: no unit to run on");
        start = soonest;  // wait for a repaired server
      }
    }
    isolated_.clear();
    place();
    return start;
  }

 private:
  sim::Rng process_rng;
  std::vector<double> kind_rate;  // per fault_process entry, per ps
  double process_rate = 0;
  std::uint64_t next_seq_ = 0;
  std::vector<std::uint32_t> isolated_;
};

// How an attempt ended.
struct AttemptEnd {
  std::vector<Alarm> reports;  // C4 alarms that did not stop it
  bool finished = false;
  sim::Time end_ps = 0;  // real
  std::uint64_t done = 0;
  sim::Time last_end_ps = 0;  // real: its last completed iteration's end
  std::uint64_t saved = 0;    // iterations of it checkpointed
  sim::Time saved_end_ps = 0;
  std::string detector;
  std::optional<workloads::Detection> detection;  // at_ps real
  std::optional<std::size_t> fault;
  bool localised = false;
  std::uint64_t simulated = 0;
  std::uint64_t skipped = 0;
  std::uint64_t events = 0;
};

// One attempt: its own simulation, whose clock runs `offset_` behind real
// time once iterations have been skipped.
class Attempt final : public workloads::CollectiveMonitor, public sim::EventHandler {
 public:
  Attempt(World& world, sim::Time start, std::uint64_t remaining, std::uint32_t index)
      : world_(world),
        start_(start),
        remaining_(remaining),
        self_(sim_.add_handler(*this)),
        recorder_(),
        model_(sim_, world.topology, world.routing, world.sc.transport, world.sc.seed, recorder_,
               false),
        transport_(model_),
        link_faults_(sim_, model_),
        last_checkpoint_ps_(start) {
    // The fabric as it is now: links at their rates before anything connects.
    bool faulty = false;
    for (topology::LinkId l = 0; l < world.topology.link_count(); ++l) {
      if (world.link_gbps[l] != world.topology.link(l).rate_gbps) faulty = true;
    }
    if (faulty || std::any_of(world.faults.begin(), world.faults.end(),
                              [](const FaultRecord& f) { return f.fault.acts_on_links(); })) {
      model_.set_spray_trunks(false);
    }
    for (topology::LinkId l = 0; l < world.topology.link_count(); ++l) {
      if (world.link_gbps[l] != world.topology.link(l).rate_gbps)
        model_.set_link_rate(l, world.link_gbps[l]);
    }
    const workloads::WorkloadConfig& w = world.w;
    JobSetup setup =
        setup_job(w, 0, world.ranks, world.topology, world.routing, world.sc.topology, index);
    setup.options.iterations =
        static_cast<std::uint32_t>(std::min<std::uint64_t>(remaining, UINT32_MAX / w.buckets));
    job_ = std::make_unique<workloads::CollectiveRun>(sim_, transport_, world.ranks,
                                                      std::move(setup.schedule), setup.options);
    compute_ = std::make_unique<workloads::ComputeModel>(
        workloads::ComputeConfig{w.compute_ps, w.compute_jitter, w.buckets},
        static_cast<std::uint32_t>(world.ranks.size()), world.sc.seed,
        "compute." + w.name + "." + std::to_string(index));
    // Host faults in place now hit from the start.
    for (const FaultRecord& f : world.faults) {
      if (!f.fault.acts_on_links() && world.active(f, start)) hit_host(f.fault, 0);
    }
    job_->set_gate(compute_.get());
    job_->set_monitor(this);
    if (world.sc.detector.kind == workloads::DetectorKind::c4) {
      c4_.emplace(sim_, world.sc.detector);
      c4_->watch(world.ranks, w.buckets);
      c4_->stop_on_alarm(true);
    }
    // People watch in either case: behind C4, they catch what it misses.
    manual_.emplace(sim_, world.sc.detector, w.buckets, 0);
    manual_->stop_on_notice(true);
    job_->start(0);
  }

  AttemptEnd run() {
    arm_wake();
    for (;;) {
      sim_.run();
      if (end_.finished || stopped_) break;
      take_alarms();
      if (stopping_) {
        stop_on_detection(*stopping_);
        break;
      }
      if (people_noticed()) {
        arm_wake();
        continue;
      }
      if (sim_.pending() == 0) throw sim::InternalError("recovery: the job is stuck unwatched");
    }
    end_.simulated = simulated_;
    end_.events = sim_.events_dispatched();
    return end_;
  }

  // The monitor: detectors hear everything; iteration ends drive the attempt.
  void collective_opened(std::uint32_t job, std::uint32_t index, std::uint32_t bucket,
                         sim::Time at) override {
    if (c4_) c4_->collective_opened(job, index, bucket, at);
  }
  void rank_entered(std::uint32_t job, std::uint32_t index, std::uint32_t rank,
                    sim::Time at) override {
    if (c4_) c4_->rank_entered(job, index, rank, at);
  }
  void transfer_started(const workloads::TransferStat& t) override {
    if (c4_) c4_->transfer_started(t);
  }
  void transfer_done(std::uint32_t job, transport::ConnectionId connection, sim::Time at) override {
    if (c4_) c4_->transfer_done(job, connection, at);
  }
  void collective_done(std::uint32_t job, std::uint32_t index, sim::Time at, bool last) override {
    if (c4_) c4_->collective_done(job, index, at, last);
    manual_->collective_done(job, index, at, last);
    if (index % world_.w.buckets == world_.w.buckets - 1) iteration_end(at);
  }

  void handle(const sim::Event& event) override {
    if (event.tag == kStop) {
      stop_by_people(sim_.now());
      return;
    }
    if (event.payload != wake_generation_) return;  // superseded
    register_next();
    arm_wake();
  }

 private:
  enum Tag : std::uint32_t { kWake = 0, kStop = 1 };

  [[nodiscard]] sim::Time real(sim::Time sim_ps) const { return start_ + sim_ps + offset_; }
  [[nodiscard]] sim::Time sim_time(sim::Time real_ps) const {
    return std::max(sim_.now(), real_ps - start_ - offset_);
  }
  [[nodiscard]] sim::Time period() const {
    return ends_.size() < 2 ? 0 : ends_[ends_.size() - 1] - ends_[ends_.size() - 2];
  }

  // An iteration done at real time t: count it, checkpoint it if due.
  bool count_iteration(sim::Time t) {
    ++end_.done;
    end_.last_end_ps = t;
    if (t - last_checkpoint_ps_ >= world_.rc.checkpoint_interval_ps) {
      end_.saved = end_.done;
      end_.saved_end_ps = t;
      last_checkpoint_ps_ = t;
    }
    if (end_.done < remaining_) return false;
    end_.finished = true;
    end_.end_ps = t;
    end_.saved = end_.done;
    end_.saved_end_ps = t;
    sim_.stop();
    return true;
  }

  // People noticed something: they act once they have found the part.
  bool people_noticed() {
    if (!manual_->notice() || manual_stop_ps_ != sim::kForever) return false;
    manual_stop_ps_ = real(manual_->notice()->at_ps) + world_.sc.detector.diagnosis_delay_ps;
    return true;
  }

  void iteration_end(sim::Time at) {
    ++simulated_;
    take_alarms();
    people_noticed();
    if (count_iteration(real(at))) return;
    ends_.push_back(at);
    if (ends_.size() > 3) ends_.erase(ends_.begin());
    if (world_.rc.fast_forward) fast_forward(at);
    arm_wake();
  }

  // Skips whole periods while nothing can change, up to 2 periods before
  // the next disturbance (when it is handed over, as without skipping).
  void fast_forward(sim::Time at) {
    if (ends_.size() < 3) return;
    const sim::Time t = period();
    if (t <= 0 || ends_[1] - ends_[0] != t || stopping_) return;
    if ((c4_ && !c4_->quiescent()) || !manual_->quiescent()) return;
    // Every period compared began after the last disturbance landed.
    if (ends_[0] < std::max(registered_until_, settled_)) return;
    const sim::Time next = next_disturbance();
    std::uint64_t skip = remaining_ - end_.done;
    if (next != sim::kForever) {
      const sim::Time room = next - 2 * t - real(at);
      if (room < t) return;
      skip = std::min<std::uint64_t>(skip, static_cast<std::uint64_t>(room / t));
    }
    const sim::Time from = real(at);
    for (std::uint64_t k = 1; k <= skip; ++k) {
      if (count_iteration(from + static_cast<sim::Time>(k) * t)) {
        end_.skipped += k;
        return;
      }
    }
    end_.skipped += skip;
    offset_ += static_cast<sim::Time>(skip) * t;
  }

  // The next thing to hand to the simulation: an action not yet handed
  // over, or people acting.
  [[nodiscard]] sim::Time next_disturbance() const {
    const auto it = world_.actions.upper_bound(handed_);
    sim::Time next = it == world_.actions.end() ? sim::kForever : it->first.first;
    if (!stop_registered_) next = std::min(next, manual_stop_ps_);
    return next;
  }

  // Wakes 2 periods before the next disturbance to hand it over.
  void arm_wake() {
    const sim::Time next = next_disturbance();
    if (next == sim::kForever) return;
    const sim::Time lead = 2 * period();
    sim_.schedule_at(sim_time(next > lead ? next - lead : 0), self_, kWake, ++wake_generation_);
  }

  void register_next() {
    const auto it = world_.actions.upper_bound(handed_);
    const sim::Time action_at = it == world_.actions.end() ? sim::kForever : it->first.first;
    if (!stop_registered_ && manual_stop_ps_ <= action_at && manual_stop_ps_ != sim::kForever) {
      stop_registered_ = true;
      const sim::Time at = sim_time(manual_stop_ps_);
      registered_until_ = std::max(registered_until_, at);
      sim_.schedule_at(at, self_, kStop);
      return;
    }
    if (it == world_.actions.end()) return;
    const ActionKey key = it->first;
    const Action a = it->second;
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
        settled_ = std::max(settled_, at + world_.sc.transport.convergence_ps);
        break;
      case Action::repair: {
        const FaultRecord& f = world_.faults[a.fault];
        if (!world_.active(f, key.first)) break;
        for (const LinkChange& c : link_changes(f.fault, world_.topology, world_.links)) {
          for (const topology::LinkId l : c.links) {
            link_faults_.add(at, l, world_.topology.link(l).rate_gbps);
          }
        }
        settled_ = std::max(settled_, at + world_.sc.transport.convergence_ps);
        break;
      }
    }
  }

  void hit_host(const scenario::Fault& f, sim::Time at) {
    const topology::HostId h = fault_host(f);
    const auto rank = std::find(world_.ranks.begin(), world_.ranks.end(), h);
    if (rank == world_.ranks.end()) return;
    const auto r = static_cast<std::uint32_t>(rank - world_.ranks.begin());
    if (f.state == FaultState::hung) {
      compute_->hang_from(r, at);
    } else if (f.state == FaultState::slow) {
      compute_->slow_from(r, at, f.factor);
    }
  }

  // What an alarm raised at real time d.at_ps is about: the latest fault
  // acting then that it localises, else the latest one (none: false).
  [[nodiscard]] Alarm judge(const workloads::Detection& d) const {
    Alarm alarm{d, std::nullopt, false};
    std::optional<std::pair<bool, std::size_t>> best;
    for (std::size_t i = 0; i < world_.faults.size(); ++i) {
      if (!world_.active(world_.faults[i], d.at_ps)) continue;
      const bool hit = localises(d, world_.faults[i].fault, world_.topology, model_, world_.links);
      if (!best || hit >= best->first) best = std::pair{hit, i};
    }
    if (best) {
      alarm.fault = best->second;
      alarm.localised = best->first;
    }
    return alarm;
  }

  // C4's new alarms, at once (before any skipping moves the clock): one
  // that names a host stops the job; one that names only a connection (no
  // host shared by the slow ones: a link, somewhere on its route) is
  // reported, and the job goes on.
  void take_alarms() {
    if (!c4_) return;
    const std::vector<workloads::Detection>& raised = c4_->detections();
    for (; alarms_seen_ < raised.size(); ++alarms_seen_) {
      workloads::Detection d = raised[alarms_seen_];
      d.at_ps = real(d.at_ps);
      if (!stopping_ && !d.connection_suspect) {
        stopping_ = judge(d);
      } else if (!stopping_) {
        end_.reports.push_back(judge(d));
      }
    }
  }

  void stop_on_detection(const Alarm& alarm) {
    stopped_ = true;
    end_.end_ps = alarm.detection.at_ps;
    end_.detector = "c4";
    end_.detection = alarm.detection;
    end_.fault = alarm.fault;
    end_.localised = alarm.localised;
  }

  // People found the part: the earliest fault still acting on the job.
  void stop_by_people(sim::Time now) {
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
      if (h && !world_.in_job(*h)) continue;
      end_.fault = i;
      end_.localised = true;
      d.src_host = d.dst_host = h.value_or(0);
      break;
    }
    end_.detection = d;
    sim_.stop();
  }

  World& world_;
  sim::Time start_;
  std::uint64_t remaining_;
  sim::Simulator sim_;
  sim::HandlerId self_;
  sim::Recorder recorder_;
  transport::FlowModel model_;
  transport::FlowTransport transport_;
  transport::LinkFaults link_faults_;
  std::unique_ptr<workloads::CollectiveRun> job_;
  std::unique_ptr<workloads::ComputeModel> compute_;
  std::optional<workloads::Detector> c4_;
  std::optional<workloads::ManualDetector> manual_;

  sim::Time offset_ = 0;                      // real time the simulation skipped
  std::vector<sim::Time> ends_;               // the last iteration ends (simulation time)
  ActionKey handed_{0, 0};                    // the last action handed to the simulation
  sim::Time registered_until_ = 0;            // simulation time the last one handed over lands
  sim::Time settled_ = 0;                     // simulation time routing has converged by
  sim::Time manual_stop_ps_ = sim::kForever;  // real time people act
  bool stop_registered_ = false;
  std::uint64_t wake_generation_ = 0;
  sim::Time last_checkpoint_ps_;
  std::uint64_t simulated_ = 0;
  bool stopped_ = false;
  std::size_t alarms_seen_ = 0;
  std::optional<Alarm> stopping_;  // a C4 alarm that stops the job
  AttemptEnd end_;
};

}  // namespace

namespace {

RecoveryTotals totals_of(const RecoveryRun& run, sim::Time job_start_ps) {
  sim::Time useful = 0;
  sim::Time rework = 0;
  sim::Time stalled = 0;
  sim::Time restart = 0;
  RecoveryTotals t;
  // A first launch that had to wait (links down) waited as a restart does.
  if (!run.attempts.empty()) restart += run.attempts.front().start_ps - job_start_ps;
  for (const AttemptRecord& a : run.attempts) {
    useful += a.useful_ps;
    rework += a.rework_ps;
    stalled += a.stalled_ps;
    restart += a.restart_ps;
    if (a.finished) continue;
    (a.detector == "c4" ? t.stops_by_c4 : t.stops_by_people) += 1;
    if (!a.fault) {
      ++t.false_alarms;
    } else if (!a.localised) {
      ++t.wrong_suspects;
    }
  }
  for (const FaultRecord& f : run.faults) {
    if (f.fault.state == scenario::FaultState::up) continue;
    ++t.faults;
    if (f.detected_in) ++t.faults_acted_on;
  }
  const double ranks = run.ranks;
  const sim::Time life = run.end_ps - job_start_ps;
  t.job_hours = hours(life);
  t.gpu_hours = ranks * hours(life);
  t.useful_gpu_hours = ranks * hours(useful);
  t.lost_gpu_hours = ranks * hours(rework + stalled + restart);
  t.lost_rework_gpu_hours = ranks * hours(rework);
  t.lost_stalled_gpu_hours = ranks * hours(stalled);
  t.lost_restart_gpu_hours = ranks * hours(restart);
  t.lost_fraction =
      life > 0 ? static_cast<double>(rework + stalled + restart) / static_cast<double>(life) : 0.0;
  return t;
}

sim::Json metrics_of(const RecoveryRun& run) {
  const RecoveryTotals& t = run.totals;
  sim::Json m = sim::Json::object();
  m["finished"] = !run.attempts.empty() && run.attempts.back().finished;
  m["iterations"] = run.attempts.empty() ? 0 : run.attempts.back().checkpoint;
  m["end_ps"] = static_cast<std::int64_t>(run.end_ps);
  m["ranks"] = run.ranks;
  m["job_hours"] = t.job_hours;
  m["gpu_hours"] = t.gpu_hours;
  m["useful_gpu_hours"] = t.useful_gpu_hours;
  m["lost_gpu_hours"] = t.lost_gpu_hours;
  m["lost_fraction"] = t.lost_fraction;
  m["lost_rework_gpu_hours"] = t.lost_rework_gpu_hours;
  m["lost_stalled_gpu_hours"] = t.lost_stalled_gpu_hours;
  m["lost_restart_gpu_hours"] = t.lost_restart_gpu_hours;
  m["attempts"] = static_cast<std::uint64_t>(run.attempts.size());
  m["stops_by_c4"] = t.stops_by_c4;
  m["stops_by_people"] = t.stops_by_people;
  m["faults"] = t.faults;
  m["faults_acted_on"] = t.faults_acted_on;
  m["false_alarms"] = t.false_alarms;
  m["wrong_suspects"] = t.wrong_suspects;
  return m;
}

void write_files(sim::Recorder& recorder, const scenario::Scenario& scenario,
                 const RecoveryRun& run) {
  sim::CsvTable* attempts = recorder.table(
      "attempts.csv", {"attempt", "start_ps", "end_ps", "first_iteration", "iterations",
                       "checkpoint", "useful_ps", "rework_ps", "stalled_ps", "restart_ps", "stop",
                       "class", "suspect", "fault", "localised", "action"});
  for (const AttemptRecord& a : run.attempts) {
    attempts->cell(a.attempt).cell(a.start_ps).cell(a.end_ps).cell(a.first_iteration);
    attempts->cell(a.iterations).cell(a.checkpoint);
    attempts->cell(a.useful_ps).cell(a.rework_ps).cell(a.stalled_ps).cell(a.restart_ps);
    if (a.finished) {
      attempts->cell("finished").cell("").cell("").cell("").cell("").cell("");
    } else {
      attempts->cell(a.detector).cell(workloads::to_string(a.detection->anomaly));
      attempts->cell(a.detector == "c4" || a.fault ? suspect_name(*a.detection) : "");
      if (a.fault) {
        attempts->cell(static_cast<std::uint64_t>(*a.fault)).cell(a.localised ? "true" : "false");
      } else {
        attempts->cell("").cell("");
      }
      attempts->cell(a.action);
    }
    attempts->end_row();
  }
  sim::CsvTable* faults = recorder.table(
      "faults.csv", {"fault", "at_ps", "kind", "element", "state", "rate_gbps", "factor",
                     "cleared_ps", "cleared_by", "acted_on_in", "localised"});
  for (std::size_t i = 0; i < run.faults.size(); ++i) {
    const FaultRecord& f = run.faults[i];
    faults->cell(static_cast<std::uint64_t>(i)).cell(f.fault.at_ps).cell(f.kind);
    faults->cell(f.fault.on_host() ? f.fault.host : f.fault.link)
        .cell(scenario::to_string(f.fault.state));
    if (f.fault.state == scenario::FaultState::degraded) {
      faults->cell(f.fault.rate_gbps);
    } else {
      faults->cell("");
    }
    if (f.fault.state == scenario::FaultState::slow) {
      faults->cell(f.fault.factor);
    } else {
      faults->cell("");
    }
    if (f.cleared_ps != sim::kForever) {
      faults->cell(f.cleared_ps).cell(f.cleared_by);
    } else {
      faults->cell("").cell("");
    }
    if (f.detected_in) {
      faults->cell(*f.detected_in).cell(f.localised ? "true" : "false");
    } else {
      faults->cell("").cell("");
    }
    faults->end_row();
  }
  // Every alarm: the C4 reports that let the job go on, then each stop.
  sim::CsvTable* detections =
      recorder.table("detections.csv", {"detection", "at_ps", "attempt", "detector", "class",
                                        "suspect", "fault", "localised", "action", "evidence"});
  std::uint64_t n = 0;
  const auto row = [&](const AttemptRecord& a, const Alarm& alarm, const std::string& detector,
                       const std::string& action) {
    const workloads::Detection& d = alarm.detection;
    detections->cell(n++).cell(d.at_ps).cell(a.attempt).cell(detector);
    detections->cell(workloads::to_string(d.anomaly));
    detections->cell(detector == "c4" || alarm.fault ? suspect_name(d) : "");
    if (alarm.fault) {
      detections->cell(static_cast<std::uint64_t>(*alarm.fault))
          .cell(alarm.localised ? "true" : "false");
    } else {
      detections->cell("").cell("");
    }
    detections->cell(action).cell(d.evidence).end_row();
  };
  for (const AttemptRecord& a : run.attempts) {
    for (const Alarm& report : a.reports) row(a, report, "c4", "report");
    if (!a.finished) row(a, Alarm{*a.detection, a.fault, a.localised}, a.detector, a.action);
  }
  write_summary_json(recorder, scenario, run.metrics);
}

}  // namespace

RecoveryRun run_recovery(const scenario::Scenario& scenario, const std::filesystem::path& out_dir,
                         const std::function<void(sim::Time, std::uint64_t)>& progress) {
  const auto wall_start = std::chrono::steady_clock::now();
  World world(scenario);
  const workloads::WorkloadConfig& w = scenario.jobs.at(0);
  const scenario::RecoveryConfig& rc = *scenario.recovery;
  RecoveryRun run;
  run.ranks = static_cast<std::uint32_t>(world.ranks.size());
  std::uint64_t saved = 0;  // iterations checkpointed
  // Launches the job at `at`, or as soon as it can start: a dead NIC has
  // its server swapped first, and a fabric that cannot connect the job
  // (links down) is waited for until its next change.
  const auto launch = [&](sim::Time at, std::uint32_t index) {
    for (;;) {
      world.land_until(at);
      while (world.isolate_dead_nics(at)) {
        at = world.replace_isolated(at);
        world.land_until(at);
      }
      try {
        return std::pair{at, Attempt(world, at, w.iterations - saved, index).run()};
      } catch (const transport::NoPathError&) {
        if (world.actions.empty()) throw;
        at = world.actions.begin()->first.first;
      }
    }
  };
  sim::Time next = w.start_ps;
  for (std::uint32_t index = 0;; ++index) {
    const auto [start, end] = launch(next, index);
    if (!run.attempts.empty()) run.attempts.back().restart_ps = start - run.attempts.back().end_ps;
    AttemptRecord rec;
    rec.attempt = index;
    rec.start_ps = start;
    rec.first_iteration = saved;
    rec.end_ps = end.end_ps;
    rec.iterations = end.done;
    rec.finished = end.finished;
    saved += end.saved;
    rec.checkpoint = saved;
    const sim::Time useful_end = end.saved > 0 ? end.saved_end_ps : start;
    const sim::Time last_end = end.done > 0 ? end.last_end_ps : start;
    rec.useful_ps = useful_end - start;
    rec.rework_ps = last_end - useful_end;
    rec.stalled_ps = end.end_ps - last_end;
    rec.simulated_iterations = end.simulated;
    rec.detector = end.detector;
    rec.detection = end.detection;
    rec.fault = end.fault;
    rec.localised = end.localised;
    rec.reports = end.reports;
    run.simulated_iterations += end.simulated;
    run.skipped_iterations += end.skipped;
    run.events += end.events;
    world.land_until(end.end_ps);
    if (end.finished) {
      run.end_ps = end.end_ps;
      run.attempts.push_back(std::move(rec));
      break;
    }
    if (end.fault) {
      FaultRecord& f = world.faults[*end.fault];
      if (!f.detected_in) {
        f.detected_in = index;
        f.detected_ps = end.end_ps;
        f.localised = end.localised;
      }
    }
    // The response: C4 isolates the server of its suspect; people isolate
    // the server of the part they found, or repair the link.
    std::optional<topology::HostId> culprit;
    if (end.detector == "c4") {
      culprit = end.detection->src_host;
    } else if (end.fault) {
      culprit = world.host_hit(world.faults[*end.fault].fault);
      if (!culprit) {
        world.repair(*end.fault, end.end_ps, "people");
        rec.action = "repair " + world.faults[*end.fault].fault.element();
      }
    }
    if (culprit) {
      const std::uint32_t unit = world.unit_of(*culprit);
      world.isolate(unit, end.end_ps);
      rec.action = "isolate " + world.unit_name(unit);
    } else if (rec.action.empty()) {
      rec.action = "none";
    }
    next = world.replace_isolated(end.end_ps + rc.restart_ps);
    if (next > kLongestRun) {
      throw std::runtime_error("the job had not finished after 100 days of simulated time (" +
                               std::to_string(index + 1) +
                               " attempts): faults come faster than it recovers");
    }
    run.attempts.push_back(std::move(rec));
    if (progress) progress(next, run.events);
  }
  run.faults = world.faults;
  run.totals = totals_of(run, w.start_ps);
  run.metrics = metrics_of(run);
  if (!out_dir.empty()) {
    sim::Recorder recorder(out_dir);
    write_files(recorder, scenario, run);
    recorder.flush();
  }
  run.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return run;
}

}  // namespace spinel::tools
