#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/time.hpp"
#include "transport/packet_config.hpp"

namespace spinel::transport {

// flow: fluid max-min sharing; packet: packets, queues and congestion control.
enum class Model { flow, packet };

// How a flow's bytes are put on the equal-cost paths between its endpoints.
enum class PathPolicy {
  ecmp,     // a seeded hash of the flow's 5-tuple picks one path for all its bytes
  spray,    // ideal packet spraying: bytes spread evenly over every path, as a fluid
  mprdma,   // K queue pairs per connection, each hashed like ECMP; a flow split K ways
  split,    // minimal deterministic splitting per connection group (Addanki et al.)
  planned,  // one path per queue pair (planned:K: K per connection), chosen per group to
            // minimise the maximum link load
  // Packet level only (both pick a path per packet from what the fabric reports):
  reps,      // recycled entropies: reuse the paths whose packets came back unmarked (reps.hpp)
  adaptive,  // the first switch sends each packet up its shortest-queued uplink (adaptive.hpp)
};

// Picks a path per packet (at packet level; the flow level has no queues to react to).
constexpr bool per_packet(PathPolicy p) {
  return p == PathPolicy::spray || p == PathPolicy::reps || p == PathPolicy::adaptive;
}

// Which switches salt their ECMP hash (ecmp.hpp). On fabrics of more than
// two tiers a flow is hashed again at every tier.
enum class EcmpSalt : std::uint8_t {
  per_switch,  // each switch its own salt: independent choices at each tier
  shared,      // one salt everywhere: choices at successive tiers correlate (polarisation)
};

constexpr std::string_view to_string(EcmpSalt s) {
  return s == EcmpSalt::per_switch ? "per_switch" : "shared";
}

// Range of K in mprdma:K.
inline constexpr std::uint32_t kMinMprdmaSubflows = 2;
inline constexpr std::uint32_t kMaxMprdmaSubflows = 64;

struct TransportConfig {
  Model model = Model::flow;
  PathPolicy policy = PathPolicy::ecmp;
  std::uint32_t mprdma_subflows = 4;  // K of mprdma:K; read only with PathPolicy::mprdma
  // How long routing takes to move flows off a link that went down; until
  // then they are black-holed (stall where they are). 0: at once.
  sim::Time convergence_ps = 0;
  PacketConfig packet;  // read only with Model::packet
  // K of planned:K, queue pairs per connection, each planned (1 = planned);
  // read only with PathPolicy::planned. Dual-port NICs need 2 to use both ports.
  std::uint32_t planned_subflows = 1;
  EcmpSalt ecmp_salt = EcmpSalt::per_switch;
};

constexpr std::string_view to_string(Model m) {
  switch (m) {
    case Model::flow:
      return "flow";
    case Model::packet:
      return "packet";
  }
  return "?";
}

// The policy's word, without parameters ("mprdma" for mprdma:K).
constexpr std::string_view to_string(PathPolicy p) {
  switch (p) {
    case PathPolicy::ecmp:
      return "ecmp";
    case PathPolicy::spray:
      return "spray";
    case PathPolicy::mprdma:
      return "mprdma";
    case PathPolicy::split:
      return "split";
    case PathPolicy::planned:
      return "planned";
    case PathPolicy::reps:
      return "reps";
    case PathPolicy::adaptive:
      return "adaptive";
  }
  return "?";
}

// The policy as a scenario file writes it: "ecmp", "mprdma:4", ...
inline std::string policy_word(const TransportConfig& t) {
  std::string word(to_string(t.policy));
  if (t.policy == PathPolicy::mprdma) word += ":" + std::to_string(t.mprdma_subflows);
  if (t.policy == PathPolicy::planned && t.planned_subflows > 1) {
    word += ":" + std::to_string(t.planned_subflows);
  }
  return word;
}

}  // namespace spinel::transport
