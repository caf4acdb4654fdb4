// Link failures and degradations in the flow model: re-routing by policy,
// capacity changes, byte conservation, and the error when no path is left.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "sim/error.hpp"

#include "fabric.hpp"
#include "transport/link_faults.hpp"

namespace spinel::transport {
namespace {

using testing::DeliveryLog;
using testing::Fabric;
using testing::leaf_spine;
using testing::policy;

topology::LinkId link_named(const topology::Topology& t, const std::string& name) {
  const auto by_name = t.links_by_name();
  const auto it = by_name.find(name);
  if (it != by_name.end()) return it->second;
  ADD_FAILURE() << "no link " << name;
  return 0;
}

// Every host of a leaf sends to every host of the other leaves, as one group.
struct Traffic {
  std::vector<ConnectionId> ids;
  std::vector<FlowId> flows;
  std::uint64_t bytes = 0;
};

Traffic start_all_to_all(Fabric& f, std::uint32_t hosts, std::uint64_t bytes,
                         sim::HandlerId notify) {
  std::vector<ConnectionSpec> specs;
  for (topology::HostId a = 0; a < hosts; ++a) {
    for (topology::HostId b = 0; b < hosts; ++b) {
      if (f.topology.attachment(a) != f.topology.attachment(b)) {
        specs.push_back(
            ConnectionSpec{a, b, static_cast<std::uint16_t>(1000 + specs.size()), 4791, bytes});
      }
    }
  }
  Traffic t;
  t.ids = f.transport.connect_group(specs);
  for (const ConnectionId id : t.ids) {
    FlowSpec spec;
    spec.connection = id;
    spec.size_bytes = bytes;
    spec.notify = notify;
    t.flows.push_back(f.model.start_flow(spec));
    t.bytes += bytes;
  }
  return t;
}

bool route_crosses(const FlowModel& model, ConnectionId id, topology::LinkId link) {
  for (const Subflow& sub : model.connection_route(id)) {
    for (const Hop& hop : sub.hops) {
      if (hop.link == link) return true;
    }
  }
  return false;
}

TEST(Faults, EcmpMovesEveryFlowOffAnUplinkDownAtTimeZero) {
  Fabric f(leaf_spine(2, 8, 4), policy(PathPolicy::ecmp));
  DeliveryLog log(f.sim);
  const Traffic t = start_all_to_all(f, 16, 1 << 20, log.self);
  const topology::LinkId up = link_named(f.topology, "leaf0>spine1");
  int crossed = 0;
  for (const ConnectionId id : t.ids) crossed += route_crosses(f.model, id, up) ? 1 : 0;
  ASSERT_GT(crossed, 0);
  LinkFaults faults(f.sim, f.model);
  faults.add(0, up, 0);
  f.sim.run(0);
  EXPECT_TRUE(f.model.link_down(up));
  for (const ConnectionId id : t.ids) EXPECT_FALSE(route_crosses(f.model, id, up));
  for (const FlowId flow : t.flows) {
    const std::vector<topology::LinkId> links = f.model.flow_links(flow);
    EXPECT_EQ(std::count(links.begin(), links.end(), up), 0);
  }
  // Connections opened later avoid it too.
  for (std::uint16_t port = 0; port < 200; ++port) {
    EXPECT_FALSE(route_crosses(f.model, f.model.connect(ConnectionSpec{0, 9, port}), up));
  }
  f.sim.run();
  EXPECT_EQ(log.delivered.size(), t.ids.size());
  EXPECT_EQ(f.model.link_stats(up).bytes, 0.0);
}

// Down halfway through, under every policy: the flows that crossed the link
// finish elsewhere with their remaining bytes, and every byte arrives once.
TEST(Faults, MidRunFailureConservesBytesUnderEveryPolicy) {
  for (const TransportConfig& t :
       {policy(PathPolicy::ecmp), policy(PathPolicy::spray), policy(PathPolicy::mprdma, 4),
        policy(PathPolicy::split), policy(PathPolicy::planned)}) {
    Fabric f(leaf_spine(3, 4, 4), t);
    f.model.set_spray_trunks(false);
    DeliveryLog log(f.sim);
    const Traffic traffic = start_all_to_all(f, 12, 4 << 20, log.self);
    const topology::LinkId up = link_named(f.topology, "leaf1>spine2");
    const topology::LinkId down = link_named(f.topology, "spine0>leaf2");
    LinkFaults faults(f.sim, f.model);
    faults.add(100 * sim::kMicrosecond, up, 0);
    faults.add(150 * sim::kMicrosecond, down, 0);
    f.sim.run(100 * sim::kMicrosecond);
    EXPECT_GT(f.model.active_flows(), 0u) << policy_word(t);  // really mid-run
    f.sim.run(150 * sim::kMicrosecond);
    for (const ConnectionId id : traffic.ids) {
      EXPECT_FALSE(route_crosses(f.model, id, up)) << policy_word(t);
      EXPECT_FALSE(route_crosses(f.model, id, down)) << policy_word(t);
    }
    f.sim.run();
    const FlowTotals& totals = f.model.totals();
    EXPECT_EQ(log.delivered.size(), traffic.ids.size()) << policy_word(t);
    EXPECT_EQ(totals.bytes_delivered, traffic.bytes) << policy_word(t);
    EXPECT_EQ(totals.bytes_sent, traffic.bytes) << policy_word(t);
    EXPECT_LT(totals.max_byte_error, 1.0) << policy_word(t);
    // links.csv's bytes: each NIC carried its bytes, and the fabric links
    // carried each cross-leaf byte once up and once down, whichever path.
    double nic = 0;
    double uplinks = 0;
    double downlinks = 0;
    for (topology::LinkId l = 0; l < f.topology.link_count(); ++l) {
      const double bytes = f.model.link_stats(l).bytes;
      switch (f.topology.link(l).kind) {
        case topology::LinkKind::host_up:
          nic += bytes;
          break;
        case topology::LinkKind::leaf_up:
          uplinks += bytes;
          break;
        case topology::LinkKind::spine_down:
          downlinks += bytes;
          break;
        default:
          break;
      }
    }
    const auto total = static_cast<double>(traffic.bytes);
    EXPECT_NEAR(nic, total, 1.0) << policy_word(t);
    EXPECT_NEAR(uplinks, total, 1.0) << policy_word(t);
    EXPECT_NEAR(downlinks, total, 1.0) << policy_word(t);
    EXPECT_GT(f.model.link_stats(up).bytes, 0.0) << policy_word(t);  // before it failed
  }
}

TEST(Faults, DegradedLinkHalvesALoneFlowsRate) {
  Fabric f(leaf_spine(2, 1, 1), policy(PathPolicy::ecmp));
  DeliveryLog log(f.sim);
  FlowSpec spec;
  spec.connection = f.model.connect(ConnectionSpec{0, 1, 1000});
  spec.size_bytes = 1ULL << 40;
  spec.notify = log.self;
  const FlowId flow = f.model.start_flow(spec);
  f.sim.run(0);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(flow), 400.0);
  LinkFaults faults(f.sim, f.model);
  const topology::LinkId up = link_named(f.topology, "leaf0>spine0");
  faults.add(sim::kMicrosecond, up, 200);
  faults.add(2 * sim::kMicrosecond, up, 400);
  f.sim.run(sim::kMicrosecond);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(flow), 200.0);
  f.sim.run(2 * sim::kMicrosecond);
  EXPECT_DOUBLE_EQ(f.model.rate_gbps(flow), 400.0);
}

