// Dual-port NICs on two leaves (dual-ToR): topology, routing over either
// port, ECMP pinning a connection to one port, planning over both, a ring
// all-reduce at the analytical time, and the scenario keys.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "fabric.hpp"

namespace spinel::transport {
namespace {

using testing::DeliveryLog;
using testing::Fabric;

constexpr std::uint64_t kHuge = 1ULL << 50;  // never finishes within these tests

// Two leaf pairs (leaf0+leaf1, leaf2+leaf3) of `hosts` dual-port hosts each,
// 200 Gb/s ports, two 400 Gb/s spines: every leaf has as much up as down.
topology::FabricConfig dual(std::uint32_t hosts = 2) {
  topology::FabricConfig c = testing::leaf_spine(4, hosts, 2, 200, 400);
  c.nic_ports = 2;
  return c;
}

// The ports of `host` whose uplinks the links cross.
std::set<std::uint32_t> ports_used(const topology::Topology& t, topology::HostId host,
                                   const std::vector<topology::LinkId>& links) {
  std::set<std::uint32_t> ports;
  for (std::uint32_t p = 0; p < t.nic_ports(); ++p) {
    for (topology::LinkId l : links) {
      if (l == t.host_uplink(host, p)) ports.insert(p);
    }
  }
  return ports;
}

TEST(DualPort, EachHostHasOnePortOnEachLeafOfItsPair) {
  const topology::Topology t = topology::build_leaf_spine(dual());
  ASSERT_EQ(t.host_count(), 4u);  // hosts_per_leaf hosts per leaf pair
  EXPECT_DOUBLE_EQ(t.nic_rate_gbps(0), 400.0);
  for (topology::HostId h = 0; h < 4; ++h) {
    for (std::uint32_t p = 0; p < 2; ++p) {
      EXPECT_EQ(t.node(t.attachment(h, p)).index, (h / 2) * 2 + p);
      EXPECT_EQ(t.link(t.host_downlink(h, p)).dst, t.host_node(h));
      EXPECT_TRUE(t.is_nic_link(h, t.host_uplink(h, p)));
    }
  }
  EXPECT_EQ(t.link_name(t.host_uplink(3, 1)), "h3.p1>leaf3");
  EXPECT_EQ(t.link_name(t.host_downlink(2, 0)), "leaf2>h2.p0");
  EXPECT_EQ(t.links_by_name().count("h3.p1>leaf3"), 1u);
  EXPECT_EQ(t.links_by_name().count("leaf3>spine1"), 1u);  // ports are not lanes
}

TEST(DualPort, PathsStartAndEndOnEitherPort) {
  const topology::Topology t = topology::build_leaf_spine(dual());
  topology::Routing r(t);
  // Same leaf pair: straight through leaf0 (port 0 to port 0) or leaf1.
  const topology::HostPaths near = r.paths(0, 1);
  EXPECT_EQ(near.count(), 2u);
  EXPECT_EQ(near.length(), 2u);
  // Across pairs: either source port, either spine, either destination port.
  const topology::HostPaths far = r.paths(0, 2);
  EXPECT_EQ(far.count(), 2u * 2 * 2);
  EXPECT_EQ(far.length(), 4u);
  std::set<topology::LinkId> first;
  std::set<topology::LinkId> last;
  for (std::uint32_t i = 0; i < far.count(); ++i) {
    std::vector<topology::LinkId> links;
    far.append_path(i, links);
    first.insert(links.front());
    last.insert(links.back());
  }
  EXPECT_EQ(first, (std::set<topology::LinkId>{t.host_uplink(0, 0), t.host_uplink(0, 1)}));
  EXPECT_EQ(last, (std::set<topology::LinkId>{t.host_downlink(2, 0), t.host_downlink(2, 1)}));
}

TEST(DualPort, EcmpPutsAConnectionOnOnePortAtHalfTheNicRate) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    Fabric f(dual(), PathPolicy::ecmp, seed);
    DeliveryLog log(f.sim);
    FlowSpec spec;
    spec.connection = f.model.connect(ConnectionSpec{0, 2, 1000});
    spec.size_bytes = kHuge;
    spec.notify = log.self;
    const FlowId a = f.model.start_flow(spec);
    f.sim.run(0);
    EXPECT_DOUBLE_EQ(f.model.rate_gbps(a), 200.0) << seed;
    EXPECT_EQ(ports_used(f.topology, 0, f.model.flow_links(a)).size(), 1u) << seed;
  }
}

TEST(DualPort, PlannedPutsTwoConnectionsOfANicOnBothPorts) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    Fabric f(dual(), PathPolicy::planned, seed);
    DeliveryLog log(f.sim);
    const std::vector<ConnectionSpec> specs = {ConnectionSpec{0, 2, 1000, 4791, 1 << 20},
                                               ConnectionSpec{0, 3, 1001, 4791, 1 << 20}};
    const std::vector<ConnectionId> ids = f.model.connect_group(specs);
    std::vector<FlowId> flows;
    for (const ConnectionId id : ids) {
      FlowSpec spec;
      spec.connection = id;
      spec.size_bytes = kHuge;
      spec.notify = log.self;
      flows.push_back(f.model.start_flow(spec));
    }
    f.sim.run(0);
    std::set<std::uint32_t> ports;
    for (const FlowId flow : flows) {
      EXPECT_DOUBLE_EQ(f.model.rate_gbps(flow), 200.0) << seed;
      for (std::uint32_t p : ports_used(f.topology, 0, f.model.flow_links(flow))) ports.insert(p);
    }
    EXPECT_EQ(ports.size(), 2u) << seed;
  }
}

