#include "workloads/random_faults.hpp"

#include <string>

#include "topology/names.hpp"

namespace spinel::workloads {

transport::Fault fault_of_kind(RandomFaultKind kind, double factor, double rate_fraction,
                               topology::HostId host, std::uint32_t uplink_index,
                               std::uint32_t port, sim::Time at, const topology::FabricConfig& t) {
  transport::Fault f;
  f.at_ps = at;
  // The leaf of the host's port 0 (its only port on single-port NICs).
  const std::uint32_t leaf_index = (host / t.hosts_per_leaf) * t.nic_ports;
  const std::string leaf = "leaf" + std::to_string(leaf_index);
  const std::string nic = topology::host_name(host) + (t.nic_ports > 1 ? ".p0" : "");
  const std::string uplink = topology::leaf_uplink_name(t, leaf_index, uplink_index);
  switch (kind) {
    case RandomFaultKind::straggler:
      f.host = topology::host_name(host);
      f.state = transport::FaultState::slow;
      f.factor = factor;
      break;
    case RandomFaultKind::hang:
      f.host = topology::host_name(host);
      f.state = transport::FaultState::hung;
      break;
    case RandomFaultKind::nic_degraded:
      f.link = nic + ">" + leaf;
      f.state = transport::FaultState::degraded;
      f.rate_gbps = t.host_link.rate_gbps * rate_fraction;
      break;
    case RandomFaultKind::uplink_degraded:
      f.link = uplink;
      f.state = transport::FaultState::degraded;
      f.rate_gbps = topology::named_link(uplink, t)->rate_gbps * rate_fraction;
      break;
    case RandomFaultKind::uplink_down:
      f.link = uplink;
      f.state = transport::FaultState::down;
      break;
    case RandomFaultKind::nic_down:
      f.host = topology::host_name(host);
      f.state = transport::FaultState::nic_down;
      break;
    case RandomFaultKind::nic_port_down:
      f.host = topology::host_name(host);
      f.state = transport::FaultState::nic_port_down;
      f.port = port;
      break;
  }
  return f;
}

std::uint32_t draw_port(RandomFaultKind kind, sim::Rng& rng, const topology::FabricConfig& t) {
  return kind == RandomFaultKind::nic_port_down ? static_cast<std::uint32_t>(rng.below(t.nic_ports))
                                                : 0;
}

std::vector<transport::Fault> run_faults(const std::vector<transport::Fault>& scheduled,
                                         const RandomFault& random, const topology::FabricConfig& t,
                                         std::uint64_t seed,
                                         const std::vector<topology::HostId>& first_job) {
  std::vector<transport::Fault> faults = scheduled;
  if (!random.enabled) return faults;
  sim::Rng rng(seed, "random_fault");
  const topology::HostId host = first_job[rng.below(first_job.size())];
  const sim::Time at =
      random.from_ps +
      static_cast<sim::Time>(rng.below(static_cast<std::uint64_t>(random.to_ps - random.from_ps)));
  const auto uplink = static_cast<std::uint32_t>(rng.below(t.uplinks_per_leaf()));
  const std::uint32_t port = draw_port(random.kind, rng, t);
  faults.push_back(
      fault_of_kind(random.kind, random.factor, random.rate_fraction, host, uplink, port, at, t));
  return faults;
}

}  // namespace spinel::workloads
