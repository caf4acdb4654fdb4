#pragma once
// Priority flow control (IEEE 802.1Qbb), one priority: a switch counts, per
// ingress link, the bytes that came in on it and have not yet left (in any of
// its egress queues). Past XOFF it sends the link's sender a PAUSE; once the
// count falls to XON, a RESUME. Between the PAUSE leaving and taking effect
// the sender keeps sending: that is what the headroom above XOFF absorbs,
// so a lossless ingress queue admits up to xoff + headroom bytes.
//
// This file holds the per-link bookkeeping only; PacketModel decides when
// packets enter and leave and schedules the PAUSE frames.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/time.hpp"

namespace spinel::transport {

// What a change of an ingress count asks of the switch.
enum class PfcSignal : std::uint8_t { none, pause, resume };

class Pfc {
 public:
  struct Link {
    // Ingress side: the queue at the switch this link leads into.
    std::uint64_t ingress_bytes = 0;
    std::uint64_t limit_bytes = 0;  // xoff + headroom: beyond it a packet is dropped
    bool pause_sent = false;        // XOFF sent, XON not yet
    // Egress side: this link's own sender, told to stop by the far end.
    bool paused = false;
    sim::Time paused_since = 0;
    std::uint64_t pauses = 0;  // times it was paused
    sim::Time paused_ps = 0;   // time spent paused (until the last resume)
  };

  Pfc() = default;
  Pfc(std::size_t links, std::uint64_t xoff_bytes, std::uint64_t xon_bytes)
      : links_(links), xoff_(xoff_bytes), xon_(xon_bytes) {}

  [[nodiscard]] bool enabled() const { return !links_.empty(); }
  void set_headroom(std::uint32_t link, std::uint64_t headroom_bytes) {
    links_[link].limit_bytes = xoff_ + headroom_bytes;
  }

  // A packet of `bytes` arriving on `in`: false if the ingress queue cannot
  // take it (the headroom was too small for what was in flight).
  [[nodiscard]] bool admits(std::uint32_t in, std::uint64_t bytes) const {
    return links_[in].ingress_bytes + bytes <= links_[in].limit_bytes;
  }
  PfcSignal enter(std::uint32_t in, std::uint64_t bytes) {
    Link& l = links_[in];
    l.ingress_bytes += bytes;
    if (l.pause_sent || l.ingress_bytes <= xoff_) return PfcSignal::none;
    l.pause_sent = true;
    return PfcSignal::pause;
  }
  PfcSignal leave(std::uint32_t in, std::uint64_t bytes) {
    Link& l = links_[in];
    l.ingress_bytes -= bytes;
    if (!l.pause_sent || l.ingress_bytes > xon_) return PfcSignal::none;
    l.pause_sent = false;
    return PfcSignal::resume;
  }

  // The PAUSE or RESUME reached the sender of `link`.
  void set_paused(std::uint32_t link, bool paused, sim::Time now) {
    Link& l = links_[link];
    if (l.paused == paused) return;
    l.paused = paused;
    if (paused) {
      l.paused_since = now;
      ++l.pauses;
    } else {
      l.paused_ps += now - l.paused_since;
    }
  }
  [[nodiscard]] bool paused(std::uint32_t link) const {
    return !links_.empty() && links_[link].paused;
  }
  // Time paused up to `now` (a port still paused counts until now).
  [[nodiscard]] sim::Time paused_ps(std::uint32_t link, sim::Time now) const {
    const Link& l = links_[link];
    return l.paused_ps + (l.paused ? now - std::min(now, l.paused_since) : 0);
  }
  [[nodiscard]] const Link& link(std::uint32_t link) const { return links_[link]; }

 private:
  std::vector<Link> links_;
  std::uint64_t xoff_ = 0;
  std::uint64_t xon_ = 0;
};

}  // namespace spinel::transport
