#pragma once
// A workload graph from one program that every rank runs (SPMD), as a
// scenario's `program:` writes it: a list of op templates, each on a group
// kind ("tp": the rank's own tensor-parallel group) or a named group, with
// dependencies by name. Parallel degrees make the usual groups
// (workloads/graph/parallel.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.hpp"
#include "workloads/config.hpp"
#include "workloads/graph/parallel.hpp"
#include "workloads/graph/program.hpp"

namespace spinel::workloads::graph {

struct OpTemplate {
  std::string name;  // for `after`; may be empty
  OpKind kind = OpKind::compute;
  sim::Time duration_ps = 0;
  Collective collective = Collective::ring_allreduce;
  std::uint64_t size_bytes = 0;
  std::uint32_t root = 0;  // rooted collectives: the group's rank that is the root
  // All-to-allv: bytes[i][j] from group rank i to group rank j (size_bytes
  // is then the mean a rank sends).
  std::vector<std::vector<std::uint64_t>> matrix_bytes;
  // Collectives, sends and receives: a group kind (every rank uses its own
  // group of that kind) or a named group (ranks outside it skip the op).
  std::string group;
  // Sends and receives: +1 (next rank of the group) or -1 (previous). The
  // first rank has no previous and the last no next: they skip the op.
  int direction = +1;
  // Indices of earlier templates it waits for; nullopt: the one before it.
  std::optional<std::vector<std::uint32_t>> after;
};

// The program of one iteration. Sends pair with receives in order per group
// kind and direction (the k-th `send: next` with the k-th `recv: prev`). An
// op a rank skips passes its own dependencies on to the ops that wait for it.
// Templates must already be checked (group names known, after in range):
// the scenario loader does that, with locations.
[[nodiscard]] Program make_spmd(std::uint32_t ranks, const std::vector<Communicator>& groups,
                                const std::vector<OpTemplate>& ops);

}  // namespace spinel::workloads::graph
