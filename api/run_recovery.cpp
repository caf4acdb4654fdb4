// A recovery run through the library (workloads/recovery): its results in
// memory and its files.
#include "api/metrics.hpp"
#include "api/outputs.hpp"
#include "api/runs.hpp"
#include "workloads/recovery/recovery.hpp"

namespace spinel::api {

Results run_recovery(const Scenario& s, const RunOptions& options) {
  Results r;
  r.kind = RunKind::recovery;
  r.recovery =
      recovery::run_recovery(training_config(s), s.fault_process, *s.recovery, options.on_progress);
  r.events = r.recovery->events;
  r.end_ps = r.recovery->end_ps;
  r.metrics = recovery_metrics_json(*r.recovery);
  if (!options.out_dir.empty()) {
    sim::Recorder recorder(options.out_dir);
    write_recovery_files(recorder, s, *r.recovery, r.metrics);
    recorder.flush();
  }
  return r;
}

}  // namespace spinel::api
