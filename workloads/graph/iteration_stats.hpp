#pragma once
// Where each training iteration of a graph job went. An iteration's window
// runs from the previous iteration's last op (the job's first op, for the
// first) to its own last op, so that windows tile the run and their mean is
// the time per iteration; ranks that start the next iteration early spend
// part of it in the previous window. Within the window, per rank and then
// averaged over ranks: compute (the GPU busy), exposed communication (the
// GPU idle while communication the rank waits on is in flight: what compute
// did not hide; a receive counts from when its send started), per
// communicator kind too, and the rest, the bubble (the GPU idle with nothing
// of its own in flight: waiting for another stage's work).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/time.hpp"
#include "workloads/graph/graph_run.hpp"

namespace spinel::workloads::graph {

struct IterationStats {
  std::uint32_t iteration = 0;
  sim::Time start_ps = 0;  // the previous iteration's end (the job's first op for the first)
  sim::Time end_ps = 0;    // its last op, of any rank
  // Means over ranks, each over the iteration's span (end - start):
  // compute + exposed_comm + bubble = the span.
  sim::Time compute_ps = 0;
  sim::Time exposed_comm_ps = 0;
  sim::Time bubble_ps = 0;
  // Exposed communication per communicator kind ("tp", "dp", "pp", ...;
  // "p2p" for sends and receives of no group). A moment when two kinds are
  // both exposed counts for each, so these may add up to more than
  // exposed_comm_ps.
  std::map<std::string, sim::Time> exposed_by_group_ps;
  [[nodiscard]] sim::Time duration_ps() const { return end_ps - start_ps; }
};

// The finished iterations of `run` (all of them once it finished).
[[nodiscard]] std::vector<IterationStats> iteration_stats(const GraphRun& run);

}  // namespace spinel::workloads::graph
