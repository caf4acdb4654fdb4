// Whole runs with each path policy and with link faults: results files,
// byte conservation, and the run-time error when no path survives.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "test_support.hpp"

namespace spinel::api {
namespace {

namespace fs = std::filesystem;
using testing::slurp;

const std::string kScenario = R"(
name: policies
seed: 5
topology: {kind: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 4}
workload: {collective: ring_allreduce, size_bytes: 4MiB, placement: random, iterations: 2}
)";

scenario::Scenario with(const std::string& extra) {
  return scenario::load_string(kScenario + extra, "p.yaml");
}

std::size_t rows(const fs::path& file) {
  const std::string text = slurp(file);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) - 1;
}

TEST(RunPolicies, EveryPolicyDeliversEveryByteAndWritesOneRowPerSubflow) {
  for (const std::string policy : {"ecmp", "spray", "mprdma:4", "split", "planned"}) {
    const fs::path dir = testing::scratch_folder("spinel_test_policy_", policy.substr(0, 6));
    const Results r = run(with("transport: {policy: \"" + policy + "\"}\n"), RunOptions(dir));
    EXPECT_EQ(r.flows.bytes_sent, r.flows.bytes_delivered) << policy;
    EXPECT_EQ(r.flows.bytes_sent, 2ULL * 2 * 15 * (4ULL << 20)) << policy;
    EXPECT_EQ(r.flows.transfers_completed, 2ULL * 2 * 15 * 16) << policy;
    EXPECT_EQ(r.flows.started, r.flows.completed) << policy;
    EXPECT_EQ(rows(dir / "flows.csv"), r.flows.completed) << policy;
    const std::string summary = slurp(dir / "summary.json");
    EXPECT_NE(summary.find("\"policy\": \"" + policy + "\""), std::string::npos) << summary;
    EXPECT_EQ(summary.find("split_premises_met") != std::string::npos, policy == "split");
    if (policy == "mprdma:4") {
      EXPECT_EQ(r.flows.completed, 4 * r.flows.transfers_completed);
    }
  }
}

TEST(RunPolicies, FaultsRunToTheEndAndConserveBytes) {
  for (const std::string policy : {"ecmp", "spray", "mprdma:2", "split", "planned"}) {
    const fs::path dir = testing::scratch_folder("spinel_test_faults_", policy.substr(0, 6));
    const Results r = run(with("transport: {policy: \"" + policy +
                               "\"}\n"
                               "faults:\n"
                               "  - {at: 0ns, link: leaf1>spine0, state: down}\n"
                               "  - {at: 20us, link: spine2>leaf3, state: down}\n"
                               "  - {at: 30us, link: h5>leaf1, state: degraded, rate: 100Gbps}\n"
                               "  - {at: 60us, link: spine2>leaf3, state: up}\n"),
                          RunOptions(dir));
    EXPECT_EQ(r.flows.bytes_sent, r.flows.bytes_delivered) << policy;
    EXPECT_EQ(r.flows.transfers_completed, 2ULL * 2 * 15 * 16) << policy;
    EXPECT_LT(r.flows.max_byte_error, 1.0) << policy;
    const std::string links = slurp(dir / "links.csv");
    const std::size_t at = links.find(",leaf1>spine0,");
    ASSERT_NE(at, std::string::npos);
    // Down from the start: it carried nothing.
    const std::string row = links.substr(at, links.find('\n', at) - at);
    EXPECT_NE(row.find(",0,0,0,0"), std::string::npos) << policy << ": " << row;
  }
}

// A lost NIC link stalls its host's connections: the collective hangs, and
// the run ends with the job unfinished instead of failing.
TEST(RunPolicies, ALostNicLinkHangsTheJob) {
  const Results r =
      run(with("faults:\n  - {at: 1us, link: h3>leaf0, state: down}\n"), RunOptions{});
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_FALSE(r.jobs[0].finished);
  EXPECT_TRUE(r.jobs[0].collectives.empty());
  EXPECT_LT(r.flows.bytes_delivered, r.flows.bytes_sent);
}

}  // namespace
}  // namespace spinel::api
