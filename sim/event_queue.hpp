#pragma once
// The pending-event set, ordered by (time, sequence): events at the same time
// pop in the order they were scheduled (the sequence number is assigned at
// push).
//
// A radix heap: simulated time never goes backwards, so every pushed time is
// at least the last popped one, and an event can be filed by the highest bit
// in which its time differs from that last time (65 buckets). Push is O(1);
// pop empties the lowest non-empty bucket into lower ones, each event moving
// down at most 64 times in its life. Same-time events are kept in sequence
// order. Buckets keep their capacity, so steady-state push/pop allocates
// nothing.
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "sim/error.hpp"
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
    if (e.time < last_) throw InternalError("event queue: push earlier than the last pop");
    const std::size_t b = bucket_of(e.time);
    buckets_[b].push_back(e);
    ++size_;
    if (min_bucket_ != kNone && b != 0 && before(e, buckets_[min_bucket_][min_index_])) {
      min_bucket_ = b;
      min_index_ = buckets_[b].size() - 1;
    }
  }
  // Numbers events kept outside the queue (FIFO lanes) in the same order.
  std::uint64_t take_seq() { return next_seq_++; }

  static bool before(const Event& a, const Event& b) {
    return a.time < b.time || (a.time == b.time && a.seq < b.seq);
  }

  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] std::size_t size() const { return size_; }

  // The next event; the queue must not be empty.
  [[nodiscard]] const Event& top() {
    if (head_ < buckets_[0].size()) return buckets_[0][head_];
    locate_min();
    return buckets_[min_bucket_][min_index_];
  }

  Event pop() {
    if (head_ == buckets_[0].size()) refill();
    const Event e = buckets_[0][head_++];
    if (head_ == buckets_[0].size()) {
      buckets_[0].clear();
      head_ = 0;
    }
    --size_;
    return e;
  }

  void reserve(std::size_t n) { buckets_[0].reserve(n); }

 private:
  static constexpr std::size_t kNone = ~std::size_t{0};

  [[nodiscard]] std::size_t bucket_of(Time t) const {
    const auto x = static_cast<std::uint64_t>(t) ^ static_cast<std::uint64_t>(last_);
    return x == 0 ? 0 : 64 - static_cast<std::size_t>(__builtin_clzll(x));
  }

  // Finds (and caches until the next push or pop) the smallest event outside
  // bucket 0: it lies in the lowest non-empty bucket.
  void locate_min() {
    if (min_bucket_ != kNone) return;
    std::size_t b = 1;
    while (buckets_[b].empty()) ++b;
    const std::vector<Event>& bucket = buckets_[b];
    std::size_t best = 0;
    for (std::size_t i = 1; i < bucket.size(); ++i) {
      if (before(bucket[i], bucket[best])) best = i;
    }
    min_bucket_ = b;
    min_index_ = best;
  }

  // Bucket 0 is empty: advance to the smallest time and spread that bucket
  // out below it; the events at that time land in bucket 0, put in sequence
  // order (later pushes at the same time carry larger sequence numbers).
  void refill() {
    locate_min();
    std::vector<Event>& bucket = buckets_[min_bucket_];
    last_ = bucket[min_index_].time;
    for (const Event& e : bucket) buckets_[bucket_of(e.time)].push_back(e);
    bucket.clear();
    min_bucket_ = kNone;
    std::sort(buckets_[0].begin(), buckets_[0].end(),
              [](const Event& a, const Event& b) { return a.seq < b.seq; });
  }

  std::array<std::vector<Event>, 65> buckets_;
  std::size_t head_ = 0;  // next event of bucket 0
  std::size_t size_ = 0;
  Time last_ = 0;  // every queued time is >= this
  std::size_t min_bucket_ = kNone;
  std::size_t min_index_ = 0;
  std::uint64_t next_seq_ = 0;
};

}  // namespace spinel::sim
