// The packet model's per-packet path choice: spray, REPS and adaptive
// routing (packet_model.hpp; REPS in reps.hpp, adaptive in adaptive.hpp).
#include "transport/adaptive.hpp"
#include "transport/packet_model.hpp"

namespace spinel::transport {

using topology::LinkId;

// What the port has not yet serialised: the rest of its current packet and
// (ports that hold their queue: PFC, shared buffers) the packets behind it.
std::uint64_t PacketModel::backlog_bytes(const Port& port) const {
  const sim::Time now = sim_.now();
  if (port.busy_until <= now) return port.queued_bytes;
  return port.queued_bytes +
         static_cast<std::uint64_t>(static_cast<double>(port.busy_until - now) * port.bytes_per_ps);
}

// A path routing still uses: none of its links (either way: ACKs come back
// over it) is one routing has moved off.
bool PacketModel::path_usable(const topology::HostPaths& paths, std::uint32_t i) const {
  if (links_avoided_ == 0) return true;
  for (const LinkId l : paths.middle->path(i)) {
    if (ports_[l].avoided || ports_[l ^ 1].avoided) return false;
  }
  return true;
}

std::uint32_t PacketModel::random_path(Qp& qp, sim::Rng& rng) {
  const std::uint32_t count = qp.paths.count();
  const auto path = static_cast<std::uint32_t>(rng.below(count));
  if (path_usable(qp.paths, path)) return path;
  // Some paths are routed around: the first usable one after the draw.
  for (std::uint32_t k = 1; k < count; ++k) {
    const std::uint32_t i = (path + k) % count;
    if (path_usable(qp.paths, i)) return i;
  }
  return path;  // none: the QP stalls at its timeout (blocked())
}

std::uint32_t PacketModel::choose_path(Qp& qp) {
  const std::uint32_t count = qp.paths.count();
  switch (qp.how) {
    case PerPacket::reps: {
      std::uint16_t path;
      RepsBuffer& buffer = reps_[qp.reps];
      while (buffer.take(path)) {
        if (path < count && path_usable(qp.paths, path)) return path;
      }
      return random_path(qp, reps_rng_);
    }
    case PerPacket::adaptive:
      return qp.next_path;  // a placeholder: the first switch picks (route_adaptive)
    case PerPacket::spray:
      break;
  }
  if (config_.entropies != 0) return entropy_path(static_cast<QpId>(&qp - qps_.data()));
  if (config_.spray == SprayChoice::random) return random_path(qp, spray_rng_);
  for (std::uint32_t k = 0; k < count; ++k) {
    const std::uint32_t path = qp.next_path;
    qp.next_path = qp.next_path + 1 == count ? 0 : qp.next_path + 1;
    if (path_usable(qp.paths, path)) return path;
  }
  return qp.next_path;
}

// The packet is at a switch that may choose (its first, or on a clos3 its
// agg or the core): it leaves by the port with the shortest queue among
// the paths that go on from here and follows that path from there.
void PacketModel::route_adaptive(Packet& pkt) {
  Qp& qp = qps_[pkt.qp];
  const std::uint32_t depth = pkt.hop - 1u;  // the link of the middle part chosen now
  // The last link down into the destination's leaf is never a choice.
  pkt.adaptive = depth + 2 < qp.paths.middle->length;
  const auto queued = [&](LinkId l) { return backlog_bytes(ports_[l]); };
  const auto usable = [&](std::uint32_t i) { return path_usable(qp.paths, i); };
  const std::uint32_t path = depth == 0
                                 ? least_queued_path(qp.paths, qp.next_path, queued, usable)
                                 : least_queued_next(qp.paths, pkt.path, depth, queued, usable);
  if (path >= qp.paths.count()) return;  // nothing usable: keep the placeholder
  pkt.path = static_cast<std::uint16_t>(path);
  const auto middle = qp.paths.middle->path(path);
  std::copy(middle.begin() + depth, middle.end(), pkt.links + 1 + depth);
}

}  // namespace spinel::transport