// A uniform pattern: with one of s uplinks of a leaf down, spraying spreads
// that leaf's traffic over s - 1 uplinks: s/(s-1) times the congestion.
TEST(Faults, SprayOverSurvivorsRaisesCongestionBySOverSMinusOne) {
  const std::uint32_t s = 4;
  const auto congestion = [&](bool fail) {
    Fabric f(leaf_spine(4, 4, s), policy(PathPolicy::spray));
    f.model.set_spray_trunks(false);
    if (fail) f.model.set_link_rate(link_named(f.topology, "leaf0>spine3"), 0);
    std::vector<ConnectionSpec> specs;
    for (topology::HostId h = 0; h < 16; ++h) {
      specs.push_back(ConnectionSpec{h, (h + 4) % 16, 1000, 4791, 0});
    }
    std::vector<Load> loads;
    for (const ConnectionId id : f.transport.connect_group(specs)) {
      loads.push_back(Load{id, 3ULL << 20});
    }
    return f.transport.max_congestion_ps(loads);
  };
  const sim::Time healthy = congestion(false);
  const sim::Time failed = congestion(true);
  // 4 flows of 3 MiB over 4 (or 3) uplinks of 400 Gb/s: 20 ps per byte.
  EXPECT_EQ(healthy, (4 * (3LL << 20) / 4) * 20);
  EXPECT_EQ(failed, (4 * (3LL << 20) / 3) * 20);
  EXPECT_EQ(failed * (s - 1), healthy * s);
}

TEST(Faults, MprdmaRehashesOnlyTheAffectedSubflows) {
  Fabric f(leaf_spine(2, 4, 4), policy(PathPolicy::mprdma, 8));
  const ConnectionId id = f.model.connect(ConnectionSpec{0, 5, 1000});
  const std::vector<Subflow> before = f.model.connection_route(id);
  const topology::LinkId up = before[0].hops[1].link;
  f.model.set_link_rate(up, 0);
  const std::vector<Subflow> after = f.model.connection_route(id);
  for (std::size_t k = 0; k < before.size(); ++k) {
    if (before[k].hops[1].link == up) {
      EXPECT_NE(after[k].hops[1].link, up);
    } else {
      EXPECT_EQ(after[k].hops[1].link, before[k].hops[1].link) << k;
    }
  }
}

