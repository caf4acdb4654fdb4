// The WAN topology: sites joined by long-fat links. Building, routing over
// the fewest WAN hops, path latency and bottleneck rate, the scenario's
// `kind: wan` section and its located errors, and the connection-pool effect
// of a PCCL run across sites.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "tests/unit/test_support.hpp"
#include "tools/sweep/sweep.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/flow_model.hpp"

namespace spinel {
namespace {

using sim::kMicrosecond;
using sim::kMillisecond;

// eu (2 hosts) - us (1) - asia (1): no direct eu-asia link.
topology::WanConfig chain() {
  topology::WanConfig c;
  c.sites = {{"eu", 2, {100.0, 10 * kMicrosecond}},
             {"us", 1, {100.0, 10 * kMicrosecond}},
             {"asia", 1, {40.0, 10 * kMicrosecond}}};
  c.links = {{0, 1, {100.0, 40 * kMillisecond}}, {1, 2, {50.0, 60 * kMillisecond}}};
  return c;
}

TEST(Wan, BuildsSitesHostsAndWanLinks) {
  const topology::Topology t = topology::build_wan(chain());
  EXPECT_EQ(t.host_count(), 4U);
  EXPECT_EQ(t.count(topology::NodeKind::site), 3U);
  EXPECT_EQ(t.link_count(), 2U * (4 + 2));
  EXPECT_EQ(t.node_name(t.attachment(0)), "eu");
  EXPECT_EQ(t.node_name(t.attachment(1)), "eu");
  EXPECT_EQ(t.node_name(t.attachment(3)), "asia");
  EXPECT_EQ(t.link_name(t.host_uplink(2)), "h2>us");
  const auto by_name = t.links_by_name();
  ASSERT_EQ(by_name.count("us>asia"), 1U);
  EXPECT_EQ(t.link(by_name.at("us>asia")).kind, topology::LinkKind::wan);
  EXPECT_STREQ(topology::to_string(topology::LinkKind::wan), "wan");
}

TEST(Wan, RoutesOverTheFewestWanHopsWithTheirLatencyAndBottleneck) {
  const topology::Topology t = topology::build_wan(chain());
  topology::Routing routing(t);
  sim::Simulator sim;
  sim::Recorder recorder;
  transport::FlowModel model(sim, t, routing, transport::TransportConfig{}, 1, recorder, false);
  // Inside a site: two host links, no WAN.
  EXPECT_EQ(routing.paths(0, 1).length(), 2U);
  EXPECT_EQ(model.path_latency_ps(0, 1), 20 * kMicrosecond);
  EXPECT_DOUBLE_EQ(model.path_rate_gbps(0, 1), 100.0);
  // eu -> asia goes through us: two WAN links, one path.
  const topology::HostPaths far = routing.paths(0, 3);
  ASSERT_EQ(far.count(), 1U);
  EXPECT_EQ(far.length(), 4U);
  EXPECT_EQ(t.link_name(far.middle->path(0)[0]), "eu>us");
  EXPECT_EQ(t.link_name(far.middle->path(0)[1]), "us>asia");
  EXPECT_EQ(model.path_latency_ps(0, 3), 100 * kMillisecond + 20 * kMicrosecond);
  // The slowest link on the way: asia's 40G host link, then the 50G WAN link.
  EXPECT_DOUBLE_EQ(model.path_rate_gbps(0, 3), 40.0);
  EXPECT_DOUBLE_EQ(model.path_rate_gbps(0, 2), 100.0);
  model.set_link_rate(t.links_by_name().at("eu>us"), 10.0);
  EXPECT_DOUBLE_EQ(model.path_rate_gbps(0, 3), 10.0);
  EXPECT_DOUBLE_EQ(model.path_rate_gbps(3, 0), 40.0);  // the other direction is its own link
}

const std::string kWan = R"(name: w
topology:
  kind: wan
  sites:
    - {name: eu, hosts: 2, host_link: {rate: 100Gbps, latency: 10us}}
    - {name: us, hosts: 2}
  wan_link: {rate: 100Gbps, rtt: 80ms}
output: {flows: false}
pccl:
  peers: 4
  max_peers: 4
  floats: 1024
  size_bytes: 1GiB
  connections_per_neighbour: 1
  window_bytes: 16MiB
  step_compute: 100ms
  duration: 60s
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

std::string error_of(const std::string& yaml) {
  return testing::error_of_loading(
      [](const std::string& y) { return scenario::load_string(y, "w.yaml"); }, yaml);
}

TEST(WanScenario, LoadsSitesAndAFullMeshFromOneLink) {
  const std::string three = replaced(kWan, "    - {name: us, hosts: 2}\n",
                                     "    - {name: us, hosts: 2}\n    - {name: asia, hosts: 3}\n");
  const scenario::Scenario s = scenario::load_string(three, "w.yaml");
  ASSERT_TRUE(s.wan.has_value());
  EXPECT_EQ(scenario::host_count(s), 7U);
  ASSERT_EQ(s.wan->sites.size(), 3U);
  EXPECT_EQ(s.wan->sites[0].host_link.latency_ps, 10 * kMicrosecond);
  ASSERT_EQ(s.wan->links.size(), 3U);  // eu-us, eu-asia, us-asia
  for (const topology::WanLink& l : s.wan->links) {
    EXPECT_EQ(l.link.latency_ps, 40 * kMillisecond);  // half the round trip
    EXPECT_DOUBLE_EQ(l.link.rate_gbps, 100.0);
  }
  EXPECT_EQ(sim::json_text(scenario::to_json(s)["topology"]["kind"]), "\"wan\"\n");
  const std::string listed = replaced(kWan, "  wan_link: {rate: 100Gbps, rtt: 80ms}\n",
                                      "  wan_links:\n    - {a: us, b: eu, rate: 25Gbps, "
                                      "latency: 35ms}\n");
  const scenario::Scenario l = scenario::load_string(listed, "w.yaml");
  ASSERT_EQ(l.wan->links.size(), 1U);
  EXPECT_EQ(l.wan->links[0].a, 1U);
  EXPECT_EQ(l.wan->links[0].b, 0U);
  EXPECT_DOUBLE_EQ(l.wan->links[0].link.rate_gbps, 25.0);
  EXPECT_EQ(l.wan->links[0].link.latency_ps, 35 * kMillisecond);
}

TEST(WanScenario, TheWanLinkCanBeSwept) {
  const sweep::Sweep sw =
      sweep::load_sweep_string(kWan +
                                   "sweep:\n  grid:\n    topology.wan_link.rate: [25Gbps]\n"
                                   "    topology.wan_link.rtt: [20ms, 100ms]\n",
                               "w.yaml");
  ASSERT_EQ(sw.points.size(), 2U);
  const scenario::Scenario s = sw.scenario_of(sw.points[1]);
  EXPECT_DOUBLE_EQ(s.wan->links[0].link.rate_gbps, 25.0);
  EXPECT_EQ(s.wan->links[0].link.latency_ps, 50 * kMillisecond);
  const sweep::Sweep one_way =
      sweep::load_sweep_string(replaced(kWan, "rtt: 80ms", "latency: 1ms") +
                                   "sweep:\n  grid:\n    topology.wan_link.latency: [7ms]\n",
                               "w.yaml");
  EXPECT_EQ(one_way.scenario_of(one_way.points[0]).wan->links[0].link.latency_ps, 7 * kMillisecond);
}

TEST(WanScenario, BadInputIsReportedAtItsLine) {
  EXPECT_STARTS_WITH(error_of(replaced(kWan, "{name: us, hosts: 2}", "{name: eu, hosts: 2}")),
                     "w.yaml:6:14: topology.sites[1].name: site \"eu\" is listed twice");
  EXPECT_STARTS_WITH(error_of(replaced(kWan, "{name: us,", "{name: h3,")),
                     "w.yaml:6:14: topology.sites[1].name: a site cannot be named like");
  EXPECT_STARTS_WITH(error_of(replaced(kWan, "  wan_link: {rate: 100Gbps, rtt: 80ms}\n",
                                       "  wan_links:\n    - {a: eu, b: mars}\n")),
                     "w.yaml:8:18: topology.wan_links[0].b: expected a site listed under sites "
                     "(eu or us), got \"mars\"");
  EXPECT_STARTS_WITH(error_of(replaced(kWan, "  wan_link: {rate: 100Gbps, rtt: 80ms}\n",
                                       "  wan_links:\n    - {a: eu, b: eu}\n")),
                     "w.yaml:8:18: topology.wan_links[0].b: a WAN link joins two different sites");
  EXPECT_STARTS_WITH(
      error_of(replaced(kWan,
                        "    - {name: us, hosts: 2}\n  wan_link: {rate: 100Gbps, rtt: 80ms}\n",
                        "    - {name: us, hosts: 2}\n    - {name: asia, hosts: 1}\n  wan_links:\n"
                        "    - {a: eu, b: us}\n")),
      "w.yaml:9:5: topology.wan_links: site asia cannot reach site eu");
  EXPECT_STARTS_WITH(error_of(replaced(kWan, "rtt: 80ms}", "rtt: 80ms, latency: 1ms}")),
                     "w.yaml:7:29: topology.wan_link.rtt: give latency (one way) or rtt");
  EXPECT_STARTS_WITH(error_of(replaced(kWan, "rate: 100Gbps, rtt", "rate: 0Gbps, rtt")),
                     "w.yaml:7:20: topology.wan_link.rate: a rate must be greater");
  EXPECT_STARTS_WITH(error_of(replaced(kWan, "{name: eu, hosts: 2,", "{name: eu, hosts: 0,")),
                     "w.yaml:5:25: topology.sites[0].hosts: expected");
  EXPECT_STARTS_WITH(error_of(replaced(kWan, "kind: wan", "kind: wna")),
                     "w.yaml:3:9: topology.kind:");
  const std::string pccl_at = kWan.substr(kWan.find("pccl:"));
  EXPECT_STARTS_WITH(
      error_of(replaced(kWan, pccl_at, "workload: {collective: ring_allreduce, size: 1MiB}\n")),
      "w.yaml:9:1: workload: a wan topology carries pccl runs");
}

TEST(WanScenario, EveryShippedPcclScenarioAndSweepLoads) {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(SPINEL_SOURCE_DIR) / "scenarios/pccl")) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    const sweep::Sweep sw = sweep::load_sweep_file(entry.path());
    EXPECT_TRUE(sw.base.pccl.has_value()) << entry.path();
  }
  EXPECT_GE(files, 6U);
}

