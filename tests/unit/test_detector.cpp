// The C4-style detector: it finds a single injected fault of each kind it
// knows, with the right class and suspect, from the collective library's
// statistics alone, and raises no alarm on a healthy run with jitter.
#include <gtest/gtest.h>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "expect_detection.hpp"
#include "sim/units.hpp"
#include "test_support.hpp"
#include "workloads/detector.hpp"

namespace spinel {
namespace {

namespace fs = std::filesystem;
using testing::slurp;
using workloads::AnomalyClass;

constexpr sim::Time kMs = sim::kMillisecond;

// 16 hosts on 4 leaves, contiguous placement (hN runs rank N), a training
// job whose 8 MiB gradient goes in 2 buckets after 1 ms of compute.
std::string scenario_text(const std::string& policy, const std::string& workload,
                          const std::string& faults) {
  return "name: detector\nseed: 11\n"
         "topology: {kind: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 4}\n"
         "transport: {policy: " +
         policy +
         "}\n"
         "workload: {collective: ring_allreduce, placement: contiguous, size_bytes: 8MiB, "
         "compute: 1ms, compute_jitter: 2%, buckets: 2, " +
         workload +
         "}\n"
         "detector: {hang_timeout: 5ms, slow_factor: 1.3, window: 3}\n"
         "faults:\n" +
         faults;
}

api::Results run(const std::string& policy, const std::string& workload, const std::string& faults,
                 const fs::path& dir = {}) {
  const scenario::Scenario s =
      scenario::load_string(scenario_text(policy, workload, faults), "t.yaml");
  return api::run(s, api::RunOptions(dir));
}

void expect_one(const api::Results& r, AnomalyClass anomaly, const std::string& suspect) {
  testing::expect_one_detection(r, anomaly, suspect);
}

TEST(Detector, FindsAStragglerWithinItsWindow) {
  const api::Results r =
      run("ecmp", "iterations: 12", "  - {at: 4ms, host: h6, state: slow, factor: 1.6}\n");
  expect_one(r, AnomalyClass::non_communication_slow, "h6");
  // Slow from the iteration computing at 4ms (its compute left stretches);
  // raised at the end of the third slow one.
  std::size_t first_slow = 0;
  while (r.jobs[0].iterations[first_slow].compute_end_ps < 4 * kMs) ++first_slow;
  EXPECT_EQ(r.detections[0].at_ps, r.jobs[0].iterations.at(first_slow + 2).end_ps);
}

TEST(Detector, FindsAHungHostAfterItsTimeout) {
  const api::Results r = run("ecmp", "iterations: 12", "  - {at: 3500us, host: h9, state: hung}\n");
  expect_one(r, AnomalyClass::non_communication_hang, "h9");
  EXPECT_FALSE(r.jobs[0].finished);
  // The others called the stuck collective before 3.5ms + 1ms of compute;
  // checked at the exact deadline, the timeout after the last of them.
  const sim::Time latency = r.detections[0].at_ps - 3500 * sim::kMicrosecond;
  EXPECT_GE(latency, 5 * kMs);
  EXPECT_LE(latency, 1 * kMs + 5 * kMs);
}

TEST(Detector, FindsADegradedNicLinkAsASlowConnection) {
  const api::Results r = run("ecmp", "iterations: 12",
                             "  - {at: 4ms, link: h5>leaf1, state: degraded, rate: 100Gbps}\n");
  // Rank 5 sends to rank 6 only: one slow connection, through the link.
  expect_one(r, AnomalyClass::communication_slow, "h5>h6");
}

// A dead NIC stalls the connections into and out of its host: every rank
// called the collective, nothing moves, and both stuck connections meet at
// the host.
TEST(Detector, FindsADeadNicAsACommunicationHang) {
  const api::Results r =
      run("ecmp", "iterations: 12", "  - {at: 3500us, host: h5, state: nic_down}\n");
  expect_one(r, AnomalyClass::communication_hang, "h5");
  EXPECT_FALSE(r.jobs[0].finished);
  const sim::Time latency = r.detections[0].at_ps - 3500 * sim::kMicrosecond;
  EXPECT_GE(latency, 5 * kMs);
  EXPECT_LE(latency, 1 * kMs + 5 * kMs);
}

// Only h5's sending direction dies: one stuck connection, the suspect.
TEST(Detector, FindsAOneWayNicLossAsAStuckConnection) {
  const api::Results r =
      run("ecmp", "iterations: 12", "  - {at: 3500us, link: h5>leaf1, state: down}\n");
  expect_one(r, AnomalyClass::communication_hang, "h5>h6");
}

TEST(Detector, LocalisesASlowUplinkByTheRoutesOfTheSlowConnections) {
  // Sprayed, every connection leaving leaf1 crosses leaf1>spine2.
  const api::Results r = run("spray", "iterations: 12",
                             "  - {at: 4ms, link: leaf1>spine2, state: degraded, rate: 10Gbps}\n");
  ASSERT_FALSE(r.detections.empty());
  EXPECT_EQ(r.detections[0].anomaly, AnomalyClass::communication_slow) << r.detections[0].evidence;
  EXPECT_TRUE(r.detection.faults[0].localised) << workloads::suspect_name(r.detections[0]);
  EXPECT_EQ(r.detection.false_alarms, 0u);
}

// A dead leaf stalls the connections of the hosts that hang off it: the
// stuck connections meet at one of them (h4's), which names the leaf.
TEST(Detector, LocalisesADeadLeafByTheHostsThatHangOffIt) {
  const api::Results r =
      run("ecmp", "iterations: 12", "  - {at: 3500us, switch: leaf1, state: down}\n");
  ASSERT_FALSE(r.detections.empty());
  EXPECT_EQ(r.detections[0].anomaly, AnomalyClass::communication_hang) << r.detections[0].evidence;
  EXPECT_TRUE(r.detection.faults[0].detected);
  EXPECT_TRUE(r.detection.faults[0].localised) << workloads::suspect_name(r.detections[0]);
  EXPECT_EQ(r.detection.false_alarms, 0u);
}

// C4's premise: with 2% compute jitter and ECMP's uneven paths, a healthy
// job's statistics stay periodic enough that nothing is raised.
TEST(Detector, RaisesNoAlarmInAThousandHealthyIterations) {
  const api::Results r = run("ecmp", "iterations: 1000", "  []\n");
  ASSERT_EQ(r.jobs[0].iterations.size(), 1000u);
  for (const auto& d : r.detections)
    ADD_FAILURE() << workloads::suspect_name(d) << ": " << d.evidence;
  EXPECT_EQ(r.detection.false_alarms, 0u);
}

TEST(Detector, WritesDetectionsAndTheirScore) {
  const fs::path a = testing::scratch_folder("detector", "a");
  const fs::path b = testing::scratch_folder("detector", "b");
  const std::string faults = "  - {at: 3500us, host: h9, state: hung}\n";
  (void)run("ecmp", "iterations: 8", faults, a);
  (void)run("ecmp", "iterations: 8", faults, b);
  const std::string csv = slurp(a / "detections.csv");
  EXPECT_EQ(csv, slurp(b / "detections.csv"));
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "detection,at_ps,job,class,suspect,fault,localised,evidence");
  EXPECT_NE(csv.find(",job0,non_communication_hang,h9,0,true,"), std::string::npos) << csv;
  const std::string summary = slurp(a / "summary.json");
  EXPECT_NE(summary.find("\"false_alarms\": 0"), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"localised\": 1"), std::string::npos) << summary;
}

