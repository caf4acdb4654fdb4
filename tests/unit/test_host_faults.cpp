// Faults of hosts and flapping links: a straggler stretches the compute it
// has left, a hung rank stops its job where it hangs (the run still ends and
// says so), a flapping link goes down and up on schedule, and faults.csv
// holds the truth a detector is scored against.
#include <gtest/gtest.h>

#include <limits>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "sim/units.hpp"
#include "test_support.hpp"
#include "workloads/compute.hpp"

namespace spinel {
namespace {

namespace fs = std::filesystem;
using testing::slurp;

constexpr sim::Time kUs = sim::kMicrosecond;

TEST(HostFaults, ASlowdownStretchesTheComputeStillToDo) {
  workloads::ComputeModel m({100 * kUs, 0.0, 1}, 3, 1, "compute.job0");
  m.slow_from(1, 40 * kUs, 2.0);  // part-way through the first iteration
  m.slow_from(2, 0, 3.0);         // from the start
  EXPECT_EQ(m.ready_at(0, 0, 0), 100 * kUs);
  EXPECT_EQ(m.ready_at(1, 0, 0), 40 * kUs + 2 * 60 * kUs);
  EXPECT_EQ(m.ready_at(2, 0, 0), 300 * kUs);
  ASSERT_EQ(m.iterations().size(), 1u);
  EXPECT_EQ(m.iterations()[0].end_ps, 300 * kUs);
  EXPECT_EQ(m.iterations()[0].slowest_rank, 2u);
  // The next iteration, from 500us: rank 1 is slow for all of it.
  EXPECT_EQ(m.ready_at(0, 1, 500 * kUs), 600 * kUs);
  EXPECT_EQ(m.ready_at(1, 1, 500 * kUs), 700 * kUs);
}

TEST(HostFaults, ALaterSlowdownReplacesAnEarlierOne) {
  workloads::ComputeModel m({100 * kUs, 0.0, 2}, 1, 1, "compute.job0");
  m.slow_from(0, 0, 4.0);
  m.slow_from(0, 20 * kUs, 1.0);  // back to full speed after 5us of work
  // Bucket 0 needs 50us of work: 5 done by 20us, 45 more at full speed.
  EXPECT_EQ(m.ready_at(0, 0, 0), 65 * kUs);
  EXPECT_EQ(m.ready_at(0, 1, 0), 115 * kUs);
}

TEST(HostFaults, AHungRankNeverFinishesWhatItHasLeft) {
  workloads::ComputeModel m({100 * kUs, 0.0, 2}, 2, 1, "compute.job0");
  m.hang_from(1, 70 * kUs);
  EXPECT_EQ(m.ready_at(0, 0, 0), 50 * kUs);
  EXPECT_EQ(m.ready_at(1, 0, 0), 50 * kUs);  // its first bucket was ready before it hung
  EXPECT_EQ(m.ready_at(0, 1, 0), 100 * kUs);
  EXPECT_EQ(m.ready_at(1, 1, 0), sim::kForever);
  EXPECT_EQ(m.iterations()[0].end_ps, sim::kForever);
  EXPECT_EQ(m.iterations()[0].slowest_rank, 1u);
}

// 8 hosts, contiguous placement: host hN runs rank N.
std::string scenario_text(const std::string& workload, const std::string& faults) {
  return "name: host_faults\nseed: 5\n"
         "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4}\n"
         "transport: {policy: ecmp}\n"
         "workload: {collective: ring_allreduce, placement: contiguous, " +
         workload + "}\nfaults:\n" + faults;
}

api::Results run(const std::string& workload, const std::string& faults, const fs::path& dir = {}) {
  const scenario::Scenario s = scenario::load_string(scenario_text(workload, faults), "t.yaml");
  return api::run(s, api::RunOptions(dir));
}

TEST(HostFaults, AStragglerDelaysEveryIterationByItsExtraCompute) {
  const std::string w = "size_bytes: 1MiB, compute: 1ms, iterations: 3";
  const api::Results healthy = run(w, "  []\n");
  const api::Results slow = run(w, "  - {at: 0s, host: h5, state: slow, factor: 1.5}\n");
  ASSERT_EQ(slow.jobs[0].iterations.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& it = slow.jobs[0].iterations[i];
    EXPECT_EQ(it.slowest_rank, 5u);
    EXPECT_EQ(it.compute_end_ps - it.start_ps, 1500 * kUs);
    // The others get ahead while it computes, so less communication is
    // exposed; but it still sends its 2(N-1)/N of the buffer after.
    const sim::Time healthy_exposed =
        healthy.jobs[0].iterations[i].end_ps - healthy.jobs[0].iterations[i].compute_end_ps;
    EXPECT_LE(it.end_ps - it.compute_end_ps, healthy_exposed);
    EXPECT_GE(it.end_ps - it.compute_end_ps, sim::serialisation_ps(2 * 7 * (1 << 20) / 8, 400));
  }
}

TEST(HostFaults, AHungHostStopsItsJobAndTheRunSaysSo) {
  const fs::path dir = testing::scratch_folder("host_faults", "hung");
  const api::Results r = run("size_bytes: 1MiB, compute: 1ms, iterations: 4, buckets: 2",
                             "  - {at: 2800us, host: h2, state: hung}\n", dir);
  // Iterations 0 and 1 finish (the second ends after 2ms plus two
  // all-reduces); h2 hangs in iteration 2's compute, after its first
  // bucket was ready at its half: the second never is.
  ASSERT_EQ(r.jobs[0].iterations.size(), 2u);
  EXPECT_LT(r.jobs[0].iterations[1].end_ps, 2800 * kUs);
  ASSERT_EQ(r.jobs[0].collectives.size(), 5u);
  EXPECT_EQ(r.jobs[0].collectives[4].iteration, 2u);
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_FALSE(r.jobs[0].finished);
  const std::string summary = slurp(dir / "summary.json");
  EXPECT_NE(summary.find("\"finished\": false"), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"collectives_completed\": 5"), std::string::npos) << summary;
  EXPECT_EQ(slurp(dir / "faults.csv"),
            "fault,at_ps,element,state,rate_gbps,factor,period_ps,until_ps,job,rank\n"
            "0,2800000000,h2,hung,,,,,job0,2\n");
}

TEST(HostFaults, AFaultOnAHostWithoutARankChangesNothing) {
  const std::string w = "size_bytes: 1MiB, compute: 100us, hosts: 4";
  const api::Results healthy = run(w, "  []\n");
  const api::Results r = run(w, "  - {at: 0s, host: h7, state: hung}\n");
  ASSERT_TRUE(r.jobs[0].finished);
  EXPECT_EQ(r.jobs[0].iterations[0].end_ps, healthy.jobs[0].iterations[0].end_ps);
}

// leaf0's uplinks are the bottleneck (2 x 100 Gb/s for 400 Gb/s NICs) of a
// sprayed ring; once one of them is down the crossing flow gets half. A
// link that comes back up carries the connections opened after, but the
// flows that moved off it stay where they went (see README, Link faults):
// flapping from mid-run costs what losing the link then does.
TEST(HostFaults, AFlappingLinkGoesDownAndUpOnSchedule) {
  const auto flaps = [](const std::string& faults, const fs::path& dir = {}) {
    const std::string text =
        "name: flapping\nseed: 5\n"
        "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4,"
        " spine_link: {rate: 100Gbps}}\n"
        "transport: {policy: spray}\n"
        "workload: {collective: ring_allreduce, placement: contiguous, size_bytes: 8MiB}\n"
        "faults:\n" +
        faults;
    return api::run(scenario::load_string(text, "t.yaml"), api::RunOptions(dir));
  };
  const auto end = [](const api::Results& x) { return x.jobs[0].collectives.back().end_ps; };
  const sim::Time steady = end(flaps("  []\n"));
  const sim::Time down = end(flaps("  - {at: 50us, link: leaf0>spine0, state: down}\n"));
  EXPECT_GT(down, steady);
  // Flapping after the all-reduce ends changes nothing.
  EXPECT_EQ(end(flaps("  - {at: 5ms, link: leaf0>spine0, state: flapping, period: 100us, "
                      "until: 6ms}\n")),
            steady);
  const std::string flapping =
      "  - {at: 50us, link: leaf0>spine0, state: flapping, period: 100us, until: 10ms}\n";
  const fs::path dir = testing::scratch_folder("host_faults", "flapping");
  const api::Results r = flaps(flapping, dir);
  EXPECT_EQ(end(r), down);
  EXPECT_EQ(r.end_ps, 10 * sim::kMillisecond);  // its last up, at until
  EXPECT_EQ(slurp(dir / "faults.csv"),
            "fault,at_ps,element,state,rate_gbps,factor,period_ps,until_ps,job,rank\n"
            "0,50000000,leaf0>spine0,flapping,,,100000000,10000000000,,\n");
  // Same scenario, same bytes.
  const fs::path again = testing::scratch_folder("host_faults", "flapping_again");
  (void)flaps(flapping, again);
  EXPECT_EQ(slurp(dir / "collectives.csv"), slurp(again / "collectives.csv"));
}

}  // namespace
}  // namespace spinel