// A PCCL run's steps on the WAN scenario with this many connections per neighbour.
std::uint64_t steps_with(std::uint32_t connections) {
  scenario::Scenario s = scenario::load_string(kWan, "w.yaml");
  s.pccl->connections_per_neighbour = connections;
  const pccl::SimRun run = *api::run(s).pccl;
  EXPECT_FALSE(run.result.failed) << run.result.violation;
  return run.result.steps.size();
}

TEST(WanScenario, MoreConnectionsFillTheLongFatLink) {
  // 16 MiB per 80 ms round trip is 1.68 Gb/s a connection: the ring's step
  // (1 GiB per peer) speeds up with the pool until the 100G links bind.
  const std::uint64_t one = steps_with(1);
  const std::uint64_t eight = steps_with(8);
  const std::uint64_t many = steps_with(128);
  EXPECT_GT(one, 0U);
  EXPECT_GT(eight, 4 * one);
  EXPECT_GT(many, eight);
}

// Two continents, one transatlantic link: hosts alternate continents in id
// order, so the id ring crosses the ocean four times and two of its edges
// share each direction of that link; the optimised ring crosses twice.
const std::string kAtlantic = R"(name: a
topology:
  kind: wan
  sites:
    - {name: eu-west, hosts: 1}
    - {name: us-east, hosts: 1}
    - {name: eu-central, hosts: 1}
    - {name: us-west, hosts: 1}
  wan_links:
    - {a: eu-west, b: eu-central, rate: 100Gbps, latency: 10ms}
    - {a: us-east, b: us-west, rate: 100Gbps, latency: 30ms}
    - {a: eu-west, b: us-east, rate: 25Gbps, latency: 40ms}
