#include "api/scenario/scenario.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <exception>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sim/error.hpp"
#include "sim/rng.hpp"
#include "sim/time.hpp"

#ifndef SPINEL_SOURCE_DIR
#error "SPINEL_SOURCE_DIR must name the source tree"
#endif

namespace spinel::scenario {
namespace {

const std::string kQuickstartPath = std::string(SPINEL_SOURCE_DIR) + "/scenarios/quickstart.yaml";

// A small valid scenario; the line numbers matter to the error tests below.
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
    "  placement: random\n";                          // 11

// kBase with `from` (which must occur exactly once) replaced by `to`.
std::string with(std::string_view from, std::string_view to, const std::string& base = kBase) {
  const std::size_t at = base.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(base.find(from, at + 1), std::string::npos) << from;
  if (at == std::string::npos) return base;
  std::string out = base;
  out.replace(at, from.size(), to);
  return out;
}

std::string error_of(const std::string& yaml) {
  return testing::error_of_loading([](const std::string& y) { return load_string(y, "t.yaml"); },
                                   yaml);
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void expect_quickstart_values(const Scenario& s) {
  EXPECT_EQ(s.name, "quickstart");
  EXPECT_NE(s.description.find("ECMP"), std::string::npos);
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.topology.leaves, 4u);
  EXPECT_EQ(s.topology.spines, 8u);
  EXPECT_EQ(s.topology.hosts_per_leaf, 8u);
  EXPECT_EQ(s.topology.parallel_links, 1u);
  EXPECT_EQ(s.topology.host_link.rate_gbps, 400.0);
  EXPECT_EQ(s.topology.host_link.latency_ps, 500 * sim::kNanosecond);
  EXPECT_EQ(s.topology.spine_link.rate_gbps, 400.0);
  EXPECT_EQ(s.topology.spine_link.latency_ps, 500 * sim::kNanosecond);
  EXPECT_EQ(s.transport.model, transport::Model::flow);
  EXPECT_EQ(s.transport.policy, transport::PathPolicy::ecmp);
  EXPECT_EQ(s.jobs[0].collective, workloads::Collective::ring_allreduce);
  EXPECT_EQ(s.jobs[0].size_bytes, 256ULL << 20);
  EXPECT_EQ(s.jobs[0].hosts, 0u);
  EXPECT_EQ(s.jobs[0].placement, workloads::Placement::random);
  EXPECT_TRUE(s.jobs[0].ranks.empty());
  EXPECT_EQ(s.jobs[0].iterations, 2u);
  EXPECT_EQ(s.jobs[0].compute_gap_ps, 0);
  EXPECT_EQ(s.output.dir, "");
  EXPECT_TRUE(s.output.flows);
}

TEST(Scenario, QuickstartFileLoads) {
  const Scenario s = load_file(kQuickstartPath);
  EXPECT_EQ(s.source, kQuickstartPath);
  expect_quickstart_values(s);
}

TEST(Scenario, DefaultIsTheQuickstartFile) {
  EXPECT_EQ(std::string(default_scenario_yaml()), read_bytes(kQuickstartPath));
  const Scenario s = load_default();
  EXPECT_EQ(s.source, "<default>");
  expect_quickstart_values(s);
}

TEST(Scenario, DefaultsApplied) {
  const Scenario s = load_string(
      "name: minimal\n"
      "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 3}\n"
      "workload: {collective: ring_allreduce, size_bytes: 4096}\n",
      "m.yaml");
  EXPECT_EQ(s.source, "m.yaml");
  EXPECT_EQ(s.name, "minimal");
  EXPECT_EQ(s.description, "");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.topology.parallel_links, 1u);
  EXPECT_EQ(s.topology.host_link.rate_gbps, 400.0);
  EXPECT_EQ(s.topology.host_link.latency_ps, 500'000);
  EXPECT_EQ(s.topology.spine_link.rate_gbps, 400.0);
  EXPECT_EQ(s.topology.spine_link.latency_ps, 500'000);
  EXPECT_EQ(s.transport.model, transport::Model::flow);
  EXPECT_EQ(s.transport.policy, transport::PathPolicy::ecmp);
  EXPECT_EQ(s.jobs[0].size_bytes, 4096u);
  EXPECT_EQ(s.jobs[0].hosts, 0u);
  EXPECT_EQ(s.jobs[0].placement, workloads::Placement::contiguous);
  EXPECT_EQ(s.jobs[0].iterations, 1u);
  EXPECT_EQ(s.jobs[0].compute_gap_ps, 0);
  EXPECT_EQ(s.output.dir, "");
  EXPECT_TRUE(s.output.flows);
}

TEST(Scenario, EveryKeySet) {
  const Scenario s = load_string(
      "name: full-run_1.0\n"
      "description: \"all keys\"\n"
      "seed: 18446744073709551615\n"
      "topology:\n"
      "  kind: leaf_spine\n"
      "  leaves: 3\n"
      "  spines: 2\n"
      "  hosts_per_leaf: 2\n"
      "  parallel_links: 4\n"
      "  host_link: {rate: 100Gbps, latency: 1.5us}\n"
      "  spine_link:\n"
      "    rate: 1.6Tb/s\n"
      "    latency: 250ns\n"
      "transport: {model: flow, policy: spray}\n"
      "workload:\n"
      "  collective: ring_allreduce\n"
      "  size_bytes: 1.5 KiB\n"
      "  hosts: 3\n"
      "  placement: [5, 0, 3]\n"
      "  iterations: 7\n"
      "  compute_gap: 2ms\n"
      "output: {dir: results/x, flows: false}\n",
      "f.yaml");
  EXPECT_EQ(s.name, "full-run_1.0");
  EXPECT_EQ(s.description, "all keys");
  EXPECT_EQ(s.seed, 18446744073709551615ULL);
  EXPECT_EQ(s.topology.leaves, 3u);
  EXPECT_EQ(s.topology.spines, 2u);
  EXPECT_EQ(s.topology.hosts_per_leaf, 2u);
  EXPECT_EQ(s.topology.parallel_links, 4u);
  EXPECT_EQ(s.topology.host_link.rate_gbps, 100.0);
  EXPECT_EQ(s.topology.host_link.latency_ps, 1'500'000);
  EXPECT_EQ(s.topology.spine_link.rate_gbps, 1600.0);
  EXPECT_EQ(s.topology.spine_link.latency_ps, 250'000);
  EXPECT_EQ(s.transport.policy, transport::PathPolicy::spray);
  EXPECT_EQ(s.jobs[0].size_bytes, 1536u);
  EXPECT_EQ(s.jobs[0].hosts, 3u);
  EXPECT_EQ(s.jobs[0].placement, workloads::Placement::explicit_list);
  EXPECT_EQ(s.jobs[0].ranks, (std::vector<std::uint32_t>{5, 0, 3}));
  EXPECT_EQ(s.jobs[0].iterations, 7u);
  EXPECT_EQ(s.jobs[0].compute_gap_ps, 2 * sim::kMillisecond);
  EXPECT_EQ(s.output.dir, "results/x");
  EXPECT_FALSE(s.output.flows);

  const std::string json = to_json(s).dump();
  EXPECT_NE(json.find("\"placement\": \"explicit\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"hosts\": 3"), std::string::npos) << json;
  EXPECT_NE(json.find("\"rate_gbps\": 1600"), std::string::npos) << json;
  EXPECT_NE(json.find("\"policy\": \"spray\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"seed\": 18446744073709551615"), std::string::npos) << json;
}

TEST(Scenario, ExplicitPlacementSetsHosts) {
  const Scenario s =
      load_string(with("  placement: random\n", "  placement:\n    - 3\n    - 1\n"), "t.yaml");
  EXPECT_EQ(s.jobs[0].placement, workloads::Placement::explicit_list);
  EXPECT_EQ(s.jobs[0].ranks, (std::vector<std::uint32_t>{3, 1}));
  EXPECT_EQ(s.jobs[0].hosts, 2u);
  const Scenario all = load_string(with("random", "[0, 1, 2]\n  hosts: all"), "t.yaml");
  EXPECT_EQ(all.jobs[0].hosts, 3u);
}

TEST(Scenario, JsonEchoIsNormalised) {
  const Scenario s = load_default();
  const sim::Json j = to_json(s);
  const std::string text = j.dump();
  for (const char* part : {
           "\"source\": \"<default>\"",
           "\"name\": \"quickstart\"",
           "\"seed\": 1,",
           "\"kind\": \"leaf_spine\"",
           "\"leaves\": 4,",
           "\"spines\": 8,",
           "\"hosts_per_leaf\": 8,",
           "\"parallel_links\": 1,",
           "\"rate_gbps\": 400,",
           "\"latency_ps\": 500000",
           "\"model\": \"flow\"",
           "\"policy\": \"ecmp\"",
           "\"collective\": \"ring_allreduce\"",
           "\"size_bytes\": 268435456,",
           "\"hosts\": \"all\"",
           "\"placement\": \"random\"",
           "\"ranks\": []",
           "\"iterations\": 2,",
           "\"compute_gap_ps\": 0",
           "\"dir\": \"out/quickstart\"",
           "\"flows\": true",
       }) {
    EXPECT_NE(text.find(part), std::string::npos) << part << " not in\n" << text;
  }
  ASSERT_NE(j.find("topology"), nullptr);
  EXPECT_NE(j.find("topology")->find("host_link"), nullptr);
  EXPECT_NE(j.find("topology")->find("spine_link"), nullptr);
  // The same scenario always echoes to the same bytes.
  EXPECT_EQ(text, to_json(load_default()).dump());
}

TEST(Scenario, UnreadableFile) {
  try {
    (void)load_file("/nonexistent/dir/x.yaml");
    FAIL() << "no error";
  } catch (const sim::ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()),
              "/nonexistent/dir/x.yaml: cannot read: No such file or directory");
  }
  try {
    (void)load_file(SPINEL_SOURCE_DIR);
    FAIL() << "no error";
  } catch (const sim::ScenarioError& e) {
    EXPECT_STARTS_WITH(e.what(), std::string(SPINEL_SOURCE_DIR) + ": cannot read: ");
  }
}

TEST(ScenarioErrors, TooManyLeafSpineCablesForMemory) {
  // 4096 leaves x 2048 spines x 1 link = 8,388,608 cables > 4,194,304.
  EXPECT_STARTS_WITH(
      error_of(with("  leaves: 4\n  spines: 8\n", "  leaves: 4096\n  spines: 2048\n")),
      "t.yaml:5:11: topology.spines: leaves x spines x parallel_links = 8388608 leaf-spine "
      "cables;");
}

TEST(ScenarioErrors, BaseIsValid) {
  EXPECT_EQ(load_string(kBase, "t.yaml").name, "t");
}

TEST(ScenarioErrors, SyntaxError) {
  // The unclosed flow map runs on until the next key, where yaml-cpp notices.
  EXPECT_EQ(error_of(with("latency: 500ns}", "latency: 500ns")),
            "t.yaml:8:9: syntax: end of map flow not found");
  EXPECT_EQ(error_of("name: [a, b\nseed: 1\n"),
            "t.yaml:2:5: syntax: end of sequence flow not found");
  EXPECT_EQ(error_of("name: \"open"), "t.yaml:1:12: syntax: illegal EOF in scalar");
  EXPECT_EQ(error_of("a: b: c\n"), "t.yaml:1:5: syntax: illegal map value");
  EXPECT_EQ(error_of("name: t\n\tseed: 1\n"),
            "t.yaml:2:1: syntax: illegal tab when looking for indentation");
}

TEST(ScenarioErrors, UnknownTopLevelKey) {
  EXPECT_EQ(error_of(kBase + "seeds: 3\n"),
            "t.yaml:12:1: seeds: unknown key; did you mean \"seed\"? allowed: name, description, "
            "seed, topology, transport, workload, jobs, output, faults, faults_file, random_fault, "
            "detector, "
            "fault_process, recovery, pccl, sweep");
  EXPECT_EQ(error_of(kBase + "fault: []\n"),
            "t.yaml:12:1: fault: unknown key; did you mean \"faults\"? allowed: name, "
            "description, seed, topology, transport, workload, jobs, output, faults, faults_file, "
            "random_fault, "
            "detector, fault_process, recovery, pccl, sweep");
}

TEST(ScenarioErrors, UnknownNestedKeyWithDidYouMean) {
  EXPECT_EQ(error_of(with("spines: 8", "spine: 8")),
            "t.yaml:5:3: topology.spine: unknown key; did you mean \"spines\"? allowed: kind, "
            "leaves, spines, hosts_per_leaf, parallel_links, host_link, spine_link, nics_per_host, "
            "rail_optimised, nvlink, nic_ports, planes, plane_per");
  EXPECT_STARTS_WITH(error_of(with("{rate: 400Gbps", "{rte: 400Gbps")),
                     "t.yaml:7:15: topology.host_link.rte: unknown key; did you mean \"rate\"? "
                     "allowed: rate, latency");
}

TEST(ScenarioErrors, DidYouMeanPrefersPrefixOnTies) {
  EXPECT_STARTS_WITH(
      error_of(with("latency: 500ns", "laten: 500ns")),
      "t.yaml:7:30: topology.host_link.laten: unknown key; did you mean \"latency\"?");
  EXPECT_STARTS_WITH(error_of(with("  leaves: 4\n", "  leaves: 4\n  spine: 8\n")),
                     "t.yaml:5:3: topology.spine: unknown key; did you mean \"spines\"?");
}

TEST(ScenarioErrors, OddKeysAreQuotedInThePath) {
  EXPECT_EQ(error_of(kBase + "\"a: b\\nc\": 1\n"),
            "t.yaml:12:1: \"a: b\\nc\": unknown key; allowed: name, description, seed, topology, "
            "transport, workload, jobs, output, faults, faults_file, random_fault, detector, "
            "fault_process, "
            "recovery, pccl, sweep");
}

TEST(ScenarioErrors, WrongTypeStringForInteger) {
  EXPECT_EQ(error_of(with("leaves: 4", "leaves: four")),
            "t.yaml:4:11: topology.leaves: expected an integer from 1 to 65536, got \"four\"");
  EXPECT_STARTS_WITH(error_of(with("leaves: 4", "leaves: 4.0")), "t.yaml:4:11: topology.leaves: ");
  EXPECT_STARTS_WITH(error_of(with("leaves: 4", "leaves: 65537")),
                     "t.yaml:4:11: topology.leaves: ");
  EXPECT_STARTS_WITH(error_of(kBase + "seed: -1\n"), "t.yaml:12:7: seed: expected an integer");
  EXPECT_STARTS_WITH(error_of(kBase + "seed: 18446744073709551616\n"), "t.yaml:12:7: seed: ");
}

TEST(ScenarioErrors, MapWhereScalarExpected) {
  EXPECT_EQ(error_of(with("leaves: 4", "leaves: {a: 1}")),
            "t.yaml:4:11: topology.leaves: expected an integer from 1 to 65536, got a map");
  EXPECT_EQ(error_of(with("leaves: 4", "leaves:")),
            "t.yaml:4:3: topology.leaves: expected an integer from 1 to 65536, got nothing");
  EXPECT_EQ(error_of(with("name: t", "name: [a, b]")),
            "t.yaml:1:7: name: expected text, got a list");
}

TEST(ScenarioErrors, NegativeSize) {
  EXPECT_EQ(error_of(with("256MiB", "-5MiB")),
            "t.yaml:10:15: workload.size_bytes: expected a size such as 4096, 64KiB or 1GiB, got "
            "\"-5MiB\"");
  EXPECT_EQ(error_of(with("256MiB", "0")),
            "t.yaml:10:15: workload.size_bytes: expected a size from 1B to 1PiB, got \"0\"");
  EXPECT_STARTS_WITH(error_of(with("256MiB", "2PiB")), "t.yaml:10:15: workload.size_bytes: ");
  EXPECT_STARTS_WITH(error_of(with("256MiB", "12 parsecs")),
                     "t.yaml:10:15: workload.size_bytes: unknown size unit \"parsecs\"");
}

TEST(ScenarioErrors, ZeroHostsPerLeaf) {
  EXPECT_EQ(error_of(with("hosts_per_leaf: 8", "hosts_per_leaf: 0")),
            "t.yaml:6:19: topology.hosts_per_leaf: expected an integer from 1 to 65536, got \"0\"");
}

TEST(ScenarioErrors, TotalHostsOutOfRange) {
  EXPECT_STARTS_WITH(
      error_of(with("leaves: 4", "leaves: 1", with("hosts_per_leaf: 8", "hosts_per_leaf: 1"))),
      "t.yaml:6:19: topology.hosts_per_leaf: leaves x hosts_per_leaf = 1 x 1 = 1 "
      "hosts; a fabric needs 2 to 1048576 hosts");
  EXPECT_STARTS_WITH(
      error_of(with("leaves: 4", "leaves: 65536", with("hosts_per_leaf: 8", "hosts_per_leaf: 17"))),
      "t.yaml:6:19: topology.hosts_per_leaf: ");
}

TEST(ScenarioErrors, RateWithoutUnit) {
  EXPECT_EQ(error_of(with("rate: 400Gbps", "rate: 400")),
            "t.yaml:7:21: topology.host_link.rate: a rate needs a unit, e.g. 400Gbps; got \"400\"");
  EXPECT_STARTS_WITH(error_of(with("rate: 400Gbps", "rate: 2000Tbps")),
                     "t.yaml:7:21: topology.host_link.rate: expected a rate up to 1000000Gbps");
  EXPECT_STARTS_WITH(error_of(with("rate: 400Gbps", "rate: 0Gbps")),
                     "t.yaml:7:21: topology.host_link.rate: a rate must be greater than zero");
}

TEST(ScenarioErrors, DurationWithoutUnit) {
  EXPECT_EQ(error_of(with("latency: 500ns", "latency: 500")),
            "t.yaml:7:39: topology.host_link.latency: a duration needs a unit, e.g. 500ns; got "
            "\"500\"");
  EXPECT_EQ(error_of(with("latency: 500ns", "latency: 2s")),
            "t.yaml:7:39: topology.host_link.latency: expected a duration up to 1s, got \"2s\"");
  EXPECT_STARTS_WITH(error_of(kBase + "  compute_gap: -1us\n"),
                     "t.yaml:12:16: workload.compute_gap: a duration cannot be negative");
}

TEST(ScenarioErrors, UnknownPolicyListsAllowed) {
  EXPECT_EQ(error_of(kBase + "transport:\n  policy: random\n"),
            "t.yaml:13:11: transport.policy: expected one of ecmp, spray, mprdma:K, split, "
            "planned, reps, adaptive, got \"random\"");
  EXPECT_EQ(error_of(kBase + "transport:\n  policy: sprey\n"),
            "t.yaml:13:11: transport.policy: expected one of ecmp, spray, mprdma:K, split, "
            "planned, reps, adaptive, got \"sprey\" (did you mean "
            "\"spray\"?)");
  EXPECT_EQ(
      error_of(with("kind: leaf_spine", "kind: torus")),
      "t.yaml:3:9: topology.kind: expected one of leaf_spine, clos3, fat_tree, file, wan, got "
      "\"torus\"");
}

TEST(Scenario, FaultsLoadAndEcho) {
  const Scenario s = load_string(kBase +
                                     "faults:\n"
                                     "  - {at: 10us, link: leaf0>spine1, state: down}\n"
                                     "  - {at: 20us, link: spine3>leaf2, state: degraded, rate: "
                                     "100Gbps}\n"
                                     "  - {at: 1ms, link: leaf0>spine1, state: up}\n",
                                 "t.yaml");
  ASSERT_EQ(s.faults.size(), 3u);
  EXPECT_EQ(s.faults[0].at_ps, 10 * sim::kMicrosecond);
  EXPECT_EQ(s.faults[0].link, "leaf0>spine1");
  EXPECT_EQ(s.faults[0].state, FaultState::down);
  EXPECT_EQ(s.faults[1].state, FaultState::degraded);
  EXPECT_EQ(s.faults[1].rate_gbps, 100.0);
  EXPECT_EQ(s.faults[2].state, FaultState::up);
  const std::string json = to_json(s).dump();
  EXPECT_NE(json.find("\"state\": \"degraded\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"rate_gbps\": 100"), std::string::npos) << json;
  EXPECT_TRUE(load_string(kBase, "t.yaml").faults.empty());
}

TEST(Scenario, RoutingConvergenceLoadsAndEchoes) {
  const Scenario s = load_string(kBase + "transport: {convergence: 50ms}\n", "t.yaml");
  EXPECT_EQ(s.transport.convergence_ps, 50 * sim::kMillisecond);
  EXPECT_NE(to_json(s).dump().find("\"convergence_ps\": 50000000000"), std::string::npos);
  EXPECT_EQ(load_string(kBase, "t.yaml").transport.convergence_ps, 0);
  EXPECT_STARTS_WITH(error_of(kBase + "transport: {convergence: 7200s}\n"),
                     "t.yaml:12:26: transport.convergence: ");
}

TEST(ScenarioErrors, BadFaults) {
  const std::string f = kBase + "faults:\n  - ";
  EXPECT_EQ(error_of(f + "{at: 1us, link: leaf0>spine9, state: down}\n"),
            "t.yaml:13:21: faults[0].link: expected a directed link of this fabric, named as in "
            "links.csv (e.g. h0>leaf0, leaf0>spine0, spine0>leaf1), got \"leaf0>spine9\" (did "
            "you mean \"leaf0>spine0\"?)");
  EXPECT_EQ(error_of(f + "{at: 1us, link: leaf0>spine1, state: broken}\n"),
            "t.yaml:13:42: faults[0].state: expected one of down, degraded, up, flapping, slow, "
            "hung, nic_down, nic_port_down, got \"broken\"");
  EXPECT_EQ(error_of(f + "{at: 1us, link: leaf0>spine1, state: degraded}\n"),
            "t.yaml:13:42: faults[0].state: a degraded link needs its rate or its loss, e.g. "
            "{state: degraded, rate: 200Gbps} or {state: degraded, loss: 1%}");
  EXPECT_EQ(error_of(f + "{at: 1us, link: leaf0>spine1, state: down, loss: 1%}\n"),
            "t.yaml:13:48: faults[0].loss: loss goes with state: degraded only");
  EXPECT_EQ(error_of(f + "{at: 1us, link: leaf0>spine1, state: degraded, loss: 100%}\n"),
            "t.yaml:13:58: faults[0].loss: expected a loss below 100%, got \"100%\"");
  EXPECT_EQ(error_of(f + "{at: 1us, link: leaf0>spine1, state: down, rate: 1Gbps}\n"),
            "t.yaml:13:48: faults[0].rate: rate goes with state: degraded only (down is 0, up is "
            "the link's own rate)");
  EXPECT_EQ(error_of(f + "{link: leaf0>spine1, state: down}\n"),
            "t.yaml:13:5: faults[0]: missing required key \"at\"");
  EXPECT_EQ(error_of(kBase + "faults: {at: 1us}\n"),
            "t.yaml:12:9: faults: expected a list, got a map");
}

// Loss on a degraded link turns into rate loss: (1 - loss) of its rate, or
// of the rate given.
TEST(Scenario, DegradedLinkLossBecomesRateLoss) {
  const std::string f = kBase + "faults:\n";
  const Scenario s =
      load_string(f + "  - {at: 1us, link: leaf0>spine1, state: degraded, loss: 10%}\n"
                      "  - {at: 1us, link: h1>leaf0, state: degraded, rate: 200Gbps, loss: 50%}\n",
                  "t.yaml");
  ASSERT_EQ(s.faults.size(), 2u);
  EXPECT_DOUBLE_EQ(s.faults[0].rate_gbps, s.topology.spine_link.rate_gbps * 0.9);
  EXPECT_DOUBLE_EQ(s.faults[1].rate_gbps, 100.0);
}

TEST(Scenario, HostAndFlappingFaultsLoadAndEcho) {
  const Scenario s = load_string(kBase +
                                     "faults:\n"
                                     "  - {at: 1ms, host: h3, state: slow, factor: 1.5}\n"
                                     "  - {at: 2ms, host: h0, state: hung}\n"
                                     "  - {at: 0s, link: leaf0>spine1, state: flapping, period: "
                                     "2ms, until: 9ms}\n",
                                 "t.yaml");
  ASSERT_EQ(s.faults.size(), 3u);
  EXPECT_TRUE(s.faults[0].on_host());
  EXPECT_EQ(s.faults[0].host, "h3");
  EXPECT_EQ(s.faults[0].state, FaultState::slow);
  EXPECT_EQ(s.faults[0].factor, 1.5);
  EXPECT_EQ(s.faults[1].state, FaultState::hung);
  EXPECT_FALSE(s.faults[2].on_host());
  EXPECT_EQ(s.faults[2].period_ps, 2 * sim::kMillisecond);
  EXPECT_EQ(s.faults[2].until_ps, 9 * sim::kMillisecond);
  const std::string json = to_json(s).dump();
  EXPECT_NE(json.find("\"host\": \"h3\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"factor\": 1.5"), std::string::npos) << json;
  EXPECT_NE(json.find("\"until_ps\": 9000000000"), std::string::npos) << json;
}

TEST(ScenarioErrors, BadHostAndFlappingFaults) {
  const std::string f = kBase + "faults:\n  - ";
  EXPECT_EQ(error_of(f + "{at: 1us, host: h99, state: hung}\n"),
            "t.yaml:13:21: faults[0].host: expected a host of this fabric, h0 to h31 (as "
            "links.csv names hosts), got \"h99\"");
  EXPECT_EQ(error_of(f + "{at: 1us, state: hung}\n"),
            "t.yaml:13:5: faults[0]: a fault names one element: link: (e.g. leaf0>spine1), "
            "host: (e.g. h3), switch: (e.g. leaf2) or plane: (e.g. 1, on a multi-plane fabric)");
  EXPECT_EQ(error_of(f + "{at: 1us, host: h1, link: leaf0>spine1, state: hung}\n"),
            "t.yaml:13:31: faults[0].link: a fault names one element: link: (e.g. leaf0>spine1), "
            "host: (e.g. h3), switch: (e.g. leaf2) or plane: (e.g. 1, on a multi-plane fabric)");
  EXPECT_EQ(error_of(f + "{at: 1us, host: h1, state: down}\n"),
            "t.yaml:13:32: faults[0].state: a host fault is state: slow (with factor), hung, "
            "nic_down or nic_port_down; down is for links");
  EXPECT_EQ(error_of(f + "{at: 1us, link: leaf0>spine1, state: slow, factor: 2}\n"),
            "t.yaml:13:42: faults[0].state: a link fault is state: down, degraded, up or "
            "flapping; slow is for hosts");
  EXPECT_EQ(error_of(f + "{at: 1us, host: h1, state: slow}\n"),
            "t.yaml:13:32: faults[0].state: a slow host needs its factor (compute takes factor "
            "times as long), e.g. {state: slow, factor: 2}");
  EXPECT_EQ(error_of(f + "{at: 1us, host: h1, state: slow, factor: 0.5}\n"),
            "t.yaml:13:46: faults[0].factor: expected a number from 1 to 1000, got \"0.5\"");
  EXPECT_EQ(error_of(f + "{at: 1us, host: h1, state: hung, factor: 2}\n"),
            "t.yaml:13:38: faults[0].factor: factor goes with state: slow only");
  EXPECT_EQ(error_of(f + "{at: 1us, link: leaf0>spine1, state: flapping, until: 2ms}\n"),
            "t.yaml:13:42: faults[0].state: a flapping link needs a period and an until, e.g. "
            "{state: flapping, period: 2ms, until: 50ms}");
  EXPECT_EQ(error_of(f + "{at: 3ms, link: leaf0>spine1, state: flapping, period: 1ms, until: "
                         "2ms}\n"),
            "t.yaml:13:72: faults[0].until: expected a time after at (3ms), got \"2ms\"");
}

// yaml-cpp 0.7 loops forever on these; the reader must refuse them first.
TEST(ScenarioErrors, LeadingCommaIsASyntaxErrorNotAHang) {
  EXPECT_EQ(error_of(", x: y\n"), "t.yaml:1:1: syntax: unexpected ',' at the start of a document");
  EXPECT_EQ(error_of("# note\n\n  ,\n"),
            "t.yaml:3:3: syntax: unexpected ',' at the start of a document");
  EXPECT_EQ(error_of(kBase + "---\n, x\n"),
            "t.yaml:13:1: syntax: unexpected ',' at the start of a document");
}

TEST(ScenarioErrors, MprdmaNeedsItsQueuePairs) {
  const std::string expected =
      "transport.policy: expected mprdma:K with K, the queue pairs per connection, from 2 to 64 "
      "(e.g. mprdma:4), got ";
  EXPECT_EQ(error_of(kBase + "transport:\n  policy: mprdma\n"),
            "t.yaml:13:11: " + expected + "\"mprdma\"");
  EXPECT_EQ(error_of(kBase + "transport:\n  policy: mprdma:1\n"),
            "t.yaml:13:11: " + expected + "\"mprdma:1\"");
  EXPECT_EQ(error_of(kBase + "transport:\n  policy: mprdma:65\n"),
            "t.yaml:13:11: " + expected + "\"mprdma:65\"");
  EXPECT_EQ(error_of(kBase + "transport:\n  policy: mprdma:K\n"),
            "t.yaml:13:11: " + expected + "\"mprdma:K\"");
  EXPECT_EQ(error_of(kBase + "transport:\n  policy: planed\n"),
            "t.yaml:13:11: transport.policy: expected one of ecmp, spray, mprdma:K, split, "
            "planned, reps, adaptive, got \"planed\" (did you mean \"planned\"?)");
}

TEST(Scenario, EveryPolicyLoadsAndEchoesItsWord) {
  for (const std::string word :
       {"ecmp", "spray", "mprdma:2", "mprdma:4", "mprdma:64", "split", "planned"}) {
    const Scenario s = load_string(kBase + "transport:\n  policy: " + word + "\n", "t.yaml");
    EXPECT_EQ(transport::policy_word(s.transport), word);
    const std::string json = to_json(s).dump();
    EXPECT_NE(json.find("\"policy\": \"" + word + "\""), std::string::npos) << json;
  }
  const Scenario s = load_string(kBase + "transport:\n  policy: mprdma:16\n", "t.yaml");
  EXPECT_EQ(s.transport.policy, transport::PathPolicy::mprdma);
  EXPECT_EQ(s.transport.mprdma_subflows, 16u);
}

TEST(ScenarioErrors, PlacementListOutOfRange) {
  EXPECT_EQ(error_of(with("random", "[0, 1, 40]")),
            "t.yaml:11:21: workload.placement[2]: expected a host index from 0 to 31, got \"40\"");
  EXPECT_STARTS_WITH(error_of(with("random", "[0, x]")), "t.yaml:11:18: workload.placement[1]: ");
  EXPECT_STARTS_WITH(error_of(with("  placement: random\n", "  placement:\n    - 0\n    - 32\n")),
                     "t.yaml:13:7: workload.placement[1]: expected a host index from 0 to 31");
}

TEST(ScenarioErrors, PlacementListDuplicate) {
  EXPECT_EQ(error_of(with("random", "[0, 1, 0]")),
            "t.yaml:11:21: workload.placement[2]: host 0 is listed twice (also at "
            "workload.placement[0]); each host holds at most one rank");
}

TEST(ScenarioErrors, PlacementOther) {
  EXPECT_EQ(error_of(with("random", "[7]")),
            "t.yaml:11:14: workload.placement: a placement list needs at least 2 hosts, got 1");
  EXPECT_EQ(error_of(with("random", "explicit")),
            "t.yaml:11:14: workload.placement: expected contiguous, random, rail or a list of "
            "host indices such as [0, 9, 18, 27], got \"explicit\"");
  EXPECT_EQ(error_of(with("random", "[0, 1, 2]\n  hosts: 4")),
            "t.yaml:12:10: workload.hosts: expected 3 (the length of the placement list) or all, "
            "got \"4\"");
}

TEST(ScenarioErrors, HostsMoreThanTotal) {
  EXPECT_EQ(error_of(kBase + "  hosts: 64\n"),
            "t.yaml:12:10: workload.hosts: expected all or an integer from 2 to 32, got \"64\"");
  EXPECT_STARTS_WITH(error_of(kBase + "  hosts: 1\n"), "t.yaml:12:10: workload.hosts: ");
  EXPECT_STARTS_WITH(error_of(kBase + "  hosts: most\n"), "t.yaml:12:10: workload.hosts: ");
}

TEST(ScenarioErrors, DuplicateKey) {
  EXPECT_EQ(error_of(with("  leaves: 4\n", "  leaves: 4\n  leaves: 5\n")),
            "t.yaml:5:3: topology.leaves: duplicate key \"leaves\"");
  EXPECT_EQ(error_of(kBase + "name: u\n"), "t.yaml:12:1: name: duplicate key \"name\"");
}

TEST(ScenarioErrors, MissingRequiredKey) {
  EXPECT_EQ(error_of(with("  leaves: 4\n", "")),
            "t.yaml:2:1: topology: missing required key \"leaves\"");
  EXPECT_EQ(error_of(with("name: t\n", "")), "t.yaml:1:1: document: missing required key \"name\"");
  EXPECT_EQ(
      error_of(with("  collective: ring_allreduce\n", "")),
      "t.yaml:8:1: workload: missing required key \"collective\" (or a program or a transformer)");
}

// Rooted collectives load by name; a barrier takes no size_bytes, every
// other collective needs one.
TEST(Scenario, RootedCollectivesAndTheBarrierLoad) {
  for (const auto& [word, c] : {std::pair{"broadcast", workloads::Collective::broadcast},
                                {"reduce", workloads::Collective::reduce},
                                {"gather", workloads::Collective::gather},
                                {"scatter", workloads::Collective::scatter}}) {
    const Scenario s = load_string(
        with("collective: ring_allreduce", std::string("collective: ") + word), "t.yaml");
    EXPECT_EQ(s.jobs[0].collective, c) << word;
    EXPECT_EQ(s.jobs[0].size_bytes, 256ULL << 20) << word;
  }
  const Scenario s = load_string(
      with("  collective: ring_allreduce\n  size_bytes: 256MiB\n", "  collective: barrier\n"),
      "t.yaml");
  EXPECT_EQ(s.jobs[0].collective, workloads::Collective::barrier);
  EXPECT_EQ(s.jobs[0].size_bytes, 0u);
}

TEST(ScenarioErrors, BarrierTakesNoSizeAndTheOthersNeedOne) {
  EXPECT_EQ(error_of(with("collective: ring_allreduce", "collective: barrier")),
            "t.yaml:10:15: workload.size_bytes: a barrier moves no data; remove size_bytes");
  EXPECT_EQ(error_of(with("  size_bytes: 256MiB\n", "")),
            "t.yaml:8:1: workload: missing required key \"size_bytes\"");
  EXPECT_EQ(error_of(with("  collective: ring_allreduce\n  size_bytes: 256MiB\n",
                          "  collective: barrier\n  buckets: 2\n")),
            "t.yaml:10:12: workload.buckets: a barrier moves no data to split into buckets; "
            "remove buckets");
}

TEST(ScenarioErrors, SweepBlockSaysToUseSpinelSweep) {
  EXPECT_STARTS_WITH(error_of(kBase + "sweep:\n  seeds: 2\n"),
                     "t.yaml:12:1: sweep: this file is a parameter sweep; run its points with "
                     "`spinel sweep FILE`");
  EXPECT_STARTS_WITH(error_of(kBase + "sweeps: {}\n"),
                     "t.yaml:12:1: sweeps: unknown key; did you mean \"sweep\"?");
}

TEST(ScenarioErrors, EmptyFile) {
  EXPECT_STARTS_WITH(error_of(""), "t.yaml:1:1: document: the file is empty");
  EXPECT_STARTS_WITH(error_of("# only a comment\n\n"), "t.yaml:1:1: document: the file is empty");
  EXPECT_EQ(error_of("~\n"), "t.yaml:1:1: document: missing required key \"name\"");
}

TEST(Scenario, EmptySectionMeansDefaults) {
  const Scenario s = load_string(kBase + "transport:\n  # policy: spray\noutput:\n", "t.yaml");
  EXPECT_EQ(s.transport.policy, transport::PathPolicy::ecmp);
  EXPECT_TRUE(s.output.flows);
  const Scenario link = load_string(with("{rate: 400Gbps, latency: 500ns}", ""), "t.yaml");
  EXPECT_EQ(link.topology.host_link.rate_gbps, 400.0);
  EXPECT_EQ(error_of(with("  leaves: 4\n", "  leaves: 4\n  spine_link: []\n")),
            "t.yaml:5:15: topology.spine_link: expected a map with keys rate, latency; got a list");
}

TEST(ScenarioErrors, RootIsAList) {
  EXPECT_EQ(error_of("- name\n- t\n"),
            "t.yaml:1:1: document: expected a map with keys name, description, seed, topology, "
            "transport, workload, jobs, output, faults, faults_file, random_fault, detector, "
            "fault_process, "
            "recovery, pccl, sweep; got a list");
  EXPECT_STARTS_WITH(error_of("just words\n"), "t.yaml:1:1: document: expected a map with keys");
}

TEST(ScenarioErrors, ScalarWhereMapExpected) {
  EXPECT_EQ(
      error_of("name: t\ntopology: 5\nworkload: {collective: ring_allreduce, size_bytes: 1}\n"),
      "t.yaml:2:11: topology: expected a map with keys kind, leaves, spines, hosts_per_leaf, "
      "parallel_links, host_link, spine_link, nics_per_host, rail_optimised, nvlink, nic_ports, "
      "planes, plane_per; "
      "got \"5\"");
  EXPECT_STARTS_WITH(error_of(with("{rate: 400Gbps, latency: 500ns}", "400Gbps")),
                     "t.yaml:7:14: topology.host_link: expected a map with keys rate, latency; ");
  EXPECT_STARTS_WITH(error_of(kBase + "output: [a]\n"), "t.yaml:12:9: output: expected a map");
}

TEST(ScenarioErrors, OtherValues) {
  EXPECT_STARTS_WITH(error_of(with("name: t", "name: my run")),
                     "t.yaml:1:7: name: expected a name");
  EXPECT_STARTS_WITH(error_of(with("name: t", "name: ..")), "t.yaml:1:7: name: a name cannot be");
  EXPECT_STARTS_WITH(error_of(with("name: t", "name: " + std::string(65, 'a'))),
                     "t.yaml:1:7: name: ");
  EXPECT_EQ(error_of(kBase + "output: {flows: maybe}\n"),
            "t.yaml:12:17: output.flows: expected true or false, got \"maybe\"");
  EXPECT_STARTS_WITH(error_of(kBase + "  iterations: 0\n"), "t.yaml:12:15: workload.iterations: ");
  EXPECT_STARTS_WITH(error_of(with("  leaves: 4\n", "  leaves: 4\n  parallel_links: 65\n")),
                     "t.yaml:5:19: topology.parallel_links: expected an integer from 1 to 64");
  EXPECT_STARTS_WITH(error_of(with("  leaves: 4\n", "  ? [a]\n  : 1\n")),
                     "t.yaml:4:5: topology: a key must be a word, got a list");
  EXPECT_STARTS_WITH(error_of(kBase + "---\nname: u\n"),
                     "t.yaml:13:1: document: a second YAML document starts here");
}

// Found by fuzz_scenario (tests/fuzz/): yaml-cpp 0.7's LoadAll never
// returned on a ',' where a second document would start.
TEST(ScenarioErrors, ACommaAfterTheDocumentIsASecondDocument) {
  EXPECT_EQ(error_of("a\n#\n,"),
            "t.yaml:3:1: document: a second YAML document starts here; a file holds exactly one");
  EXPECT_STARTS_WITH(error_of("[a]\n, b\n"),
                     "t.yaml:2:1: document: a second YAML document starts here");
}

TEST(ScenarioErrors, CyclicAliasIsHarmless) {
  EXPECT_STARTS_WITH(error_of(with("random", "&a [*a, 1]")),
                     "t.yaml:11:14: workload.placement[0]: ");
}

// Matches ^[^:]+:\d+:\d+: (hand-written: std::regex trips GCC 12 warnings under sanitizers).
bool has_location_shape(std::string_view msg) {
  std::size_t i = msg.find(':');
  if (i == 0 || i == std::string_view::npos) return false;
  for (int field = 0; field < 2; ++field) {
    const std::size_t start = ++i;
    while (i < msg.size() && msg[i] >= '0' && msg[i] <= '9') ++i;
    if (i == start || i >= msg.size() || msg[i] != ':') return false;
  }
  return i + 1 < msg.size() && msg[i + 1] == ' ';
}

TEST(ScenarioRobustness, LocationShapeCheck) {
  EXPECT_TRUE(has_location_shape("a.yaml:1:2: x"));
  EXPECT_FALSE(has_location_shape("a.yaml:1: x"));
  EXPECT_FALSE(has_location_shape("a.yaml:1:x: y"));
  EXPECT_FALSE(has_location_shape(":1:2: x"));
  EXPECT_FALSE(has_location_shape("a.yaml:1:2:x"));
}

// Deterministic fuzzing: every mutation of the quickstart either loads or
// fails with a one-line "SOURCE:LINE:COL: " ScenarioError.
TEST(ScenarioRobustness, MutationsGiveCleanErrors) {
  const std::string original(default_scenario_yaml());
  std::vector<std::string> lines;
  {
    std::istringstream in(original);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  const std::string alphabet = ":-[]{},#&*!|>'\"%?@` \t\n0123456789.abcxyzKMGiBps~\\";
  std::uint64_t state = 20240601;
  auto next = [&](std::uint64_t bound) { return sim::splitmix64(state) % bound; };

  int loaded = 0;
  int rejected = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string text;
    if (next(2) == 0) {
      // Line-level edits.
      std::vector<std::string> ls = lines;
      const std::uint64_t edits = 1 + next(3);
      for (std::uint64_t e = 0; e < edits && !ls.empty(); ++e) {
        const auto i = static_cast<std::size_t>(next(ls.size()));
        const auto j = static_cast<std::size_t>(next(ls.size()));
        switch (next(4)) {
          case 0:
            ls.erase(ls.begin() + static_cast<std::ptrdiff_t>(i));
            break;
          case 1:
            ls.insert(ls.begin() + static_cast<std::ptrdiff_t>(i), ls[j]);
            break;
          case 2:
            ls[i] = ls[j];
            break;
          default:
            std::swap(ls[i], ls[j]);
            break;
        }
      }
      for (const auto& l : ls) text += l + "\n";
    } else {
      // Character-level edits.
      text = original;
      const std::uint64_t edits = 1 + next(4);
      for (std::uint64_t e = 0; e < edits && !text.empty(); ++e) {
        const auto i = static_cast<std::size_t>(next(text.size()));
        switch (next(3)) {
          case 0:
            text.erase(i, 1 + static_cast<std::size_t>(next(3)));
            break;
          case 1:
            text.insert(i, 1 + static_cast<std::size_t>(next(2)), text[i]);
            break;
          default:
            text[i] = alphabet[static_cast<std::size_t>(next(alphabet.size()))];
            break;
        }
      }
    }
    try {
      (void)load_string(text, "mut.yaml");
      ++loaded;
    } catch (const sim::ScenarioError& e) {
      ++rejected;
      const std::string msg = e.what();
      ASSERT_EQ(msg.rfind("mut.yaml:", 0), 0u) << msg << "\n--- input:\n" << text;
      ASSERT_TRUE(has_location_shape(msg)) << msg << "\n--- input:\n" << text;
      ASSERT_EQ(msg.find('\n'), std::string::npos) << msg << "\n--- input:\n" << text;
    } catch (const std::exception& e) {
      FAIL() << "unexpected exception: " << e.what() << "\n--- input:\n" << text;
    } catch (...) {
      FAIL() << "unexpected non-std exception\n--- input:\n" << text;
    }
  }
  EXPECT_GT(loaded, 100);
  EXPECT_GT(rejected, 1000);
}

}  // namespace
}  // namespace spinel::scenario
