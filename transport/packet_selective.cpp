// The packet model's selective repeat (PacketConfig::retransmit): the
// sender's record of SACKed packets and its resending of the holes only
// (packet_model.hpp). The receiver's side is its reordering bitmap, shared
// with spraying.
#include <algorithm>

#include "transport/packet_model.hpp"

namespace spinel::transport {

bool PacketModel::sacked(const Qp& qp, std::uint64_t seq) const {
  const std::uint64_t bits = qp.sacked.size() * 64;
  if (seq < qp.snd_una || seq >= qp.snd_una + bits) return false;
  return (qp.sacked[(seq % bits) / 64] >> (seq % 64) & 1) != 0;
}

void PacketModel::on_sack(Qp& qp, std::uint64_t seq) {
  ++totals_.sacks;
  const std::uint64_t bits = qp.sacked.size() * 64;
  if (seq < qp.snd_una || seq >= qp.sent_end || seq >= qp.snd_una + bits) return;
  qp.sacked[(seq % bits) / 64] |= std::uint64_t{1} << (seq % 64);
  qp.high_sacked = std::max(qp.high_sacked, seq + 1);
}

void PacketModel::resend_holes(Qp& qp, std::uint64_t from, std::uint64_t to) {
  from = std::max(from, qp.snd_una);
  if (from >= to) return;
  // A recovery under way is widened, not restarted.
  if (qp.rtx_nxt < qp.rtx_end) {
    qp.rtx_nxt = std::min(qp.rtx_nxt, from);
    qp.rtx_end = std::max(qp.rtx_end, to);
  } else {
    qp.rtx_nxt = from;
    qp.rtx_end = to;
  }
  qp.recovered_end = std::max(qp.recovered_end, to);
}

bool PacketModel::take_seq(Qp& qp, std::uint64_t& seq) {
  while (qp.nacked_next < qp.nacked.size()) {
    const std::uint64_t s = qp.nacked[qp.nacked_next++];
    if (qp.nacked_next == qp.nacked.size()) {
      qp.nacked.clear();  // keeps its capacity: no allocation in steady state
      qp.nacked_next = 0;
    }
    if (s >= qp.snd_una && !sacked(qp, s)) {
      seq = s;
      return true;
    }
  }
  while (qp.rtx_nxt < qp.rtx_end) {
    const std::uint64_t s = qp.rtx_nxt++;
    if (s >= qp.snd_una && !sacked(qp, s)) {
      seq = s;
      return true;
    }
  }
  if (qp.snd_nxt >= qp.end_seq) return false;
  const std::uint64_t in_flight = qp.snd_nxt - qp.snd_una;
  if (in_flight != 0 && static_cast<double>((in_flight + 1) * config_.mtu_bytes) > qp.cwnd + 0.5) {
    return false;
  }
  seq = qp.snd_nxt++;
  return true;
}

}  // namespace spinel::transport
