#pragma once
// The workload graph: what every rank of a job runs, independent of any
// network. Each rank has a program, a DAG of operations: compute for a
// duration, a collective on a named communicator, a send to or a receive
// from a peer. Every workload front-end (the collective-per-iteration job,
// the hybrid-parallel transformer generator, trace readers) produces one;
// workloads/graph/graph_run.hpp runs it on a transport.
//
// The execution model (what graph_run implements):
// - An op starts when all its dependencies (ops of the same rank, listed by
//   index; only earlier ops, so a program is acyclic by construction) are
//   done.
// - Compute ops of one rank run one at a time (one GPU), in the order they
//   become ready (ties: program order).
// - Collectives on one communicator run in program order, one after the
//   other (NCCL's one stream per communicator): the k-th collective op on
//   communicator C of every member rank is the same collective instance,
//   which opens when instance k-1 is done. A rank enters it when its op is
//   ready; the op is done, for every member, when the whole instance is.
//   Collectives on different communicators run concurrently, each on its
//   own connections.
// - The k-th send from rank a to rank b with tag t matches the k-th receive
//   at b from a with tag t. A send starts as soon as it is ready (the
//   receiver buffers it) and is done when delivered; the receive is done
//   when it is ready and its data has arrived.
// - A `wait` op does nothing: it is done once its dependencies are, and
//   joins them (a trigger of a flow list). An op with `needs` k is ready once
//   k of its dependencies are done, not all of them (a trigger that fires at
//   its first or k-th signal). An op with `not_before_ps` also waits for that
//   time after the run's start, holding nothing meanwhile (a compute op does
//   not queue for its GPU before it).
// - Program::cross_deps make ops wait for ops of other ranks, at no cost:
//   the global triggers of flow lists (htsim's connection matrices), not a
//   model of any real signalling.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/time.hpp"
#include "workloads/config.hpp"

namespace spinel::workloads::graph {

enum class OpKind : std::uint8_t { compute, collective, send, recv, wait };

constexpr const char* to_string(OpKind kind) {
  switch (kind) {
    case OpKind::compute:
      return "compute";
    case OpKind::collective:
      return "collective";
    case OpKind::send:
      return "send";
    case OpKind::recv:
      return "recv";
    case OpKind::wait:
      return "wait";
  }
  return "?";
}

inline constexpr std::uint32_t kNoCommunicator = ~0u;
inline constexpr std::uint32_t kNoMatrix = ~0u;

struct Op {
  OpKind kind = OpKind::compute;
  Collective collective = Collective::ring_allreduce;  // collective ops
  // Collectives: the communicator they run on (Program::communicators).
  // Sends and receives: optionally the group whose traffic they are (the
  // pipeline's, say), for accounting only.
  std::uint32_t communicator = kNoCommunicator;
  std::uint32_t peer = 0;  // send/recv: the other rank
  std::uint32_t tag = 0;   // send/recv
  // Names the op in ops.csv and traces (an index into Program::labels); 0 is
  // the empty label.
  std::uint32_t label = 0;
  sim::Time duration_ps = 0;     // compute ops
  std::uint64_t size_bytes = 0;  // collectives (as make_schedule reads it), sends, receives
  // Not ready before this long after the run's start (a flow's start time); 0: no such wait.
  sim::Time not_before_ps = 0;
  // Ready once this many of its dependencies are done; 0: all of them.
  std::uint32_t needs = 0;
  // Broadcast, reduce, gather, scatter: the root, a rank of the communicator
  // (its index in Communicator::ranks).
  std::uint32_t root = 0;
  // All-to-allv: its size matrix (Program::matrices); size_bytes is then the
  // mean bytes a rank sends, for results and bus bandwidth.
  std::uint32_t matrix = kNoMatrix;
};

// Op `op` of rank `rank` waits for op `on_op` of rank `on_rank` (which may be
// the same rank, and a later op: cross dependencies are not ordered).
struct CrossDependency {
  std::uint32_t rank = 0;
  std::uint32_t op = 0;
  std::uint32_t on_rank = 0;
  std::uint32_t on_op = 0;
};

// A group of the job's ranks that runs collectives together; ranks[i] is
// the job rank of communicator rank i.
struct Communicator {
  std::string name;
  std::vector<std::uint32_t> ranks;
};

// One rank's ops and their dependencies, in compressed rows: op i depends on
// deps[dep_begin[i] .. dep_begin[i + 1]).
struct RankProgram {
  std::vector<Op> ops;
  std::vector<std::uint32_t> dep_begin{0};
  std::vector<std::uint32_t> deps;

  [[nodiscard]] std::size_t size() const { return ops.size(); }
  // Appends `op` after `after` (indices of earlier ops of this rank) and
  // returns its index.
  std::uint32_t add(const Op& op, std::initializer_list<std::uint32_t> after = {});
  std::uint32_t add(const Op& op, const std::vector<std::uint32_t>& after);
};

struct Program {
  std::vector<Communicator> communicators;
  std::vector<RankProgram> ranks;       // one per job rank
  std::vector<std::string> labels{""};  // Op::label indexes this
  // All-to-allv size matrices (Op::matrix): bytes[i][j] from communicator
  // rank i to communicator rank j.
  std::vector<std::vector<std::vector<std::uint64_t>>> matrices;
  // Training iterations the ops hold: each rank's ops are `iterations`
  // copies of one iteration's, one after the other (see repeat()).
  std::uint32_t iterations = 1;
  // Dependencies across ranks (flow lists' triggers), besides each rank's own.
  std::vector<CrossDependency> cross_deps;
  // Each (src, dst, tag) of sends gets a connection of its own (every flow
  // of a flow list is its own connection, as in htsim), not one per pair.
  bool connection_per_tag = false;
  // Idle time between iterations: a rank's first op of iteration k + 1
  // starts this long after its dependencies on iteration k are done. Only
  // generated programs set it (the collective job's `compute_gap`), and only
  // the gated executor (GraphOptions::gated) runs it.
  sim::Time iteration_gap_ps = 0;

  [[nodiscard]] std::uint32_t rank_count() const {
    return static_cast<std::uint32_t>(ranks.size());
  }
  // The index of a communicator / label, added if new.
  std::uint32_t communicator(const std::string& name, std::vector<std::uint32_t> ranks);
  std::uint32_t label(const std::string& text);
  [[nodiscard]] std::size_t op_count() const;
};

// `once` (one iteration) run `times` times in a row: each rank's copy k + 1
// starts once its copy k is done (its ops without dependencies wait for
// every op of copy k that nothing in copy k waits for). Ops with `needs`
// cannot be repeated so (they would count copy k's ops among their
// dependencies): a program holding one is run once, else InternalError.
[[nodiscard]] Program repeat(const Program& once, std::uint32_t times);

// A communicator's kind: its name up to the first '.' ("tp" of "tp.3").
[[nodiscard]] std::string group_kind(const std::string& communicator);

// What is wrong with a program, or "" when nothing is: a dependency on a
// later op, a collective on a communicator the rank is not in, members of a
// communicator whose collective sequences differ (count, kind, size, root or
// matrix), a root outside its communicator, an all-to-allv without a square
// matrix of its communicator's size (or another collective with one), a
// send with no matching receive (or sizes that differ), a peer out of range,
// a cross dependency out of range, `needs` above an op's dependencies.
// Names the rank and op index so that front-ends can locate it in their
// input.
[[nodiscard]] std::string validate(const Program& program);

}  // namespace spinel::workloads::graph
