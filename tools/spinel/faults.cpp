#include "tools/spinel/faults.hpp"

#include <algorithm>
#include <string>

#include "sim/rng.hpp"
#include "topology/names.hpp"

namespace spinel::tools {

topology::HostId fault_host(const scenario::Fault& fault) {
  return static_cast<topology::HostId>(std::stoul(fault.host.substr(1)));  // "h12"; checked
}

std::optional<RankOnHost> rank_on_host(const std::vector<std::vector<topology::HostId>>& placed,
                                       topology::HostId host) {
  for (std::size_t j = 0; j < placed.size(); ++j) {
    for (std::size_t r = 0; r < placed[j].size(); ++r) {
      if (placed[j][r] == host) {
        return RankOnHost{static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(r)};
      }
    }
  }
  return std::nullopt;
}

scenario::Fault fault_of_kind(scenario::RandomFaultKind kind, double factor, double rate_fraction,
                              topology::HostId host, std::uint32_t uplink_index, std::uint32_t port,
                              sim::Time at, const topology::FabricConfig& t) {
  scenario::Fault f;
  f.at_ps = at;
  // The leaf of the host's port 0 (its only port on single-port NICs).
  const std::uint32_t leaf_index = (host / t.hosts_per_leaf) * t.nic_ports;
  const std::string leaf = "leaf" + std::to_string(leaf_index);
  const std::string nic = "h" + std::to_string(host) + (t.nic_ports > 1 ? ".p0" : "");
  const std::string uplink = topology::leaf_uplink_name(t, leaf_index, uplink_index);
  switch (kind) {
    case scenario::RandomFaultKind::straggler:
      f.host = "h" + std::to_string(host);
      f.state = scenario::FaultState::slow;
      f.factor = factor;
      break;
    case scenario::RandomFaultKind::hang:
      f.host = "h" + std::to_string(host);
      f.state = scenario::FaultState::hung;
      break;
    case scenario::RandomFaultKind::nic_degraded:
      f.link = nic + ">" + leaf;
      f.state = scenario::FaultState::degraded;
      f.rate_gbps = t.host_link.rate_gbps * rate_fraction;
      break;
    case scenario::RandomFaultKind::uplink_degraded:
      f.link = uplink;
      f.state = scenario::FaultState::degraded;
      f.rate_gbps = topology::named_link(uplink, t)->rate_gbps * rate_fraction;
      break;
    case scenario::RandomFaultKind::uplink_down:
      f.link = uplink;
      f.state = scenario::FaultState::down;
      break;
    case scenario::RandomFaultKind::nic_down:
      f.host = "h" + std::to_string(host);
      f.state = scenario::FaultState::nic_down;
      break;
    case scenario::RandomFaultKind::nic_port_down:
      f.host = "h" + std::to_string(host);
      f.state = scenario::FaultState::nic_port_down;
      f.port = port;
      break;
  }
  return f;
}

std::uint32_t draw_port(scenario::RandomFaultKind kind, sim::Rng& rng,
                        const topology::FabricConfig& t) {
  return kind == scenario::RandomFaultKind::nic_port_down
             ? static_cast<std::uint32_t>(rng.below(t.nic_ports))
             : 0;
}

std::vector<scenario::Fault> run_faults(const scenario::Scenario& scenario,
                                        const std::vector<std::vector<topology::HostId>>& placed) {
  std::vector<scenario::Fault> faults = scenario.faults;
  const scenario::RandomFault& random = scenario.random_fault;
  if (!random.enabled) return faults;
  sim::Rng rng(scenario.seed, "random_fault");
  const std::vector<topology::HostId>& hosts = placed.at(0);
  const topology::HostId host = hosts[rng.below(hosts.size())];
  const sim::Time at =
      random.from_ps +
      static_cast<sim::Time>(rng.below(static_cast<std::uint64_t>(random.to_ps - random.from_ps)));
  const auto uplink =
      static_cast<std::uint32_t>(rng.below(topology::uplinks_per_leaf(scenario.topology)));
  const std::uint32_t port = draw_port(random.kind, rng, scenario.topology);
  faults.push_back(fault_of_kind(random.kind, random.factor, random.rate_fraction, host, uplink,
                                 port, at, scenario.topology));
  return faults;
}

std::vector<LinkChange> link_changes(
    const scenario::Fault& fault, const topology::Topology& topology,
    const std::unordered_map<std::string, topology::LinkId>& links) {
  std::vector<LinkChange> out;
  const auto one = [&](sim::Time at, topology::LinkId l, double gbps) {
    out.push_back(LinkChange{at, {l}, gbps});
  };
  if (fault.state == scenario::FaultState::nic_down) {
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
  if (fault.state == scenario::FaultState::nic_port_down) {
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
  if (fault.on_switch()) {
    // A dead switch: every link to and from it (the loader checked the name).
    const topology::NodeId n = *topology.node_by_name(fault.switch_name);
    const std::vector<topology::LinkId> switch_links = topology.links_of(n);
    if (fault.state == scenario::FaultState::down) {
      out.push_back(LinkChange{fault.at_ps, switch_links, 0.0});
    } else {
      for (const topology::LinkId l : switch_links) one(fault.at_ps, l, topology.link(l).rate_gbps);
    }
    return out;
  }
  const topology::LinkId l = links.at(fault.link);  // the loader checked the name
  const double up = topology.link(l).rate_gbps;
  switch (fault.state) {
    case scenario::FaultState::down:
      one(fault.at_ps, l, 0.0);
      break;
    case scenario::FaultState::degraded:
      one(fault.at_ps, l, fault.rate_gbps);
      break;
    case scenario::FaultState::up:
      one(fault.at_ps, l, up);
      break;
    case scenario::FaultState::flapping:
      // Down for the first half of each period, up for the second; up at the end.
      for (sim::Time t = fault.at_ps; t < fault.until_ps; t += fault.period_ps) {
        one(t, l, 0.0);
        one(std::min(t + fault.period_ps / 2, fault.until_ps), l, up);
      }
      break;
    case scenario::FaultState::slow:
    case scenario::FaultState::hung:
    case scenario::FaultState::nic_down:
    case scenario::FaultState::nic_port_down:
      break;
  }
  return out;
}

void schedule_link_faults(const std::vector<scenario::Fault>& faults,
                          const topology::Topology& topology, transport::FlowModel& model,
                          transport::LinkFaults& link_faults) {
  if (std::none_of(faults.begin(), faults.end(),
                   [](const scenario::Fault& f) { return f.acts_on_links(); })) {
    return;
  }
  // Spray trunks assume equal members, which faults break.
  model.set_spray_trunks(false);
  const auto by_name = topology.links_by_name();
  for (const scenario::Fault& fault : faults) {
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

bool apply_host_faults(const std::vector<scenario::Fault>& faults,
                       const std::vector<std::vector<topology::HostId>>& placed,
                       const std::vector<std::unique_ptr<workloads::ComputeModel>>& computes) {
  bool hangs = false;
  for (const scenario::Fault& fault : faults) {
    if (fault.acts_on_links()) continue;
    const auto where = rank_on_host(placed, fault_host(fault));
    if (!where) continue;
    workloads::ComputeModel& compute = *computes.at(where->job);
    if (fault.state == scenario::FaultState::hung) {
      compute.hang_from(where->rank, fault.at_ps);
      hangs = true;
    } else {
      compute.slow_from(where->rank, fault.at_ps, fault.factor);
    }
  }
  return hangs;
}

void write_faults_csv(sim::Recorder& recorder, const scenario::Scenario& scenario,
                      const std::vector<scenario::Fault>& faults,
                      const std::vector<std::vector<topology::HostId>>& placed) {
  if (!recorder.enabled()) return;
  sim::CsvTable* csv =
      recorder.table("faults.csv", {"fault", "at_ps", "element", "state", "rate_gbps", "factor",
                                    "period_ps", "until_ps", "job", "rank"});
  // Columns that do not apply to a fault's state are left empty.
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const scenario::Fault& f = faults[i];
    csv->cell(static_cast<std::uint64_t>(i)).cell(f.at_ps);
    csv->cell(f.element()).cell(scenario::to_string(f.state));
    if (f.state == scenario::FaultState::degraded) {
      csv->cell(f.rate_gbps);
    } else {
      csv->cell("");
    }
    if (f.state == scenario::FaultState::slow) {
      csv->cell(f.factor);
    } else {
      csv->cell("");
    }
    if (f.state == scenario::FaultState::flapping) {
      csv->cell(f.period_ps).cell(f.until_ps);
    } else {
      csv->cell("").cell("");
    }
    const auto where = f.on_host() ? rank_on_host(placed, fault_host(f)) : std::nullopt;
    if (where) {
      csv->cell(scenario.jobs.at(where->job).name).cell(where->rank);
    } else {
      csv->cell("").cell("");
    }
    csv->end_row();
  }
}

}  // namespace spinel::tools
