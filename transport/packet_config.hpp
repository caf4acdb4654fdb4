#pragma once
// Parameters of the packet-level model (`transport.packet:` in a scenario).
// Defaults are documented in the README's "Packet level" section.
#include <cstdint>
#include <string_view>

#include "sim/time.hpp"

namespace spinel::transport {

// How a sender adapts its window to congestion.
enum class CongestionControl {
  none,   // a fixed window: line rate whenever the window covers the path's BDP
  dctcp,  // DCTCP (Alizadeh et al., SIGCOMM 2010): cut by alpha/2 per marked window
};

// How a spraying sender picks the path of each packet.
enum class SprayChoice {
  round_robin,  // cycles over the equal-cost paths from a seeded start
  random,       // a uniform draw per packet (Rng stream "spray")
};

// How a sender repairs losses.
enum class Retransmit {
  go_back_n,  // RoCE: resend everything from the first hole
  selective,  // the receiver keeps what arrives past a hole and SACKs it; only holes are resent
};

struct PacketConfig {
  std::uint32_t mtu_bytes = 4096;   // payload per packet
  std::uint32_t header_bytes = 64;  // RoCEv2 headers (Eth+IP+UDP+BTH+ICRC+FCS = 62), rounded
  std::uint32_t ack_bytes = 64;     // an ACK or NAK on the wire
  std::uint32_t ack_every = 1;      // coalescing: one ACK per this many data packets
  std::uint64_t buffer_bytes = 1024 * 1024;   // per output port, drop-tail
  std::uint64_t ecn_kmin_bytes = 100 * 1024;  // queue above which marking starts
  std::uint64_t ecn_kmax_bytes = 400 * 1024;  // queue at or above which every packet is marked
  double ecn_pmax = 0.2;                      // marking probability just below kmax
  CongestionControl cc = CongestionControl::dctcp;
  double dctcp_g = 1.0 / 16;       // DCTCP's EWMA gain
  std::uint64_t window_bytes = 0;  // largest window; 0 = the path's BDP + ack_every + 8 packets
  sim::Time rto_ps = 100 * sim::kMicrosecond;  // go-back-N from the oldest unacked packet
  std::uint32_t reorder_packets = 256;  // spray: how far past the first hole the receiver accepts
  SprayChoice spray = SprayChoice::round_robin;
  Retransmit retransmit = Retransmit::go_back_n;
  std::uint32_t reps_buffer = 64;  // reps: entropies a sender keeps for reuse
};

constexpr std::string_view to_string(CongestionControl c) {
  return c == CongestionControl::none ? "none" : "dctcp";
}
constexpr std::string_view to_string(Retransmit r) {
  return r == Retransmit::go_back_n ? "go_back_n" : "selective";
}
constexpr std::string_view to_string(SprayChoice s) {
  return s == SprayChoice::round_robin ? "round_robin" : "random";
}

}  // namespace spinel::transport
