// Several jobs on one fabric: how scenarios state them, how they are placed,
// and that they run side by side on disjoint hosts.
#include <gtest/gtest.h>

#include <set>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "test_support.hpp"
#include "workloads/placement.hpp"

namespace spinel {
namespace {

namespace fs = std::filesystem;
using testing::error_of_loading;
using testing::slurp;

const std::string kFabric = R"(name: jobs
topology: {kind: leaf_spine, leaves: 4, spines: 2, hosts_per_leaf: 4}
)";

std::string error_of(const std::string& yaml) {
  return error_of_loading(
      [](const std::string& text) { return scenario::load_string(text, "t.yaml"); },
      kFabric + yaml);
}

TEST(Jobs, ScenarioListsJobsWithNamesAndStarts) {
  const scenario::Scenario s = scenario::load_string(kFabric + R"(jobs:
  - {name: a, collective: ring_allreduce, size_bytes: 1MiB, hosts: 8, placement: contiguous}
  - {name: b, collective: all_to_all, size_bytes: 1MiB, hosts: 4, placement: random, start: 5us}
  - {name: c, collective: tree_allreduce, size_bytes: 1MiB, placement: [15, 14]}
)",
                                                     "t.yaml");
  ASSERT_EQ(s.jobs.size(), 3u);
  EXPECT_EQ(s.jobs[1].name, "b");
  EXPECT_EQ(s.jobs[1].collective, workloads::Collective::all_to_all);
  EXPECT_EQ(s.jobs[1].start_ps, 5 * sim::kMicrosecond);
  EXPECT_EQ(s.jobs[2].hosts, 2u);
  const sim::Json echo = scenario::to_json(s);
  EXPECT_NE(sim::json_text(echo).find("\"name\": \"b\""), std::string::npos)
      << sim::json_text(echo);
}

TEST(Jobs, PlacementKeepsJobsOnDisjointHosts) {
  std::vector<workloads::WorkloadConfig> jobs(3);
  jobs[0].hosts = 6;
  jobs[0].placement = workloads::Placement::random;
  jobs[1].hosts = 5;
  jobs[1].placement = workloads::Placement::contiguous;
  jobs[2].placement = workloads::Placement::explicit_list;
  jobs[2].ranks = {0, 1, 2};
  jobs[2].hosts = 3;
  const auto placed = workloads::place_jobs(jobs, 16, 7);
  std::set<topology::HostId> seen;
  std::size_t total = 0;
  for (const auto& hosts : placed) {
    total += hosts.size();
    seen.insert(hosts.begin(), hosts.end());
  }
  EXPECT_EQ(total, 14u);
  EXPECT_EQ(seen.size(), 14u) << "a host holds ranks of two jobs";
  EXPECT_EQ(placed[2], (std::vector<topology::HostId>{0, 1, 2}));
  // Contiguous takes the lowest free ids, after the explicit and the random job.
  for (std::size_t i = 1; i < placed[1].size(); ++i) EXPECT_GT(placed[1][i], placed[1][i - 1]);
  EXPECT_EQ(placed, workloads::place_jobs(jobs, 16, 7));
  // One job placed alone draws as it always did.
  EXPECT_EQ(workloads::place_ranks(jobs[0], 16, 7), workloads::place_jobs({jobs[0]}, 16, 7)[0]);
}

