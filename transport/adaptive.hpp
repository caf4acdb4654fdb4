#pragma once
// Adaptive routing at every switch that has a choice: a packet that may take
// any of its equal-cost paths leaves its first switch on the one whose port
// there has the fewest bytes waiting (per packet, no flowlets: each packet
// decides afresh); on a clos3 its agg, and the core, choose again among the
// paths that go on from where it is. Ties, the common case on an idle
// fabric, go round robin from a per-sender cursor at the first switch (so a
// symmetric fabric stays balanced) and keep the packet's path further up.
#include <algorithm>
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

// At a later switch: among the usable paths that share links [0, depth) of
// the middle part of path `current`, the one whose link `depth` has the
// fewest bytes waiting; ties keep the earliest from `current` on (current
// itself first). Returns `current` if no other path is usable.
template <class Queued, class Usable>
std::uint32_t least_queued_next(const topology::HostPaths& paths, std::uint32_t current,
                                std::uint32_t depth, Queued&& queued, Usable&& usable) {
  const std::uint32_t count = paths.count();
  const auto here = paths.middle->path(current);
  std::uint32_t best = current;
  std::uint64_t best_bytes = ~std::uint64_t{0};
  std::uint32_t i = current;
  for (std::uint32_t k = 0; k < count; ++k, i = i + 1 == count ? 0 : i + 1) {
    const auto path = paths.middle->path(i);
    if (!std::equal(here.begin(), here.begin() + depth, path.begin()) || !usable(i)) continue;
    const std::uint64_t bytes = queued(path[depth]);
    if (bytes < best_bytes) {
      best = i;
      best_bytes = bytes;
    }
  }
  return best;
}

}  // namespace spinel::transport
