#pragma once
// The collectives spinel knows, as Schedules, and their closed-form times on
// a non-blocking fabric.
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/time.hpp"
#include "topology/routing.hpp"
#include "workloads/config.hpp"
#include "workloads/schedule.hpp"

namespace spinel::workloads {

// Pieces per tree in tree_allreduce's pipeline.
inline constexpr std::uint32_t kTreeChunks = 8;

// `size_bytes` is the buffer each rank holds (all-reduce, reduce-scatter
// input, all-gather output) or sends in total (all-to-all: size/N to each rank).
std::shared_ptr<const Schedule> make_schedule(Collective collective, std::uint32_t ranks,
                                              std::uint64_t size_bytes);

// The time on a fabric that never slows a flow below what its endpoints'
// host links allow (rate B each), with L the largest path latency between
// two ranks.
sim::Time ideal_ps(Collective collective, std::uint32_t ranks, std::uint64_t size_bytes,
                   double host_rate_gbps, sim::Time path_latency_ps);

// NCCL's bus bandwidth: algorithm bandwidth S/t times the collective's
// factor (2(N-1)/N for all-reduce, (N-1)/N for the others), so that every
// collective's figure compares with the NIC rate.
double busbw_gbps(Collective collective, std::uint32_t ranks, std::uint64_t size_bytes,
                  sim::Time duration_ps);

// The largest path latency between two ranks that exchange data in the
// schedule (by equal-cost path, the slowest): L in ideal_ps.
sim::Time max_pair_latency_ps(const Schedule& schedule, const std::vector<topology::HostId>& hosts,
                              topology::Routing& routing);

}  // namespace spinel::workloads
