#pragma once
// Shared by the 4-ary heaps: which child of a node to descend to.
#include <cstddef>

namespace spinel::sim {

// Index of the smallest of heap[first .. min(first + 4, n)) under `before`.
// A full family of four picks its smallest by a two-round tournament whose
// outcomes become conditional moves, not branches: which child is smallest is
// a coin toss the branch predictor always loses. The winners are computed
// with arithmetic on the comparisons, not with `?:`: written as a choice,
// GCC 12 turned two of the three rounds back into branches once the heaps
// shared this function (the ring benchmark's mispredictions went up by a quarter).
template <class Entry, class Before>
std::size_t smallest_child(const Entry* heap, std::size_t first, std::size_t n, Before before) {
  if (first + 4 <= n) {
    const std::size_t a = first + static_cast<std::size_t>(before(heap[first + 1], heap[first]));
    const std::size_t b =
        first + 2 + static_cast<std::size_t>(before(heap[first + 3], heap[first + 2]));
    const std::size_t b_wins = -static_cast<std::size_t>(before(heap[b], heap[a]));
    return a ^ ((a ^ b) & b_wins);
  }
  std::size_t child = first;
  for (std::size_t c = first + 1; c < n; ++c) {
    if (before(heap[c], heap[child])) child = c;
  }
  return child;
}

}  // namespace spinel::sim
