// A long job that detections stop and restarts resume (api/recovery):
// each fault is found and its part isolated, the job rolls back to its
// checkpoint, GPU time adds up (useful + lost), people are slower than C4,
// and fast-forward writes exactly what the full simulation writes.
#include <gtest/gtest.h>

#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "test_support.hpp"
#include "tools/sweep/sweep.hpp"

namespace spinel {
namespace {

namespace fs = std::filesystem;
using testing::slurp;

constexpr sim::Time kS = sim::kSecond;
constexpr sim::Time kMs = sim::kMillisecond;

// 12 of 16 hosts (4 spares), a ring all-reduce after 5 ms of compute:
// iterations of about 9 ms.
std::string scenario_text(const std::string& detector, const std::string& faults,
                          const std::string& recovery, std::uint32_t iterations = 3000) {
  return "name: recovery\nseed: 4\n"
         "topology: {kind: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 4}\n"
         "transport: {policy: ecmp, convergence: 10ms}\n"
         "workload: {collective: ring_allreduce, size_bytes: 16MiB, hosts: 12, compute: 5ms, "
         "buckets: 2, iterations: " +
         std::to_string(iterations) +
         "}\n"
         "detector: {kind: " +
         detector +
         ", hang_timeout: 50ms, slow_factor: 1.3, window: 3, watchdog: 5s, "
         "diagnosis_delay: 60s}\n"
         "recovery: {checkpoint_interval: 5s, restart: 2s, repair: 100s" +
         recovery + "}\n" + faults;
}

api::Results run_with_metrics(const std::string& text, const fs::path& out = {}) {
  return api::run(scenario::load_string(text, "test.yaml"), api::RunOptions(out));
}

recovery::RecoveryRun run(const std::string& text, const fs::path& out = {}) {
  return *run_with_metrics(text, out).recovery;
}

sim::Time sum_of_parts(const recovery::RecoveryRun& r) {
  sim::Time sum = 0;
  for (const recovery::AttemptRecord& a : r.attempts) {
    sum += a.useful_ps + a.rework_ps + a.stalled_ps + a.restart_ps;
  }
  return sum;
}

TEST(Recovery, WithoutFaultsTheJobRunsOnceAndLosesNothing) {
  const auto r = run(scenario_text("c4", "", ""));
  ASSERT_EQ(r.attempts.size(), 1u);
  EXPECT_TRUE(r.attempts[0].finished);
  EXPECT_EQ(r.attempts[0].iterations, 3000u);
  EXPECT_EQ(r.totals.lost_gpu_hours, 0.0);
  EXPECT_EQ(r.attempts[0].useful_ps, r.end_ps);
  // Fast-forward simulated a handful of the 3000 iterations.
  EXPECT_LT(r.simulated_iterations, 20u);
  EXPECT_EQ(r.simulated_iterations + r.skipped_iterations, 3000u);
}

TEST(Recovery, AHungGpuIsIsolatedAndTheJobRestartsFromItsCheckpoint) {
  const auto r = run(scenario_text("c4", "faults: [{at: 12s, host: h3, state: hung}]\n", ""));
  ASSERT_EQ(r.attempts.size(), 2u);
  const recovery::AttemptRecord& stop = r.attempts[0];
  EXPECT_EQ(stop.detector, "c4");
  EXPECT_EQ(stop.detection->anomaly, workloads::AnomalyClass::non_communication_hang);
  EXPECT_EQ(stop.action, "isolate h3");
  ASSERT_TRUE(stop.fault.has_value());
  EXPECT_TRUE(stop.localised);
  // Found within the hang timeout after the others called (at most one
  // iteration after the fault, then 50 ms).
  EXPECT_GT(stop.end_ps, 12 * kS + 50 * kMs);
  EXPECT_LT(stop.end_ps, 12 * kS + 80 * kMs);
  // Checkpoints every 5 s: the one at about 10 s is where the job resumes,
  // 2 s (the restart) after the stop, on a spare instead of h3.
  EXPECT_EQ(r.attempts[1].first_iteration, stop.checkpoint);
  EXPECT_LT(stop.checkpoint, stop.iterations);
  EXPECT_GT(stop.rework_ps, 0);
  EXPECT_EQ(stop.restart_ps, 2 * kS);
  EXPECT_EQ(r.attempts[1].start_ps, stop.end_ps + 2 * kS);
  EXPECT_TRUE(r.attempts[1].finished);
  EXPECT_EQ(r.attempts[1].first_iteration + r.attempts[1].iterations, 3000u);
  EXPECT_EQ(r.faults.at(0).cleared_by, "isolated");
  // GPU time adds up: every picosecond of the job's life is in one part.
  EXPECT_EQ(sum_of_parts(r), r.end_ps);
  EXPECT_NEAR(r.totals.useful_gpu_hours + r.totals.lost_gpu_hours, r.totals.gpu_hours, 1e-9);
}

TEST(Recovery, PeopleFindAHangAfterTheWatchdogAndTheirDiagnosis) {
  const auto r = run(scenario_text("manual", "faults: [{at: 12s, host: h3, state: hung}]\n", ""));
  ASSERT_EQ(r.attempts.size(), 2u);
  const recovery::AttemptRecord& stop = r.attempts[0];
  EXPECT_EQ(stop.detector, "manual");
  EXPECT_EQ(stop.detection->anomaly, workloads::AnomalyClass::job_hang);
  EXPECT_EQ(stop.action, "isolate h3");
  EXPECT_TRUE(stop.localised);
  // The last collective completed within an iteration of 12 s; then the
  // 5 s watchdog and the 60 s diagnosis.
  EXPECT_GT(stop.end_ps, 12 * kS + 65 * kS - 20 * kMs);
  EXPECT_LT(stop.end_ps, 12 * kS + 65 * kS + 20 * kMs);
  EXPECT_GE(stop.stalled_ps, 65 * kS);
  EXPECT_EQ(sum_of_parts(r), r.end_ps);
  // C4 loses less of the same job to the same fault.
  const auto c4 = run(scenario_text("c4", "faults: [{at: 12s, host: h3, state: hung}]\n", ""));
  EXPECT_LT(c4.totals.lost_gpu_hours, r.totals.lost_gpu_hours);
}

TEST(Recovery, EachFaultKindStopsTheJobAtTheRightPart) {
  struct Case {
    std::string fault;
    workloads::AnomalyClass anomaly;
    std::string action;
  };
  const Case cases[] = {
      {"{at: 12s, host: h5, state: slow, factor: 2}",
       workloads::AnomalyClass::non_communication_slow, "isolate h5"},
      {"{at: 12s, host: h7, state: nic_down}", workloads::AnomalyClass::communication_hang,
       "isolate h7"},
      // Both ways: the connections into and out of h6 turn slow and meet
      // there (one slow connection alone names no host: it is reported).
      {"{at: 12s, link: h6>leaf1, state: degraded, rate: 50Gbps}, "
       "{at: 12s, link: leaf1>h6, state: degraded, rate: 50Gbps}",
       workloads::AnomalyClass::communication_slow, "isolate h6"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.fault);
    const auto r = run(scenario_text("c4", "faults: [" + c.fault + "]\n", ""));
    ASSERT_EQ(r.attempts.size(), 2u);
    EXPECT_EQ(r.attempts[0].detection->anomaly, c.anomaly);
    EXPECT_EQ(r.attempts[0].action, c.action);
    EXPECT_TRUE(r.attempts[0].localised);
    EXPECT_TRUE(r.attempts[1].finished);
    EXPECT_EQ(sum_of_parts(r), r.end_ps);
  }
}

TEST(Recovery, ALaunchWithADeadNicSwapsItsServerFirst) {
  const auto r = run(scenario_text("c4", "faults: [{at: 0s, host: h2, state: nic_down}]\n", ""));
  ASSERT_EQ(r.attempts.size(), 1u);
  EXPECT_TRUE(r.attempts[0].finished);
  EXPECT_EQ(r.faults.at(0).cleared_by, "launch");
}

TEST(Recovery, AJobTheFabricCannotConnectWaitsForARepair) {
  std::string faults = "faults:\n";
  for (int spine = 0; spine < 4; ++spine) {
    faults += "  - {at: 0s, link: leaf0>spine" + std::to_string(spine) + ", state: down}\n";
  }
  faults += "  - {at: 5s, link: leaf0>spine2, state: up}\n";
  const auto r = run(scenario_text("c4", faults, ""));
  ASSERT_EQ(r.attempts.size(), 1u);
  EXPECT_EQ(r.attempts[0].start_ps, 5 * kS);
  EXPECT_TRUE(r.attempts[0].finished);
  // The wait is lost time, as a restart is.
  EXPECT_EQ(sum_of_parts(r) + 5 * kS, r.end_ps);
  EXPECT_NEAR(r.totals.lost_restart_gpu_hours, 12 * 5.0 / 3600, 1e-12);
}

// The fast path skips iterations that repeat exactly: what it writes is
// what the full simulation writes, byte for byte, under a failure process
// that hits GPUs, NICs and uplinks, for either detector.
TEST(Recovery, FastForwardAgreesExactlyWithTheFullSimulation) {
  const std::string process =
      "fault_process:\n"
      "  - {kind: hang, mtbf_hours: 0.1}\n"
      "  - {kind: straggler, mtbf_hours: 0.1, factor: 1.5}\n"
      "  - {kind: nic_down, mtbf_hours: 0.2}\n"
      "  - {kind: nic_degraded, mtbf_hours: 0.2}\n"
      "  - {kind: uplink_down, mtbf_hours: 0.2}\n"
      "  - {kind: uplink_degraded, mtbf_hours: 0.2}\n";
  for (const std::string detector : {"c4", "manual"}) {
    SCOPED_TRACE(detector);
    const std::string prefix = "spinel_recovery_" + detector;
    const fs::path fast = testing::scratch_folder(prefix, "_fast");
    const fs::path full = testing::scratch_folder(prefix, "_full");
    const api::Results fast_run =
        run_with_metrics(scenario_text(detector, process, ", fast_forward: true", 6000), fast);
    const api::Results full_run =
        run_with_metrics(scenario_text(detector, process, ", fast_forward: false", 6000), full);
    const recovery::RecoveryRun& a = *fast_run.recovery;
    const recovery::RecoveryRun& b = *full_run.recovery;
    EXPECT_GE(a.faults.size(), 3u);
    EXPECT_GE(a.attempts.size(), 2u);
    EXPECT_LT(a.simulated_iterations * 20, b.simulated_iterations);
    for (const char* file : {"attempts.csv", "faults.csv", "detections.csv"}) {
      EXPECT_EQ(slurp(fast / file), slurp(full / file)) << file;
    }
    EXPECT_EQ(sim::json_text(fast_run.metrics), sim::json_text(full_run.metrics));
    EXPECT_EQ(sum_of_parts(a), a.end_ps);
  }
}

// The downtime study sweeps the detector and the recovery's costs.
TEST(Recovery, ItsKeysCanBeSwept) {
  const sweep::Sweep s = sweep::load_sweep_string(
      scenario_text("c4", "", "") +
          "sweep:\n  grid:\n    detector.kind: [manual]\n    detector.hang_timeout: [20ms]\n"
          "    detector.watchdog: [1s]\n    detector.diagnosis_delay: [2h]\n"
          "    recovery.checkpoint_interval: [10min]\n    recovery.restart: [3min]\n"
          "    recovery.fast_forward: [false]\n",
      "t.yaml");
  const scenario::Scenario sc = s.scenario_of(s.points.at(0));
  EXPECT_EQ(sc.detector.kind, workloads::DetectorKind::manual);
  EXPECT_EQ(sc.detector.hang_timeout_ps, 20 * kMs);
  EXPECT_EQ(sc.detector.watchdog_ps, kS);
  EXPECT_EQ(sc.detector.diagnosis_delay_ps, 7200 * kS);
  EXPECT_EQ(sc.recovery->checkpoint_interval_ps, 600 * kS);
  EXPECT_EQ(sc.recovery->restart_ps, 180 * kS);
  EXPECT_FALSE(sc.recovery->fast_forward);
}

TEST(Recovery, BadInputSaysWhatToDo) {
  using testing::error_of_loading;
  const auto load = [](const std::string& text) { return scenario::load_string(text, "x.yaml"); };
  const std::string job =
      "name: x\ntopology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4}\n"
      "workload: {collective: ring_allreduce, size_bytes: 1MiB, compute: 1ms, iterations: 10}\n";
  EXPECT_STARTS_WITH(
      error_of_loading(load, job + "fault_process: [{kind: hang, mtbf_hours: 10}]\n"),
      "x.yaml:4:1: fault_process: a fault process hits a long job");
  EXPECT_STARTS_WITH(error_of_loading(load, job + "detector: {kind: manual}\n"),
                     "x.yaml:4:1: detector: kind: manual");
  EXPECT_STARTS_WITH(error_of_loading(load, job + "recovery: {}\n"),
                     "x.yaml:4:1: recovery: recovery restarts the job when a detector");
  EXPECT_STARTS_WITH(
      error_of_loading(load, job + "detector: {kind: c4}\nrecovery: {restart: 5 minutes}\n"),
      "x.yaml:5:21: recovery.restart:");
  EXPECT_STARTS_WITH(error_of_loading(load, job + "detector: {kind: c4}\nrecovery: {}\n"
                                                  "fault_process: [{kind: hang, mtbf_hours: 0}]\n"),
                     "x.yaml:6:42: fault_process[0].mtbf_hours:");
  const std::string jittery =
      "name: x\ntopology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4}\n"
      "workload: {collective: ring_allreduce, size_bytes: 1MiB, compute: 1ms, compute_jitter: "
      "2%, iterations: 10}\ndetector: {kind: c4}\nrecovery: {}\n";
  const std::string e = error_of_loading(load, jittery);
  EXPECT_NE(e.find("compute_jitter: 0 or recovery.fast_forward: false"), std::string::npos) << e;
}

}  // namespace
}  // namespace spinel
