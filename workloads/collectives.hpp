#pragma once
// The collectives spinel knows, as Schedules, and their closed-form times on
// a non-blocking fabric.
#include <cstdint>
#include <memory>

#include "sim/time.hpp"
#include "workloads/config.hpp"
#include "workloads/schedule.hpp"

namespace spinel::workloads {

// `size_bytes` is the buffer each rank holds (all-reduce, reduce-scatter
// input, all-gather output) or sends in total (all-to-all: size/N to each rank).
std::shared_ptr<const Schedule> make_schedule(Collective collective, std::uint32_t ranks,
                                              std::uint64_t size_bytes);

// The time on a fabric that never slows a flow below what its endpoints'
// host links allow (rate B each), with L the largest path latency between
// two ranks.
sim::Time ideal_ps(Collective collective, std::uint32_t ranks, std::uint64_t size_bytes,
                   double host_rate_gbps, sim::Time path_latency_ps);

}  // namespace spinel::workloads