// Planned re-plans around the rest of its group: after one uplink of four
// fails, the leaf's four connections still use the three survivors, at
// most two to one.
TEST(Faults, PlannedReplansAroundTheGroup) {
  Fabric f(leaf_spine(2, 4, 4), policy(PathPolicy::planned));
  std::vector<ConnectionSpec> specs;
  for (topology::HostId h = 0; h < 4; ++h) specs.push_back(ConnectionSpec{h, h + 4, 1000});
  const std::vector<ConnectionId> ids = f.transport.connect_group(specs);
  const topology::LinkId up = link_named(f.topology, "leaf0>spine2");
  f.model.set_link_rate(up, 0);
  std::map<topology::LinkId, int> per_uplink;
  for (const ConnectionId id : ids) ++per_uplink[f.model.connection_route(id)[0].hops[1].link];
  EXPECT_EQ(per_uplink.count(up), 0u);
  EXPECT_EQ(per_uplink.size(), 3u);
}

// Both of leaf0's uplinks die: the flow has no path left and stalls (a
// communication hang) until one comes back, then finishes what it had left.
// A new connection with no path is still an error.
TEST(Faults, AFlowWithNoPathLeftStallsUntilALinkComesBack) {
  Fabric f(leaf_spine(2, 2, 2), policy(PathPolicy::ecmp));
  DeliveryLog log(f.sim);
  FlowSpec spec;
  spec.connection = f.model.connect(ConnectionSpec{0, 2, 1000});
  spec.size_bytes = 1 << 30;
  spec.notify = log.self;
  (void)f.model.start_flow(spec);
  LinkFaults faults(f.sim, f.model);
  const topology::LinkId spine1 = link_named(f.topology, "leaf0>spine1");
  faults.add(sim::kMicrosecond, link_named(f.topology, "leaf0>spine0"), 0);
  faults.add(2 * sim::kMicrosecond, spine1, 0);
  faults.add(10 * sim::kMillisecond, spine1, 400);
  f.sim.run(5 * sim::kMillisecond);
  EXPECT_EQ(f.model.rate_gbps(0), 0.0);  // stalled, not finished, not failed
  EXPECT_TRUE(log.delivered.empty());
  f.sim.run();
  ASSERT_EQ(log.delivered.size(), 1u);
  const sim::Time stall = 10 * sim::kMillisecond - 2 * sim::kMicrosecond;
  const sim::Time sending = sim::serialisation_ps(1 << 30, 400);
  const sim::Time latency = 4 * 500 * sim::kNanosecond;  // h0>leaf0>spine1>leaf1>h2
  EXPECT_NEAR(static_cast<double>(log.delivered[0].second),
              static_cast<double>(sending + stall + latency), 10.0);
  EXPECT_EQ(f.model.totals().bytes_delivered, 1u << 30);

  Fabric g(leaf_spine(2, 2, 2), policy(PathPolicy::spray));
  g.model.set_spray_trunks(false);
  g.model.set_link_rate(link_named(g.topology, "h0>leaf0"), 0);
  try {
    (void)g.model.connect(ConnectionSpec{0, 3, 1000});
    FAIL() << "connected without a path";
  } catch (const NoPathError& e) {
    EXPECT_EQ(std::string(e.what()),
              "no path from h0 to h3 survives the links that are down (h0>leaf0)");
  }
}

// With a routing convergence time, a flow on a link that goes down stalls
// there for that long before ECMP moves it: its delivery slips by exactly
// the convergence time. A link back up before routing converged keeps its
// flows, which slip by the outage only.
TEST(Faults, FlowsStallOnADeadLinkUntilRoutingConverges) {
  const auto delivered = [](sim::Time convergence, sim::Time back_up) {
    TransportConfig config = policy(PathPolicy::ecmp);
    config.convergence_ps = convergence;
    Fabric f(leaf_spine(2, 2, 2), config);
    DeliveryLog log(f.sim);
    FlowSpec spec;
    spec.connection = f.model.connect(ConnectionSpec{0, 2, 1000});
    spec.size_bytes = 1 << 30;
    spec.notify = log.self;
    (void)f.model.start_flow(spec);
    const topology::LinkId on = f.model.flow_links(0)[1];  // its uplink
    LinkFaults faults(f.sim, f.model);
    faults.add(sim::kMicrosecond, on, 0);
    if (back_up > 0) faults.add(back_up, on, 400);
    f.sim.run();
    EXPECT_EQ(log.delivered.size(), 1u);
    return log.delivered.at(0).second;
  };
  const sim::Time at_once = delivered(0, 0);
  EXPECT_NEAR(static_cast<double>(delivered(sim::kMillisecond, 0)),
              static_cast<double>(at_once + sim::kMillisecond), 2.0);
  // Back up after 300us, before routing would have moved it.
  EXPECT_NEAR(static_cast<double>(delivered(sim::kMillisecond, 301 * sim::kMicrosecond)),
              static_cast<double>(at_once + 300 * sim::kMicrosecond), 2.0);
}

TEST(Faults, SprayTrunksRefuseChangesOfFabricLinks) {
  Fabric f(leaf_spine(2, 2, 2), policy(PathPolicy::spray));
  EXPECT_THROW(f.model.set_link_rate(link_named(f.topology, "leaf0>spine0"), 0),
               sim::InternalError);
}

}  // namespace
}  // namespace spinel::transport
