#pragma once
// Faults drawn at random from the seed: a scenario's `random_fault:` (one
// fault of a kind, per run, for detection campaigns that sweep kinds and
// seeds) and the kinds a failure process draws (workloads/recovery).
#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/rng.hpp"
#include "sim/time.hpp"
#include "topology/config.hpp"
#include "topology/topology.hpp"
#include "transport/fault.hpp"

namespace spinel::workloads {

enum class RandomFaultKind {
  straggler,        // a host of the first job: slow by `factor`
  hang,             // a host of the first job: hung
  nic_degraded,     // that host's link to its leaf keeps `rate_fraction` of its rate
  uplink_degraded,  // an uplink of that host's leaf keeps `rate_fraction` of its rate
  uplink_down,      // an uplink of that host's leaf goes down
  nic_down,         // that host's NIC: both directions of its link down
  nic_port_down,    // one port of that host's dual-port NIC (drawn uniformly), both directions
};

constexpr std::string_view to_string(RandomFaultKind kind) {
  switch (kind) {
    case RandomFaultKind::straggler:
      return "straggler";
    case RandomFaultKind::hang:
      return "hang";
    case RandomFaultKind::nic_degraded:
      return "nic_degraded";
    case RandomFaultKind::uplink_degraded:
      return "uplink_degraded";
    case RandomFaultKind::uplink_down:
      return "uplink_down";
    case RandomFaultKind::nic_down:
      return "nic_down";
    case RandomFaultKind::nic_port_down:
      return "nic_port_down";
  }
  return "straggler";
}

// Whether the kind hits an uplink of a leaf (else a GPU or its NIC).
constexpr bool on_uplink(RandomFaultKind kind) {
  return kind == RandomFaultKind::uplink_degraded || kind == RandomFaultKind::uplink_down;
}

// `random_fault:`: one fault of a kind at a random place and time, drawn per
// run (stream "random_fault").
struct RandomFault {
  bool enabled = false;
  RandomFaultKind kind = RandomFaultKind::straggler;
  sim::Time from_ps = 0;  // it lands uniformly in [from, to)
  sim::Time to_ps = 0;
  double factor = 1.5;          // straggler
  double rate_fraction = 0.25;  // *_degraded
};

// The fault of `kind` at a GPU's host: the host itself, its NIC link (or
// port), or uplink `uplink` of its leaf (to that spine, or agg of its pod); at `at`.
transport::Fault fault_of_kind(RandomFaultKind kind, double factor, double rate_fraction,
                               topology::HostId host, std::uint32_t uplink, std::uint32_t port,
                               sim::Time at, const topology::FabricConfig& t);
// The NIC port a kind needs drawn (nic_port_down), else 0 without a draw.
std::uint32_t draw_port(RandomFaultKind kind, sim::Rng& rng, const topology::FabricConfig& t);

// The run's faults: the scheduled ones, then `random` drawn (stream
// "random_fault" of `seed`: a rank of the first job uniformly, the time
// uniformly in [from, to), which of its leaf's uplinks uniformly).
std::vector<transport::Fault> run_faults(const std::vector<transport::Fault>& scheduled,
                                         const RandomFault& random, const topology::FabricConfig& t,
                                         std::uint64_t seed,
                                         const std::vector<topology::HostId>& first_job);

}  // namespace spinel::workloads
