#pragma once
// Real time as the state machines count it: picoseconds since an epoch (the
// start of the process or of the test). Their timers are absolute times on
// this clock.
#include <chrono>

#include "sim/time.hpp"

namespace spinel::pccl {

struct TcpClock {
  std::chrono::steady_clock::time_point epoch = std::chrono::steady_clock::now();

  [[nodiscard]] sim::Time now_ps() const {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now() - epoch);
    return static_cast<sim::Time>(ns.count()) * 1000;
  }
  [[nodiscard]] std::chrono::steady_clock::time_point at(sim::Time ps) const {
    return epoch + std::chrono::nanoseconds(ps / 1000);
  }
};

}  // namespace spinel::pccl
