// The scenario's pccl section: loading, located errors, result files, and
// `spinel dst` end to end.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "tests/unit/test_support.hpp"
#include "tools/sweep/keys.hpp"
#include "tools/sweep/results.hpp"
#include "tools/sweep/sweep.hpp"

namespace spinel {
namespace {

const std::string kBase = R"(name: p
topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4}
output: {flows: false}
pccl:
  peers: 4
  floats: 33
  size_bytes: 256MiB
  duration: 120s
  keepalive_timeout: 10s
  keepalive_interval: 2s
  churn:
    interval: {min: 500ms, max: 2s}
    kinds: {death: 0.5, stall: 0.3, leave: 0.2}
)";

std::string error_of(const std::string& yaml) {
  return testing::error_of_loading(
      [](const std::string& y) { return scenario::load_string(y, "t.yaml"); }, yaml);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(PcclScenario, LoadsEveryKeyAndTheShippedScenario) {
  const scenario::Scenario s = scenario::load_string(kBase, "t.yaml");
  ASSERT_TRUE(s.pccl.has_value());
  EXPECT_TRUE(s.jobs.empty());
  EXPECT_EQ(s.pccl->peers, 4U);
  EXPECT_EQ(s.pccl->floats, 33U);
  EXPECT_EQ(s.pccl->size_bytes, 256ULL << 20);
  EXPECT_EQ(s.pccl->keepalive_timeout_ps, 10 * sim::kSecond);
  EXPECT_EQ(s.pccl->churn_interval_min_ps, 500 * sim::kMillisecond);
  EXPECT_DOUBLE_EQ(s.pccl->stall_weight, 0.3);
  const scenario::Scenario shipped =
      scenario::load_file(std::string(SPINEL_SOURCE_DIR) + "/scenarios/pccl/churn.yaml");
  EXPECT_EQ(shipped.pccl->max_peers, 10U);
  EXPECT_EQ(shipped.pccl->duration_ps, 3600 * sim::kSecond);
  const scenario::Scenario events = scenario::load_string(
      kBase + "  events:\n    - {at: 5s, kind: death, peer: 1}\n    - {at: 6s, kind: join}\n",
      "t.yaml");
  EXPECT_EQ(s.pccl->loop.inner_steps, 1U);  // the loop's defaults: one all-reduce a step
  EXPECT_FALSE(s.pccl->loop.async);
  EXPECT_EQ(s.pccl->loop.quantisation, pccl::Quantisation::none);
  EXPECT_EQ(s.pccl->loop.concurrent_collectives, 1U);
  const scenario::Scenario loop =
      scenario::load_string(kBase +
                                "  inner_steps: 50\n  async: true\n  quantisation: fp16\n"
                                "  concurrent_collectives: 10\n",
                            "t.yaml");
  EXPECT_EQ(loop.pccl->loop.inner_steps, 50U);
  EXPECT_TRUE(loop.pccl->loop.async);
  EXPECT_EQ(loop.pccl->loop.quantisation, pccl::Quantisation::fp16);
  EXPECT_EQ(loop.pccl->loop.concurrent_collectives, 10U);
  const scenario::Scenario diloco =
      scenario::load_file(std::string(SPINEL_SOURCE_DIR) + "/scenarios/pccl/diloco_churn.yaml");
  EXPECT_EQ(diloco.pccl->loop.quantisation, pccl::Quantisation::int8);
  ASSERT_EQ(events.pccl->events.size(), 2U);
  EXPECT_EQ(events.pccl->events[0].kind, pccl::ChurnKind::death);
  EXPECT_EQ(events.pccl->events[1].at_ps, 6 * sim::kSecond);
}

TEST(PcclScenario, BadInputIsALocatedError) {
  EXPECT_EQ(error_of(replaced(kBase, "  peers: 4\n", "")),
            "t.yaml:4:1: pccl: missing required key \"peers\"");
  EXPECT_STARTS_WITH(
      error_of(replaced(kBase, "peers: 4", "peers: 11")),
      "t.yaml:5:10: pccl.peers: expected a peer count (up to max_peers) from 1 to 10");
  EXPECT_STARTS_WITH(error_of(replaced(kBase, "keepalive_timeout: 10s", "keepalive_timout: 10s")),
                     "t.yaml:9:3: pccl.keepalive_timout: unknown key");
  EXPECT_STARTS_WITH(error_of(replaced(kBase, "keepalive_timeout: 10s", "keepalive_timeout: 1s")),
                     "t.yaml:9:22: pccl.keepalive_timeout: the timeout must be at least");
  EXPECT_STARTS_WITH(error_of(replaced(kBase, "max: 2s", "max: 100ms")),
                     "t.yaml:12:33: pccl.churn.interval.max: max must be at least min");
  EXPECT_STARTS_WITH(error_of(kBase + "  events:\n    - {at: 5s, kind: death}\n"),
                     "t.yaml:15:7: pccl.events[0]: a death needs the peer it hits");
  EXPECT_STARTS_WITH(error_of(kBase + "  events:\n    - {at: 5s, kind: join, peer: 2}\n"),
                     "t.yaml:15:28: pccl.events[0].peer: a join starts a new peer");
  EXPECT_STARTS_WITH(
      error_of(kBase +
               "  events:\n    - {at: 5s, kind: death, peer: 1}\n    - {at: 4s, kind: join}\n"),
      "t.yaml:16:12: pccl.events[1].at: events must be in time order");
  EXPECT_STARTS_WITH(
      error_of(kBase + "  events:\n    - {at: 5s, kind: crash, peer: 1}\n"),
      "t.yaml:15:22: pccl.events[0].kind: expected one of join, leave, death, stall");
  EXPECT_STARTS_WITH(error_of(kBase + "  quantisation: int4\n"),
                     "t.yaml:14:17: pccl.quantisation: expected one of none, fp16, int8");
  EXPECT_STARTS_WITH(error_of(kBase + "  inner_steps: 0\n"),
                     "t.yaml:14:16: pccl.inner_steps: expected a count of inner steps from 1");
  EXPECT_STARTS_WITH(error_of(kBase + "  concurrent_collectives: 300\n"),
                     "t.yaml:14:27: pccl.concurrent_collectives: expected a count of concurrent");
  EXPECT_STARTS_WITH(error_of(kBase + "  async: maybe\n"), "t.yaml:14:10: pccl.async: ");
  EXPECT_STARTS_WITH(
      error_of(replaced(kBase, "floats: 33", "floats: 2000") + "  inner_steps: 100000\n"),
      "t.yaml:14:16: pccl.inner_steps: inner_steps times floats must be at most");
  EXPECT_STARTS_WITH(
      error_of(replaced(
          kBase, "output:", "workload: {collective: ring_allreduce, size_bytes: 1MiB}\noutput:")),
      "t.yaml:5:1: pccl: give either a workload (jobs) or pccl");
  EXPECT_STARTS_WITH(error_of(replaced(kBase, "output: {flows: false}", "output: {trace: true}")),
                     "t.yaml:4:1: pccl: a pccl run writes churn.csv and steps.csv");
}

// Links may fail under a pccl run; hosts and detectors belong to workloads.
TEST(PcclScenario, TakesLinkFaultsButNotHostFaultsOrADetector) {
  const std::string link = "faults:\n  - {at: 1s, link: leaf0>spine1, state: down}\n";
  EXPECT_EQ(scenario::load_string(link + kBase, "t.yaml").faults.size(), 1u);
  EXPECT_EQ(error_of("faults:\n  - {at: 1s, host: h1, state: hung}\n" + kBase),
            "t.yaml:6:1: pccl: host faults, random_fault and detector are for workload runs; a "
            "pccl run has its own churn (pccl.churn)");
  EXPECT_EQ(error_of("detector: {}\n" + kBase),
            "t.yaml:5:1: pccl: host faults, random_fault and detector are for workload runs; a "
            "pccl run has its own churn (pccl.churn)");
}

TEST(PcclScenario, ChurnAtRates) {
  const std::string rates = kBase.substr(0, kBase.find("  churn:")) +
                            "  churn: {joins_per_hour: 60, deaths_per_peer_hour: 2.5}\n";
  const scenario::Scenario s = scenario::load_string(rates, "t.yaml");
  EXPECT_DOUBLE_EQ(s.pccl->joins_per_hour, 60.0);
  EXPECT_DOUBLE_EQ(s.pccl->deaths_per_peer_hour, 2.5);
  EXPECT_EQ(s.pccl->churn_interval_max_ps, 0);
  EXPECT_STARTS_WITH(error_of(replaced(rates, "2.5", "-1")),
                     "t.yaml:11:53: pccl.churn.deaths_per_peer_hour: expected events per hour");
  EXPECT_STARTS_WITH(error_of(replaced(rates, "{joins_per_hour: 60, deaths_per_peer_hour: 2.5}",
                                       "{kill_probability: 0.5}")),
                     "t.yaml:11:10: pccl.churn: churn needs an interval");
}

TEST(PcclScenario, ResultFilesAreByteIdenticalForTheSameSeed) {
  const scenario::Scenario s = scenario::load_string(kBase, "t.yaml");
  const auto dir = std::filesystem::path(::testing::TempDir()) / "pccl_determinism";
  const pccl::SimRun a = *api::run(s, api::RunOptions(dir / "a")).pccl;
  const pccl::SimRun b = *api::run(s, api::RunOptions(dir / "b")).pccl;
  ASSERT_FALSE(a.result.failed) << a.result.violation;
  EXPECT_GT(a.result.steps.size(), 10U);
  for (const char* f : {"churn.csv", "steps.csv", "summary.json", "links.csv"}) {
    EXPECT_EQ(read_bytes(dir / "a" / f), read_bytes(dir / "b" / f)) << f;
  }
  const std::string churn = read_bytes(dir / "a" / "churn.csv");
  EXPECT_EQ(churn.substr(0, churn.find('\n')), "time_ps,event,peer,host,world_size");
  const std::string steps = read_bytes(dir / "a" / "steps.csv");
  EXPECT_EQ(steps.substr(0, steps.find('\n')),
            "op,attempts,start_ps,end_ps,duration_ps,world_size,bytes");
}

TEST(PcclScenario, TheFilesAgreeWithTheMetrics) {
  const scenario::Scenario s = scenario::load_string(kBase, "t.yaml");
  const auto dir = std::filesystem::path(::testing::TempDir()) / "pccl_files";
  std::filesystem::remove_all(dir);
  const pccl::SimRun run = *api::run(s, api::RunOptions(dir)).pccl;
  auto lines = [](const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + 1)) {
      ++n;
    }
    return n;
  };
  const std::string steps = read_bytes(dir / "steps.csv");
  EXPECT_EQ(lines(steps, "\n"), run.result.steps.size() + 1);
  const std::string churn = read_bytes(dir / "churn.csv");
  EXPECT_EQ(lines(churn, ",death,"), run.result.deaths);
  EXPECT_EQ(lines(churn, ",stall,"), run.result.stalls);
  EXPECT_EQ(lines(churn, ",kicked,"), run.result.kicks);
  EXPECT_EQ(lines(churn, ",spawn,"), run.result.peers_spawned);
  const std::string summary = read_bytes(dir / "summary.json");
  EXPECT_NE(summary.find("\"steps_completed\": " + std::to_string(run.result.steps.size())),
            std::string::npos);
  EXPECT_NE(summary.find("\"violation\": null"), std::string::npos);
  std::uint64_t aborted = 0;
  for (const pccl::StepRecord& step : run.result.steps) aborted += step.attempts - 1;
  EXPECT_EQ(aborted, run.result.aborted_attempts);  // no attempt aborted at the very end
}

