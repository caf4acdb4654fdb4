#include "workloads/recovery/recovery.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "transport/transport.hpp"
#include "workloads/recovery/attempt.hpp"
#include "workloads/recovery/world.hpp"

namespace spinel::recovery {

namespace {

// The clock's range is 106 days; a job still running at 100 stops the run.
constexpr sim::Time kLongestRun = 100 * 86400 * sim::kSecond;

double hours(sim::Time ps) {
  return static_cast<double>(ps) / (3600.0 * 1e12);
}

// Launches the job at `at`, or as soon as it can start: a dead NIC has its
// server swapped first, and a fabric that cannot connect the job (links
// down) is waited for until its next change. Returns the start and how the
// attempt ended.
std::pair<sim::Time, AttemptEnd> launch(World& world, sim::Time at, std::uint64_t remaining,
                                        std::uint32_t index) {
  for (;;) {
    world.land_until(at);
    while (world.isolate_dead_nics(at)) {
      at = world.crew.replace_isolated(at);
      world.land_until(at);
    }
    try {
      return std::pair{at, Attempt(world, at, remaining, index).run()};
    } catch (const transport::NoPathError&) {
      if (world.calendar.empty()) throw;
      at = world.calendar.first().first.first;
    }
  }
}

// The attempt's record: its time split into useful, rolled back and stalled.
AttemptRecord record_of(std::uint32_t index, sim::Time start, std::uint64_t saved_before,
                        const AttemptEnd& end) {
  AttemptRecord rec;
  rec.attempt = index;
  rec.start_ps = start;
  rec.first_iteration = saved_before;
  rec.end_ps = end.end_ps;
  rec.iterations = end.done;
  rec.finished = end.finished;
  rec.checkpoint = saved_before + end.saved;
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
  return rec;
}

// The response to a stop: C4 isolates the server of its suspect; people
// isolate the server of the part they found, or repair the link. Returns
// what was done.
std::string respond(World& world, const AttemptEnd& end) {
  std::optional<topology::HostId> culprit;
  std::string action;
  if (end.detector == "c4") {
    culprit = end.detection->src_host;
  } else if (end.fault) {
    culprit = world.host_hit(world.faults[*end.fault].fault);
    if (!culprit) {
      world.repair(*end.fault, end.end_ps, "people");
      action = "repair " + world.faults[*end.fault].fault.element();
    }
  }
  if (culprit) {
    const std::uint32_t unit = world.crew.unit_of(*culprit);
    world.isolate(unit, end.end_ps);
    action = "isolate " + world.crew.unit_name(unit);
  } else if (action.empty()) {
    action = "none";
  }
  return action;
}

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
    if (f.fault.state == transport::FaultState::up) continue;
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

}  // namespace

RecoveryRun run_recovery(const workloads::TrainingConfig& config,
                         const std::vector<FaultRate>& process, const RecoveryConfig& recovery,
                         const sim::ProgressCallback& progress) {
  World world(config, process, recovery);
  const workloads::WorkloadConfig& w = world.job;
  RecoveryRun run;
  run.ranks = static_cast<std::uint32_t>(world.crew.ranks().size());
  std::uint64_t saved = 0;  // iterations checkpointed
  sim::Time next = w.start_ps;
  for (std::uint32_t index = 0;; ++index) {
    const auto [start, end] = launch(world, next, w.iterations - saved, index);
    if (!run.attempts.empty()) run.attempts.back().restart_ps = start - run.attempts.back().end_ps;
    AttemptRecord rec = record_of(index, start, saved, end);
    saved = rec.checkpoint;
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
    rec.action = respond(world, end);
    next = world.crew.replace_isolated(end.end_ps + recovery.restart_ps);
    if (next > kLongestRun) {
      throw std::runtime_error("the job had not finished after 100 days of simulated time (" +
                               std::to_string(index + 1) +
                               " attempts): faults come faster than it recovers");
    }
    run.attempts.push_back(std::move(rec));
    if (progress) {
      progress(sim::Progress{next, run.events,
                             static_cast<double>(saved) / static_cast<double>(w.iterations)});
    }
  }
  run.faults = world.faults;
  run.totals = totals_of(run, w.start_ps);
  return run;
}

}  // namespace spinel::recovery
