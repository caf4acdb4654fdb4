#pragma once
// Random draws for churn at rates: exponential inter-arrival times, drawn
// without libm so that a run is the same bits everywhere (sim::Rng).
#include "sim/rng.hpp"

namespace spinel::pccl {

inline double exponential(sim::Rng& rng) {
  return rng.exponential();
}

}  // namespace spinel::pccl
