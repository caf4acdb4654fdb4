#pragma once
// Steps of connections for path-policy tests: open them as one group on a
// fabric and read the group's maximum congestion.
#include <cstdint>
#include <vector>

#include "fabric.hpp"

namespace spinel::testing {

// A step: connections that run together, each carrying `bytes`.
struct Step {
  std::vector<transport::ConnectionSpec> specs;
  std::vector<std::uint64_t> bytes;
};

// Opens the step's connections as one group and returns its max congestion.
inline sim::Time congestion(Fabric& f, const Step& step) {
  const std::vector<transport::ConnectionId> ids = f.transport.connect_group(step.specs);
  std::vector<transport::Load> loads;
  for (std::size_t i = 0; i < ids.size(); ++i)
    loads.push_back(transport::Load{ids[i], step.bytes[i]});
  return f.transport.max_congestion_ps(loads);
}

inline sim::Time congestion_with(const topology::FabricConfig& config,
                                 const transport::TransportConfig& t, const Step& step,
                                 std::uint64_t seed = 1) {
  Fabric f(config, t, seed);
  return congestion(f, step);
}

inline void add(Step& step, topology::HostId src, topology::HostId dst, std::uint64_t bytes) {
  const auto port = static_cast<std::uint16_t>(1000 + step.specs.size());
  step.specs.push_back(transport::ConnectionSpec{src, dst, port, 4791, bytes});
  step.bytes.push_back(bytes);
}

// Every host sends to the host `shift` places on: a ring step, or a
// permutation; every leaf sends and receives the same number of cross-leaf
// connections, by symmetry.
inline Step shift_step(std::uint32_t hosts, std::uint32_t shift, std::uint64_t bytes) {
  Step step;
  for (topology::HostId h = 0; h < hosts; ++h) add(step, h, (h + shift) % hosts, bytes);
  return step;
}

inline Step all_to_all(std::uint32_t hosts, std::uint64_t bytes) {
  Step step;
  for (topology::HostId a = 0; a < hosts; ++a) {
    for (topology::HostId b = 0; b < hosts; ++b) {
      if (a != b) add(step, a, b, bytes);
    }
  }
  return step;
}

}  // namespace spinel::testing
