// A recovery run's files: attempts.csv, faults.csv (each fault with its
// fate), detections.csv (every alarm) and summary.json.
#include <string>

#include "api/output_columns.hpp"
#include "api/outputs.hpp"
#include "workloads/detection_score.hpp"

namespace spinel::api {

void write_recovery_files(sim::Recorder& recorder, const scenario::Scenario& scenario,
                          const recovery::RecoveryRun& run, const sim::Json& metrics) {
  sim::CsvTable* attempts = recorder.table(columns::attempts);
  for (const recovery::AttemptRecord& a : run.attempts) {
    attempts->cell(a.attempt).cell(a.start_ps).cell(a.end_ps).cell(a.first_iteration);
    attempts->cell(a.iterations).cell(a.checkpoint);
    attempts->cell(a.useful_ps).cell(a.rework_ps).cell(a.stalled_ps).cell(a.restart_ps);
    if (a.finished) {
      attempts->cell("finished").cell("").cell("").cell("").cell("").cell("");
    } else {
      attempts->cell(a.detector).cell(workloads::to_string(a.detection->anomaly));
      attempts->cell(a.detector == "c4" || a.fault ? workloads::suspect_name(*a.detection) : "");
      if (a.fault) {
        attempts->cell(static_cast<std::uint64_t>(*a.fault)).cell(a.localised ? "true" : "false");
      } else {
        attempts->cell("").cell("");
      }
      attempts->cell(a.action);
    }
    attempts->end_row();
  }
  sim::CsvTable* faults = recorder.table(columns::recovery_faults);
  for (std::size_t i = 0; i < run.faults.size(); ++i) {
    const recovery::FaultRecord& f = run.faults[i];
    faults->cell(static_cast<std::uint64_t>(i)).cell(f.fault.at_ps).cell(f.kind);
    faults->cell(f.fault.on_host() ? f.fault.host : f.fault.link)
        .cell(transport::to_string(f.fault.state));
    if (f.fault.state == transport::FaultState::degraded) {
      faults->cell(f.fault.rate_gbps);
    } else {
      faults->cell("");
    }
    if (f.fault.state == transport::FaultState::slow) {
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
  sim::CsvTable* detections = recorder.table(columns::recovery_detections);
  std::uint64_t n = 0;
  const auto row = [&](const recovery::AttemptRecord& a, const recovery::Alarm& alarm,
                       const std::string& detector, const std::string& action) {
    const workloads::Detection& d = alarm.detection;
    detections->cell(n++).cell(d.at_ps).cell(a.attempt).cell(detector);
    detections->cell(workloads::to_string(d.anomaly));
    detections->cell(detector == "c4" || alarm.fault ? workloads::suspect_name(d) : "");
    if (alarm.fault) {
      detections->cell(static_cast<std::uint64_t>(*alarm.fault))
          .cell(alarm.localised ? "true" : "false");
    } else {
      detections->cell("").cell("");
    }
    detections->cell(action).cell(d.evidence).end_row();
  };
  for (const recovery::AttemptRecord& a : run.attempts) {
    for (const recovery::Alarm& report : a.reports) row(a, report, "c4", "report");
    if (!a.finished)
      row(a, recovery::Alarm{*a.detection, a.fault, a.localised}, a.detector, a.action);
  }
  write_summary_json(recorder, scenario, metrics);
}

}  // namespace spinel::api
