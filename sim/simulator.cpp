#include "sim/simulator.hpp"

#include <algorithm>
#include <string>

#include "sim/error.hpp"
#include "sim/units.hpp"

namespace spinel::sim {

#ifdef SPINEL_PERF_SLOWDOWN
namespace {
// The CMake option SPINEL_PERF_SLOWDOWN (off by default) builds this busy spin
// into every event dispatch, so that CI can show tools/perf/perf_check failing
// on a slower spinel. A fixed count of dependent steps, not a fixed duration:
// it scales with the machine's speed as real code does, so the slowdown seen
// after normalisation is about the same on any machine. 800 steps make the
// rings and packet case A of the check well over 25% slower.
constexpr std::uint64_t kSlowdownSteps = 800;
void slowdown_spin() {
  volatile std::uint64_t sink = 0;
  for (std::uint64_t i = 0; i < kSlowdownSteps; ++i) sink = sink + i;
}
}  // namespace
#endif

void throw_time_overflow(Time now, Time delay) {
  // delay < 0: a sum that already wrapped, its size lost.
  throw TimeOverflow("simulated time overflow: at " + format_duration_ps(now) + ", an event due " +
                     (delay >= 0 ? format_duration_ps(delay) + " later" : "later") +
                     " would fall past the end of the clock (2^63 ps, about 106 days)");
}

HandlerId Simulator::add_handler(EventHandler& handler) {
  handlers_.push_back(&handler);
  return static_cast<HandlerId>(handlers_.size() - 1);
}

void Simulator::schedule_at(Time time, HandlerId handler, std::uint32_t tag,
                            std::uint64_t payload) {
  if (time < now_) {
    // Only a sum that wrapped past the clock's range gives a negative time.
    if (time < 0) throw_time_overflow(now_, -1);
    throw InternalError("event scheduled in the past: at " + std::to_string(time) +
                        " ps while now is " + std::to_string(now_) + " ps");
  }
  queue_.push(time, handler, tag, payload);
}

LaneId Simulator::add_lane() {
  lanes_.emplace_back();
  return static_cast<LaneId>(lanes_.size() - 1);
}

void Simulator::schedule_in_lane(LaneId lane, Time time, HandlerId handler, std::uint32_t tag,
                                 std::uint64_t payload) {
  Lane& l = lanes_[lane];
  if (time < now_ || (l.head < l.events.size() && time < l.events.back().time)) {
    throw InternalError("lane event out of order: at " + std::to_string(time) + " ps");
  }
  if (l.head == l.events.size()) {
    l.events.clear();
    l.head = 0;
  } else if (l.head >= 4096 && l.head * 2 >= l.events.size()) {
    // Drop the consumed front now and then: amortised O(1), no steady-state allocation.
    l.events.erase(l.events.begin(), l.events.begin() + static_cast<std::ptrdiff_t>(l.head));
    l.head = 0;
  }
  l.events.push_back(Event{time, queue_.take_seq(), handler, tag, payload});
  ++lane_events_;
}

LaneId Simulator::next_lane() const {
  const Event* best = queue_.empty() ? nullptr : &queue_.top();
  LaneId which = kNoLane;
  for (LaneId i = 0; i < lanes_.size(); ++i) {
    const Lane& l = lanes_[i];
    if (l.head == l.events.size()) continue;
    const Event& e = l.events[l.head];
    if (best == nullptr || EventQueue::before(e, *best)) {
      best = &e;
      which = i;
    }
  }
  return which;
}

const Event& Simulator::peek(LaneId lane) const {
  return lane == kNoLane ? queue_.top() : lanes_[lane].events[lanes_[lane].head];
}

Event Simulator::pop(LaneId lane) {
  if (lane == kNoLane) return queue_.pop();
  Lane& l = lanes_[lane];
  --lane_events_;
  return l.events[l.head++];
}

void Simulator::request_end_of_instant(InstantHook& hook) {
  // A handful of hooks at most: a linear scan beats a set.
  if (std::find(hooks_requested_.begin(), hooks_requested_.end(), &hook) ==
      hooks_requested_.end()) {
    hooks_requested_.push_back(&hook);
  }
}

void Simulator::run_hooks() {
  // Hooks may request themselves again (they run again after any events they
  // scheduled at this same instant), so run from a second list; both keep
  // their capacity, so this allocates nothing.
  hooks_running_.swap(hooks_requested_);
  for (InstantHook* hook : hooks_running_) hook->end_of_instant();
  hooks_running_.clear();
}

std::uint64_t Simulator::run(Time until, std::uint64_t max_events) {
  stopped_ = false;
  const std::uint64_t start = dispatched_;
  // Hooks requested before run() (e.g. flows started at set-up) run first.
  if (!hooks_requested_.empty()) run_hooks();
  // `lane` is always the source of the next event: found once per event (the
  // scan that ends an instant finds the next instant's first event too).
  LaneId lane = next_lane();
  while (!stopped_ && has_events() && dispatched_ - start < max_events) {
    const Time t = peek(lane).time;
    if (t > until) break;
    now_ = t;
    for (;;) {
      while (has_events() && peek(lane).time == t) {
        const Event e = pop(lane);
        ++dispatched_;
#ifdef SPINEL_PERF_SLOWDOWN
        slowdown_spin();
#endif
        handlers_[e.handler]->handle(e);
        lane = next_lane();
      }
      if (hooks_requested_.empty()) break;
      run_hooks();
      lane = next_lane();
    }
  }
  return dispatched_ - start;
}

}  // namespace spinel::sim
