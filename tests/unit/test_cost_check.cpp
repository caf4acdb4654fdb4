// Accepted scenarios never overflow, blow up or crawl unannounced: what the
// loader refuses (located) from its estimate of a run's needs, the warnings
// it gives, and the three wordings of issue 20.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "sim/error.hpp"
#include "test_support.hpp"
#include "topology/topology.hpp"

namespace spinel::scenario {
namespace {

// Line numbers matter to the tests below.
const std::string kBase =
    "name: t\n"                                       // 1
    "topology:\n"                                     // 2
    "  kind: leaf_spine\n"                            // 3
    "  leaves: 4\n"                                   // 4
    "  spines: 8\n"                                   // 5
    "  hosts_per_leaf: 8\n"                           // 6
    "  host_link: {rate: 400Gbps, latency: 500ns}\n"  // 7
    "workload:\n"                                     // 8
    "  collective: ring_allreduce\n"                  // 9
    "  size_bytes: 256MiB\n"                          // 10
    "  iterations: 2\n";                              // 11

std::string with(std::string_view from, std::string_view to, std::string base = kBase) {
  const std::size_t at = base.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) base.replace(at, from.size(), to);
  return base;
}

std::string error_of(const std::string& yaml) {
  return testing::error_of_loading([](const std::string& y) { return load_string(y, "t.yaml"); },
                                   yaml);
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(CostCheck, BaseHasNoWarnings) {
  EXPECT_TRUE(load_string(kBase, "t.yaml").warnings.empty());
}

TEST(CostCheck, APetabyteAtAGigabitOverflowsTheClockAtItsSize) {
  const std::string e =
      error_of(with("size_bytes: 256MiB", "size_bytes: 1PiB", with("400Gbps", "1Gbps")));
  EXPECT_STARTS_WITH(e, "t.yaml:10:15: workload.size_bytes: job job0 needs at least ");
  EXPECT_TRUE(has(e, "days of simulated time at these rates")) << e;
  EXPECT_TRUE(has(e, "ring_allreduce of 1PiB over 32 ranks at 1Gbps per rank")) << e;
  EXPECT_TRUE(has(e, "the clock holds 106.8 days (2^63 ps)")) << e;
  EXPECT_TRUE(has(e, "days over")) << e;
}

TEST(CostCheck, AGibibyteAtABitPerSecondOverflows) {
  const std::string e =
      error_of(with("size_bytes: 256MiB", "size_bytes: 1GiB", with("400Gbps", "1bps")));
  EXPECT_STARTS_WITH(e, "t.yaml:10:15: workload.size_bytes: job job0 needs at least ");
}

TEST(CostCheck, AMillionHourLongIterationsOverflowAtTheCompute) {
  const std::string e =
      error_of(with("  iterations: 2\n", "  iterations: 1000000\n  compute: 1h\n"));
  EXPECT_STARTS_WITH(e, "t.yaml:12:12: workload.compute: job job0 needs at least ");
  EXPECT_TRUE(has(e, "1000000 iterations of compute 1.0 h each")) << e;
}

TEST(CostCheck, AJobInAListIsNamedByItsPlace) {
  const std::string jobs =
      "jobs:\n"
      "  - {name: a, hosts: 2, collective: ring_allreduce, size_bytes: 1MiB}\n"
      "  - {name: b, hosts: 2, collective: ring_allreduce, size_bytes: 1PiB}\n";
  const std::string e =
      error_of(with("400Gbps", "1bps", kBase.substr(0, kBase.find("workload:")) + jobs));
  EXPECT_TRUE(has(e, "t.yaml:10:")) << e;
  EXPECT_TRUE(has(e, "jobs[1].size_bytes: job b needs at least")) << e;
}

TEST(CostCheck, OverLongTimeseriesIsRefusedAtItsInterval) {
  const std::string e = error_of(kBase + "output:\n  timeseries: {interval: 1ns, links: all}\n");
  EXPECT_STARTS_WITH(
      e, "t.yaml:13:26: output.timeseries.interval: timeseries.csv would have at least ");
  EXPECT_TRUE(has(e, "over the limit of 5000000")) << e;
  // A coarse interval over the same run is fine.
  EXPECT_NO_THROW(
      (void)load_string(kBase + "output:\n  timeseries: {interval: 10us, links: all}\n", "t.yaml"));
}

TEST(CostCheck, AFastFlappingLinkIsRefusedAtItsPeriod) {
  const std::string e = error_of(
      kBase +
      "faults:\n  - {at: 1ms, link: leaf0>spine1, state: flapping, period: 2ps, until: 1s}\n");
  EXPECT_STARTS_WITH(e, "t.yaml:13:60: faults[0].period: the faults change links ");
  EXPECT_TRUE(has(e, "over the limit of 4194304")) << e;
  // A slow one loads.
  EXPECT_NO_THROW((void)load_string(
      kBase +
          "faults:\n  - {at: 1ms, link: leaf0>spine1, state: flapping, period: 2ms, until: 1s}\n",
      "t.yaml"));
}

TEST(CostCheck, AMillionHostRingIsExtreme) {
  const Scenario s = load_string(with("  leaves: 4\n  spines: 8\n  hosts_per_leaf: 8\n",
                                      "  leaves: 1024\n  spines: 4\n  hosts_per_leaf: 1024\n"),
                                 "t.yaml");
  ASSERT_FALSE(s.warnings.empty());
  EXPECT_TRUE(s.warnings[0].extreme);
  EXPECT_TRUE(has(s.warnings[0].message, "t.yaml:9:3: workload: about ")) << s.warnings[0].message;
  EXPECT_TRUE(has(s.warnings[0].message, "events")) << s.warnings[0].message;
}

// The fabric's memory is estimated from its configuration: the count must be
// what building it makes, on every kind of fabric.
TEST(CostCheck, FabricLinksAreWhatTheBuildMakes) {
  const std::string shapes[] = {
      "  kind: leaf_spine\n  leaves: 4\n  spines: 8\n  hosts_per_leaf: 8\n",
      "  kind: leaf_spine\n  leaves: 4\n  spines: 2\n  parallel_links: 3\n  hosts_per_leaf: "
      "8\n",
      "  kind: leaf_spine\n  leaves: 4\n  spines: 8\n  hosts_per_leaf: 8\n  nic_ports: 2\n",
      "  kind: leaf_spine\n  leaves: 4\n  spines: 8\n  hosts_per_leaf: 8\n  planes: 2\n  "
      "nic_ports: 2\n",
      "  kind: clos3\n  pods: 2\n  leaves_per_pod: 4\n  aggs_per_pod: 4\n  cores: 8\n  "
      "core_groups: 2\n  hosts_per_leaf: 4\n",
      "  kind: fat_tree\n  k: 8\n",
  };
  for (const std::string& shape : shapes) {
    const Scenario s = load_string(
        with("  kind: leaf_spine\n  leaves: 4\n  spines: 8\n  hosts_per_leaf: 8\n", shape),
        "t.yaml");
    EXPECT_EQ(fabric_links(s), static_cast<double>(topology::build_fabric(s.topology).link_count()))
        << shape;
  }
}

TEST(CostCheck, TheFabricCountsInTheMemoryWarning) {
  // 4,193,280 leaf-spine cables (1.25 GiB of fabric) and a 2,560-rank
  // all-to-all's 6,551,040 flows at once (3.1 GiB): neither alone reaches the
  // 4 GiB of the warning, together they do.
  const Scenario s = load_string(with("  leaves: 4\n  spines: 8\n  hosts_per_leaf: 8\n",
                                      "  leaves: 1280\n  spines: 3276\n  hosts_per_leaf: 2\n",
                                      with("ring_allreduce", "all_to_all")),
                                 "t.yaml");
  ASSERT_FALSE(s.warnings.empty());
  const std::string& m = s.warnings.front().message;
  EXPECT_TRUE(has(m,
                  "the fabric (8391680 links) and the flows that run at once (6551040) need "
                  "about 4.37 GiB (1.25 GiB for the fabric)"))
      << m;
}

TEST(CostCheck, ATimeoutBelowTheRoundTripIsExtremeAndATinyBufferWarned) {
  const Scenario s = load_string(
      kBase + "transport:\n  model: packet\n  packet: {rto: 1ns, buffer_bytes: 4160}\n", "t.yaml");
  ASSERT_EQ(s.warnings.size(), 2U);
  EXPECT_TRUE(s.warnings[0].extreme);
  EXPECT_STARTS_WITH(s.warnings[0].message, "t.yaml:14:17: transport.packet.rto: a timeout of 1ns");
  EXPECT_FALSE(s.warnings[1].extreme);
  EXPECT_TRUE(has(s.warnings[1].message, "transport.packet.buffer_bytes: a buffer of 4160B"))
      << s.warnings[1].message;
}

TEST(CostCheck, PicosecondChurnIsExtreme) {
  const std::string pccl =
      "name: p\n"
      "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 8}\n"
      "pccl:\n"
      "  peers: 4\n"
      "  duration: 60s\n"
      "  churn:\n"
      "    interval: {min: 1ps, max: 1ps}\n";
  const Scenario s = load_string(pccl, "p.yaml");
  ASSERT_EQ(s.warnings.size(), 1U);
  EXPECT_TRUE(s.warnings[0].extreme);
  EXPECT_STARTS_WITH(s.warnings[0].message, "p.yaml:7:21: pccl.churn.interval.min: about ");
}

TEST(CostCheck, TimeOverflowAtRunTimeNamesTheLongestJob) {
  const Scenario s = load_string(kBase, "t.yaml");
  EXPECT_TRUE(has(longest_job(s), "job job0 needs at least ")) << longest_job(s);
}

TEST(LoaderWording, DeepNestingSaysTooDeepAndTheLimit) {
  const std::string e = error_of(kBase + "x: " + std::string(10000, '[') + std::string(10000, ']'));
  EXPECT_STARTS_WITH(e, "t.yaml:12:");
  EXPECT_TRUE(has(e, "syntax: lists and maps are nested too deep here")) << e;
  EXPECT_TRUE(has(e, "stops at 500 levels")) << e;
}

TEST(LoaderWording, ANulByteIsNamedWhereItIs) {
  std::string yaml = kBase;
  yaml.replace(yaml.find("name: t"), 7, std::string("name: q\0s", 9));
  const std::string e = error_of(yaml);
  EXPECT_STARTS_WITH(e, "t.yaml:1:8: syntax: a NUL byte (0x00) in the text");
  const std::string bell = error_of(with("ring_allreduce", "ring\aallreduce"));
  EXPECT_STARTS_WITH(bell, "t.yaml:9:19: syntax: a control character (0x07)");
}

TEST(LoaderWording, AnEmptyJobListSaysItIsEmpty) {
  const std::string e = error_of(kBase.substr(0, kBase.find("workload:")) + "jobs: []\n");
  EXPECT_STARTS_WITH(e, "t.yaml:8:7: jobs: the list of jobs is empty; it needs at least one job");
}

}  // namespace
}  // namespace spinel::scenario

