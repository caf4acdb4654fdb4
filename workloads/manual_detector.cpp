#include "workloads/manual_detector.hpp"

#include <algorithm>
#include <cstdio>

#include "sim/error.hpp"

namespace spinel::workloads {

namespace {

double seconds(sim::Time ps) {
  return static_cast<double>(ps) / 1e12;
}

}  // namespace

ManualDetector::ManualDetector(sim::Simulator& sim, const DetectorConfig& config,
                               std::uint32_t buckets, sim::Time start)
    : sim_(sim),
      config_(config),
      wake_(sim, sim.add_handler(*this)),
      buckets_(buckets),
      last_done_ps_(start),
      last_iteration_ps_(start) {
  if (config_.watchdog_ps <= 0 || config_.slow_factor <= 1.0 || config_.window == 0 ||
      buckets_ == 0) {
    throw sim::InternalError("manual detector: bad configuration");
  }
  wake_.at(start + config_.watchdog_ps);
}

// One check armed at a time, at the watchdog's exact deadline: progress
// only moves the deadline later.
void ManualDetector::handle(const sim::Event& event) {
  if (!wake_.fired(event)) return;
  if (notice_ || finished_) return;
  const sim::Time deadline = last_done_ps_ + config_.watchdog_ps;
  if (sim_.now() < deadline) {
    wake_.at(deadline);
    return;
  }
  char text[160];
  std::snprintf(text, sizeof text, "no collective completed for %.0f s (watchdog)",
                seconds(sim_.now() - last_done_ps_));
  notice(sim_.now(), AnomalyClass::job_hang, text);
}

void ManualDetector::collective_done(std::uint32_t /*job*/, std::uint32_t index, sim::Time at,
                                     bool last) {
  last_done_ps_ = at;
  finished_ = last;
  if (!wake_.armed() && !notice_ && !finished_) wake_.at(at + config_.watchdog_ps);
  if (index % buckets_ != buckets_ - 1 || notice_) return;
  const sim::Time period = at - last_iteration_ps_;
  last_iteration_ps_ = at;
  if (periods_seen_ < config_.window) {
    baseline_ps_ = periods_seen_ == 0 ? period : std::min(baseline_ps_, period);
    ++periods_seen_;
    return;
  }
  const bool slow =
      static_cast<double>(period) > config_.slow_factor * static_cast<double>(baseline_ps_);
  slow_run_ = slow ? slow_run_ + 1 : 0;
  if (slow_run_ < config_.window) return;
  char text[200];
  std::snprintf(text, sizeof text,
                "iterations took %.3f s, over %.2f times the usual %.3f s, %u iterations running",
                seconds(period), config_.slow_factor, seconds(baseline_ps_), slow_run_);
  notice(at, AnomalyClass::job_slow, text);
}

void ManualDetector::notice(sim::Time at, AnomalyClass anomaly, std::string evidence) {
  notice_ = ManualNotice{at, anomaly, std::move(evidence)};
  if (stop_on_notice_) sim_.stop();
}

}  // namespace spinel::workloads
