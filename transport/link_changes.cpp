#include "transport/link_changes.hpp"

#include <algorithm>

namespace spinel::transport {

std::vector<LinkChange> link_changes(
    const Fault& fault, const topology::Topology& topology,
    const std::unordered_map<std::string, topology::LinkId>& links) {
  std::vector<LinkChange> out;
  const auto one = [&](sim::Time at, topology::LinkId l, double gbps) {
    out.push_back(LinkChange{at, {l}, gbps});
  };
  if (fault.state == FaultState::nic_down) {
    // A dead NIC: its links down both ways, every port (connections
    // through it stall).
    const topology::HostId h = fault_host(fault);
    if (topology.nic_ports() == 1) {
      // One change per link, as before dual-port NICs (the same events).
      one(fault.at_ps, topology.host_uplink(h), 0.0);
      one(fault.at_ps, topology.host_downlink(h), 0.0);
      return out;
    }
    LinkChange all{fault.at_ps, {}, 0.0};
    for (std::uint32_t p = 0; p < topology.nic_ports(); ++p) {
      all.links.push_back(topology.host_uplink(h, p));
      all.links.push_back(topology.host_downlink(h, p));
    }
    out.push_back(std::move(all));
    return out;
  }
  if (fault.state == FaultState::nic_port_down) {
    // One port of a dual-port NIC: routing moves its connections to the
    // other port, as it moves them off a dead uplink.
    const topology::HostId h = fault_host(fault);
    out.push_back(
        LinkChange{fault.at_ps,
                   {topology.host_uplink(h, fault.port), topology.host_downlink(h, fault.port)},
                   0.0});
    return out;
  }
  if (fault.on_host()) return out;
  if (fault.on_switch() || fault.on_plane()) {
    // A dead switch (or plane): every link to and from it (the loader
    // checked the name).
    const std::vector<topology::LinkId> switch_links =
        fault.on_plane() ? topology.links_of_plane(*fault.plane)
                         : topology.links_of(*topology.node_by_name(fault.switch_name));
    if (fault.state == FaultState::down) {
      out.push_back(LinkChange{fault.at_ps, switch_links, 0.0});
    } else {
      for (const topology::LinkId l : switch_links) one(fault.at_ps, l, topology.link(l).rate_gbps);
    }
    return out;
  }
  const topology::LinkId l = links.at(fault.link);  // the loader checked the name
  const double up = topology.link(l).rate_gbps;
  switch (fault.state) {
    case FaultState::down:
      one(fault.at_ps, l, 0.0);
      break;
    case FaultState::degraded:
      one(fault.at_ps, l, fault.rate_gbps);
      break;
    case FaultState::up:
      one(fault.at_ps, l, up);
      break;
    case FaultState::flapping:
      // Down for the first half of each period, up for the second; up at the end.
      for (sim::Time t = fault.at_ps; t < fault.until_ps; t += fault.period_ps) {
        one(t, l, 0.0);
        one(std::min(t + fault.period_ps / 2, fault.until_ps), l, up);
      }
      break;
    case FaultState::slow:
    case FaultState::hung:
    case FaultState::nic_down:
    case FaultState::nic_port_down:
      break;
  }
  return out;
}

void schedule_link_faults(const std::vector<Fault>& faults, const topology::Topology& topology,
                          FlowModel& model, LinkFaults& link_faults) {
  if (std::none_of(faults.begin(), faults.end(),
                   [](const Fault& f) { return f.acts_on_links(); })) {
    return;
  }
  // Spray trunks assume equal members, which faults break.
  model.set_spray_trunks(false);
  const auto by_name = topology.links_by_name();
  for (const Fault& fault : faults) {
    // Several links at once (a switch's, a NIC's): all change before any flow moves.
    for (LinkChange& c : link_changes(fault, topology, by_name)) {
      if (c.at_ps == 0) {
        link_faults.apply(c.links, c.gbps);  // now, before connections open (packets too)
      } else {
        link_faults.add(c.at_ps, std::move(c.links), c.gbps);
      }
    }
  }
}

}  // namespace spinel::transport