namespace spinel::scenario {
namespace {

std::filesystem::path scratch(const std::string& name) {
  const std::filesystem::path dir = testing::scratch_folder("spinel_cost_check_", name);
  std::filesystem::create_directories(dir);
  return dir;
}

// A long schedule as CSV: every row a fault, as a list item would be.
TEST(FaultsFile, AHundredThousandFaultsLoad) {
  const std::filesystem::path dir = scratch("many");
  {
    std::ofstream csv(dir / "faults.csv");
    csv << "# a comment\nat,link,state,period,until\n";
    for (int i = 0; i < 100'000; ++i) {
      csv << i + 1 << "us,leaf" << i % 4 << ">spine" << (i / 4) % 8 << ","
          << (i % 2 == 0 ? "down" : "up") << ",,\n";
    }
    csv << "200ms,leaf1>spine0,flapping,2ms,250ms\n";
  }
  std::ofstream(dir / "s.yaml") << kBase << "faults:\n  - {at: 0s, host: h3, state: hung}\n"
                                << "faults_file: faults.csv\n";
  const Scenario s = load_file(dir / "s.yaml");
  ASSERT_EQ(s.faults.size(), 100'002U);
  EXPECT_EQ(s.faults[0].host, "h3");  // the list's first, then the rows
  EXPECT_EQ(s.faults[1].at_ps, sim::kMicrosecond);
  EXPECT_EQ(s.faults[1].link, "leaf0>spine0");
  EXPECT_EQ(s.faults[2].state, FaultState::up);
  EXPECT_EQ(s.faults.back().state, FaultState::flapping);
  EXPECT_EQ(s.faults.back().period_ps, 2 * sim::kMillisecond);
}

TEST(FaultsFile, RowErrorsNameTheFileLineAndRow) {
  const std::filesystem::path dir = scratch("bad");
  std::ofstream(dir / "s.yaml") << kBase << "faults_file: faults.csv\n";
  const auto error_with = [&](const std::string& csv) {
    std::ofstream(dir / "faults.csv") << csv;
    return testing::error_of_loading([](const std::filesystem::path& p) { return load_file(p); },
                                     dir / "s.yaml");
  };
  const std::string csv = (dir / "faults.csv").string();
  EXPECT_STARTS_WITH(error_with("at,link,state\n1us,leaf0>spine1,down\n2us,leaf9>spine1,up\n"),
                     csv + ":3:1: faults_file[1].link: expected a directed link of this fabric");
  EXPECT_STARTS_WITH(error_with("at,lnk,state\n"),
                     csv + ":1:1: faults_file: unknown column \"lnk\" in the header");
  EXPECT_STARTS_WITH(error_with("at,link,state\n1us,leaf0>spine1\n"),
                     csv + ":2:1: faults_file: expected 3 cells as the header has, got 2");
  EXPECT_STARTS_WITH(error_with("at,link,state\n1us,leaf0>spine1,flapping\n"),
                     csv + ":2:1: faults_file[0].state: a flapping link needs a period");
}

}  // namespace
}  // namespace spinel::scenario
