#pragma once
// The discrete-event loop. Components register as EventHandlers and receive
// the events they scheduled; dispatch is one virtual call, no std::function.
// Components that want to act once per instant, after every event at that
// time has fired (e.g. the flow model recomputing rates once for a batch of
// same-time starts and completions), register an InstantHook and request it.
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/time.hpp"

namespace spinel::sim {

class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual void handle(const Event& event) = 0;
};

class InstantHook {
 public:
  virtual ~InstantHook() = default;
  // Called once at the end of an instant in which request_end_of_instant() was
  // called. It may schedule events, including at the current time.
  virtual void end_of_instant() = 0;
};

using HandlerId = std::uint32_t;
using LaneId = std::uint32_t;

class Simulator {
 public:
  HandlerId add_handler(EventHandler& handler);

  void schedule_at(Time time, HandlerId handler, std::uint32_t tag = 0, std::uint64_t payload = 0);
  // Throws TimeOverflow when now + delay is past the clock's range.
  void schedule_in(Time delay, HandlerId handler, std::uint32_t tag = 0,
                   std::uint64_t payload = 0) {
    schedule_at(later(now_, delay), handler, tag, payload);
  }

  // A FIFO lane holds events whose times never decrease in the order they are
  // scheduled (e.g. "now + a fixed latency"): they skip the heap, and still
  // fire in global (time, scheduling order) with every other event.
  LaneId add_lane();
  void schedule_in_lane(LaneId lane, Time time, HandlerId handler, std::uint32_t tag = 0,
                        std::uint64_t payload = 0);

  // Asks for hook->end_of_instant() once, after the last event of this instant.
  void request_end_of_instant(InstantHook& hook);

  // Runs until no event is left, stop() is called, the next event is later
  // than `until`, or (checked between instants, so an instant is never cut)
  // `max_events` events have been dispatched by this call. Returns the number
  // of events dispatched by this call.
  std::uint64_t run(Time until = kForever,
                    std::uint64_t max_events = std::numeric_limits<std::uint64_t>::max());
  void stop() { stopped_ = true; }
  // Whether the last run() ended by stop().
  [[nodiscard]] bool stopped() const { return stopped_; }

  [[nodiscard]] Time now() const { return now_; }
  [[nodiscard]] std::uint64_t events_dispatched() const { return dispatched_; }
  [[nodiscard]] std::size_t pending() const { return queue_.size() + lane_events_; }
  // When the next event is due; kForever when none is left.
  [[nodiscard]] Time next_time() const { return has_events() ? peek(next_lane()).time : kForever; }

 private:
  struct Lane {
    std::vector<Event> events;
    std::size_t head = 0;
  };
  void run_hooks();
  // The lane whose head comes next, or kNoLane if the heap's top does.
  [[nodiscard]] LaneId next_lane() const;
  [[nodiscard]] bool has_events() const { return !queue_.empty() || lane_events_ > 0; }
  [[nodiscard]] const Event& peek(LaneId lane) const;
  Event pop(LaneId lane);
  static constexpr LaneId kNoLane = ~LaneId{0};

  EventQueue queue_;
  std::vector<Lane> lanes_;
  std::size_t lane_events_ = 0;
  std::vector<EventHandler*> handlers_;
  std::vector<InstantHook*> hooks_requested_;
  std::vector<InstantHook*> hooks_running_;
  Time now_ = 0;
  std::uint64_t dispatched_ = 0;
  bool stopped_ = false;
};

}  // namespace spinel::sim
