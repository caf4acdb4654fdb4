#pragma once
// The collective job (`collective:` with `compute`, `compute_jitter`,
// `buckets`, `compute_gap`) as a workload graph: the generator of the job
// kind that came before workload graphs, so that every training job runs on
// one executor (graph::GraphRun, in its gated mode).
//
// Per rank and iteration k, for each bucket b: a compute op (the part of the
// backward pass that makes bucket b ready), then the bucket's collective on
// the communicator `world` of every rank. Compute op b waits for compute op
// b - 1; the first of an iteration for the previous iteration's collectives,
// plus the program's iteration gap (`compute_gap`). A rank's compute time per
// iteration is drawn as ComputeModel draws it (same stream, same order), then
// cut as ComputeModel cuts it: bucket b ready after compute * (b + 1) /
// buckets, the remainder in the last.
#include <cstdint>
#include <memory>
#include <vector>

#include "workloads/compute.hpp"
#include "workloads/config.hpp"
#include "workloads/graph/graph_run.hpp"
#include "workloads/graph/program.hpp"

namespace spinel::workloads::graph {

// The ops the job's program holds: two per bucket, iteration and rank.
[[nodiscard]] std::uint64_t classic_op_count(const WorkloadConfig& w, std::uint32_t ranks);

// Job `w`'s program on `ranks` ranks; jitter from stream "compute.<name>" of `seed`.
[[nodiscard]] std::shared_ptr<const Program> classic_program(const WorkloadConfig& w,
                                                             std::uint32_t ranks,
                                                             std::uint64_t seed);

// Where the ops of iteration k, bucket b sit in every rank's program.
[[nodiscard]] inline std::uint32_t classic_compute_op(std::uint32_t k, std::uint32_t b,
                                                      std::uint32_t buckets) {
  return 2 * (k * buckets + b);
}
[[nodiscard]] inline std::uint32_t classic_collective_op(std::uint32_t k, std::uint32_t b,
                                                         std::uint32_t buckets) {
  return classic_compute_op(k, b, buckets) + 1;
}

// The finished iterations of a run of classic_program (as
// ComputeModel::records): from the iteration's compute start to its last
// bucket's end, with the slowest rank's compute end.
[[nodiscard]] std::vector<IterationRecord> classic_iterations(const GraphRun& run,
                                                              std::uint32_t job,
                                                              std::uint32_t buckets);

}  // namespace spinel::workloads::graph
