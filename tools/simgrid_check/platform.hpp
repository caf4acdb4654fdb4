#pragma once
// What the SimGrid side is given: a fabric reduced to the links a collective
// actually uses, one fixed route per (source, destination) host pair, and the
// collective to replay. Plain data in spinel's units, so that the spinel side
// can fill it without SimGrid and the SimGrid side can read it without spinel's
// models.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/time.hpp"
#include "topology/topology.hpp"
#include "workloads/schedule.hpp"

namespace spinel::simgrid_check {

// One direction of a cable, or a spray trunk (one link standing for all of a
// leaf's uplinks or downlinks, with their summed rate).
struct PlatformLink {
  std::string name;  // as links.csv names it; trunks "leaf3>*" and "*>leaf3"
  double rate_gbps = 0;
  sim::Time latency_ps = 0;
};

struct PlatformRoute {
  topology::HostId src = 0;
  topology::HostId dst = 0;
  std::vector<std::uint32_t> links;  // into Platform::links, from source to destination
  sim::Time latency_ps = 0;          // the sum of its links' latencies
};

struct Platform {
  std::uint32_t hosts = 0;  // the fabric's host count; SimGrid host h is spinel host h
  std::vector<PlatformLink> links;
  std::vector<PlatformRoute> routes;
  // Whether every route has the same latency: then SimGrid's way of paying
  // latency (before bandwidth, with shares weighted by 1 / latency) and
  // spinel's (bandwidth from the start, delivery one latency later) agree.
  [[nodiscard]] bool uniform_latency() const {
    for (const PlatformRoute& route : routes) {
      if (route.latency_ps != routes.front().latency_ps) return false;
    }
    return true;
  }
};

// The collective to replay: its schedule, its ranks' hosts, its iterations.
struct Replay {
  const workloads::Schedule* schedule = nullptr;
  std::vector<topology::HostId> hosts;  // hosts[r] runs rank r
  sim::Time start_ps = 0;               // when the first iteration starts
  std::uint32_t iterations = 1;
  sim::Time compute_gap_ps = 0;
};

// When one transfer of the collective was delivered, in both simulators.
struct TransferKey {
  std::uint32_t iteration = 0;
  std::uint32_t step = 0;
  std::uint32_t src = 0;  // ranks
  std::uint32_t dst = 0;
  friend auto operator<=>(const TransferKey&, const TransferKey&) = default;
};

struct TransferTime {
  TransferKey key;
  double started_s = 0;
  double delivered_s = 0;
};

// What a simulator reports of one replay. Times in seconds (SimGrid's unit;
// spinel's picoseconds convert exactly enough: 2^-52 relative).
struct Outcome {
  std::vector<double> iteration_end_s;  // when each iteration's last rank finished
  std::vector<TransferTime> transfers;  // in no particular order
};

}  // namespace spinel::simgrid_check
