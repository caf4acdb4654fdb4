// Three-tier fabrics from scenario files: the clos3 and fat_tree sections,
// their errors, and whole flow-level runs on them (every collective, faults
// on every tier, the detector, time series).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "test_support.hpp"
#include "tools/sweep/sweep.hpp"

namespace spinel::api {
namespace {

namespace fs = std::filesystem;

std::string error_of(const std::string& yaml) {
  return testing::error_of_loading(
      [](const std::string& y) { return scenario::load_string(y, "t.yaml"); }, yaml);
}

const std::string kWorkload =
    "workload: {collective: ring_allreduce, size_bytes: 4MiB, placement: random}\n";

TEST(Clos3Scenario, LoadsAndEchoes) {
  const scenario::Scenario s = scenario::load_string(
      "name: c\n"
      "topology:\n"
      "  kind: clos3\n"
      "  pods: 3\n"
      "  leaves_per_pod: 4\n"
      "  aggs_per_pod: 2\n"
      "  hosts_per_leaf: 8\n"
      "  cores: 8\n"
      "  agg_link: {rate: 800Gbps}\n"
      "  core_link: {latency: 2us}\n" +
          kWorkload,
      "t.yaml");
  const topology::FabricConfig& t = s.topology;
  EXPECT_EQ(t.kind, topology::FabricKind::clos3);
  EXPECT_EQ(t.leaves, 12u);
  EXPECT_EQ(t.leaves_per_pod(), 4u);
  EXPECT_EQ(t.core_groups, 2u);  // one group per agg of a pod by default
  EXPECT_EQ(t.agg_link.rate_gbps, 800.0);
  EXPECT_EQ(t.core_link.latency_ps, 2 * sim::kMicrosecond);
  EXPECT_EQ(scenario::host_count(s), 96u);
  const std::string echo = sim::json_text(scenario::to_json(s));
  EXPECT_NE(echo.find("\"kind\": \"clos3\""), std::string::npos) << echo;
  EXPECT_NE(echo.find("\"leaves_per_pod\": 4"), std::string::npos) << echo;
  EXPECT_EQ(echo.find("spine"), std::string::npos) << echo;
}

TEST(Clos3Scenario, FatTreePreset) {
  const scenario::Scenario s = scenario::load_string(
      "name: f\ntopology: {kind: fat_tree, k: 8, nics_per_host: 4, rail_optimised: true}\n" +
          kWorkload,
      "t.yaml");
  EXPECT_EQ(s.topology.fat_tree_k, 8u);
  EXPECT_EQ(s.topology.pods, 8u);
  EXPECT_EQ(s.topology.cores, 16u);
  EXPECT_EQ(scenario::host_count(s), 128u);
  const std::string echo = sim::json_text(scenario::to_json(s));
  EXPECT_NE(echo.find("\"kind\": \"fat_tree\""), std::string::npos) << echo;
  EXPECT_NE(echo.find("\"k\": 8"), std::string::npos) << echo;
}

TEST(Clos3Scenario, Errors) {
  const std::string head = "name: c\ntopology:\n  kind: clos3\n";
  const std::string shape =
      "  pods: 2\n  leaves_per_pod: 2\n  aggs_per_pod: 4\n  hosts_per_leaf: 2\n";
  EXPECT_EQ(error_of(head + shape + "  cores: 6\n" + kWorkload),
            "t.yaml:8:10: topology.cores: the cores split into one group per agg of a pod (4) "
            "unless core_groups says otherwise; got 6 cores");
  EXPECT_EQ(error_of(head + shape + "  cores: 6\n  core_groups: 4\n" + kWorkload),
            "t.yaml:9:16: topology.core_groups: core_groups must divide aggs_per_pod (4) and "
            "cores (6), got \"4\"");
  EXPECT_STARTS_WITH(
      error_of(head + shape + "  cores: 4\n  spines: 4\n" + kWorkload),
      "t.yaml:9:3: topology.spines: unknown key; allowed: kind, pods, leaves_per_pod, "
      "aggs_per_pod, hosts_per_leaf, cores, core_groups, host_link, agg_link");
  EXPECT_STARTS_WITH(error_of(head + "  pods: 2\n  leaves_per_pod: 2\n  hosts_per_leaf: 2\n" +
                              "  cores: 4\n" + kWorkload),
                     "t.yaml:2:1: topology: missing required key \"aggs_per_pod\"");
  EXPECT_EQ(error_of("name: f\ntopology: {kind: fat_tree, k: 5}\n" + kWorkload),
            "t.yaml:2:31: topology.k: expected an even k, got \"5\"");
  EXPECT_EQ(error_of(head +
                     "  pods: 2\n  leaves_per_pod: 3\n  aggs_per_pod: 2\n"
                     "  hosts_per_leaf: 2\n  cores: 2\n  nic_ports: 2\n" +
                     kWorkload),
            "t.yaml:9:14: topology.nic_ports: dual-port NICs pair each pod's leaves up; got 3 "
            "leaves per pod, use an even number");
  EXPECT_EQ(error_of(head + shape + "  cores: 4\n" + kWorkload +
                     "faults: [{at: 1us, link: leaf0>agg4, state: down}]\n"),
            "t.yaml:10:26: faults[0].link: expected a directed link of this fabric, named as in "
            "links.csv (e.g. h0>leaf0, leaf0>agg0, agg0>core0, core0>agg0), got \"leaf0>agg4\" "
            "(did you mean \"leaf0>agg0\"?)");
  EXPECT_EQ(error_of(head + shape + "  cores: 4\n" + kWorkload +
                     "faults: [{at: 1us, switch: spine0, state: down}]\n"),
            "t.yaml:10:28: faults[0].switch: expected a switch of this fabric, leaf0 to leaf3, "
            "agg0 to agg7 or core0 to core3, got \"spine0\"");
}

// The three-tier keys sweep on a clos3 base (and k on a fat tree's).
TEST(Clos3Scenario, ThreeTierKeysCanBeSwept) {
  const sweep::Sweep s = sweep::load_sweep_string(
      "name: sw\n"
      "topology: {kind: clos3, pods: 2, leaves_per_pod: 2, aggs_per_pod: 2, hosts_per_leaf: 2, "
      "cores: 2}\n" +
          kWorkload +
          "sweep:\n  grid:\n"
          "    topology.pods: [3]\n"
          "    topology.leaves_per_pod: [4]\n"
          "    topology.aggs_per_pod: [4]\n"
          "    topology.cores: [8]\n"
          "    topology.core_groups: [2]\n"
          "    topology.agg_link.rate: [800Gbps]\n"
          "    topology.agg_link.latency: [1us]\n"
          "    topology.core_link.rate: [200Gbps]\n"
          "    topology.core_link.latency: [2us]\n",
      "t.yaml");
  const scenario::Scenario sc = s.scenario_of(s.points.front());
  EXPECT_EQ(sc.topology.leaves, 12u);
  EXPECT_EQ(sc.topology.core_groups, 2u);
  EXPECT_EQ(sc.topology.agg_link.rate_gbps, 800.0);
  EXPECT_EQ(sc.topology.core_link.latency_ps, 2 * sim::kMicrosecond);
  const sweep::Sweep k =
      sweep::load_sweep_string("name: sw\ntopology: {kind: fat_tree, k: 4}\n" + kWorkload +
                                   "sweep:\n  grid:\n    topology.k: [4, 6, 8]\n",
                               "t.yaml");
  EXPECT_EQ(k.scenario_of(k.points.back()).topology.host_count(), 128u);
}

fs::path scratch(const std::string& name) {
  return testing::scratch_folder("spinel_test_clos3_", name);
}

// A k = 4 fat tree (16 hosts) with one job of every collective, under a policy.
scenario::Scenario fat_tree_run(const std::string& collective, const std::string& policy,
                                const std::string& extra = "") {
  return scenario::load_string(
      "name: run\nseed: 2\n"
      "topology: {kind: fat_tree, k: 4}\n"
      "transport: {policy: " +
          policy +
          "}\n"
          "workload: {collective: " +
          collective + ", size_bytes: 2MiB, placement: random, iterations: 2}\n" + extra,
      "run.yaml");
}

TEST(Clos3Run, EveryCollectiveUnderEveryPolicyDeliversEveryByte) {
  for (const char* collective :
       {"ring_allreduce", "tree_allreduce", "halving_doubling_allreduce", "reduce_scatter",
        "all_gather", "all_to_all", "pairwise_all_to_all"}) {
    for (const char* policy : {"ecmp", "spray", "mprdma:4", "split", "planned", "planned:2"}) {
      const Results r = run(fat_tree_run(collective, policy), RunOptions{});
      ASSERT_EQ(r.jobs[0].collectives.size(), 2u) << collective << " " << policy;
      EXPECT_TRUE(r.jobs[0].finished) << collective << " " << policy;
      EXPECT_EQ(r.flows.bytes_sent, r.flows.bytes_delivered) << collective << " " << policy;
      EXPECT_GT(r.flows.bytes_sent, 0u);
    }
  }
}

TEST(Clos3Run, HierarchicalAllReduceOnRails) {
  const scenario::Scenario s = scenario::load_string(
      "name: h\ntopology: {kind: clos3, pods: 2, leaves_per_pod: 4, aggs_per_pod: 2, "
      "hosts_per_leaf: 4, cores: 4, nics_per_host: 4, rail_optimised: true}\n"
      "workload: {collective: hierarchical_allreduce, size_bytes: 8MiB, placement: rail}\n",
      "h.yaml");
  const Results r = run(s, RunOptions{});
  ASSERT_EQ(r.jobs[0].collectives.size(), 1u);
  EXPECT_EQ(r.flows.bytes_sent, r.flows.bytes_delivered);
  ASSERT_TRUE(r.metrics.contains("agg_oversubscription"));
  // 4 leaves x 400 Gb/s down, 2 cores of its group x 400 Gb/s up.
  EXPECT_EQ(sim::json_text(r.metrics.at("agg_oversubscription")), "2\n");
}

// Faults on the upper tiers: a dead agg-to-core link, a dead core switch, a
// degraded core-to-agg link, with and without routing convergence time:
// the flows move and the job ends, under every policy.
TEST(Clos3Run, FaultsOnEveryTier) {
  const std::string faults =
      "faults:\n"
      "  - {at: 20us, link: agg0>core0, state: down}\n"
      "  - {at: 30us, switch: core3, state: down}\n"
      "  - {at: 40us, link: core1>agg2, state: degraded, rate: 100Gbps}\n"
      "  - {at: 50us, switch: agg5, state: down}\n"
      "  - {at: 300us, switch: core3, state: up}\n";
  for (const char* policy : {"ecmp", "spray", "mprdma:4", "split", "planned"}) {
    for (const char* convergence : {"0ns", "50us"}) {
      scenario::Scenario s = fat_tree_run("ring_allreduce", policy, faults);
      s.transport.convergence_ps = std::string(convergence) == "0ns" ? 0 : 50 * sim::kMicrosecond;
      const Results r = run(s, RunOptions{});
      EXPECT_TRUE(r.jobs[0].finished) << policy << " " << convergence;
      EXPECT_EQ(r.flows.bytes_sent, r.flows.bytes_delivered) << policy << " " << convergence;
    }
  }
}

// A dead link slows the job down; the faults.csv names it; links.csv names
// the new tiers' links by their kinds.
TEST(Clos3Run, OutputsNameTheNewTiers) {
  const fs::path dir = scratch("outputs");
  const Results r = run(fat_tree_run("all_to_all", "ecmp",
                                     "faults: [{at: 0ns, link: agg0>core0, state: down}]\n"
                                     "output: {timeseries: {interval: 10us, links: fabric}}\n"),
                        RunOptions(dir));
  EXPECT_TRUE(r.jobs[0].finished);
  const std::string links = testing::slurp(dir / "links.csv");
  for (const char* kind : {",leaf_up,", ",agg_down,", ",agg_up,", ",core_down,"}) {
    EXPECT_NE(links.find(kind), std::string::npos) << kind;
  }
  EXPECT_NE(links.find("agg0>core0,agg_up,"), std::string::npos);
  EXPECT_NE(testing::slurp(dir / "faults.csv").find("agg0>core0"), std::string::npos);
  const std::string series = testing::slurp(dir / "timeseries.csv");
  EXPECT_NE(series.find("core0>agg0"), std::string::npos);
  EXPECT_EQ(series.find("h0>leaf0"), std::string::npos);  // fabric links only
}

// The detector finds a degraded agg-to-core link and localises it by the
// slow connections through it.
TEST(Clos3Run, DetectorLocalisesADegradedCoreLink) {
  const Results r =
      run(scenario::load_string("name: d\nseed: 4\n"
                                "topology: {kind: fat_tree, k: 4}\n"
                                "workload: {collective: ring_allreduce, size_bytes: 8MiB, "
                                "placement: random, iterations: 9}\n"
                                "faults: [{at: 4ms, link: agg0>core0, state: degraded, "
                                "rate: 20Gbps}]\n"
                                "detector: {kind: c4}\n",
                                "d.yaml"),
          RunOptions{});
  EXPECT_TRUE(r.jobs[0].finished);
  EXPECT_EQ(r.detection.detected, 1u);
  EXPECT_EQ(r.detection.localised, 1u);
}

// A long job with restarts on a fat tree: a failure process that takes down
// and degrades leaf-to-agg uplinks (and hangs GPUs) is detected, the job
// restarts, and fast-forward agrees with the full simulation.
TEST(Clos3Run, RecoveryUnderAFailureProcessOnUplinksToAggs) {
  const auto text = [](const char* fast) {
    return std::string(
               "name: r\nseed: 4\ntopology: {kind: fat_tree, k: 4}\n"
               "transport: {policy: ecmp, convergence: 10ms}\n"
               "workload: {collective: ring_allreduce, size_bytes: 16MiB, hosts: 12, "
               "compute: 5ms, buckets: 2, iterations: 6000}\n"
               "detector: {kind: c4, hang_timeout: 50ms, slow_factor: 1.3, window: 3, "
               "watchdog: 5s, diagnosis_delay: 60s}\n"
               "recovery: {checkpoint_interval: 5s, restart: 2s, repair: 100s, fast_forward: ") +
           fast +
           "}\n"
           "fault_process:\n"
           "  - {kind: hang, mtbf_hours: 0.1}\n"
           "  - {kind: uplink_down, mtbf_hours: 0.2}\n"
           "  - {kind: uplink_degraded, mtbf_hours: 0.2}\n";
  };
  const Results fast = run(scenario::load_string(text("true"), "r.yaml"));
  const Results full = run(scenario::load_string(text("false"), "r.yaml"));
  ASSERT_TRUE(fast.recovery);
  const recovery::RecoveryRun& r = *fast.recovery;
  EXPECT_GE(r.faults.size(), 3u);
  EXPECT_GE(r.attempts.size(), 2u);
  bool agg_uplink = false;
  for (const recovery::FaultRecord& f : r.faults) {
    agg_uplink = agg_uplink || f.fault.link.find(">agg") != std::string::npos;
  }
  EXPECT_TRUE(agg_uplink);
  EXPECT_EQ(sim::json_text(fast.metrics), sim::json_text(full.metrics));
}

// trace.json on a fat tree: the switch links belong to the fabric process.
TEST(Clos3Run, TraceOnThreeTiers) {
  const fs::path dir = scratch("trace");
  const Results r =
      run(fat_tree_run("ring_allreduce", "spray", "output: {trace: true}\n"), RunOptions(dir));
  EXPECT_TRUE(r.jobs[0].finished);
  const std::string trace = testing::slurp(dir / "trace.json");
  EXPECT_NE(trace.find("agg"), std::string::npos);
  EXPECT_NE(trace.find("core"), std::string::npos);
}

}  // namespace
}  // namespace spinel::api
