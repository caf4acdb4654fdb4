// The packet model's UEC-style switch ports (PacketConfig::priority_queues,
// trimming; packet_model.hpp): a control queue served strictly before data,
// packet trimming into it, and the NACK loop that resends a trimmed packet.
#include <algorithm>

#include "transport/packet_model.hpp"

namespace spinel::transport {

using topology::LinkId;

// The control queue has a buffer of buffer_bytes of its own (a traffic
// class with its own reservation), so headers and ACKs are lost only when a
// whole buffer of them waits. It counts in a shared pool and for PFC as
// data does, but bypasses their admission: it is never what fills them.
void PacketModel::enqueue_control(LinkId l, std::uint32_t p, std::uint64_t backlog) {
  Port& port = ports_[l];
  ControlQueue& q = control_[l];
  Packet& pkt = packets_[p];
  const std::uint64_t wire = wire_bytes(pkt);
  if (q.bytes + wire > config_.buffer_bytes) {
    drop(l, p);
    return;
  }
  const std::uint64_t queued = backlog + q.bytes + wire;
  port.stats.max_queue_bytes = std::max(port.stats.max_queue_bytes, queued);
  if (series_) series_->queued(l, sim_.now(), queued);
  if (q.tail == kNone) {
    q.head = p;
  } else {
    packets_[q.tail].next = p;
  }
  q.tail = p;
  pkt.next = kNone;
  q.bytes += wire;
  if (!shared_used_.empty()) shared_used_[port_node_[l]] += wire;
  if (pfc_.enabled()) send_pause(pkt.links[pkt.hop - 1], pfc_.enter(pkt.links[pkt.hop - 1], wire));
  kick(l);
}

// The payload is gone; the header keeps the QP and seq the NACK names.
void PacketModel::trim(Packet& pkt) {
  ++totals_.trimmed_packets;
  totals_.payload_bytes_trimmed += pkt.payload;
  pkt.kind = kTrimmed;
  pkt.payload = 0;
  pkt.ecn = false;
}

// A trimmed header reached its receiver: NACK it unless a copy of the packet
// got through. A receiver that accepts in order only discards what follows
// a hole anyway: it NACKs every trimmed packet and NAKs no discard until the
// hole fills. Its sender goes back to the NACKed packet unless the packet
// was sent before the last go-back and that went back below it. (Headers
// trimmed at different hops may arrive out of order: a stale NACK below the
// last go-back still goes back.)
void PacketModel::on_trimmed(std::uint32_t p) {
  Packet& pkt = packets_[p];
  Qp& qp = qps_[pkt.qp];
  const std::uint64_t seq = pkt.seq;
  bool answer = seq >= qp.rcv_nxt;
  if (answer && !qp.places) {
    qp.nak_sent = true;
  } else if (answer && seq - qp.rcv_nxt < config_.reorder_packets &&
             seq - qp.rcv_nxt < qp.window.size() * 64) {
    const std::uint64_t bits = qp.window.size() * 64;
    answer = (qp.window[(seq % bits) / 64] >> (seq % 64) & 1) == 0;
  }
  if (!answer) {
    free_packet(p);
    return;
  }
  ++totals_.nacks;
  pkt.covered = 0;
  pkt.marked = 0;
  turn_around(p, kNack);
}

// The NACKed packet is resent ahead of new data, outside the window (it was
// counted in flight already). DCTCP takes the trim as a marked packet (the
// queue that trimmed it was full) and may end its window on it.
void PacketModel::on_nack(std::uint32_t p) {
  const QpId id = packets_[p].qp;
  const std::uint64_t seq = packets_[p].seq;
  const std::uint8_t epoch = packets_[p].epoch;
  free_packet(p);
  Qp& qp = qps_[id];
  if (config_.cc == CongestionControl::dctcp) {
    ++qp.acked_in_window;
    ++qp.marked_in_window;
    // A hole that stays trimmed holds snd_una, where the window would end:
    // a packet sent since the window began ends it now (one cut per window).
    if (seq >= qp.window_end) end_dctcp_window(qp);
    qp.cwnd = std::clamp(qp.cwnd, static_cast<double>(config_.mtu_bytes),
                         static_cast<double>(qp.max_window));
  }
  if (nscc_on_) on_nscc_nack(qp);
  if (seq < qp.snd_una || seq >= qp.sent_end) return;  // acknowledged since
  if (!qp.places) {
    const bool stale = epoch != qp.epoch && seq >= qp.back_to;
    if (!stale && seq < qp.snd_nxt) go_back(qp, seq);
  } else if (!sacked(qp, seq)) {
    qp.nacked.push_back(seq);
  }
  make_ready(id);
}

}  // namespace spinel::transport
