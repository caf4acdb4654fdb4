#pragma once
// One pending deadline per object, for components whose deadlines move: a
// flow's completion time changes with every rate change. Scheduling a fresh
// event per move leaves the old one to be popped and discarded later (for a
// ring all-reduce on a congested fabric, a fifth of all events); here a move
// re-keys the entry in place, so nothing stale is ever stored.
//
// A 4-ary min-heap of (time, id), ordered by time and then id, so equal
// deadlines come out in the same order on every run. pos_ maps each id to its
// slot (ids are small dense integers: indices into the owner's arrays).
#include <cstdint>
#include <vector>

#include "sim/heap_child.hpp"
#include "sim/time.hpp"

namespace spinel::sim {

class DeadlineHeap {
 public:
  static constexpr std::uint32_t kAbsent = ~std::uint32_t{0};

  // Inserts `id` with deadline `time`, or moves its deadline there.
  void set(std::uint32_t id, Time time) {
    if (id >= pos_.size()) pos_.resize(id + 1, kAbsent);
    std::uint32_t i = pos_[id];
    if (i == kAbsent) {
      i = static_cast<std::uint32_t>(heap_.size());
      heap_.push_back(Entry{time, id});
      sift_up(i, Entry{time, id});
      return;
    }
    const Entry e{time, id};
    if (before(e, heap_[i])) {
      sift_up(i, e);
    } else {
      sift_down(i, e);
    }
  }

  void erase(std::uint32_t id) {
    if (!contains(id)) return;
    const std::uint32_t i = pos_[id];
    pos_[id] = kAbsent;
    const Entry last = heap_.back();
    heap_.pop_back();
    if (i == heap_.size()) return;
    if (before(last, heap_[i])) {
      sift_up(i, last);
    } else {
      sift_down(i, last);
    }
  }

  // Removes and returns the id with the earliest deadline.
  std::uint32_t pop() {
    const std::uint32_t id = heap_.front().id;
    erase(id);
    return id;
  }

  [[nodiscard]] bool contains(std::uint32_t id) const {
    return id < pos_.size() && pos_[id] != kAbsent;
  }
  [[nodiscard]] bool empty() const { return heap_.empty(); }
  [[nodiscard]] std::size_t size() const { return heap_.size(); }
  [[nodiscard]] Time top_time() const { return heap_.front().time; }
  [[nodiscard]] std::uint32_t top_id() const { return heap_.front().id; }

 private:
  struct Entry {
    Time time;
    std::uint32_t id;
  };
  static constexpr std::uint32_t kArity = 4;
  // (time, id) as one 128-bit number: a branch-free comparison (deadlines
  // are never negative).
  __extension__ using Key = unsigned __int128;
  static Key key(const Entry& e) {
    return (static_cast<Key>(static_cast<std::uint64_t>(e.time)) << 64) | e.id;
  }
  static bool before(const Entry& a, const Entry& b) { return key(a) < key(b); }
  void place(std::uint32_t i, const Entry& e) {
    heap_[i] = e;
    pos_[e.id] = i;
  }
  void sift_up(std::uint32_t i, Entry e) {
    while (i > 0) {
      const std::uint32_t parent = (i - 1) / kArity;
      if (!before(e, heap_[parent])) break;
      place(i, heap_[parent]);
      i = parent;
    }
    place(i, e);
  }
  void sift_down(std::uint32_t i, Entry e) {
    const auto n = static_cast<std::uint32_t>(heap_.size());
    for (;;) {
      const std::uint32_t first = kArity * i + 1;
      if (first >= n) break;
      const auto child = static_cast<std::uint32_t>(smallest_child(
          heap_.data(), first, n, [](const auto& x, const auto& y) { return before(x, y); }));
      if (!before(heap_[child], e)) break;
      place(i, heap_[child]);
      i = child;
    }
    place(i, e);
  }

  std::vector<Entry> heap_;
  std::vector<std::uint32_t> pos_;
};

}  // namespace spinel::sim
