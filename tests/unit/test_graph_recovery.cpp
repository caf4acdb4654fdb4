// Recovery on a job with a program (tensor, pipeline and data parallel on
// 2 of 4 servers): C4 listens to its communicators, a hung GPU stops it,
// its server is swapped for a spare and the job resumes from its checkpoint;
// fast-forward skips the iterations that repeat.
#include <gtest/gtest.h>

#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "test_support.hpp"

namespace spinel {
namespace {

std::string scenario_text(const std::string& faults, std::uint32_t iterations = 3000,
                          const std::string& recovery = "") {
  return R"(name: graph_recovery
seed: 5
topology: {kind: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 8, nics_per_host: 8}
workload:
  hosts: 2
  placement: contiguous
  iterations: )" +
         std::to_string(iterations) + R"(
  parallel: {tp: 4, pp: 2, dp: 2}
  program:
    - {name: act_in, recv: prev, group: pp, size_bytes: 4MiB}
    - {name: fwd, compute: 1ms}
    - {name: fwd_tp, collective: ring_allreduce, group: tp, size_bytes: 4MiB}
    - {name: act_out, send: next, group: pp, size_bytes: 4MiB}
    - {name: grad_in, recv: next, group: pp, size_bytes: 4MiB, after: [fwd_tp]}
    - {name: bwd, compute: 2ms}
    - {name: bwd_tp, collective: ring_allreduce, group: tp, size_bytes: 4MiB}
    - {name: grad_out, send: prev, group: pp, size_bytes: 4MiB}
    - {name: dp_sync, collective: ring_allreduce, group: dp, size_bytes: 32MiB, after: [bwd_tp]}
detector: {kind: c4, hang_timeout: 50ms, slow_factor: 1.3, window: 3}
recovery: {checkpoint_interval: 1s, restart: 2s, repair: 100s)" +
         recovery + "}\n" + faults;
}

recovery::RecoveryRun run(const std::string& faults) {
  return *api::run(scenario::load_string(scenario_text(faults), "t.yaml"), api::RunOptions())
              .recovery;
}

TEST(GraphRecovery, WithoutFaultsTheProgramRunsOnceAndFastForwards) {
  const recovery::RecoveryRun r = run("");
  ASSERT_EQ(r.attempts.size(), 1u);
  EXPECT_TRUE(r.attempts[0].finished);
  EXPECT_EQ(r.attempts[0].iterations, 3000u);
  EXPECT_EQ(r.totals.lost_gpu_hours, 0.0);
  EXPECT_LT(r.simulated_iterations, 30u);
  EXPECT_EQ(r.simulated_iterations + r.skipped_iterations, 3000u);
}

TEST(GraphRecovery, AHungGpuStopsTheJobWhichResumesOnASpareServer) {
  const recovery::RecoveryRun r = run("faults: [{at: 4s, host: h3, state: hung}]\n");
  ASSERT_EQ(r.attempts.size(), 2u);
  const recovery::AttemptRecord& stop = r.attempts[0];
  EXPECT_EQ(stop.detector, "c4");
  ASSERT_TRUE(stop.detection.has_value());
  EXPECT_EQ(stop.detection->anomaly, workloads::AnomalyClass::non_communication_hang)
      << stop.detection->evidence;
  EXPECT_TRUE(stop.localised);
  EXPECT_GT(stop.end_ps, 4 * sim::kSecond);
  EXPECT_LT(stop.end_ps, 4 * sim::kSecond + 200 * sim::kMillisecond);
  EXPECT_TRUE(r.attempts[1].finished);
  // The second attempt resumes from the checkpoint: the iterations kept add up to the job's.
  EXPECT_EQ(r.attempts[1].first_iteration + r.attempts[1].iterations, 3000u);
  EXPECT_GT(r.totals.lost_gpu_hours, 0.0);
}

// Skipping the iterations that repeat changes nothing: the same files, byte
// for byte, as simulating every one of them.
TEST(GraphRecovery, FastForwardWritesWhatTheFullSimulationWrites) {
  const std::string faults = "faults: [{at: 1s, host: h3, state: hung}]\n";
  const auto fast = testing::scratch_folder("graph_recovery", "fast");
  const auto full = testing::scratch_folder("graph_recovery", "full");
  api::run(scenario::load_string(scenario_text(faults, 400), "t.yaml"), api::RunOptions(fast));
  api::run(scenario::load_string(scenario_text(faults, 400, ", fast_forward: false"), "t.yaml"),
           api::RunOptions(full));
  for (const char* f : {"attempts.csv", "faults.csv", "detections.csv"}) {
    EXPECT_EQ(testing::slurp(fast / f), testing::slurp(full / f)) << f;
  }
  EXPECT_NE(testing::slurp(fast / "attempts.csv").find("isolate s0"), std::string::npos);
}

}  // namespace
}  // namespace spinel
