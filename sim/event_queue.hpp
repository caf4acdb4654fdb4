#pragma once
// The pending-event set: a 4-ary min-heap of small plain records, ordered by
// (time, sequence); four children per node halve the depth of a binary heap
// and keep siblings in one cache line. The sequence number is assigned at push, so events at the
// same time pop in the order they were scheduled. The heap's storage is reused,
// so steady-state push/pop allocates nothing.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/heap_child.hpp"
#include "sim/time.hpp"

namespace spinel::sim {

struct Event {
  Time time;
  std::uint64_t seq;
  std::uint32_t handler;  // index of the EventHandler registered with the Simulator
  std::uint32_t tag;      // meaning chosen by the handler
  std::uint64_t payload;  // meaning chosen by the handler (an index, a version, ...)
};

class EventQueue {
 public:
  void push(Time time, std::uint32_t handler, std::uint32_t tag, std::uint64_t payload) {
    push(Event{time, next_seq_++, handler, tag, payload});
  }
  // For events that carry a sequence number taken with take_seq().
  void push(const Event& e) {
    heap_.push_back(e);
    sift_up(heap_.size() - 1);
  }
  // Numbers events kept outside the heap (FIFO lanes) in the same order.
  std::uint64_t take_seq() { return next_seq_++; }

  // (time, seq) as one 128-bit number: a branch-free comparison, which is
  // what a heap of unpredictable keys needs (time is never negative).
  static bool before(const Event& a, const Event& b) { return key(a) < key(b); }

  [[nodiscard]] bool empty() const { return heap_.empty(); }
  [[nodiscard]] std::size_t size() const { return heap_.size(); }
  [[nodiscard]] const Event& top() const { return heap_.front(); }

  Event pop() {
    Event out = heap_.front();
    Event last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(last);
    return out;
  }

  void reserve(std::size_t n) { heap_.reserve(n); }
  void clear() { heap_.clear(); }

 private:
  __extension__ using Key = unsigned __int128;
  static Key key(const Event& e) {
    return (static_cast<Key>(static_cast<std::uint64_t>(e.time)) << 64) | e.seq;
  }
  static constexpr std::size_t kArity = 4;

  void sift_up(std::size_t i) {
    Event e = heap_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / kArity;
      if (!before(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }

  // Places `e` (the former last element) starting from the root: hole descent.
  void sift_down(const Event& e) {
    const std::size_t n = heap_.size();
    std::size_t i = 0;
    for (;;) {
      const std::size_t first = kArity * i + 1;
      if (first >= n) break;
      const std::size_t child = smallest_child(
          heap_.data(), first, n, [](const auto& x, const auto& y) { return before(x, y); });
      if (!before(heap_[child], e)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = e;
  }

  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace spinel::sim