TEST(PcclScenario, DstReportsTheSameWithOneOrTwoThreads) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "pccl_dst_threads";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "s.yaml") << replaced(kBase, "  duration: 120s\n", "  duration: 30s\n");
  std::string out[2];
  for (int jobs = 1; jobs <= 2; ++jobs) {
    const std::string cmd = std::string(SPINEL_BINARY) + " dst " + (dir / "s.yaml").string() +
                            " --seeds 12 --jobs " + std::to_string(jobs) + " > " +
                            (dir / "out.txt").string();
    EXPECT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 0);
    out[jobs - 1] = read_bytes(dir / "out.txt");
    out[jobs - 1] = out[jobs - 1].substr(0, out[jobs - 1].find(" s wall"));  // wall time varies
    out[jobs - 1] = out[jobs - 1].substr(0, out[jobs - 1].rfind(','));
  }
  EXPECT_EQ(out[0], out[1]);
  EXPECT_NE(out[0].find("12 seeds (1..12) passed every invariant"), std::string::npos) << out[0];
}

TEST(PcclScenario, EveryPcclKeyCanBeSweptAndResultsHaveThePcclMetrics) {
  const sweep::Sweep sw = sweep::load_sweep_string(
      kBase +
          "sweep:\n  grid:\n"
          "    pccl.peers: [3]\n    pccl.max_peers: [6]\n    pccl.size_bytes: [1MiB]\n"
          "    pccl.connections_per_neighbour: [2]\n    pccl.window_bytes: [4MiB]\n"
          "    pccl.ring_order: [optimised]\n"
          "    pccl.step_compute: [2s]\n"
          "    pccl.inner_steps: [10]\n    pccl.async: [true]\n    pccl.quantisation: [int8]\n"
          "    pccl.concurrent_collectives: [4]\n"
          "    pccl.keepalive_timeout: [20s]\n    pccl.duration: [60s]\n"
          "    pccl.churn.joins_per_hour: [10]\n    pccl.churn.deaths_per_peer_hour: [4]\n"
          "    pccl.churn.stalls_per_peer_hour: [1]\n    pccl.churn.leaves_per_peer_hour: [2]\n",
      "t.yaml");
  std::size_t pccl_keys = 0;
  for (const sweep::Key& k : sweep::sweepable_keys()) pccl_keys += k.path.starts_with("pccl.");
  EXPECT_EQ(sw.parameters.size(), pccl_keys);
  const scenario::Scenario s = sw.scenario_of(sw.points.front());
  EXPECT_EQ(s.pccl->peers, 3U);
  EXPECT_EQ(s.pccl->max_peers, 6U);
  EXPECT_EQ(s.pccl->size_bytes, 1ULL << 20);
  EXPECT_EQ(s.pccl->connections_per_neighbour, 2U);
  EXPECT_EQ(s.pccl->window_bytes, 4ULL << 20);
  EXPECT_EQ(s.pccl->ring_order, pccl::RingOrder::optimised);
  EXPECT_EQ(s.pccl->step_compute_ps, 2 * sim::kSecond);
  EXPECT_EQ(s.pccl->loop.inner_steps, 10U);
  EXPECT_TRUE(s.pccl->loop.async);
  EXPECT_EQ(s.pccl->loop.quantisation, pccl::Quantisation::int8);
  EXPECT_EQ(s.pccl->loop.concurrent_collectives, 4U);
  EXPECT_EQ(s.pccl->keepalive_timeout_ps, 20 * sim::kSecond);
  EXPECT_EQ(s.pccl->duration_ps, 60 * sim::kSecond);
  EXPECT_DOUBLE_EQ(s.pccl->joins_per_hour, 10.0);
  EXPECT_DOUBLE_EQ(s.pccl->deaths_per_peer_hour, 4.0);
  EXPECT_DOUBLE_EQ(s.pccl->stalls_per_peer_hour, 1.0);
  EXPECT_DOUBLE_EQ(s.pccl->leaves_per_peer_hour, 2.0);
  const std::vector<std::string> columns = sweep::result_columns(sw);
  EXPECT_NE(std::find(columns.begin(), columns.end(), "steps_per_hour"), columns.end());
  EXPECT_NE(std::find(columns.begin(), columns.end(), "recovery_mean_ps"), columns.end());
  EXPECT_EQ(std::find(columns.begin(), columns.end(), "busbw_gbps"), columns.end());
}

