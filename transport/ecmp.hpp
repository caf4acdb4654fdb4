#pragma once
// ECMP as switches do it, hop by hop. Along a flow's equal-cost paths, every
// node where the paths part ways (a leaf choosing its agg, an agg its core, a
// core the far pod's agg, a dual-port NIC its port) picks one of the next
// links that lead on by its own hash of the flow, modulo their number. With a
// salt per switch those choices are independent; with one shared salt (the
// same hash function and seed in every switch) a flow that hashed to uplink
// i at the leaf hashes to uplink i mod n again at the agg: polarisation,
// which leaves some core links idle.
#include <cstdint>
#include <vector>

#include "sim/rng.hpp"
#include "topology/routing.hpp"
#include "transport/config.hpp"

namespace spinel::transport {

// Link `depth` of path i, from the source NIC on.
inline topology::LinkId link_at(const topology::HostPaths& paths, std::uint32_t i,
                                std::uint32_t depth) {
  if (paths.whole()) return paths.middle->path(i)[depth];
  if (depth == 0) return paths.uplink;
  if (depth == paths.length() - 1) return paths.downlink;
  return paths.middle->path(i)[depth - 1];
}

// The hash switch `node` computes for a flow whose 5-tuple hashes to `flow_hash`.
inline std::uint64_t switch_hash(std::uint64_t flow_hash, topology::NodeId node, EcmpSalt salt,
                                 std::uint64_t run_salt) {
  if (salt == EcmpSalt::shared) return flow_hash;
  return sim::mix64(flow_hash ^ sim::mix64(run_salt + node + 1));
}

// The path a flow takes when each node hashes among the next links of the
// paths that `usable` keeps (as switches drop dead ports from their ECMP
// groups). `hash_at(node)` is that node's hash of the flow. Returns
// paths.count() if no path is usable.
template <class Usable, class HashAt>
std::uint32_t per_hop_path(const topology::Topology& topology, const topology::HostPaths& paths,
                           Usable&& usable, HashAt&& hash_at) {
  std::vector<std::uint32_t> candidates;
  for (std::uint32_t i = 0; i < paths.count(); ++i) {
    if (usable(i)) candidates.push_back(i);
  }
  if (candidates.empty()) return paths.count();
  std::vector<topology::LinkId> next;
  for (std::uint32_t depth = 0; depth < paths.length() && candidates.size() > 1; ++depth) {
    next.clear();
    for (const std::uint32_t i : candidates) {
      const topology::LinkId l = link_at(paths, i, depth);
      bool seen = false;
      for (const topology::LinkId n : next) seen = seen || n == l;
      if (!seen) next.push_back(l);
    }
    if (next.size() < 2) continue;
    const topology::NodeId node = topology.link(next.front()).src;
    const topology::LinkId pick = next[hash_at(node) % next.size()];
    std::erase_if(candidates, [&](std::uint32_t i) { return link_at(paths, i, depth) != pick; });
  }
  return candidates.front();
}

}  // namespace spinel::transport
