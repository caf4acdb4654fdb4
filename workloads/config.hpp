#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.hpp"

namespace spinel::workloads {

namespace graph {
struct Program;
}

// How ranks map onto hosts.
enum class Placement {
  contiguous,     // rank r on the r-th host of the group (hosts numbered leaf by leaf)
  random,         // a seeded random permutation of the hosts (stream "placement")
  explicit_list,  // `ranks`: rank r on host ranks[r]
  // Multi-GPU servers only: the lowest free servers, ranks laid rail by rail
  // (all GPU 0s, then all GPU 1s in reverse server order, ...), so every
  // ring edge stays on one rail or inside a server.
  rail,
};

enum class Collective {
  ring_allreduce,
  tree_allreduce,              // NCCL's double binary tree, pipelined
  halving_doubling_allreduce,  // recursive halving-doubling (Rabenseifner)
  reduce_scatter,              // ring
  all_gather,                  // ring
  all_to_all,                  // direct: every rank sends to every other at once
  pairwise_all_to_all,         // N-1 rounds of shifted pairs
  hierarchical_allreduce,      // inside servers over NVLink, across them per rail
  broadcast,                   // from a root, pipelined along a ring
  reduce,                      // to a root, pipelined along a ring
  gather,                      // to a root, direct
  scatter,                     // from a root, direct
  barrier,                     // dissemination, no data
  all_to_allv,                 // direct, per-pair sizes from a matrix (make_all_to_allv_schedule)
};

// One job: a group of hosts running one collective, again and again.
struct WorkloadConfig {
  std::string name = "job0";  // names the job in outputs
  Collective collective = Collective::ring_allreduce;
  std::uint64_t size_bytes = 64ULL << 20;
  std::uint32_t hosts = 0;  // how many hosts take part; 0 = every host of the fabric
  Placement placement = Placement::contiguous;
  std::vector<std::uint32_t> ranks;  // host of each rank, for Placement::explicit_list
  std::uint32_t iterations = 1;
  sim::Time compute_gap_ps = 0;  // idle time between consecutive iterations
  // Training: each iteration every rank computes for compute_ps (times
  // 1 + compute_jitter * a standard normal draw, per rank and iteration), and
  // its all-reduce of size_bytes goes in `buckets` equal collectives, each as
  // the backward pass makes its bucket ready (workloads/compute.hpp).
  sim::Time compute_ps = 0;
  double compute_jitter = 0;
  std::uint32_t buckets = 1;
  sim::Time start_ps = 0;  // when the first iteration starts
  // A workload graph (workloads/graph/program.hpp: one iteration of every
  // rank's program) instead of `collective`: the graph front-ends (a
  // scenario's `program:`, the transformer generator) make it at load time.
  // The job runs it `iterations` times; size_bytes, compute, buckets and the
  // gaps are the collective job's and do not apply.
  std::shared_ptr<const graph::Program> program;
  double compute_scale = 1;  // graph jobs: every compute op takes this times its duration
};

constexpr std::string_view to_string(Placement p) {
  switch (p) {
    case Placement::contiguous:
      return "contiguous";
    case Placement::random:
      return "random";
    case Placement::explicit_list:
      return "explicit";
    case Placement::rail:
      return "rail";
  }
  return "?";
}

constexpr std::string_view to_string(Collective c) {
  switch (c) {
    case Collective::ring_allreduce:
      return "ring_allreduce";
    case Collective::tree_allreduce:
      return "tree_allreduce";
    case Collective::halving_doubling_allreduce:
      return "halving_doubling_allreduce";
    case Collective::reduce_scatter:
      return "reduce_scatter";
    case Collective::all_gather:
      return "all_gather";
    case Collective::all_to_all:
      return "all_to_all";
    case Collective::pairwise_all_to_all:
      return "pairwise_all_to_all";
    case Collective::hierarchical_allreduce:
      return "hierarchical_allreduce";
    case Collective::broadcast:
      return "broadcast";
    case Collective::reduce:
      return "reduce";
    case Collective::gather:
      return "gather";
    case Collective::scatter:
      return "scatter";
    case Collective::barrier:
      return "barrier";
    case Collective::all_to_allv:
      return "all_to_allv";
  }
  return "?";
}

// The C4-style detector's thresholds (see workloads/detector.hpp).
// `manual`: people watching the job (see workloads/manual_detector.hpp).
enum class DetectorKind { c4, manual };
struct DetectorConfig {
  bool enabled = false;
  DetectorKind kind = DetectorKind::c4;
  sim::Time hang_timeout_ps = sim::kSecond;
  double slow_factor = 1.5;
  std::uint32_t window = 3;  // iterations or collectives in a row before a slow alarm
  // Manual: how long after the last completed collective the job's watchdog
  // calls it a hang, and how long people then take to find the faulty part.
  sim::Time watchdog_ps = 30 * 60 * sim::kSecond;
  sim::Time diagnosis_delay_ps = 4 * 3600 * sim::kSecond;
};

}  // namespace spinel::workloads