TEST(PcclScenario, TheShippedDeathRateSweepRuns) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "pccl_sweep";
  std::filesystem::remove_all(dir);
  const std::string cmd = std::string(SPINEL_BINARY) + " sweep " + SPINEL_SOURCE_DIR +
                          "/scenarios/pccl/death_rate_sweep.yaml --jobs 2 --quiet --out " +
                          dir.string();
  ASSERT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 0);
  const std::string results = read_bytes(dir / "results.csv");
  std::size_t rows = 0;
  for (char c : results) rows += c == '\n';
  EXPECT_EQ(rows, 19U);  // header and 6 rates x 3 seeds
  EXPECT_EQ(results.find(",failed,"), std::string::npos);
}

TEST(PcclScenario, TheShippedConnectionsSweepRisesUntilTheLinkIsFull) {
  // The shipped WAN sweep, shortened: its 90 ms round trip only, 20 s a point.
  const auto dir = std::filesystem::path(::testing::TempDir()) / "pccl_connections";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string text = read_bytes(std::filesystem::path(SPINEL_SOURCE_DIR) /
                                "scenarios/pccl/connections_sweep.yaml");
  text = replaced(text, "duration: 120s", "duration: 20s");
  text = replaced(text, "topology.wan_link.rtt: [25ms, 90ms]", "topology.wan_link.rtt: [90ms]");
  std::ofstream(dir / "c.yaml") << text;
  const std::string cmd = std::string(SPINEL_BINARY) + " sweep " + (dir / "c.yaml").string() +
                          " --jobs 2 --quiet --out " + (dir / "out").string();
  ASSERT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 0);
  std::ifstream in(dir / "out" / "results.csv");
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = sweep::split_csv_line(line);
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  ASSERT_LT(column("edge_gbps"), header.size()) << line;
  ASSERT_EQ(column("pccl.connections_per_neighbour"), 2U) << line;
  std::vector<std::uint64_t> steps;  // per point: 1, 2, 4, ..., 128 connections
  std::vector<double> gbps;
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = sweep::split_csv_line(line);
    EXPECT_EQ(cells[column("status")], "ok") << line;
    steps.push_back(std::stoull(cells[column("steps_completed")]));
    gbps.push_back(std::stod(cells[column("edge_gbps")]));
  }
  ASSERT_EQ(steps.size(), 8U);
  // Each doubling of the pool speeds the step up while the connections'
  // windows bind (1.5 Gb/s each over 90 ms); from 64 on, the ring's own
  // latency and the link bind, and 128 are no faster than 64.
  for (std::size_t i = 1; i < 7; ++i) EXPECT_GT(steps[i], steps[i - 1]) << i;
  EXPECT_NEAR(gbps[1], 2 * gbps[0], 0.1 * gbps[0]);
  EXPECT_GT(gbps[6], 20 * gbps[0]);
  EXPECT_NEAR(gbps[7], gbps[6], 0.05 * gbps[6]);
}