TEST(JobsErrors, EachMistakeIsNamedWithItsLine) {
  EXPECT_EQ(error_of("workload: {collective: ring_allreduce, size_bytes: 1MiB}\n"
                     "jobs: [{name: a, collective: ring_allreduce, size_bytes: 1MiB}]\n"),
            "t.yaml:4:1: jobs: give either workload (one job) or jobs (several), not both");
  EXPECT_EQ(error_of("seed: 2\n"),
            "t.yaml:1:1: document: missing workload: say what runs, with "
            "workload (one job) or jobs (a list of them)");
  EXPECT_EQ(error_of("jobs:\n"
                     "  - {name: a, collective: ring_allreduce, size_bytes: 1MiB, hosts: 2}\n"
                     "  - {name: a, collective: ring_allreduce, size_bytes: 1MiB, hosts: 2}\n"),
            "t.yaml:5:5: jobs[1]: two jobs are named a; job names must differ");
  EXPECT_EQ(error_of("jobs:\n"
                     "  - {name: a, collective: ring_allreduce, size_bytes: 1MiB}\n"
                     "  - {name: b, collective: ring_allreduce, size_bytes: 1MiB, hosts: 2}\n"),
            "t.yaml:4:5: jobs[0]: with several jobs each needs a host count (hosts: all is for "
            "one job)");
  EXPECT_EQ(
      error_of("jobs:\n"
               "  - {name: a, collective: ring_allreduce, size_bytes: 1MiB, placement: [1, 2]}\n"
               "  - {name: b, collective: ring_allreduce, size_bytes: 1MiB, placement: [3, 2]}\n"),
      "t.yaml:5:5: jobs[1]: host 2 is also in the placement of job a; jobs run on disjoint "
      "hosts");
  EXPECT_EQ(error_of("jobs:\n"
                     "  - {name: a, collective: ring_allreduce, size_bytes: 1MiB, hosts: 10}\n"
                     "  - {name: b, collective: ring_allreduce, size_bytes: 1MiB, hosts: 7}\n"),
            "t.yaml:5:5: jobs[1]: the jobs up to this one need 17 hosts; the fabric has 16");
  EXPECT_EQ(error_of("jobs:\n  - {collective: ring_allreduce, size_bytes: 1MiB, hosts: 2}\n"),
            "t.yaml:4:5: jobs[0]: missing required key \"name\"");
  EXPECT_EQ(error_of("jobs: {name: a}\n"),
            "t.yaml:3:7: jobs: expected a list of jobs, each a map like `workload:` plus name "
            "(and start), got a map");
  EXPECT_EQ(error_of("workload: {collective: halving_doubling_allreduce, size_bytes: 1MiB, "
                     "hosts: 12}\n"),
            "t.yaml:3:77: workload.hosts: halving_doubling_allreduce needs a power-of-two number "
            "of ranks, got 12; set hosts to a power of two");
  EXPECT_EQ(error_of("workload: {collective: alltoall, size_bytes: 1MiB}\n"),
            "t.yaml:3:24: workload.collective: expected one of ring_allreduce, "
            "tree_allreduce, halving_doubling_allreduce, reduce_scatter, all_gather, "
            "all_to_all, pairwise_all_to_all, hierarchical_allreduce, broadcast, reduce, gather, "
            "scatter, barrier, got \"alltoall\" (did you mean \"all_to_all\"?)");
}

TEST(Jobs, TwoJobsRunSideBySideFromTheirStartTimes) {
  const scenario::Scenario s = scenario::load_string(kFabric + R"(seed: 4
jobs:
  - {name: a, collective: ring_allreduce, size_bytes: 4MiB, hosts: 8, placement: random}
  - {name: b, collective: all_to_all, size_bytes: 4MiB, hosts: 8, placement: random,
     iterations: 2, start: 30us}
)",
                                                     "t.yaml");
  const fs::path dir = testing::scratch_folder("jobs", "two");
  const api::Results r = api::run(s, api::RunOptions(dir));
  ASSERT_EQ(r.jobs.size(), 2u);
  ASSERT_EQ(r.jobs[0].collectives.size(), 1u);
  ASSERT_EQ(r.jobs[1].collectives.size(), 2u);
  EXPECT_EQ(r.jobs[0].collectives[0].job, 0u);
  EXPECT_EQ(r.jobs[0].collectives[0].start_ps, 0);
  EXPECT_EQ(r.jobs[1].collectives[0].job, 1u);
  EXPECT_EQ(r.jobs[1].collectives[0].start_ps, 30 * sim::kMicrosecond);
  EXPECT_EQ(r.jobs[1].collectives[0].collective, workloads::Collective::all_to_all);
  EXPECT_EQ(r.flows.bytes_delivered, r.flows.bytes_sent);
  const std::string csv = slurp(dir / "collectives.csv");
  EXPECT_NE(csv.find(",b,1,0,all_to_all,8,"), std::string::npos) << csv;
  // The same scenario again: byte-identical.
  const fs::path again = testing::scratch_folder("jobs", "two_again");
  api::run(s, api::RunOptions(again));
  for (const char* file : {"summary.json", "collectives.csv", "flows.csv", "phases.csv"}) {
    EXPECT_EQ(slurp(dir / file), slurp(again / file)) << file;
  }
}

