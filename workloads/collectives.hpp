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

// Servers of several GPUs: ranks s*G .. s*G+G-1 are the GPUs of a server,
// which reach each other over NVLink-like links.
struct ServerShape {
  std::uint32_t gpus_per_server = 1;
  double nvlink_gbps = 0;
  sim::Time nvlink_latency_ps = 0;
};

// `size_bytes` is the buffer each rank holds (all-reduce, reduce-scatter
// input, all-gather output) or sends in total (all-to-all: size/N to each
// rank). Only hierarchical_allreduce looks at the server shape.
std::shared_ptr<const Schedule> make_schedule(Collective collective, std::uint32_t ranks,
                                              std::uint64_t size_bytes,
                                              const ServerShape& servers = {});

// The time on a fabric that never slows a flow below what its endpoints'
// host links allow (rate B each), with L the largest path latency between
// two ranks. For hierarchical_allreduce, the server shape gives the
// intra-server stages' rate and latency.
sim::Time ideal_ps(Collective collective, std::uint32_t ranks, std::uint64_t size_bytes,
                   double host_rate_gbps, sim::Time path_latency_ps,
                   const ServerShape& servers = {});

// NCCL's bus bandwidth: algorithm bandwidth S/t times the collective's
// factor (2(N-1)/N for all-reduce, (N-1)/N for the others), so that every
// collective's figure compares with the NIC rate.
double busbw_gbps(Collective collective, std::uint32_t ranks, std::uint64_t size_bytes,
                  sim::Time duration_ps);

// The largest path latency between two ranks that exchange data through the
// fabric in the schedule (by equal-cost path, the slowest): L in ideal_ps.
// Pairs on one server (same entry in server_of_rank, if given) do not count.
sim::Time max_pair_latency_ps(const Schedule& schedule, const std::vector<topology::HostId>& hosts,
                              topology::Routing& routing,
                              const std::vector<std::uint32_t>& server_of_rank = {});

}  // namespace spinel::workloads
