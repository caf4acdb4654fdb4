#pragma once
// Shared by the 4-ary heaps: which child of a node to descend to.
#include <cstddef>

namespace spinel::sim {

// Index of the smallest of heap[first .. min(first + 4, n)) under `before`.
// A full family of four picks its smallest by a two-round tournament whose
// outcomes become conditional moves, not branches: which child is smallest is
// a coin toss the branch predictor always loses.
template <class Entry, class Before>
std::size_t smallest_child(const Entry* heap, std::size_t first, std::size_t n, Before before) {
  if (first + 4 <= n) {
    const std::size_t a = before(heap[first + 1], heap[first]) ? first + 1 : first;
    const std::size_t b = before(heap[first + 3], heap[first + 2]) ? first + 3 : first + 2;
    return before(heap[b], heap[a]) ? b : a;
  }
  std::size_t child = first;
  for (std::size_t c = first + 1; c < n; ++c) {
    if (before(heap[c], heap[child])) child = c;
  }
  return child;
}

}  // namespace spinel::sim