TEST(PcclScenario, ASmallWindowSlowsTheRingWithoutTrippingLivenessAndFlowsCsvNamesNodes) {
  // 125 kB over a 40 ms RTT: 25 Mb/s, so a 256 MiB ring takes about 86 s,
  // longer than the bound at the host rate (74 s): the bound must use the pool's rate.
  const auto dir = std::filesystem::path(::testing::TempDir()) / "pccl_window";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "w.yaml") << "name: w\nseed: 1\ntopology:\n  kind: leaf_spine\n  leaves: 1\n"
                                   "  spines: 1\n  hosts_per_leaf: 2\n"
                                   "  host_link: {rate: 10Gbps, latency: 10ms}\n"
                                   "output:\n  flows: true\n"
                                   "pccl:\n  peers: 2\n  max_peers: 2\n  floats: 16\n"
                                   "  size_bytes: 256MiB\n  window_bytes: 125KB\n"
                                   "  step_compute: 100ms\n  duration: 300s\n";
  const std::string cmd = std::string(SPINEL_BINARY) + " run " + (dir / "w.yaml").string() +
                          " --out " + (dir / "out").string() + " > /dev/null";
  ASSERT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 0);
  const std::string steps = read_bytes(dir / "out" / "steps.csv");
  std::size_t rows = 0;
  for (char c : steps) rows += c == '\n';
  EXPECT_EQ(rows, 4U);  // header and 3 steps of about 86 s
  const std::string flows = read_bytes(dir / "out" / "flows.csv");
  EXPECT_NE(flows.find(",h0>leaf0>h1,"), std::string::npos) << flows.substr(0, 400);
}

