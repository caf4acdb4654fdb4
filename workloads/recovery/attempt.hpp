#pragma once
// One attempt of a recovery run: from the job's (re)start on the fabric as
// the world left it to its stop (a detection, people acting) or its end.
// Its own simulation, whose clock lags real time by the periods skipped
// (fast-forward: see recovery.hpp).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "transport/flow_model.hpp"
#include "transport/link_faults.hpp"
#include "transport/transport.hpp"
#include "workloads/collective.hpp"
#include "workloads/collective_monitor.hpp"
#include "workloads/compute.hpp"
#include "workloads/detector.hpp"
#include "workloads/graph/graph_run.hpp"
#include "workloads/manual_detector.hpp"
#include "workloads/recovery/records.hpp"
#include "workloads/recovery/world.hpp"

namespace spinel::recovery {

// The attempt's iterations, counted as they end (real time) and
// checkpointed every interval, until the job's remaining ones are done.
class IterationTally {
 public:
  IterationTally(sim::Time start, std::uint64_t remaining, sim::Time checkpoint_interval_ps)
      : remaining_(remaining), interval_ps_(checkpoint_interval_ps), last_checkpoint_ps_(start) {}

  // An iteration ended at real time t; returns whether it was the job's last.
  bool count(sim::Time t);
  [[nodiscard]] std::uint64_t done() const { return done_; }
  [[nodiscard]] std::uint64_t left() const { return remaining_ - done_; }
  [[nodiscard]] bool finished() const { return finished_; }
  [[nodiscard]] sim::Time last_end_ps() const { return last_end_ps_; }
  [[nodiscard]] std::uint64_t saved() const { return saved_; }
  [[nodiscard]] sim::Time saved_end_ps() const { return saved_end_ps_; }

 private:
  std::uint64_t remaining_;
  sim::Time interval_ps_;
  sim::Time last_checkpoint_ps_;
  std::uint64_t done_ = 0;
  sim::Time last_end_ps_ = 0;  // its last completed iteration's end
  std::uint64_t saved_ = 0;    // iterations of it checkpointed
  sim::Time saved_end_ps_ = 0;
  bool finished_ = false;
};

// The last three iteration ends (simulation time): once they are equally
// spaced, iterations repeat with that period.
class Periods {
 public:
  void push(sim::Time end) {
    ends_.push_back(end);
    if (ends_.size() > 3) ends_.erase(ends_.begin());
  }
  // The latest period (0 before two ends).
  [[nodiscard]] sim::Time period() const {
    return ends_.size() < 2 ? 0 : ends_[ends_.size() - 1] - ends_[ends_.size() - 2];
  }
  // Three ends, equally spaced, by a positive period.
  [[nodiscard]] bool steady() const {
    return ends_.size() == 3 && period() > 0 && ends_[1] - ends_[0] == period();
  }
  // The first of the three ends (steady only).
  [[nodiscard]] sim::Time oldest() const { return ends_.front(); }

 private:
  std::vector<sim::Time> ends_;
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

// What an alarm raised at real time d.at_ps is about: the latest fault
// acting then that it localises, else the latest one (none: false).
Alarm judge(const World& world, const transport::FlowModel& model, const workloads::Detection& d);

// A job of one collective runs on CollectiveRun and its compute model, which
// tell the attempt (a CollectiveMonitor) each collective and so each
// iteration's end; a job with a program runs on its graph, repeated for the
// iterations the attempt may simulate (kGraphOps ops at most), which tells
// it each iteration's end (an IterationListener), while C4 listens to the
// graph's communicators directly.
class Attempt final : public workloads::CollectiveMonitor,
                      public workloads::graph::IterationListener,
                      public sim::EventHandler {
 public:
  // The job's `index`th attempt, from real time `start`, with `remaining`
  // iterations to go. Throws transport::NoPathError when the fabric cannot
  // connect the job.
  Attempt(World& world, sim::Time start, std::uint64_t remaining, std::uint32_t index);

  AttemptEnd run();

  // The monitor: detectors hear everything; iteration ends drive the attempt.
  void collective_opened(std::uint32_t job, std::uint32_t index, std::uint32_t bucket,
                         sim::Time at) override;
  void rank_entered(std::uint32_t job, std::uint32_t index, std::uint32_t rank,
                    sim::Time at) override;
  void transfer_started(const workloads::TransferStat& t) override;
  void transfer_done(std::uint32_t job, transport::ConnectionId connection, sim::Time at) override;
  void collective_done(std::uint32_t job, std::uint32_t index, sim::Time at, bool last) override;
  void iteration_done(std::uint32_t iteration, sim::Time at) override;
  // The most ops a program's graph holds in one attempt (its iterations then
  // are at most this over its ops per iteration, and at least 16).
  static constexpr std::size_t kGraphOps = 4'000'000;

  void handle(const sim::Event& event) override;

 private:
  enum Tag : std::uint32_t { kWake = 0, kStop = 1 };

  void set_link_rates();
  void start_job(std::uint32_t index);
  void start_graph();
  void watch();

  [[nodiscard]] sim::Time real(sim::Time sim_ps) const { return start_ + sim_ps + offset_; }
  [[nodiscard]] sim::Time sim_time(sim::Time real_ps) const {
    return std::max(sim_.now(), real_ps - start_ - offset_);
  }

  bool count_iteration(sim::Time t);
  bool people_noticed();
  void iteration_end(sim::Time at);
  void fast_forward(sim::Time at);
  [[nodiscard]] sim::Time next_disturbance() const;
  void arm_wake();
  void register_next();
  void hit_host(const transport::Fault& f, sim::Time at);
  void take_alarms();
  void stop_on_detection(const Alarm& alarm);
  void stop_by_people(sim::Time now);

  World& world_;
  sim::Time start_;
  sim::Simulator sim_;
  sim::HandlerId self_;
  sim::Recorder recorder_;  // disabled: an attempt writes no files
  transport::FlowModel model_;
  transport::FlowTransport transport_;
  transport::LinkFaults link_faults_;
  std::unique_ptr<workloads::CollectiveRun> job_;
  std::unique_ptr<workloads::ComputeModel> compute_;
  std::unique_ptr<workloads::graph::GraphRun> graph_;  // a job with a program
  std::uint32_t graph_iterations_ = 0;                 // the iterations its graph holds
  std::optional<workloads::Detector> c4_;
  std::optional<workloads::ManualDetector> manual_;

  IterationTally tally_;
  Periods periods_;
  sim::Time offset_ = 0;                      // real time the simulation skipped
  ActionKey handed_{0, 0};                    // the last action handed to the simulation
  sim::Time registered_until_ = 0;            // simulation time the last one handed over lands
  sim::Time settled_ = 0;                     // simulation time routing has converged by
  sim::Time manual_stop_ps_ = sim::kForever;  // real time people act
  bool stop_registered_ = false;
  std::uint64_t wake_generation_ = 0;
  std::uint64_t simulated_ = 0;
  std::uint64_t skipped_ = 0;
  bool stopped_ = false;
  std::size_t alarms_seen_ = 0;
  std::optional<Alarm> stopping_;  // a C4 alarm that stops the job
  AttemptEnd end_;
};

}  // namespace spinel::recovery
