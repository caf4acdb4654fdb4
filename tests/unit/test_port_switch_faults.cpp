// A dead port of a dual-port NIC and a dead switch: each changes exactly
// what it should, in the flow model and through the scenario's faults.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "fabric.hpp"
#include "test_support.hpp"

namespace spinel::transport {
namespace {

using testing::DeliveryLog;
using testing::Fabric;

constexpr std::uint64_t kHuge = 1ULL << 50;  // never finishes within these tests

// Two leaf pairs of two dual-port hosts, 200 Gb/s ports, two 400 Gb/s spines.
topology::FabricConfig dual() {
  topology::FabricConfig c = testing::leaf_spine(4, 2, 2, 200, 400);
  c.nic_ports = 2;
  return c;
}

FlowId start(Fabric& f, ConnectionId connection, DeliveryLog& log) {
  FlowSpec spec;
  spec.connection = connection;
  spec.size_bytes = kHuge;
  spec.notify = log.self;
  return f.model.start_flow(spec);
}

std::vector<topology::LinkId> port_links(const topology::Topology& t, topology::HostId h,
                                         std::uint32_t port) {
  return {t.host_uplink(h, port), t.host_downlink(h, port)};
}

bool crosses(const std::vector<topology::LinkId>& links, topology::LinkId l) {
  return std::find(links.begin(), links.end(), l) != links.end();
}

// h0's two connections, planned on both ports at 200 Gb/s each, share the
// port left when the other dies: the NIC's rate halves, after convergence.
TEST(PortFaults, ADeadPortHalvesTheNicsConnectionsAfterConvergence) {
  TransportConfig config = testing::policy(PathPolicy::planned);
  config.convergence_ps = 10 * sim::kMicrosecond;
  Fabric f(dual(), config);
  DeliveryLog log(f.sim);
  const std::vector<ConnectionSpec> specs = {ConnectionSpec{0, 2, 1000, 4791, 1 << 20},
                                             ConnectionSpec{0, 3, 1001, 4791, 1 << 20}};
  const std::vector<ConnectionId> ids = f.model.connect_group(specs);
  const FlowId a = start(f, ids[0], log);
  const FlowId b = start(f, ids[1], log);
  f.sim.run(0);
  ASSERT_DOUBLE_EQ(f.model.rate_gbps(a) + f.model.rate_gbps(b), 400.0);
  const FlowId on_port1 = crosses(f.model.flow_links(a), f.topology.host_uplink(0, 1)) ? a : b;
  const FlowId on_port0 = on_port1 == a ? b : a;

  f.model.set_link_rates(port_links(f.topology, 0, 1), 0.0);
  f.sim.run(5 * sim::kMicrosecond);  // routing has not converged: black-holed
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(on_port1), 0.0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(on_port0), 200.0);
  f.sim.run(11 * sim::kMicrosecond);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(a), 100.0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(b), 100.0);
  for (const FlowId flow : {a, b}) {
    EXPECT_TRUE(crosses(f.model.flow_links(flow), f.topology.host_uplink(0, 0)));
    EXPECT_FALSE(crosses(f.model.flow_links(flow), f.topology.host_uplink(0, 1)));
  }
}

// Every connection that crossed spine0 moves to spine1; the others stay.
TEST(SwitchFaults, ADeadSpineSpreadsItsFlowsOverTheRest) {
  Fabric f(testing::leaf_spine(2, 4, 2, 100, 400), PathPolicy::ecmp, 7);
  DeliveryLog log(f.sim);
  std::vector<FlowId> flows;
  for (topology::HostId h = 0; h < 4; ++h) {
    flows.push_back(start(f, f.model.connect(ConnectionSpec{h, h + 4, 1000}), log));
    flows.push_back(start(f, f.model.connect(ConnectionSpec{h + 4, h, 1000}), log));
  }
  f.sim.run(0);
  const topology::NodeId spine0 = *f.topology.node_by_name("spine0");
  const std::vector<topology::LinkId> dead = f.topology.links_of(spine0);
  ASSERT_EQ(dead.size(), 4u);  // to and from two leaves
  std::vector<std::vector<topology::LinkId>> before;
  std::size_t on_spine0 = 0;
  for (const FlowId flow : flows) {
    before.push_back(f.model.flow_links(flow));
    on_spine0 += crosses(before.back(), dead[0]) || crosses(before.back(), dead[1]) ||
                         crosses(before.back(), dead[2]) || crosses(before.back(), dead[3])
                     ? 1
                     : 0;
  }
  ASSERT_GT(on_spine0, 0u);  // the premise: the hash put some flows there

  f.model.set_link_rates(dead, 0.0);
  f.sim.run(1);
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const std::vector<topology::LinkId> now = f.model.flow_links(flows[i]);
    for (const topology::LinkId l : dead) EXPECT_FALSE(crosses(now, l));
    // 8 flows of 100 Gb/s NICs over spine1's 400 Gb/s links: each leaf
    // sends 4 and receives 4 through it, so every flow keeps its NIC rate.
    EXPECT_DOUBLE_EQ(f.model.rate_gbps(flows[i]), 100.0);
    const bool moved = now != before[i];
    const bool was_on_spine0 = crosses(before[i], dead[0]) || crosses(before[i], dead[1]) ||
                               crosses(before[i], dead[2]) || crosses(before[i], dead[3]);
    EXPECT_EQ(moved, was_on_spine0) << i;
  }
}

