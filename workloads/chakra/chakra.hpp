#pragma once
// Chakra execution traces (MLCommons; ASTRA-sim's input) read into a
// workload graph (workloads/graph/program.hpp). A job's trace is one file
// per rank, PREFIX.<rank>.et, each a stream of length-delimited protobuf
// messages: a GlobalMetadata, then Nodes (schema: et_def.proto).
//
// How a trace becomes a program, by node type:
// - COMP: a compute op of duration_micros.
// - COMM_COLL: a collective (comm_type, comm_size as ASTRA-sim reads it: the
//   rank's input buffer) on the communicator its pg_name names (the ranks
//   whose traces use that name), or that its involved_dim names (with
//   ChakraOptions::dimensions), or on every rank.
// - COMM_SEND / COMM_RECV: point-to-point transfers, the k-th send from a to
//   b with tag t matching the k-th receive at b from a with tag t.
// - METADATA, MEM_LOAD, MEM_STORE, nodes with is_cpu_op and nodes of unknown
//   types are skipped (counted): they take no time, and what waits on them
//   waits on what they waited for.
// - data_deps and ctrl_deps both order nodes; a node runs once all are done.
// Malformed input throws ChakraError naming the file and the byte offset or
// node id.
#include <cstdint>
#include <map>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/time.hpp"
#include "workloads/graph/program.hpp"

namespace spinel::workloads::chakra {

class ChakraError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ChakraOptions {
  // Copies of the traced ranks: job rank c * traced + r is copy c of traced
  // rank r. Collectives span every copy of their group (the copies are a
  // data-parallel group); point-to-point stays inside a copy.
  std::uint32_t replicate = 1;
  // The network's dimensions (sizes, the first varying fastest over the
  // ranks), for involved_dim; empty: involved_dim must name every dimension.
  std::vector<std::uint32_t> dimensions;
};

// What the files held, for `spinel chakra-info`.
struct TraceStats {
  std::uint32_t traced_ranks = 0;
  std::string version;                                      // GlobalMetadata of rank 0
  std::map<std::string, std::uint64_t> nodes;               // by node type (all files)
  std::uint64_t cpu_nodes = 0;                              // skipped: is_cpu_op
  std::map<std::uint64_t, std::uint64_t> unknown_types;     // type value -> nodes
  std::map<std::string, std::uint64_t> ignored_attributes;  // name -> nodes having it
};

struct Trace {
  graph::Program program;
  TraceStats stats;
};

// The files PREFIX.0.et .. PREFIX.(N-1).et (all of them: a gap is an error).
std::vector<std::string> trace_files(const std::string& prefix);

// The longest chain of compute a rank's dependencies force (communication
// counted as free), over the ranks: a lower bound of the run's time.
struct CriticalPath {
  sim::Time compute_ps = 0;
  std::uint32_t rank = 0;
};
CriticalPath critical_path_compute(const graph::Program& program);

// `spinel chakra-info`'s report: ranks, nodes by type, what was skipped or
// ignored, groups, collectives by kind and size, the critical path.
void write_summary(std::ostream& out, const std::string& prefix, const Trace& trace);

// Reads every rank's file into one program of traced ranks x replicate ranks.
Trace read_trace(const std::string& prefix, const ChakraOptions& options = {});

}  // namespace spinel::workloads::chakra