TEST(DetectorErrors, EachMistakeIsNamed) {
  const auto error = [](const std::string& detector) {
    std::string text = scenario_text("ecmp", "iterations: 2", "  []\n");
    text.replace(text.find("detector: {"),
                 text.find('\n', text.find("detector: {")) - text.find("detector: {"),
                 "detector: " + detector);
    return testing::error_of_loading(
        [](const std::string& t) { return scenario::load_string(t, "t.yaml"); }, text);
  };
  EXPECT_EQ(error("{kind: manual}"),
            "t.yaml:6:1: detector: kind: manual (people diagnosing a stopped or slow job) needs a "
            "recovery section: it acts by restarting the job");
  EXPECT_EQ(error("{kind: people}"),
            "t.yaml:6:18: detector.kind: expected c4 or manual, got \"people\"");
  EXPECT_EQ(error("{slow_factor: 1}"),
            "t.yaml:6:25: detector.slow_factor: expected a number above 1, got \"1\"");
  EXPECT_EQ(error("{window: 0}"),
            "t.yaml:6:20: detector.window: expected an integer from 1 to 1000, got \"0\"");
  EXPECT_EQ(error("{hang_timeout: 1ns}"),
            "t.yaml:6:26: detector.hang_timeout: expected a duration of at least 1us, got "
            "\"1ns\"");
}

}  // namespace
}  // namespace spinel
