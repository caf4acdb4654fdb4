#include "sim/simulator.hpp"

#include <algorithm>

#include "sim/error.hpp"

namespace spinel::sim {

HandlerId Simulator::add_handler(EventHandler& handler) {
  handlers_.push_back(&handler);
  return static_cast<HandlerId>(handlers_.size() - 1);
}

void Simulator::schedule_at(Time time, HandlerId handler, std::uint32_t tag,
                            std::uint64_t payload) {
  if (time < now_) {
    throw InternalError("event scheduled in the past: at " + std::to_string(time) +
                        " ps while now is " + std::to_string(now_) + " ps");
  }
  queue_.push(time, handler, tag, payload);
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

std::uint64_t Simulator::run(Time until) {
  stopped_ = false;
  const std::uint64_t start = dispatched_;
  // Hooks requested before run() (e.g. flows started at set-up) run first.
  if (!hooks_requested_.empty()) run_hooks();
  while (!stopped_ && !queue_.empty()) {
    const Time t = queue_.top().time;
    if (t > until) break;
    now_ = t;
    for (;;) {
      while (!queue_.empty() && queue_.top().time == t) {
        const Event e = queue_.pop();
        ++dispatched_;
        handlers_[e.handler]->handle(e);
      }
      if (hooks_requested_.empty()) break;
      run_hooks();
    }
  }
  return dispatched_ - start;
}

}  // namespace spinel::sim
