#pragma once
// One pending wake-up of a handler, at the earliest deadline asked for: a
// later request never delays it, an earlier one supersedes it (the older
// event still arrives and is recognised as stale). For checks that fire at
// exact deadlines which only move later as progress is made.
#include <cstdint>

#include "sim/simulator.hpp"

namespace spinel::sim {

class EarliestWake {
 public:
  EarliestWake(Simulator& sim, HandlerId handler) : sim_(sim), handler_(handler) {}

  void at(Time t) {
    if (armed_ && armed_at_ <= t) return;
    armed_ = true;
    armed_at_ = t;
    sim_.schedule_at(t, handler_, 0, ++generation_);
  }

  // Whether `event` is the live wake-up (it is then disarmed), not a
  // superseded one.
  bool fired(const Event& event) {
    if (event.payload != generation_) return false;
    armed_ = false;
    return true;
  }

  [[nodiscard]] bool armed() const { return armed_; }

 private:
  Simulator& sim_;
  HandlerId handler_;
  bool armed_ = false;
  Time armed_at_ = 0;
  std::uint64_t generation_ = 0;
};

}  // namespace spinel::sim
