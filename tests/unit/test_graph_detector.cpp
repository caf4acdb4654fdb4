// The C4-style detector on a program of several communicators (tensor,
// pipeline and data parallel on the same GPUs): it listens to each
// communicator and to the pipeline's transfers, finds each kind of fault
// and names the faulty part, not the ranks that only waited for it.
#include <gtest/gtest.h>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "expect_detection.hpp"
#include "sim/units.hpp"
#include "test_support.hpp"
#include "workloads/detector.hpp"

namespace spinel {
namespace {

using workloads::AnomalyClass;

// 32 GPUs in 4 servers of 8 (server s: hosts h8s .. h8s+7, on leaf s), tp 8
// inside each server, 2 pipeline stages and 2 replicas: rank = host.
api::Results run(const std::string& faults) {
  const std::string text = R"(name: graph_detector
seed: 3
topology: {kind: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 8, nics_per_host: 8}
workload:
  placement: contiguous
  iterations: 12
  parallel: {tp: 8, pp: 2, dp: 2}
  program:
    - {name: act_in, recv: prev, group: pp, size_bytes: 16MiB}
    - {name: fwd, compute: 2ms}
    - {name: fwd_tp, collective: ring_allreduce, group: tp, size_bytes: 16MiB}
    - {name: act_out, send: next, group: pp, size_bytes: 16MiB}
    - {name: grad_in, recv: next, group: pp, size_bytes: 16MiB, after: [fwd_tp]}
    - {name: bwd, compute: 4ms}
    - {name: bwd_tp, collective: ring_allreduce, group: tp, size_bytes: 16MiB}
    - {name: grad_out, send: prev, group: pp, size_bytes: 16MiB}
    - {name: dp_sync, collective: ring_allreduce, group: dp, size_bytes: 256MiB, after: [bwd_tp]}
detector: {hang_timeout: 100ms, slow_factor: 1.3, window: 3}
faults:
)" + faults;
  return api::run(scenario::load_string(text, "t.yaml"), api::RunOptions());
}

void expect_one(const api::Results& r, AnomalyClass anomaly, const std::string& suspect) {
  testing::expect_one_detection(r, anomaly, suspect);
  ASSERT_EQ(r.jobs[0].detections.size(), 1u);  // the job's own results list it too
}

TEST(GraphDetector, AHealthyJobRaisesNothing) {
  const api::Results r = run("  []\n");
  EXPECT_TRUE(r.jobs[0].finished);
  for (const auto& d : r.detections)
    ADD_FAILURE() << workloads::suspect_name(d) << ": " << d.evidence;
}

// h3's GPU slows: its tensor-parallel peers wait for it in every all-reduce
// and the whole pipeline slows, but only h3 computed longer.
TEST(GraphDetector, FindsAStragglerNotTheRanksThatWaitedForIt) {
  const api::Results r = run("  - {at: 50ms, host: h3, state: slow, factor: 1.6}\n");
  expect_one(r, AnomalyClass::non_communication_slow, "h3");
  EXPECT_GT(r.detections[0].at_ps, 50 * sim::kMillisecond);
}

// h10 (stage 1, replica 0) hangs: its tensor-parallel peers call the next
// all-reduce, it never does; the pipeline and the other replica stall idle.
TEST(GraphDetector, FindsAHungGpu) {
  const api::Results r = run("  - {at: 50ms, host: h10, state: hung}\n");
  expect_one(r, AnomalyClass::non_communication_hang, "h10");
  EXPECT_FALSE(r.jobs[0].finished);
}

// h12's NIC dies: its data-parallel ring stalls at it (both connections
// meet at h12). Its pipeline transfers stall too, but the job is hung once:
// a hang raised, its other communicators raise no more.
TEST(GraphDetector, FindsADeadNic) {
  const api::Results r = run("  - {at: 50ms, host: h12, state: nic_down}\n");
  expect_one(r, AnomalyClass::communication_hang, "h12");
  EXPECT_FALSE(r.jobs[0].finished);
}

// h13's NIC link degrades to 25 Gb/s after the connections' baselines
// (their first 3 iterations, about 115 ms: a fault inside them lowers them):
// its data-parallel connection to h29 slows (the sixteen data-parallel rings
// share the 2:1 oversubscribed fabric at about 76 Gb/s each, so a link at
// 100 Gb/s would change nothing; its tensor-parallel ring is on NVLink). The
// slower replica also shifts when the other rings' transfers overlap: two
// connections that had a path to themselves at 400 Gb/s in every baseline
// iteration now share it at 200 Gb/s and are flagged first, naming no faulty
// part (connection suspects, which a recovery run reports without stopping
// the job). A limit of a per-connection rate baseline on a job of several
// communicators, stated in docs/faults.md.
TEST(GraphDetector, FindsADegradedLinkAsASlowConnection) {
  const api::Results r = run("  - {at: 200ms, link: h13>leaf1, state: degraded, rate: 25Gbps}\n");
  ASSERT_FALSE(r.detections.empty());
  bool named = false;
  for (const workloads::Detection& d : r.detections) {
    EXPECT_EQ(d.anomaly, AnomalyClass::communication_slow) << d.evidence;
    EXPECT_TRUE(d.connection_suspect) << d.evidence;
    EXPECT_GT(d.at_ps, 200 * sim::kMillisecond);
    named = named || workloads::suspect_name(d) == "h13>h29";
  }
  EXPECT_TRUE(named);
  EXPECT_LE(r.detections.size(), 3u);
  ASSERT_EQ(r.detection.faults.size(), 1u);
  EXPECT_TRUE(r.detection.faults[0].detected);
  EXPECT_EQ(r.detection.false_alarms, 0u);
}

}  // namespace
}  // namespace spinel
