#pragma once
// Adaptive routing at the first switch: a packet that may take any of its
// equal-cost paths leaves on the one whose first switch port has the fewest
// bytes waiting (per packet, no flowlets: each packet decides afresh).
// Ties, the common case on an idle fabric, go round robin from a per-sender
// cursor, so a symmetric fabric stays balanced.
#include <cstdint>

#include "topology/routing.hpp"

namespace spinel::transport {

// `queued(link)` is a port's backlog in bytes; `usable(i)` says whether path
// i may be taken (routing has not moved off it). `cursor` rotates the ties.
// Returns count() when no path is usable.
template <class Queued, class Usable>
std::uint32_t least_queued_path(const topology::HostPaths& paths, std::uint32_t& cursor,
                                Queued&& queued, Usable&& usable) {
  const std::uint32_t count = paths.count();
  std::uint32_t best = count;
  std::uint64_t best_bytes = ~std::uint64_t{0};
  std::uint32_t i = cursor;
  for (std::uint32_t k = 0; k < count; ++k, i = i + 1 == count ? 0 : i + 1) {
    if (!usable(i)) continue;
    const std::uint64_t bytes = queued(paths.middle->path(i)[0]);
    if (bytes < best_bytes) {
      best = i;
      best_bytes = bytes;
    }
  }
  cursor = cursor + 1 == count ? 0 : cursor + 1;
  return best;
}

}  // namespace spinel::transport
