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
  dcqcn,  // DCQCN (Zhu et al., SIGCOMM 2015): a paced rate, cut on CNPs (dcqcn.hpp)
  nscc,   // UEC's NSCC style: a window driven per ACK by its path's ECN echo and delay,
          // and by NACKs of trimmed packets (packet_nscc.cpp, docs/packet-level.md)
};

// cc: nscc. Docs/packet-level.md gives each default's source.
struct NsccConfig {
  // Queueing delay the window steers to; 0: ecn_kmin_bytes at the QP's
  // bottleneck rate, so that delay and ECN describe the same queue.
  sim::Time target_qdelay_ps = 0;
  double md_gain = 0.5;   // a decrease cuts cwnd by md_gain x (qdelay - target) / qdelay
  double nack_md = 0.5;   // a NACKed trim cuts cwnd by this fraction (once per base RTT)
  double pi_gain = 0.25;  // proportional increase: acked x pi_gain x (target - qdelay) / target
  double fast_increase = 1.0;  // fast increase: acked x this, after a window of uncongested ACKs
};

// What a switch does when an ingress queue fills: drop what does not fit, or
// pause the sender upstream (lossless Ethernet, pfc.hpp).
enum class FlowControl { drop_tail, pfc };

// How a switch's packet memory is split among its output ports.
enum class BufferSharing {
  per_port,  // buffer_bytes each
  shared,    // one pool per switch; a port may take dt_alpha x what is free (Choudhury-Hahne)
};

// DCQCN's reaction point (sender) and notification point (receiver). The
// defaults are the DCQCN paper's (Zhu et al., SIGCOMM 2015, section 5) where
// it gives them; README "Packet level" lists their sources.
struct DcqcnConfig {
  double g = 1.0 / 256;                                  // alpha's EWMA gain
  sim::Time alpha_timer_ps = 55 * sim::kMicrosecond;     // K: alpha decays without CNPs
  sim::Time increase_timer_ps = 55 * sim::kMicrosecond;  // T: a rate-increase event
  std::uint64_t byte_counter_bytes = 10 * 1024 * 1024;   // B: a rate-increase event
  std::uint32_t fast_recovery_steps = 5;                 // F
  double ai_gbps = 0.04;                                 // R_AI: additive increase
  double hai_gbps = 0.4;                                 // R_HAI: hyper increase
  double min_gbps = 0.1;                                 // the rate never falls below
  sim::Time cnp_interval_ps = 50 * sim::kMicrosecond;    // N: at most one CNP per QP per N
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
  FlowControl flow_control = FlowControl::drop_tail;
  std::uint64_t pfc_xoff_bytes = 256 * 1024;  // per ingress queue: pause the sender above this
  std::uint64_t pfc_xon_bytes = 224 * 1024;   // and resume it at or below this
  std::uint64_t pfc_headroom_bytes = 0;       // above xoff; 0 = the link's round trip + 3 packets
  BufferSharing buffer = BufferSharing::per_port;
  std::uint64_t shared_buffer_bytes = 0;  // per switch; 0 = buffer_bytes x its ports
  double dt_alpha = 1.0;                  // a port's share: dt_alpha x the free pool
  DcqcnConfig dcqcn;
  NsccConfig nscc;
  Retransmit retransmit = Retransmit::go_back_n;
  std::uint32_t reps_buffer = 64;  // reps: entropies a sender keeps for reuse
  // policy spray: 0, the sender picks each packet's spine path directly; N,
  // each packet carries one of N entropy values (cycled, or drawn with
  // spray: random) and every switch hashes (flow, entropy) to its uplink.
  std::uint32_t entropies = 0;
  // UEC-style switch ports (issue 19); off, every port is one FIFO as before.
  // priority_queues: control packets (ACKs, NAKs, NACKs, CNPs, trimmed
  // headers) wait in their own queue, served strictly before data.
  bool priority_queues = false;
  // trimming: a data packet that would overflow its port (or find more than
  // trim_threshold_bytes queued) is cut to its header and forwarded in the
  // control queue; the receiver answers with a NACK. Needs priority_queues.
  bool trimming = false;
  std::uint64_t trim_threshold_bytes = 0;  // 0: trim only what would not fit
};

constexpr std::string_view to_string(CongestionControl c) {
  return c == CongestionControl::none    ? "none"
         : c == CongestionControl::dctcp ? "dctcp"
         : c == CongestionControl::dcqcn ? "dcqcn"
                                         : "nscc";
}
constexpr std::string_view to_string(FlowControl f) {
  return f == FlowControl::drop_tail ? "drop_tail" : "pfc";
}
constexpr std::string_view to_string(BufferSharing b) {
  return b == BufferSharing::per_port ? "per_port" : "shared";
}
constexpr std::string_view to_string(Retransmit r) {
  return r == Retransmit::go_back_n ? "go_back_n" : "selective";
}
constexpr std::string_view to_string(SprayChoice s) {
  return s == SprayChoice::round_robin ? "round_robin" : "random";
}

}  // namespace spinel::transport
