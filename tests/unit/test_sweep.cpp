// Sweep blocks: expansion into points (grid, zip, seeds, ranges) and errors
// located in the sweep block.
#include "test_support.hpp"
#include "tools/sweep/sweep.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

#include "sim/error.hpp"
#include "sim/rng.hpp"
#include "tools/sweep/results.hpp"

namespace spinel::sweep {
namespace {

// A small valid base; the sweep block starts on line 6.
const std::string kBase =
    "name: sw\n"                                                                      // 1
    "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 2}\n"         // 2
    "workload: {collective: ring_allreduce, size_bytes: 64KiB, placement: random}\n"  // 3
    "output: {flows: false}\n"                                                        // 4
    "sweep:\n";                                                                       // 5

Sweep load(const std::string& block) {
  return load_sweep_string(kBase + block, "t.yaml");
}

std::string error_of(const std::string& block) {
  return testing::error_of_loading(load, block);
}

std::vector<std::string> columns_of(const Sweep& s, std::size_t parameter) {
  std::vector<std::string> out;
  for (const ParamValue& v : s.parameters[parameter].values) out.push_back(v.column);
  return out;
}

using Strings = std::vector<std::string>;

TEST(Sweep, GridIsTheCartesianProductWithTheFirstKeySlowest) {
  const Sweep s = load(
      "  grid:\n"
      "    transport.policy: [ecmp, spray]\n"
      "    workload.size_bytes: [1KiB, 2KiB, 4KiB]\n");
  ASSERT_TRUE(s.has_block);
  ASSERT_EQ(s.points.size(), 6u);
  const std::vector<std::pair<transport::PathPolicy, std::uint64_t>> expected = {
      {transport::PathPolicy::ecmp, 1024},  {transport::PathPolicy::ecmp, 2048},
      {transport::PathPolicy::ecmp, 4096},  {transport::PathPolicy::spray, 1024},
      {transport::PathPolicy::spray, 2048}, {transport::PathPolicy::spray, 4096},
  };
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    const Point& p = s.points[i];
    EXPECT_EQ(p.index, i);
    const scenario::Scenario sc = s.scenario_of(p);
    EXPECT_EQ(sc.transport.policy, expected[i].first) << i;
    EXPECT_EQ(sc.jobs[0].size_bytes, expected[i].second) << i;
    EXPECT_EQ(sc.seed, 1u);
    EXPECT_EQ(sc.topology.leaves, 2u);  // the base's other keys stay
  }
  EXPECT_EQ(s.points[1].folder, "1-ecmp_2KiB");
  EXPECT_EQ(s.points[5].folder, "5-spray_4KiB");
  EXPECT_EQ(describe_point(s, s.points[4]),
            "transport.policy=spray workload.size_bytes=2KiB seed=1");
  EXPECT_EQ(columns_of(s, 1), (Strings{"1024", "2048", "4096"}));
}

TEST(Sweep, EveryPathPolicyIsASweepValue) {
  const Sweep s = load("  grid:\n    transport.policy: [ecmp, spray, mprdma:4, split, planned]\n");
  ASSERT_EQ(s.points.size(), 5u);
  EXPECT_EQ(s.scenario_of(s.points[2]).transport.policy, transport::PathPolicy::mprdma);
  EXPECT_EQ(s.scenario_of(s.points[2]).transport.mprdma_subflows, 4u);
  EXPECT_EQ(s.scenario_of(s.points[4]).transport.policy, transport::PathPolicy::planned);
  EXPECT_EQ(s.points[2].folder, "2-mprdma-4");
  EXPECT_EQ(columns_of(s, 0), (Strings{"ecmp", "spray", "mprdma:4", "split", "planned"}));
  EXPECT_STARTS_WITH(error_of("  grid:\n    faults: [[]]\n"), "t.yaml:7:5: sweep.grid.faults: ");
}

TEST(Sweep, ZipKeysVaryTogether) {
  const Sweep s = load(
      "  grid:\n"
      "    transport.policy: [ecmp, spray]\n"
      "  zip:\n"
      "    - topology.leaves: [2, 4, 8]\n"
      "      topology.hosts_per_leaf: [8, 4, 2]\n");
  ASSERT_EQ(s.points.size(), 6u);
  for (const Point& p : s.points) {
    const scenario::Scenario sc = s.scenario_of(p);
    EXPECT_EQ(sc.topology.leaves * sc.topology.hosts_per_leaf, 16u) << p.folder;
  }
  EXPECT_EQ(s.scenario_of(s.points[1]).topology.leaves, 4u);
  EXPECT_EQ(s.scenario_of(s.points[3]).transport.policy, transport::PathPolicy::spray);
  EXPECT_EQ(s.scenario_of(s.points[3]).topology.leaves, 2u);
  // A single map is one zip group too.
  EXPECT_EQ(load("  zip: {topology.leaves: [2, 4], topology.spines: [1, 3]}\n").points.size(), 2u);
}

TEST(Sweep, SeedsRepeatEachCombinationWithSeedsFromTheScenarioSeed) {
  const Sweep s = load(
      "  grid: {transport.policy: [ecmp, spray]}\n"
      "  seeds: 3\n");
  ASSERT_EQ(s.points.size(), 6u);
  std::vector<std::uint64_t> seeds;
  for (std::size_t r = 0; r < 3; ++r) seeds.push_back(s.points[r].seed);
  EXPECT_EQ(seeds[0], 1u);  // repetition 0 is the scenario's own seed
  EXPECT_NE(seeds[1], seeds[0]);
  EXPECT_NE(seeds[2], seeds[1]);
  EXPECT_EQ(seeds[1], sim::mix64(1 ^ sim::mix64(1)));
  for (std::size_t r = 0; r < 3; ++r) {
    EXPECT_EQ(s.points[3 + r].seed, seeds[r]);  // the same seeds for every combination
    EXPECT_EQ(s.scenario_of(s.points[3 + r]).seed, seeds[r]);
    EXPECT_EQ(s.points[3 + r].repetition, r);
  }
  EXPECT_EQ(s.points[4].folder, "4-spray_rep1");
  EXPECT_EQ(load("  seeds: 2\n").points[1].folder, "1-rep1");
}

TEST(Sweep, RangesInTheKeysUnits) {
  // One key per sweep, so that the test does not validate their product.
  auto values = [](const std::string& key, const std::string& range) {
    const Sweep s = load("  grid:\n    " + key + ": " + range + "\n");
    EXPECT_EQ(s.points.size(), s.parameters[0].values.size());
    return s;
  };
  const Sweep sizes = values("workload.size_bytes", "{from: 4MiB, to: 256MiB, times: 2}");
  EXPECT_EQ(columns_of(sizes, 0), (Strings{"4194304", "8388608", "16777216", "33554432", "67108864",
                                           "134217728", "268435456"}));
  EXPECT_EQ(sizes.parameters[0].values[6].human, "256MiB");
  EXPECT_EQ(sizes.scenario_of(sizes.points.back()).jobs[0].size_bytes, 256ULL << 20);

  const Sweep spines = values("topology.spines", "{from: 4, to: 15, step: 4}");
  EXPECT_EQ(columns_of(spines, 0), (Strings{"4", "8", "12"}));  // `to` not hit: stops before
  EXPECT_EQ(spines.scenario_of(spines.points.back()).topology.spines, 12u);

  const Sweep rates =
      values("topology.host_link.rate", "{from: 100Gbps, to: 400Gbps, step: 100Gbps}");
  EXPECT_EQ(columns_of(rates, 0), (Strings{"100", "200", "300", "400"}));
  EXPECT_EQ(rates.parameters[0].values[0].human, "100Gbps");
  EXPECT_EQ(rates.scenario_of(rates.points.back()).topology.host_link.rate_gbps, 400.0);

  const Sweep fine =
      values("topology.spine_link.rate", "{from: 0.1Gbps, to: 0.3Gbps, step: 0.1Gbps}");
  EXPECT_EQ(columns_of(fine, 0), (Strings{"0.1", "0.2", "0.3"}));  // lands on `to` exactly
  EXPECT_EQ(fine.scenario_of(fine.points.back()).topology.spine_link.rate_gbps, 0.3);

  const Sweep fast = values("topology.spine_link.rate", "{from: 100Gbps, to: 1.6Tbps, times: 2}");
  EXPECT_EQ(columns_of(fast, 0), (Strings{"100", "200", "400", "800", "1600"}));

  const Sweep latencies = values("topology.host_link.latency", "{from: 500ns, to: 2us, times: 2}");
  EXPECT_EQ(columns_of(latencies, 0), (Strings{"500000", "1000000", "2000000"}));
  EXPECT_EQ(latencies.parameters[0].values[0].human, "500ns");
  EXPECT_EQ(latencies.scenario_of(latencies.points.back()).topology.host_link.latency_ps,
            2'000'000);

  const Sweep gaps = values("workload.compute_gap", "{from: 0ns, to: 1us, step: 250ns}");
  EXPECT_EQ(columns_of(gaps, 0), (Strings{"0", "250000", "500000", "750000", "1000000"}));
  EXPECT_EQ(gaps.scenario_of(gaps.points.back()).jobs[0].compute_gap_ps, 1'000'000);

  const Sweep hosts = values("workload.hosts", "{from: 2, to: 4, step: 1}");
  EXPECT_EQ(columns_of(hosts, 0), (Strings{"2", "3", "4"}));
  EXPECT_EQ(hosts.scenario_of(hosts.points.back()).jobs[0].hosts, 4u);
}

TEST(Sweep, KeysAbsentFromTheBaseAreAdded) {
  const Sweep s = load(
      "  grid:\n"
      "    topology.parallel_links: [2]\n"
      "    topology.host_link.latency: [1us]\n"
      "    transport.policy: [spray]\n"
      "    workload.iterations: [3]\n");
  const scenario::Scenario sc = s.scenario_of(s.points.front());
  EXPECT_EQ(sc.topology.parallel_links, 2u);
  EXPECT_EQ(sc.topology.host_link.latency_ps, 1'000'000);
  EXPECT_EQ(sc.topology.host_link.rate_gbps, 400.0);
  EXPECT_EQ(sc.transport.policy, transport::PathPolicy::spray);
  EXPECT_EQ(sc.jobs[0].iterations, 3u);
}

TEST(Sweep, EveryKeyCanBeSwept) {
  const Sweep s = load(
      "  grid:\n"
      "    topology.kind: [leaf_spine]\n"
      "    topology.leaves: [2]\n"
      "    topology.spines: [3]\n"
      "    topology.hosts_per_leaf: [4]\n"
      "    topology.parallel_links: [2]\n"
      "    topology.nic_ports: [1]\n"
      "    topology.planes: [1]\n"
      "    topology.host_link.rate: [100Gbps]\n"
      "    topology.host_link.latency: [1us]\n"
      "    topology.spine_link.rate: [1.6Tbps]\n"
      "    topology.spine_link.latency: [2us]\n"
      "    transport.model: [packet]\n"
      "    transport.policy: [spray]\n"
      "    transport.convergence: [1ms]\n"
      "    transport.ecmp_salt: [shared]\n"
      "    workload.collective: [ring_allreduce]\n"
      "    workload.size_bytes: [1MiB]\n"
      "    workload.hosts: [all]\n"
      "    workload.placement: [[0, 5, 2]]\n"
      "    workload.iterations: [2]\n"
      "    workload.compute_gap: [5us]\n"
      "    workload.compute: [7us]\n"
      "    workload.buckets: [4]\n"
      "    random_fault.kind: [hang]\n"
      "    random_fault.from: [1ms]\n"
      "    random_fault.to: [3ms]\n"
      "    transport.packet.mtu_bytes: [9000]\n"
      "    transport.packet.ack_every: [4]\n"
      "    transport.packet.buffer_bytes: [2MiB]\n"
      "    transport.packet.ecn_kmin_bytes: [50KiB]\n"
      "    transport.packet.ecn_kmax_bytes: [200KiB]\n"
      "    transport.packet.cc: [none]\n"
      "    transport.packet.window_bytes: [1MiB]\n"
      "    transport.packet.rto: [1ms]\n"
      "    transport.packet.reorder_packets: [64]\n"
      "    transport.packet.spray: [random]\n"
      "    transport.packet.flow_control: [pfc]\n"
      "    transport.packet.pfc_xoff_bytes: [128KiB]\n"
      "    transport.packet.buffer: [per_port]\n"
      "    transport.packet.shared_buffer_bytes: [8MiB]\n"
      "    transport.packet.dcqcn_increase_timer: [5us]\n"
      "    transport.packet.dcqcn_ai_rate: [1Gbps]\n"
      "    transport.packet.retransmit: [selective]\n"
      "    transport.packet.reps_buffer: [16]\n"
      "    transport.packet.priority_queues: [true]\n"
      "    transport.packet.trimming: [true]\n"
      "    transport.packet.trim_threshold_bytes: [512KiB]\n"
      "    transport.packet.nscc_target_qdelay: [3us]\n"
      "    transport.packet.nscc_md_gain: [0.25]\n"
      "    transport.packet.nscc_nack_md: [0.125]\n"
      "    transport.packet.nscc_pi_gain: [0.5]\n"
      "    transport.packet.nscc_fast_increase: [2]\n"
      "    transport.packet.entropies: [8]\n");
  // Every key but pccl's, the WAN's, recovery's, three tiers' and workload
  // graphs' (swept on their own bases in test_pccl_scenario.cpp,
  // test_wan.cpp, test_recovery.cpp, test_clos3_scenario.cpp and
  // test_graph_scenario.cpp).
  const auto keys = sweepable_keys();
  const auto is_three_tier_key = [](std::string_view path) {
    for (const char* key : {"topology.pods", "topology.leaves_per_pod", "topology.aggs_per_pod",
                            "topology.cores", "topology.core_groups", "topology.k"}) {
      if (path == key) return true;
    }
    return path.starts_with("topology.agg_link.") || path.starts_with("topology.core_link.");
  };
  EXPECT_EQ(s.parameters.size(),
            static_cast<std::size_t>(std::count_if(keys.begin(), keys.end(), [&](const Key& k) {
              return !k.path.starts_with("pccl.") && !k.path.starts_with("detector.") &&
                     !k.path.starts_with("recovery.") &&
                     !k.path.starts_with("topology.wan_link.") &&
                     !k.path.starts_with("workload.parallel.") &&
                     !k.path.starts_with("workload.transformer.") &&
                     k.path != "workload.compute_scale" && !is_three_tier_key(k.path);
            })));
  const scenario::Scenario sc = s.scenario_of(s.points.front());
  EXPECT_EQ(sc.topology.spines, 3u);
  EXPECT_EQ(sc.topology.hosts_per_leaf, 4u);
  EXPECT_EQ(sc.topology.spine_link.rate_gbps, 1600.0);
  EXPECT_EQ(sc.topology.spine_link.latency_ps, 2'000'000);
  EXPECT_EQ(sc.jobs[0].ranks, (std::vector<std::uint32_t>{0, 5, 2}));
  EXPECT_EQ(sc.jobs[0].compute_gap_ps, 5'000'000);
  EXPECT_EQ(sc.jobs[0].compute_ps, 7'000'000);
  EXPECT_EQ(sc.jobs[0].buckets, 4u);
  EXPECT_EQ(sc.transport.convergence_ps, sim::kMillisecond);
  EXPECT_EQ(sc.transport.ecmp_salt, transport::EcmpSalt::shared);
  EXPECT_EQ(sc.random_fault.kind, workloads::RandomFaultKind::hang);
  EXPECT_EQ(sc.random_fault.to_ps, 3'000'000'000);
  EXPECT_EQ(sc.transport.model, transport::Model::packet);
  EXPECT_EQ(sc.transport.packet.mtu_bytes, 9000u);
  EXPECT_EQ(sc.transport.packet.ack_every, 4u);
  EXPECT_EQ(sc.transport.packet.buffer_bytes, 2u << 20);
  EXPECT_EQ(sc.transport.packet.ecn_kmin_bytes, 50u << 10);
  EXPECT_EQ(sc.transport.packet.ecn_kmax_bytes, 200u << 10);
  EXPECT_EQ(sc.transport.packet.cc, transport::CongestionControl::none);
  EXPECT_EQ(sc.transport.packet.window_bytes, 1u << 20);
  EXPECT_EQ(sc.transport.packet.rto_ps, sim::kMillisecond);
  EXPECT_EQ(sc.transport.packet.reorder_packets, 64u);
  EXPECT_EQ(sc.transport.packet.spray, transport::SprayChoice::random);
  EXPECT_EQ(sc.transport.packet.flow_control, transport::FlowControl::pfc);
  EXPECT_EQ(sc.transport.packet.pfc_xoff_bytes, 128u << 10);
  EXPECT_EQ(sc.transport.packet.buffer, transport::BufferSharing::per_port);
  EXPECT_EQ(sc.transport.packet.shared_buffer_bytes, 8u << 20);
  EXPECT_EQ(sc.transport.packet.dcqcn.increase_timer_ps, 5 * sim::kMicrosecond);
  EXPECT_DOUBLE_EQ(sc.transport.packet.dcqcn.ai_gbps, 1.0);
  EXPECT_EQ(sc.transport.packet.retransmit, transport::Retransmit::selective);
  EXPECT_EQ(sc.transport.packet.reps_buffer, 16u);
  EXPECT_TRUE(sc.transport.packet.priority_queues);
  EXPECT_TRUE(sc.transport.packet.trimming);
  EXPECT_EQ(sc.transport.packet.trim_threshold_bytes, 512u << 10);
  EXPECT_EQ(sc.transport.packet.nscc.target_qdelay_ps, 3 * sim::kMicrosecond);
  EXPECT_EQ(sc.transport.packet.nscc.md_gain, 0.25);
  EXPECT_EQ(sc.transport.packet.nscc.nack_md, 0.125);
  EXPECT_EQ(sc.transport.packet.nscc.pi_gain, 0.5);
  EXPECT_EQ(sc.transport.packet.nscc.fast_increase, 2.0);
  EXPECT_EQ(sc.transport.packet.entropies, 8u);
  EXPECT_EQ(s.parameters.back().values[0].column, "8");
  EXPECT_EQ(s.parameters[s.parameters.size() - 5].values[0].column, "0.25");
  EXPECT_EQ(s.parameters[18].values[0].column, "[0 5 2]");
  EXPECT_EQ(s.parameters[17].values[0].column, "all");
  EXPECT_EQ(sc.topology.nic_ports, 1u);
  EXPECT_EQ(sc.topology.planes, 1u);
}

TEST(Sweep, ResultColumnsNameTheKeysWithTheirUnits) {
  const Sweep s = load(
      "  grid:\n"
      "    transport.policy: [ecmp]\n"
      "    topology.host_link.rate: [400Gbps]\n"
      "    topology.host_link.latency: [1us]\n"
      "    workload.size_bytes: [1MiB]\n");
  const std::vector<std::string> columns = result_columns(s);
  const std::vector<std::string> head(columns.begin(), columns.begin() + 8);
  EXPECT_EQ(head, (Strings{"point", "transport.policy", "topology.host_link.rate_gbps",
                           "topology.host_link.latency_ps", "workload.size_bytes", "seed", "status",
                           "error"}));
  // Then the job's iteration metrics (one job: under their own names).
  EXPECT_EQ(columns.size(), 8 + metric_columns().size() + 2);
  EXPECT_EQ(columns.back(), "iterations_per_second");
}

TEST(Sweep, AFileWithoutASweepBlockIsOnePoint) {
  const Sweep s = load_sweep_string(kBase.substr(0, kBase.find("sweep:")), "t.yaml");
  EXPECT_FALSE(s.has_block);
  ASSERT_EQ(s.points.size(), 1u);
  EXPECT_EQ(s.points[0].folder, "0-base");
  EXPECT_EQ(s.scenario_of(s.points[0]).jobs[0].size_bytes, 64u << 10);
}

TEST(Sweep, IdIsAHashOfTheYamlNotOfItsComments) {
  const Sweep a = load("  seeds: 2\n");
  EXPECT_EQ(a.sweep_id.size(), 16u);
  EXPECT_EQ(a.sweep_id, load("  seeds: 2\n").sweep_id);
  EXPECT_EQ(a.sweep_id, load("  seeds:    2 # another comment\n").sweep_id);
  EXPECT_NE(a.sweep_id, load("  seeds: 3\n").sweep_id);
}

TEST(SweepErrors, UnknownKeyPathWithDidYouMean) {
  EXPECT_STARTS_WITH(error_of("  grid:\n"
                              "    topology.spine: [4, 8]\n"),
                     "t.yaml:7:5: sweep.grid.topology.spine: unknown key path; did you mean "
                     "\"topology.spines\"? sweepable: topology.kind, topology.leaves, "
                     "topology.spines, topology.hosts_per_leaf,");
  // The last segment alone finds the path.
  EXPECT_STARTS_WITH(error_of("  grid: {spines: [4, 8]}\n"),
                     "t.yaml:6:10: sweep.grid.spines: unknown key path; did you mean "
                     "\"topology.spines\"? sweepable:");
  EXPECT_STARTS_WITH(error_of("  zip:\n"
                              "    - {topology.leaves: [2], frobnicate: [1]}\n"),
                     "t.yaml:7:30: sweep.zip[0].frobnicate: unknown key path; sweepable:");
}

TEST(SweepErrors, KeysThatCannotBeSwept) {
  EXPECT_EQ(error_of("  grid:\n"
                     "    seed: [1, 2]\n"),
            "t.yaml:7:5: sweep.grid.seed: cannot be swept: the seed is not swept by key; use "
            "sweep.seeds: N to run every point with N seeds");
  EXPECT_STARTS_WITH(error_of("  grid: {name: [a, b]}\n"),
                     "t.yaml:6:10: sweep.grid.name: cannot be swept:");
}

TEST(SweepErrors, BadRanges) {
  EXPECT_EQ(error_of("  grid:\n"
                     "    workload.size_bytes: {from: 16MiB, to: 1MiB, times: 2}\n"),
            "t.yaml:7:26: sweep.grid.workload.size_bytes: a range needs from <= to, got from "
            "\"16MiB\" and to \"1MiB\"");
  EXPECT_STARTS_WITH(error_of("  grid:\n"
                              "    workload.size_bytes: {from: 1MiB, to: 16MiB}\n"),
                     "t.yaml:7:26: sweep.grid.workload.size_bytes: a range needs either times");
  EXPECT_STARTS_WITH(error_of("  grid:\n"
                              "    topology.spines: {from: 1, to: 16, step: 1, times: 2}\n"),
                     "t.yaml:7:22: sweep.grid.topology.spines: a range needs either times");
  EXPECT_EQ(error_of("  grid:\n"
                     "    workload.size_bytes: {from: 1MiB, to: 16MiB, times: 1}\n"),
            "t.yaml:7:57: sweep.grid.workload.size_bytes.times: expected an integer factor from 2 "
            "to 1000000, got \"1\"");
  EXPECT_EQ(error_of("  grid:\n"
                     "    workload.size_bytes: {from: 1MiB, to: 16MiB, step: 0}\n"),
            "t.yaml:7:56: sweep.grid.workload.size_bytes.step: a step must be greater than 0, got "
            "\"0\"");
  EXPECT_EQ(error_of("  grid:\n"
                     "    workload.size_bytes: {from: 0, to: 16MiB, times: 2}\n"),
            "t.yaml:7:33: sweep.grid.workload.size_bytes.from: a geometric range (times) needs "
            "from > 0, got \"0\"");
  EXPECT_EQ(error_of("  grid:\n"
                     "    workload.size_bytes: {from: 1B, to: 1GiB, step: 1}\n"),
            "t.yaml:7:26: sweep.grid.workload.size_bytes: this range gives more than 10000 "
            "values; use a larger step or times");
  EXPECT_EQ(error_of("  grid:\n"
                     "    topology.host_link.rate: {from: 100, to: 400Gbps, step: 100Gbps}\n"),
            "t.yaml:7:37: sweep.grid.topology.host_link.rate.from: a rate needs a unit, e.g. "
            "400Gbps; got \"100\"");
  EXPECT_EQ(error_of("  grid:\n"
                     "    transport.policy: {from: 1, to: 2, step: 1}\n"),
            "t.yaml:7:23: sweep.grid.transport.policy: a range needs a numeric key, and "
            "transport.policy takes words; list them, e.g. [ecmp, spray]");
  EXPECT_STARTS_WITH(error_of("  grid:\n"
                              "    topology.spines: {from: 1, to: 4, stepp: 1}\n"),
                     "t.yaml:7:39: sweep.grid.topology.spines.stepp: unknown key; did you mean "
                     "\"step\"?");
}

TEST(SweepErrors, ZipListsOfUnequalLength) {
  EXPECT_EQ(error_of("  zip:\n"
                     "    - topology.leaves: [2, 4, 8]\n"
                     "      topology.hosts_per_leaf: [8, 4]\n"),
            "t.yaml:8:32: sweep.zip[0].topology.hosts_per_leaf: 2 values, but topology.leaves "
            "in this zip group has 3; keys in a zip group vary together, so each needs as many "
            "values");
  EXPECT_STARTS_WITH(error_of("  zip: [[1, 2]]\n"),
                     "t.yaml:6:9: sweep.zip[0]: expected a zip group: a map of key paths");
  EXPECT_EQ(error_of("  zip: [{}]\n"),
            "t.yaml:6:9: sweep.zip[0]: an empty zip group; give the keys that vary together");
}

TEST(SweepErrors, AValueTheKeyRejectsPointsAtTheValue) {
  EXPECT_EQ(error_of("  grid:\n"
                     "    transport.policy: [ecmp, sprey]\n"),
            "t.yaml:7:30: transport.policy: expected one of ecmp, spray, mprdma:K, split, planned, "
            "reps, adaptive, "
            "got \"sprey\" (did you mean "
            "\"spray\"?) (in sweep point 1: transport.policy=sprey)");
  // From a range: at the range.
  EXPECT_EQ(error_of("  grid:\n"
                     "    topology.spines: {from: 0, to: 8, step: 4}\n"),
            "t.yaml:7:22: topology.spines: expected an integer from 1 to 65536, got \"0\" (in "
            "sweep point 0: topology.spines=0)");
  // Units are checked while reading the sweep, with the element's path.
  EXPECT_EQ(error_of("  grid:\n"
                     "    workload.size_bytes: [1MiB, 2Mib]\n"),
            "t.yaml:7:33: sweep.grid.workload.size_bytes[1]: unknown size unit \"Mib\" in "
            "\"2Mib\"; did you mean \"MiB\"? allowed units: B, KB, MB, GB, TB, KiB, MiB, GiB, "
            "TiB, PiB");
  EXPECT_EQ(error_of("  grid:\n"
                     "    transport.policy: [ecmp, {a: 1}]\n"),
            "t.yaml:7:30: sweep.grid.transport.policy[1]: expected a word, got a map");
}

TEST(SweepErrors, ABadCombinationNamesThePoint) {
  // Each value is fine alone; 1 leaf of 1 host is not a fabric.
  EXPECT_EQ(error_of("  grid:\n"
                     "    topology.leaves: [2, 1]\n"
                     "    topology.hosts_per_leaf: [4, 1]\n"),
            "t.yaml:8:34: topology.hosts_per_leaf: leaves x hosts_per_leaf = 1 x 1 = 1 hosts; a "
            "fabric needs 2 to 1048576 hosts (in sweep point 3: topology.leaves=1 "
            "topology.hosts_per_leaf=1)");
}

TEST(SweepErrors, TheSweepBlockItself) {
  EXPECT_EQ(error_of("  grid:\n"
                     "    topology.leaves: [2, 4]\n"
                     "  zip:\n"
                     "    - {topology.leaves: [2, 4]}\n"),
            "t.yaml:9:8: sweep.zip[0].topology.leaves: topology.leaves is already swept "
            "(sweep.grid.topology.leaves, line 7); a key varies in one place only");
  EXPECT_EQ(error_of("  grids: {}\n"),
            "t.yaml:6:3: sweep.grids: unknown key; did you mean \"grid\"? allowed: grid, zip, "
            "seeds");
  EXPECT_EQ(error_of("  seeds: 0\n"),
            "t.yaml:6:10: sweep.seeds: expected an integer from 1 to 10000, got \"0\"");
  EXPECT_STARTS_WITH(error_of(""), "t.yaml:5:1: sweep: an empty sweep; give grid");
  EXPECT_EQ(error_of("  grid: {topology.spines: []}\n"),
            "t.yaml:6:27: sweep.grid.topology.spines: an empty list; give at least one value, "
            "e.g. [4, 8] or a range such as {from: 4, to: 16, step: 4}");
  EXPECT_STARTS_WITH(error_of("  grid: {topology.spines: 4}\n"),
                     "t.yaml:6:27: sweep.grid.topology.spines: expected a list of values such as "
                     "[4, 8]");
  EXPECT_STARTS_WITH(error_of("  grid: {topology.spines: [1, 1], topology.spines: [2]}\n"),
                     "t.yaml:6:35: sweep.grid.\"topology.spines\": duplicate key");
  EXPECT_EQ(error_of("  grid:\n"
                     "    workload.size_bytes: {from: 1B, to: 10000B, step: 1}\n"
                     "  seeds: 11\n"),
            "t.yaml:5:1: sweep: this sweep has more than 100000 points (10000 x 11 seeds); split "
            "it into several files");
}

TEST(SweepErrors, TheBaseIsCheckedWithoutSweepContext) {
  const std::string text =
      "name: sw\n"
      "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 2, spine: 3}\n"
      "workload: {collective: ring_allreduce, size_bytes: 64KiB}\n"
      "sweep: {seeds: 2}\n";
  try {
    (void)load_sweep_string(text, "t.yaml");
    FAIL() << "loaded";
  } catch (const sim::ScenarioError& e) {
    EXPECT_STARTS_WITH(e.what(),
                       "t.yaml:2:71: topology.spine: unknown key; did you mean "
                       "\"spines\"?");
    EXPECT_EQ(std::string(e.what()).find("sweep point"), std::string::npos) << e.what();
  }
}

// Deterministic fuzzing of the example: each mutation either loads or fails
// with one clean located line, never anything else.
TEST(SweepRobustness, MutationsGiveCleanErrors) {
  const std::string original = kBase +
                               "  grid:\n"
                               "    transport.policy: [ecmp, spray]\n"
                               "    workload.size_bytes: {from: 1MiB, to: 16MiB, times: 4}\n"
                               "  zip:\n"
                               "    - topology.leaves: [2, 4]\n"
                               "      topology.hosts_per_leaf: [8, 4]\n"
                               "  seeds: 2\n";
  const std::string alphabet = ":-[]{},#&*! '\"0123456789.abcxyzKMGiBps~";
  std::uint64_t state = 20261124;
  auto next = [&](std::uint64_t bound) { return sim::splitmix64(state) % bound; };
  int loaded = 0;
  for (int round = 0; round < 300; ++round) {
    std::string text = original;
    const std::uint64_t edits = 1 + next(2);
    for (std::uint64_t e = 0; e < edits; ++e) {
      // Edit the sweep block, where the new code is.
      const auto i = kBase.size() + static_cast<std::size_t>(next(text.size() - kBase.size()));
      switch (next(3)) {
        case 0:
          text.erase(i, 1);
          break;
        case 1:
          text.insert(i, 1, text[i]);
          break;
        default:
          text[i] = alphabet[static_cast<std::size_t>(next(alphabet.size()))];
          break;
      }
    }
    try {
      (void)load_sweep_string(text, "mut.yaml");
      ++loaded;
    } catch (const sim::ScenarioError& e) {
      const std::string msg = e.what();
      ASSERT_EQ(msg.rfind("mut.yaml:", 0), 0u) << msg << "\n--- input:\n" << text;
      ASSERT_EQ(msg.find('\n'), std::string::npos) << msg << "\n--- input:\n" << text;
    } catch (const std::exception& e) {
      FAIL() << "unexpected exception: " << e.what() << "\n--- input:\n" << text;
    }
  }
  EXPECT_GT(loaded, 10);
}

}  // namespace
}  // namespace spinel::sweep