TEST(PcclScenario, DstReportsTheFirstFailingSeedWithAReproducer) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "pccl_dst";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // A liveness bound shorter than the keepalive timeout, and a stall: every
  // seed fails.
  std::ofstream(dir / "tight.yaml") << kBase.substr(0, kBase.find("  churn:")) +
                                           "  liveness_bound: 3s\n  events: [{at: 10s, kind: "
                                           "stall, peer: 1}]\n";
  const std::string bin = SPINEL_BINARY;
  const std::string cmd = bin + " dst " + (dir / "tight.yaml").string() +
                          " --seeds 5 --jobs 2 --out " + dir.string() + " > " +
                          (dir / "report.txt").string();
  const int status = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const std::string report = read_bytes(dir / "report.txt");
  EXPECT_NE(report.find("seed 1 violates an invariant"), std::string::npos) << report;
  EXPECT_NE(report.find("liveness"), std::string::npos) << report;
  const scenario::Scenario repro = scenario::load_file(dir / "failing_seed_1.yaml");
  EXPECT_EQ(repro.seed, 1U);
  const pccl::SimRun again = *api::run(repro).pccl;
  EXPECT_TRUE(again.result.failed);
  // The same file with a seed that passes.
  const std::string ok =
      bin + " dst " + (dir / "tight.yaml").string() + " --seeds 0 > /dev/null 2>&1";
  EXPECT_EQ(WEXITSTATUS(std::system(ok.c_str())), 2);  // --seeds 0 is a usage error
  const std::string help = bin + " help dst > " + (dir / "help.txt").string();
  EXPECT_EQ(WEXITSTATUS(std::system(help.c_str())), 0);
  EXPECT_EQ(read_bytes(dir / "help.txt").substr(0, 15), "spinel dst FILE");
}

}  // namespace
}  // namespace spinel
