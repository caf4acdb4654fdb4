#pragma once
// The baseline C4 is measured against: people watching a job. They see
// only what a training dashboard shows, the job's progress: a watchdog
// notices when no collective has completed for `watchdog` (a hang), and
// the throughput plot shows iterations running over `slow_factor` times
// their usual period for `window` iterations in a row (a slowdown). Either
// way they then need `diagnosis_delay` to find the faulty part, which they
// do find: manual root-causing is slow, not wrong. A detector of its own,
// or the fallback behind C4's (which may miss what only the job's progress
// shows).
#include <cstdint>
#include <optional>
#include <string>

#include "sim/earliest_wake.hpp"
#include "sim/simulator.hpp"
#include "workloads/collective_monitor.hpp"
#include "workloads/config.hpp"
#include "workloads/detector.hpp"

namespace spinel::workloads {

// What the people noticed, and when (the diagnosis then takes
// diagnosis_delay more).
struct ManualNotice {
  sim::Time at_ps = 0;
  AnomalyClass anomaly = AnomalyClass::job_hang;
  std::string evidence;
};

class ManualDetector final : public CollectiveMonitor, public sim::EventHandler {
 public:
  // Watches one job of `buckets` collectives per iteration, from `start`.
  ManualDetector(sim::Simulator& sim, const DetectorConfig& config, std::uint32_t buckets,
                 sim::Time start);

  void collective_opened(std::uint32_t, std::uint32_t, std::uint32_t, sim::Time) override {}
  void rank_entered(std::uint32_t, std::uint32_t, std::uint32_t, sim::Time) override {}
  void transfer_started(const TransferStat&) override {}
  void transfer_done(std::uint32_t, transport::ConnectionId, sim::Time) override {}
  void collective_done(std::uint32_t job, std::uint32_t index, sim::Time at, bool last) override;
  void handle(const sim::Event& event) override;

  [[nodiscard]] const std::optional<ManualNotice>& notice() const { return notice_; }
  // Nothing will change by watching more of the same: it noticed already
  // (and watches no more), or its baseline is set and no slow run is
  // building up. See Detector::quiescent.
  [[nodiscard]] bool quiescent() const {
    return notice_ || (periods_seen_ >= config_.window && slow_run_ == 0);
  }
  // Stop the simulator when it notices (a driver that acts on it).
  void stop_on_notice(bool stop) { stop_on_notice_ = stop; }

 private:
  void notice(sim::Time at, AnomalyClass anomaly, std::string evidence);

  sim::Simulator& sim_;
  DetectorConfig config_;
  sim::EarliestWake wake_;  // the watchdog's next check
  std::uint32_t buckets_;
  sim::Time last_done_ps_;       // the latest collective completed (or the start)
  sim::Time last_iteration_ps_;  // the latest iteration's end (or the start)
  std::uint32_t periods_seen_ = 0;
  sim::Time baseline_ps_ = 0;  // the shortest of the first `window` iteration periods
  std::uint32_t slow_run_ = 0;
  bool finished_ = false;
  std::optional<ManualNotice> notice_;
  bool stop_on_notice_ = false;
};

}  // namespace spinel::workloads