api::Results ring(const std::string& policy, std::uint64_t seed = 3) {
  const std::string text =
      "name: dual\nseed: " + std::to_string(seed) +
      "\ntopology: {kind: leaf_spine, leaves: 4, spines: 2, hosts_per_leaf: 4, nic_ports: 2,"
      " host_link: {rate: 200Gbps}, spine_link: {rate: 400Gbps}}\n"
      "transport: {policy: \"" +
      policy +
      "\"}\n"
      "workload: {collective: ring_allreduce, size_bytes: 8MiB, placement: random}\n";
  return api::run(scenario::load_string(text, "d.yaml"), api::RunOptions{});
}

// Every NIC sends 2 queue pairs to its ring neighbour and receives 2: planned
// puts one on each port and spreads the leaves' uplinks, so the ring runs at
// the full NIC rate (2 x 200 Gb/s), as the analytical formula says.
TEST(DualPort, RingAllReduceUnderPlannedRunsAtTheAnalyticalTime) {
  const api::Results r = ring("planned:2");
  ASSERT_EQ(r.jobs[0].collectives.size(), 1u);
  const workloads::CollectiveResult& c = r.jobs[0].collectives.front();
  ASSERT_GT(c.ideal_ps, 0);
  EXPECT_NEAR(static_cast<double>(c.duration_ps()), static_cast<double>(c.ideal_ps),
              1e-6 * static_cast<double>(c.ideal_ps));
  EXPECT_EQ(r.flows.bytes_sent, r.flows.bytes_delivered);
  // One queue pair per connection uses one port: half the NIC, twice the time.
  const api::Results single = ring("ecmp");
  EXPECT_GT(static_cast<double>(single.jobs[0].collectives.front().duration_ps()),
            1.9 * static_cast<double>(c.ideal_ps));
}

TEST(DualPort, EveryPolicyDeliversEveryByte) {
  for (const std::string policy : {"ecmp", "spray", "mprdma:4", "split", "planned"}) {
    const api::Results r = ring(policy);
    EXPECT_EQ(r.flows.bytes_sent, r.flows.bytes_delivered) << policy;
    EXPECT_GE(r.jobs[0].collectives.front().duration_ps(), r.jobs[0].collectives.front().ideal_ps)
        << policy;
  }
  // Spraying spreads every connection over both ports, and split gives
  // each at least a subflow per port, planned: the analytical time.
  for (const std::string policy : {"spray", "split"}) {
    const api::Results r = ring(policy);
    EXPECT_NEAR(static_cast<double>(r.jobs[0].collectives.front().duration_ps()),
                static_cast<double>(r.jobs[0].collectives.front().ideal_ps),
                1e-6 * static_cast<double>(r.jobs[0].collectives.front().ideal_ps))
        << policy;
  }
}

std::string error_of(const std::string& text) {
  try {
    (void)scenario::load_string(text, "t.yaml");
  } catch (const sim::ScenarioError& e) {
    return e.what();
  }
  return "";
}

const std::string kHead = "name: t\ntopology: {kind: leaf_spine, leaves: ";

TEST(DualPort, ScenarioChecksTheLeavesTheModelAndPortLinkNames) {
  const std::string tail = ", spines: 2, hosts_per_leaf: 2, nic_ports: 2}\n";
  const std::string work = "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n";
  EXPECT_NE(error_of(kHead + "3" + tail + work).find("t.yaml:2:82: topology.nic_ports: "),
            std::string::npos)
      << error_of(kHead + "3" + tail + work);
  EXPECT_NE(
      error_of(kHead + "4" + tail + "transport: {model: packet}\n" + work).find("flow level only"),
      std::string::npos);
  EXPECT_EQ(
      error_of(kHead + "4" + tail + work + "faults: [{at: 1us, link: h3.p1>leaf3, state: down}]\n"),
      "");
  const std::string wrong_leaf =
      error_of(kHead + "4" + tail + work + "faults: [{at: 1us, link: h3.p1>leaf2, state: down}]\n");
  EXPECT_NE(wrong_leaf.find("faults[0].link: expected a directed link"), std::string::npos)
      << wrong_leaf;
  EXPECT_NE(wrong_leaf.find("did you mean"), std::string::npos) << wrong_leaf;
  EXPECT_NE(
      error_of(kHead + "4" + tail + work + "faults: [{at: 1us, link: h3>leaf3, state: down}]\n"),
      "");
  const scenario::Scenario s = scenario::load_string(kHead + "4" + tail + work, "t.yaml");
  EXPECT_EQ(s.topology.host_count(), 4u);
  EXPECT_NE(sim::json_text(scenario::to_json(s)).find("\"nic_ports\": 2"), std::string::npos)
      << sim::json_text(scenario::to_json(s));
}

}  // namespace
}  // namespace spinel::transport
