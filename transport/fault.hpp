#pragma once
// A scheduled fault (or repair) of one element of the fabric, as a scenario's
// `faults:` lists it: a directed link (`link:`, as links.csv names it), a
// host (`host:`, hN: the GPU behind NIC N, with its NIC's rank in whichever
// job runs there) or a switch (`switch:`, leafN, spineN, aggN or coreN: every link to and
// from it, down or back up) or a plane of a multi-plane fabric (`plane:`,
// planeN: every switch of it). Link faults act here, in transport
// (transport/link_changes.hpp); host faults on a job's compute
// (workloads/host_faults.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/time.hpp"
#include "topology/topology.hpp"

namespace spinel::transport {

enum class FaultState { down, degraded, up, flapping, slow, hung, nic_down, nic_port_down };

constexpr std::string_view to_string(FaultState state) {
  switch (state) {
    case FaultState::down:
      return "down";
    case FaultState::degraded:
      return "degraded";
    case FaultState::up:
      return "up";
    case FaultState::flapping:
      return "flapping";
    case FaultState::slow:
      return "slow";
    case FaultState::hung:
      return "hung";
    case FaultState::nic_down:
      return "nic_down";
    case FaultState::nic_port_down:
      return "nic_port_down";
  }
  return "down";
}

struct Fault {
  sim::Time at_ps = 0;
  std::string link;                    // a link fault: as links.csv names it, e.g. leaf0>spine1
  std::string host;                    // a host fault: hN
  std::string switch_name;             // a switch fault: leafN, spineN, aggN or coreN
  std::optional<std::uint32_t> plane;  // a plane fault (multi-plane fabrics): every switch of it
  FaultState state = FaultState::down;
  std::uint32_t port = 0;   // nic_port_down: which port of the host's dual-port NIC
  double rate_gbps = 0;     // degraded: the rate it keeps
  double factor = 1;        // slow: its compute takes this many times as long
  sim::Time period_ps = 0;  // flapping: one down-then-up cycle (down for the first half)
  sim::Time until_ps = 0;   // flapping: when it stops, up
  [[nodiscard]] bool on_host() const { return !host.empty(); }
  [[nodiscard]] bool on_switch() const { return !switch_name.empty(); }
  [[nodiscard]] bool on_plane() const { return plane.has_value(); }
  // Whether it changes links (nic_down and nic_port_down do, through its
  // host's links), as opposed to a host's compute.
  [[nodiscard]] bool acts_on_links() const {
    return !on_host() || state == FaultState::nic_down || state == FaultState::nic_port_down;
  }
  // What faults.csv names: the link, the host, hN.pK for a NIC port, or the switch.
  [[nodiscard]] std::string element() const {
    if (state == FaultState::nic_port_down) return host + ".p" + std::to_string(port);
    if (on_plane()) return "plane" + std::to_string(*plane);
    return on_host() ? host : (on_switch() ? switch_name : link);
  }
};

// The host a host fault names (hN; the loader checked the name).
inline topology::HostId fault_host(const Fault& fault) {
  return static_cast<topology::HostId>(std::stoul(fault.host.substr(1)));
}

}  // namespace spinel::transport