output: {flows: false}
pccl:
  peers: 4
  max_peers: 4
  floats: 64
  size_bytes: 1GiB
  step_compute: 100ms
  duration: 60s
)";

// Mean step duration, in seconds.
double mean_step_s(pccl::RingOrder order) {
  scenario::Scenario s = scenario::load_string(kAtlantic, "a.yaml");
  s.pccl->ring_order = order;
  const pccl::SimRun run = *api::run(s).pccl;
  EXPECT_FALSE(run.result.failed) << run.result.violation;
  EXPECT_GT(run.result.steps.size(), 5U);
  double sum = 0;
  for (const pccl::StepRecord& step : run.result.steps) {
    sum += static_cast<double>(step.end_ps - step.start_ps) / static_cast<double>(sim::kSecond);
  }
  return sum / static_cast<double>(std::max<std::size_t>(run.result.steps.size(), 1));
}

TEST(WanScenario, TheOptimisedRingStepsFasterThanTheIdRing) {
  EXPECT_EQ(scenario::load_string(kAtlantic, "a.yaml").pccl->ring_order, pccl::RingOrder::id);
  const double by_id = mean_step_s(pccl::RingOrder::id);
  const double optimised = mean_step_s(pccl::RingOrder::optimised);
  EXPECT_LT(optimised, 0.7 * by_id) << "id " << by_id << " s, optimised " << optimised << " s";
}

}  // namespace
}  // namespace spinel
