// The packet model under link faults (packet_model.hpp): dead links lose
// their packets, degraded ones serialise slower, QPs with no live way to
// their receiver stall until routing or the link repairs it.
#include <algorithm>

#include "sim/error.hpp"
#include "transport/packet_model.hpp"

namespace spinel::transport {

using topology::LinkId;

void PacketModel::drop_on_down_link(Port& port, std::uint32_t p) {
  const Packet& pkt = packets_[p];
  ++port.stats.drops;
  ++totals_.drops;
  ++totals_.down_link_drops;
  if (series_) series_->dropped(static_cast<LinkId>(&port - ports_.data()), sim_.now());
  if (pkt.kind == kData) totals_.payload_bytes_dropped += pkt.payload;
  free_packet(p);
}

void PacketModel::set_link_rate(LinkId l, double gbps) {
  if (l >= ports_.size() || !(gbps >= 0)) {
    throw sim::InternalError("packet model: set_link_rate on no link, or a negative rate");
  }
  Port& port = ports_[l];
  const bool was_down = port.down;
  port.down = gbps == 0;
  if (port.down) {
    if (was_down) return;
    ++links_down_;
    // What is on the wire or waiting to be serialised (a switch port's
    // queue is part of its wire list) is lost, and so are a NIC's ACKs.
    for (std::uint32_t p = port.wire_head; p != kNone;) {
      const std::uint32_t next = packets_[p].next;
      drop_on_down_link(port, p);
      p = next;
    }
    port.wire_head = port.wire_tail = kNone;
    // A switch port that holds its queue (PFC, a shared pool) gives its
    // packets' bytes back to the switch, and their ingress queues to PFC.
    const bool held = hold_ && port.nic_host == kNone;
    for (std::uint32_t p = port.head; p != kNone;) {
      const std::uint32_t next = packets_[p].next;
      if (held) release(l, packets_[p], wire_bytes(packets_[p]));
      drop_on_down_link(port, p);
      p = next;
    }
    port.head = port.tail = kNone;
    port.queued_bytes = 0;
    if (!control_.empty()) {
      for (std::uint32_t p = control_[l].head; p != kNone;) {
        const std::uint32_t next = packets_[p].next;
        release(l, packets_[p], wire_bytes(packets_[p]));
        drop_on_down_link(port, p);
        p = next;
      }
      control_[l] = ControlQueue{};
    }
    port.busy_until = std::min(port.busy_until, sim_.now());
    return;
  }
  port.gbps = gbps;
  port.data_ps = sim::serialisation_ps(config_.mtu_bytes + config_.header_bytes, gbps);
  port.ack_ps = sim::serialisation_ps(config_.ack_bytes, gbps);
  port.bytes_per_ps = sim::gbps_to_bytes_per_ps(gbps);
  if (!was_down) return;
  --links_down_;
  if (port.avoided) {
    port.avoided = false;
    --links_avoided_;
    ++avoid_changes_;
  }
  for (QpId id = 0; id < qps_.size(); ++id) {
    if (qps_[id].stalled && !blocked(qps_[id])) unstall(id);
  }
  if (port.nic_host != kNone) kick(l);
}

void PacketModel::avoid_link(LinkId l) {
  Port& port = ports_.at(l);
  if (!port.down || port.avoided) return;
  port.avoided = true;
  ++links_avoided_;
  ++avoid_changes_;
  // Sprayed QPs stalled on it may have other paths now.
  for (QpId id = 0; id < qps_.size(); ++id) {
    if (qps_[id].stalled && !blocked(qps_[id])) unstall(id);
  }
}

void PacketModel::set_qp_path(QpId id, std::span<const LinkId> path) {
  Qp& qp = qps_.at(id);
  if (qp.spray || path.empty() || path.size() > kMaxHops) {
    throw sim::InternalError("packet model: set_qp_path on a single-path QP, 1 to 4 links");
  }
  qp.hops = static_cast<std::uint8_t>(path.size());
  std::copy(path.begin(), path.end(), qp.links);
  if (qp.stalled && !blocked(qp)) unstall(id);
}

// Whether a QP's packets or their ACKs have no live way: a single path
// with a dead link (before routing moves it), a dead NIC link at either
// end, or spraying with every path dead or routed around.
bool PacketModel::blocked(const Qp& qp) const {
  if (links_down_ == 0) return false;
  if (!qp.spray) {
    for (std::uint8_t i = 0; i < qp.hops; ++i) {
      if (ports_[qp.links[i]].down) return true;
    }
  } else {
    for (const LinkId l : {qp.paths.uplink, qp.paths.downlink}) {
      if (ports_[l].down || ports_[l ^ 1].down) return true;
    }
    bool any = false;
    for (std::uint32_t i = 0; i < qp.paths.count() && !any; ++i) {
      any = std::none_of(qp.paths.middle->path(i).begin(), qp.paths.middle->path(i).end(),
                         [&](LinkId l) { return ports_[l].down || ports_[l ^ 1].down; });
    }
    if (!any) return true;
  }
  // The ACKs' end links.
  const LinkId first = qp.spray ? qp.paths.uplink : qp.links[0];
  const LinkId last = qp.spray ? qp.paths.downlink : qp.links[qp.hops - 1];
  return ports_[first ^ 1].down || ports_[last ^ 1].down;
}

// A repaired QP resends what it has not had acknowledged, at once.
void PacketModel::unstall(QpId id) {
  Qp& qp = qps_[id];
  qp.stalled = false;
  if (config_.retransmit == Retransmit::selective) {
    qp.recovered_end = qp.snd_una;
    resend_holes(qp, qp.snd_una, qp.sent_end);
  } else {
    go_back(qp, qp.snd_una);
  }
  qp.rto_deadline = sim_.now() + config_.rto_ps;
  arm_timer(id);
  make_ready(id);
}

// An ACK goes back the way its packet came unless routing has moved off a
// link of that way: then it takes the first usable path back (ACKs are
// routed by the fabric as any packet).
void PacketModel::route_ack(Packet& ack) {
  if (ack.hops < 3) return;  // within a leaf: only NIC links, no choice
  bool avoided = false;
  for (std::uint8_t i = 1; i + 1 < ack.hops; ++i) avoided = avoided || ports_[ack.links[i]].avoided;
  if (!avoided) return;
  const Qp& qp = qps_[ack.qp];
  // Back to the NIC that sent the packet (on rail planes not always src's).
  const topology::HostPaths back = routing_.paths(qp.dst, qp.nic);
  for (std::uint32_t i = 0; i < back.count(); ++i) {
    const auto middle = back.middle->path(i);
    if (std::none_of(middle.begin(), middle.end(), [&](LinkId l) { return ports_[l].avoided; })) {
      std::copy(middle.begin(), middle.end(), ack.links + 1);
      return;
    }
  }
}

}  // namespace spinel::transport
