// The packet model's NSCC-style congestion control (PacketConfig::cc nscc;
// docs/packet-level.md, "cc: nscc"): one window per QP, moved by every ACK
// according to the ECN echo and the queueing delay of the one path its
// packet took, and cut by NACKs of trimmed packets without waiting for a
// timeout.
#include <algorithm>

#include "transport/packet_model.hpp"

namespace spinel::transport {

// The send time rides in the data packet's covered/marked fields (unused
// until the receiver turns it into an ACK, which keeps them): nanoseconds
// modulo 2^32, enough for any round trip under 4 s.
void PacketModel::stamp(Packet& pkt) const {
  const auto ns = static_cast<std::uint32_t>(sim_.now() / sim::kNanosecond);
  pkt.covered = static_cast<std::uint16_t>(ns & 0xffffU);
  pkt.marked = static_cast<std::uint16_t>(ns >> 16U);
}

sim::Time PacketModel::rtt_of(const Packet& ack) const {
  const std::uint32_t sent = ack.covered | (std::uint32_t{ack.marked} << 16U);
  const auto now_ns = static_cast<std::uint32_t>(sim_.now() / sim::kNanosecond);
  return sim::Time{static_cast<std::uint32_t>(now_ns - sent)} * sim::kNanosecond;
}

void PacketModel::start_nscc(Qp& qp, sim::Time rtt_ps, double gbps) {
  qp.base_rtt_ps = rtt_ps;
  qp.target_qdelay_ps = config_.nscc.target_qdelay_ps;
  if (qp.target_qdelay_ps == 0) {
    qp.target_qdelay_ps = static_cast<sim::Time>(static_cast<double>(config_.ecn_kmin_bytes) /
                                                 sim::gbps_to_bytes_per_ps(gbps));
  }
  qp.target_qdelay_ps = std::max(qp.target_qdelay_ps, sim::kNanosecond);
}

// The four cases of the (ECN, delay) pair, then fast increase. A cut holds
// the next ones off for the round trip that measured it: the ACKs still in
// flight were sent under the old window.
void PacketModel::on_nscc_ack(Qp& qp, const Packet& ack) {
  const NsccConfig& c = config_.nscc;
  const auto mtu = static_cast<double>(config_.mtu_bytes);
  const sim::Time rtt = rtt_of(ack);
  const sim::Time qdelay = rtt > qp.base_rtt_ps ? rtt - qp.base_rtt_ps : 0;
  const sim::Time target = qp.target_qdelay_ps;
  const double fair = mtu * mtu / qp.cwnd;  // one packet per window acknowledged
  if (ack.ecn && qdelay > target) {
    qp.uncongested_bytes = 0;
    if (sim_.now() >= qp.cut_hold_until) {
      qp.cwnd *= 1 - c.md_gain * static_cast<double>(qdelay - target) / static_cast<double>(qdelay);
      qp.cut_hold_until = sim_.now() + rtt;
      ++totals_.nscc_decreases;
    }
  } else if (ack.ecn) {
    qp.uncongested_bytes = 0;  // a queue builds on this path but is short yet: hold
  } else if (qdelay > target) {
    qp.uncongested_bytes = 0;  // delay without marks: a queue elsewhere, or draining
    qp.cwnd += fair;
  } else {
    qp.cwnd +=
        fair + mtu * c.pi_gain * static_cast<double>(target - qdelay) / static_cast<double>(target);
    // Fast increase once a whole window came back nearly unqueued.
    if (4 * qdelay <= target) {
      qp.uncongested_bytes += mtu;
      if (qp.uncongested_bytes >= qp.cwnd) qp.cwnd += mtu * c.fast_increase;
    } else {
      qp.uncongested_bytes = 0;
    }
  }
  qp.cwnd = std::clamp(qp.cwnd, mtu, static_cast<double>(qp.max_window));
}

// A trimmed packet: its port was full. Cut at once, no timeout, once per
// base round trip (the trims of one burst arrive together).
void PacketModel::on_nscc_nack(Qp& qp) {
  qp.uncongested_bytes = 0;
  if (sim_.now() < qp.cut_hold_until) return;
  qp.cwnd = std::max(static_cast<double>(config_.mtu_bytes), qp.cwnd * (1 - config_.nscc.nack_md));
  qp.cut_hold_until = sim_.now() + qp.base_rtt_ps;
  ++totals_.nscc_decreases;
}

}  // namespace spinel::transport