// leaf0 dies: on single-port NICs its hosts stall; with dual-port NICs
// they go on through leaf1, at one port's rate.
TEST(SwitchFaults, ADeadLeafStallsSingleHomedHostsAndNotDualHomedOnes) {
  {
    Fabric f(testing::leaf_spine(2, 2, 2, 200, 400));
    DeliveryLog log(f.sim);
    const FlowId stuck = start(f, f.model.connect(ConnectionSpec{0, 2, 1000}), log);
    const FlowId other = start(f, f.model.connect(ConnectionSpec{2, 3, 1000}), log);
    f.sim.run(0);
    f.model.set_link_rates(f.topology.links_of(*f.topology.node_by_name("leaf0")), 0.0);
    f.sim.run(1);
    EXPECT_DOUBLE_EQ(f.model.rate_gbps(stuck), 0.0);
    EXPECT_DOUBLE_EQ(f.model.rate_gbps(other), 200.0);
  }
  {
    Fabric f(dual());
    DeliveryLog log(f.sim);
    std::vector<FlowId> flows;
    for (std::uint16_t port = 1000; port < 1008; ++port) {
      flows.push_back(start(f, f.model.connect(ConnectionSpec{0, 2, port}), log));
    }
    f.sim.run(0);
    f.model.set_link_rates(f.topology.links_of(*f.topology.node_by_name("leaf0")), 0.0);
    f.sim.run(1);
    double sum = 0;
    for (const FlowId flow : flows) {
      EXPECT_GT(f.model.rate_gbps(flow), 0.0);
      EXPECT_TRUE(crosses(f.model.flow_links(flow), f.topology.host_uplink(0, 1)));
      sum += f.model.rate_gbps(flow);
    }
    EXPECT_NEAR(sum, 200.0, 1e-9);
  }
}

api::Results ring(const std::string& faults, const std::filesystem::path& dir = {}) {
  const std::string text =
      "name: dual\nseed: 3\n"
      "topology: {kind: leaf_spine, leaves: 4, spines: 2, hosts_per_leaf: 4, nic_ports: 2,"
      " host_link: {rate: 200Gbps}, spine_link: {rate: 400Gbps}}\n"
      "transport: {policy: \"planned:2\"}\n"
      "workload: {collective: ring_allreduce, size_bytes: 8MiB, placement: random}\n" +
      faults;
  return api::run(scenario::load_string(text, "d.yaml"), api::RunOptions(dir));
}

