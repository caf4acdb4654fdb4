#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/time.hpp"

namespace spinel::workloads {

// How ranks map onto hosts.
enum class Placement {
  contiguous,     // rank r on the r-th host of the group (hosts numbered leaf by leaf)
  random,         // a seeded random permutation of the hosts (stream "placement")
  explicit_list,  // `ranks`: rank r on host ranks[r]
};

enum class Collective { ring_allreduce };

struct WorkloadConfig {
  Collective collective = Collective::ring_allreduce;
  std::uint64_t size_bytes = 64ULL << 20;
  std::uint32_t hosts = 0;  // how many hosts take part; 0 = every host of the fabric
  Placement placement = Placement::contiguous;
  std::vector<std::uint32_t> ranks;  // host of each rank, for Placement::explicit_list
  std::uint32_t iterations = 1;
  sim::Time compute_gap_ps = 0;  // idle time between consecutive iterations
};

constexpr std::string_view to_string(Placement p) {
  switch (p) {
    case Placement::contiguous:
      return "contiguous";
    case Placement::random:
      return "random";
    case Placement::explicit_list:
      return "explicit";
  }
  return "?";
}

constexpr std::string_view to_string(Collective c) {
  switch (c) {
    case Collective::ring_allreduce:
      return "ring_allreduce";
  }
  return "?";
}

}  // namespace spinel::workloads
