#pragma once
// nccl-tests' bus-bandwidth factor (defined in workloads/collectives.cpp,
// where busbw_gbps uses it; the scenario loader bounds a job's time with it).
#include <cstdint>

#include "workloads/config.hpp"

namespace spinel::workloads {

// The bytes each rank must move per byte of size_bytes: 2(n-1)/n for an
// all-reduce, (n-1)/n for reduce-scatter, all-gather, all-to-all(v), gather
// and scatter, 1 for broadcast and reduce, 0 for a barrier.
double bus_factor(Collective collective, std::uint32_t ranks);

}  // namespace spinel::workloads
