#pragma once
// Where the ranks of a hybrid-parallel job sit, and its groups. Ranks are
// laid out tensor-parallel fastest, then pipeline, then data parallel:
//   rank = (dp_i * pp + pp_i) * tp + tp_i
// so a TP group is consecutive ranks (one server when tp divides its GPUs),
// and a PP or DP group's ranks share tp_i (the same GPU of their servers:
// one rail). Groups of each kind are numbered by the coordinates that stay
// fixed in them, members in group order:
//   tp.<dp_i * pp + pp_i>   pp.<dp_i * tp + tp_i>   dp.<pp_i * tp + tp_i>
//   ep.<((dp_i / ep) * pp + pp_i) * tp + tp_i>   ep consecutive replicas (EP within DP)
//   edp.<((dp_i % ep) * pp + pp_i) * tp + tp_i>  the dp / ep ranks that hold the
//                                                same experts (Megatron's
//                                                expert-data-parallel group)
#include <cstdint>
#include <vector>

#include "workloads/graph/program.hpp"

namespace spinel::workloads::graph {

// tp * pp * dp ranks in all; ep divides dp.
struct ParallelDegrees {
  std::uint32_t tp = 1;
  std::uint32_t pp = 1;
  std::uint32_t dp = 1;
  std::uint32_t ep = 1;
  [[nodiscard]] std::uint32_t ranks() const { return tp * pp * dp; }
};

// The rank at (tp_i, pp_i, dp_i).
[[nodiscard]] std::uint32_t rank_of(const ParallelDegrees& parallel, std::uint32_t tp_i,
                                    std::uint32_t pp_i, std::uint32_t dp_i);

// Every tp, pp and dp group (groups of one rank too), then with
// `expert_groups` the ep groups and with `expert_data_groups` the edp ones.
[[nodiscard]] std::vector<Communicator> parallel_groups(const ParallelDegrees& parallel,
                                                        bool expert_groups,
                                                        bool expert_data_groups);

}  // namespace spinel::workloads::graph
