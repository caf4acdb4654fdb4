#include "workloads/random_faults.hpp"

#include <string>

namespace spinel::workloads {

transport::Fault fault_of_kind(RandomFaultKind kind, double factor, double rate_fraction,
                               topology::HostId host, std::uint32_t spine, std::uint32_t port,
                               sim::Time at, const topology::LeafSpineConfig& t) {
  transport::Fault f;
  f.at_ps = at;
  // The leaf of the host's port 0 (its only port on single-port NICs).
  const std::string leaf = "leaf" + std::to_string((host / t.hosts_per_leaf) * t.nic_ports);
  const std::string nic = "h" + std::to_string(host) + (t.nic_ports > 1 ? ".p0" : "");
  const std::string uplink =
      leaf + ">spine" + std::to_string(spine) + (t.parallel_links > 1 ? "#0" : "");
  switch (kind) {
    case RandomFaultKind::straggler:
      f.host = "h" + std::to_string(host);
      f.state = transport::FaultState::slow;
      f.factor = factor;
      break;
    case RandomFaultKind::hang:
      f.host = "h" + std::to_string(host);
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
      f.rate_gbps = t.spine_link.rate_gbps * rate_fraction;
      break;
    case RandomFaultKind::uplink_down:
      f.link = uplink;
      f.state = transport::FaultState::down;
      break;
    case RandomFaultKind::nic_down:
      f.host = "h" + std::to_string(host);
      f.state = transport::FaultState::nic_down;
      break;
    case RandomFaultKind::nic_port_down:
      f.host = "h" + std::to_string(host);
      f.state = transport::FaultState::nic_port_down;
      f.port = port;
      break;
  }
  return f;
}

std::uint32_t draw_port(RandomFaultKind kind, sim::Rng& rng, const topology::LeafSpineConfig& t) {
  return kind == RandomFaultKind::nic_port_down ? static_cast<std::uint32_t>(rng.below(t.nic_ports))
                                                : 0;
}

std::vector<transport::Fault> run_faults(const std::vector<transport::Fault>& scheduled,
                                         const RandomFault& random,
                                         const topology::LeafSpineConfig& t, std::uint64_t seed,
                                         const std::vector<topology::HostId>& first_job) {
  std::vector<transport::Fault> faults = scheduled;
  if (!random.enabled) return faults;
  sim::Rng rng(seed, "random_fault");
  const topology::HostId host = first_job[rng.below(first_job.size())];
  const sim::Time at =
      random.from_ps +
      static_cast<sim::Time>(rng.below(static_cast<std::uint64_t>(random.to_ps - random.from_ps)));
  const auto spine = static_cast<std::uint32_t>(rng.below(t.spines));
  const std::uint32_t port = draw_port(random.kind, rng, t);
  faults.push_back(
      fault_of_kind(random.kind, random.factor, random.rate_fraction, host, spine, port, at, t));
  return faults;
}

}  // namespace spinel::workloads