// Through the scenario: a NIC that lost a port from the start sends its
// two queue pairs through the other: the ring runs at half the NIC rate.
TEST(PortFaults, ARingWithADeadPortTakesTwiceTheAnalyticalTime) {
  const std::filesystem::path dir = spinel::testing::scratch_folder("spinel_test_", "port_fault");
  const api::Results r =
      ring("faults: [{at: 0ns, host: h5, state: nic_port_down, port: 1}]\n", dir);
  const workloads::CollectiveResult& c = r.jobs[0].collectives.front();
  EXPECT_EQ(r.flows.bytes_sent, r.flows.bytes_delivered);
  const double ratio = static_cast<double>(c.duration_ps()) / static_cast<double>(c.ideal_ps);
  EXPECT_GT(ratio, 1.9);
  EXPECT_LT(ratio, 2.05);
  const std::string csv = spinel::testing::slurp(dir / "faults.csv");
  EXPECT_NE(csv.find(",h5.p1,nic_port_down,"), std::string::npos) << csv;
  const std::string links = spinel::testing::slurp(dir / "links.csv");
  EXPECT_NE(links.find(",h5.p1>leaf"), std::string::npos);
  // A whole dead spine of two: every byte still arrives, none through spine0.
  const std::filesystem::path spine_dir =
      spinel::testing::scratch_folder("spinel_test_", "spine_fault");
  const api::Results spine = ring("faults: [{at: 0ns, switch: spine0, state: down}]\n", spine_dir);
  EXPECT_EQ(spine.flows.bytes_sent, spine.flows.bytes_delivered);
  EXPECT_GE(spine.jobs[0].collectives.front().duration_ps(),
            spine.jobs[0].collectives.front().ideal_ps);
  std::istringstream rows(spinel::testing::slurp(spine_dir / "links.csv"));
  std::string row;
  int spine0_rows = 0;
  while (std::getline(rows, row)) {
    if (row.find("spine0") == std::string::npos) continue;
    ++spine0_rows;
    // link_id,link,kind,rate_gbps,latency_ps,bytes,...: bytes is 0.
    std::istringstream cells(row);
    std::string cell;
    for (int i = 0; i < 6; ++i) std::getline(cells, cell, ',');
    EXPECT_EQ(cell, "0") << row;
  }
  EXPECT_EQ(spine0_rows, 8);  // to and from 4 leaves
  EXPECT_NE(spinel::testing::slurp(spine_dir / "faults.csv").find(",spine0,down,"),
            std::string::npos);
}

std::string error_of(const std::string& text) {
  try {
    (void)scenario::load_string(text, "t.yaml");
  } catch (const sim::ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(PortFaults, ScenarioChecksPortAndSwitchFaults) {
  const std::string head =
      "name: t\ntopology: {kind: leaf_spine, leaves: 4, spines: 2, hosts_per_leaf: 2";
  const std::string work = "}\nworkload: {collective: ring_allreduce, size_bytes: 1MiB}\n";
  const std::string dual = head + ", nic_ports: 2" + work;
  EXPECT_EQ(error_of(dual + "faults: [{at: 1us, host: h3, state: nic_port_down, port: 1}]\n"), "");
  EXPECT_NE(error_of(dual + "faults: [{at: 1us, host: h3, state: nic_port_down}]\n")
                .find("needs its port"),
            std::string::npos);
  EXPECT_NE(error_of(dual + "faults: [{at: 1us, host: h3, state: nic_port_down, port: 2}]\n")
                .find("faults[0].port: expected a port of the NIC from 0 to 1"),
            std::string::npos);
  EXPECT_NE(error_of(head + work + "faults: [{at: 1us, host: h3, state: nic_port_down, port: 0}]\n")
                .find("needs dual-port NICs"),
            std::string::npos);
  EXPECT_NE(error_of(dual + "faults: [{at: 1us, host: h3, state: slow, factor: 2, port: 1}]\n")
                .find("port goes with state: nic_port_down only"),
            std::string::npos);
  EXPECT_EQ(error_of(dual + "faults: [{at: 1us, switch: leaf3, state: down}]\n"), "");
  EXPECT_NE(error_of(dual + "faults: [{at: 1us, switch: leaf4, state: down}]\n")
                .find("expected a switch of this fabric, leaf0 to leaf3 or spine0 to spine1"),
            std::string::npos);
  EXPECT_NE(error_of(dual + "faults: [{at: 1us, switch: spine1, state: degraded, rate: 1Gbps}]\n")
                .find("a switch fault is state: down or up"),
            std::string::npos);
  EXPECT_NE(
      error_of(dual + "faults: [{at: 1us, switch: spine1, link: leaf0>spine1, state: down}]\n")
          .find("a fault names one element"),
      std::string::npos);
  EXPECT_NE(error_of(head + work + "random_fault: {kind: nic_port_down, from: 1us, to: 2us}\n")
                .find("random_fault: kind nic_port_down needs dual-port NICs"),
            std::string::npos);
  // Drawn: a host of the job, one of its two ports.
  const scenario::Scenario s = scenario::load_string(
      dual + "random_fault: {kind: nic_port_down, from: 1us, to: 2us}\n", "t.yaml");
  EXPECT_EQ(s.random_fault.kind, workloads::RandomFaultKind::nic_port_down);
}

}  // namespace
}  // namespace spinel::transport