TEST(JobsErrors, ServersMustDivideTheFabric) {
  const std::string base =
      "name: s\nworkload: {collective: hierarchical_allreduce, size_bytes: 1MiB}\n";
  auto error = [&](const std::string& topology) {
    return error_of_loading(
        [](const std::string& text) { return scenario::load_string(text, "t.yaml"); },
        base + topology);
  };
  EXPECT_EQ(error("topology: {kind: leaf_spine, leaves: 3, spines: 2, hosts_per_leaf: 2, "
                  "nics_per_host: 4}\n"),
            "t.yaml:3:86: topology.nics_per_host: the fabric's 6 hosts (NICs) do not split into "
            "servers of 4; use a divisor of 6");
  EXPECT_EQ(error("topology: {kind: leaf_spine, leaves: 6, spines: 2, hosts_per_leaf: 4, "
                  "nics_per_host: 4, rail_optimised: true}\n"),
            "t.yaml:3:86: topology.nics_per_host: rail_optimised needs the leaves (6) to split "
            "into one group per NIC (4)");
  // Jobs place whole servers: 8 leaves x 4 NICs / 4 per server = 8 servers.
  EXPECT_EQ(error_of_loading(
                [](const std::string& text) { return scenario::load_string(text, "t.yaml"); },
                "name: s\ntopology: {kind: leaf_spine, leaves: 8, spines: 2, hosts_per_leaf: 4, "
                "nics_per_host: 4}\nworkload: {collective: ring_allreduce, size_bytes: 1MiB, "
                "hosts: 9}\n"),
            "t.yaml:3:65: workload.hosts: expected all or an integer from 2 to 8, got \"9\"");
}

TEST(JobsErrors, RailPlacementNeedsServers) {
  EXPECT_EQ(error_of("workload: {collective: ring_allreduce, size_bytes: 1MiB, placement: rail}\n"),
            "t.yaml:3:69: workload.placement: rail lays ranks along the rails of multi-GPU "
            "servers; set topology.nics_per_host (GPUs per server) above 1, or use contiguous or "
            "random");
}

// Rail placement on a rail-optimised fabric: every ring edge, the wrap
// included, joins two GPUs of one server or two NICs of one rail, so a ring
// all-reduce never leaves a rail's leaves (here each rail has two leaves).
TEST(Jobs, RailPlacementKeepsRingEdgesOnARailOrInAServer) {
  topology::FabricConfig config;
  config.leaves = 8;
  config.hosts_per_leaf = 4;
  config.spines = 2;
  config.nics_per_host = 4;
  config.rail_optimised = true;
  const topology::Servers servers(config);
  const std::uint32_t leaves_per_rail = config.leaves / config.nics_per_host;
  // Hosts are numbered leaf by leaf, rails take consecutive leaves.
  auto rail_of = [&](topology::HostId h) { return h / config.hosts_per_leaf / leaves_per_rail; };
  for (const std::vector<std::uint32_t>& job :
       {std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}, std::vector<std::uint32_t>{1, 4, 6}}) {
    const std::vector<topology::HostId> ranks =
        workloads::gpu_ranks(job, servers, workloads::Placement::rail);
    ASSERT_EQ(ranks.size(), job.size() * 4);
    EXPECT_EQ(std::set<topology::HostId>(ranks.begin(), ranks.end()).size(), ranks.size());
    for (std::size_t r = 0; r < ranks.size(); ++r) {
      const topology::HostId a = ranks[r];
      const topology::HostId b = ranks[(r + 1) % ranks.size()];
      const bool same_server = servers.server_of(a) == servers.server_of(b);
      EXPECT_TRUE(same_server || rail_of(a) == rail_of(b)) << "ranks " << r << " and " << r + 1;
    }
  }
  // Without rail placement a ring goes server by server: GPU 3 of one
  // server to GPU 0 of the next, two different rails.
  const std::vector<topology::HostId> plain =
      workloads::gpu_ranks({0, 1}, servers, workloads::Placement::contiguous);
  EXPECT_NE(rail_of(plain[3]), rail_of(plain[4]));
}

}  // namespace
}  // namespace spinel
