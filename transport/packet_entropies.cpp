// The packet model's hashed entropies (PacketConfig::entropies): a sprayed
// packet carries one of its QP's N entropy values and each switch with a
// choice hashes (flow, entropy) to one of its equal-cost next links, as
// ECMP on a packet's header does; the path follows from those choices.
// Few entropies leave paths unused and let flows collide, as in htsim.
#include <algorithm>

#include "sim/rng.hpp"
#include "transport/packet_model.hpp"

namespace spinel::transport {

using topology::LinkId;

std::uint32_t PacketModel::entropy_path(QpId id) {
  Qp& qp = qps_[id];
  if (qp.entropy_paths.empty() || qp.entropy_avoided != avoid_changes_) hash_entropies(id);
  const std::uint32_t n = config_.entropies;
  std::uint32_t e;
  if (config_.spray == SprayChoice::random) {
    e = static_cast<std::uint32_t>(spray_rng_.below(n));
  } else {
    e = qp.next_path % n;
    qp.next_path = e + 1 == n ? 0 : e + 1;
  }
  return qp.entropy_paths[e];
}

// Switch by switch along the middle part: the candidates are the distinct
// next links of the usable paths that share the links chosen so far; the
// switch's hash of (flow, entropy) picks one. The flow is the QP (its
// source, destination and number, under the run's seed); each switch mixes
// in its own node id, so consecutive switches choose independently.
void PacketModel::hash_entropies(QpId id) {
  Qp& qp = qps_[id];
  qp.entropy_avoided = avoid_changes_;
  const std::uint32_t count = qp.paths.count();
  const std::uint32_t length = qp.paths.middle->length;
  const std::uint64_t flow = sim::mix64(
      spray_seed_ ^ sim::mix64((std::uint64_t{qp.src} << 32) ^ (std::uint64_t{qp.dst} << 8) ^ id));
  std::vector<std::uint32_t> alive;
  std::vector<LinkId> next;
  qp.entropy_paths.assign(config_.entropies, 0);
  for (std::uint32_t e = 0; e < config_.entropies; ++e) {
    alive.clear();
    for (std::uint32_t i = 0; i < count; ++i) {
      if (path_usable(qp.paths, i)) alive.push_back(i);
    }
    if (alive.empty()) alive.push_back(0);  // none: the QP stalls at its timeout (blocked())
    const std::uint64_t key = sim::mix64(flow ^ e);
    for (std::uint32_t depth = 0; depth < length && alive.size() > 1; ++depth) {
      next.clear();
      for (const std::uint32_t i : alive) next.push_back(qp.paths.middle->path(i)[depth]);
      std::sort(next.begin(), next.end());
      next.erase(std::unique(next.begin(), next.end()), next.end());
      if (next.size() == 1) continue;
      const topology::NodeId node = topology_.link(next[0]).src;
      const LinkId pick = next[sim::mix64(key ^ (std::uint64_t{node} << 40)) % next.size()];
      std::erase_if(alive,
                    [&](std::uint32_t i) { return qp.paths.middle->path(i)[depth] != pick; });
    }
    qp.entropy_paths[e] = static_cast<std::uint16_t>(alive.front());
  }
}

}  // namespace spinel::transport
