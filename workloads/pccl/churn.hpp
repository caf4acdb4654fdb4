#pragma once
// Random draws for churn at rates: exponential inter-arrival times without
// libm (std::log differs across C libraries; a run must be the same bits
// everywhere), by von Neumann's method, which needs only comparisons of
// uniforms.
#include "sim/rng.hpp"

namespace spinel::pccl {

// Exponential with mean 1. Von Neumann (1951): draw U1 and continue while
// the uniforms descend (U1 >= U2 >= ... ); if the run has odd length, U1 is
// accepted with probability e^-U1, so return k + U1; otherwise add 1 to k
// and start over (memorylessness makes the integer part geometric).
inline double exponential(sim::Rng& rng) {
  double k = 0;
  for (;;) {
    const double first = rng.uniform();
    double last = first;
    int length = 1;
    for (;;) {
      const double u = rng.uniform();
      if (u > last) break;
      last = u;
      ++length;
    }
    if (length % 2 == 1) return k + first;
    k += 1;
  }
}

}  // namespace spinel::pccl
