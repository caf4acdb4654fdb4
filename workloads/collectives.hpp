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

// Broadcast's and reduce's ring pipeline cuts the buffer in pieces of about
// NCCL's Simple-protocol slice (a 4 MiB channel buffer over 8 steps), at
// most kMaxPipelineChunks of them, so that the flow count (C (N-1) per
// collective) stays bounded. A pipeline of C pieces over N ranks takes
// C + N - 2 steps, each a piece's time plus L: the step model sends a
// rank's next piece once the last one is delivered, where NCCL keeps
// several slices in flight (docs/model.md gives the cost).
inline constexpr std::uint64_t kPipelineChunkBytes = 512 * 1024;
inline constexpr std::uint32_t kMaxPipelineChunks = 1024;
std::uint32_t pipeline_chunks(std::uint64_t size_bytes);

// Servers of several GPUs: ranks s*G .. s*G+G-1 are the GPUs of a server,
// which reach each other over NVLink-like links.
struct ServerShape {
  std::uint32_t gpus_per_server = 1;
  double nvlink_gbps = 0;
  sim::Time nvlink_latency_ps = 0;
};

// `size_bytes` is the buffer each rank holds (all-reduce, reduce-scatter
// input, all-gather output, broadcast and reduce), sends in total
// (all-to-all: size/N to each rank) or the root holds (gather's output,
// scatter's input: size/N from or to each rank). A barrier ignores it (its
// messages are kBarrierMessageBytes). Only hierarchical_allreduce looks at
// the server shape; only broadcast, reduce, gather and scatter at the root.
// all_to_allv needs its matrix: make_all_to_allv_schedule.
std::shared_ptr<const Schedule> make_schedule(Collective collective, std::uint32_t ranks,
                                              std::uint64_t size_bytes,
                                              const ServerShape& servers = {},
                                              std::uint32_t root = 0);

// All-to-allv: rank i sends bytes[i][j] to rank j (an N x N matrix).
std::shared_ptr<const Schedule> make_all_to_allv_schedule(
    std::vector<std::vector<std::uint64_t>> bytes);

// The time on a fabric that never slows a flow below what its endpoints'
// host links allow (rate B each), with L the largest path latency between
// two ranks. For hierarchical_allreduce, the server shape gives the
// intra-server stages' rate and latency. The same for every root.
// all_to_allv: see all_to_allv_ideal_ps.
sim::Time ideal_ps(Collective collective, std::uint32_t ranks, std::uint64_t size_bytes,
                   double host_rate_gbps, sim::Time path_latency_ps,
                   const ServerShape& servers = {});

// All-to-allv's ideal: the busiest NIC direction (a rank's row or column
// sum, without its diagonal) at rate B, plus L. A lower bound: max-min
// sharing, which is not makespan-optimal, may leave a NIC idle while its
// last flows wait on a busier one.
sim::Time all_to_allv_ideal_ps(const std::vector<std::vector<std::uint64_t>>& bytes,
                               double host_rate_gbps, sim::Time path_latency_ps);

// NCCL's bus bandwidth: algorithm bandwidth S/t times the collective's
// factor as nccl-tests defines it (2(N-1)/N for all-reduce, 1 for broadcast
// and reduce, (N-1)/N for the others), so that every collective's figure
// compares with the NIC rate. A barrier moves no data: 0. For all_to_allv,
// S is the mean bytes a rank sends in all, as for all_to_all.
double busbw_gbps(Collective collective, std::uint32_t ranks, std::uint64_t size_bytes,
                  sim::Time duration_ps);

// The largest path latency between two ranks that exchange data through the
// fabric in the schedule (by equal-cost path, the slowest): L in ideal_ps.
// Pairs on one server (same entry in server_of_rank, if given) do not count.
sim::Time max_pair_latency_ps(const Schedule& schedule, const std::vector<topology::HostId>& hosts,
                              topology::Routing& routing,
                              const std::vector<std::uint32_t>& server_of_rank = {});

}  // namespace spinel::workloads
