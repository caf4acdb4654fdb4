#pragma once
// What a run returns, in memory (api/run.hpp): per job its collectives,
// iterations, detections and metrics; the run's faults, the detector's
// score, transport totals; a recovery run's attempts or a pccl run's steps.
// Every number of summary.json's "metrics" is here, typed; `metrics` is
// that object itself, as written.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/json.hpp"
#include "sim/time.hpp"
#include "topology/topology.hpp"
#include "transport/fault.hpp"
#include "transport/flow_model.hpp"
#include "transport/packet_model.hpp"
#include "workloads/collective.hpp"
#include "workloads/compute.hpp"
#include "workloads/detection_score.hpp"
#include "workloads/detector.hpp"
#include "workloads/graph/iteration_stats.hpp"
#include "workloads/pccl/sim_run.hpp"
#include "workloads/recovery/records.hpp"

namespace spinel::api {

// Over a set of collectives (a job's, or every job's): their mean, min and
// max time, what they compare with, the bus bandwidth at the mean.
struct CollectiveMetrics {
  sim::Time collective_mean_ps = 0;
  sim::Time collective_min_ps = 0;
  sim::Time collective_max_ps = 0;
  sim::Time ideal_ps = 0;
  double ratio_to_ideal = 0;  // mean / ideal
  double busbw_gbps = 0;      // at the mean time, as nccl-tests defines it (in Gb/s)
  sim::Time max_congestion_ps = 0;
  sim::Time congestion_bound_ps = 0;
  std::uint32_t max_queue_pairs_per_host = 0;
};

// A job's training iterations: their mean time, the rate they go at, and
// the GPU time the job held its ranks (from its first iteration's start to
// its last one's end).
struct IterationMetrics {
  sim::Time iteration_mean_ps = 0;
  double iterations_per_second = 0;
  double gpu_seconds = 0;
};

struct JobResults {
  std::string name;
  std::uint32_t ranks = 0;
  bool finished = true;                     // false: a hung rank or a lost link stopped it
  std::vector<topology::HostId> placement;  // the host of each rank
  std::vector<workloads::CollectiveResult> collectives;
  std::vector<workloads::IterationRecord> iterations;
  std::vector<sim::Time> phase_congestion_ps;    // per phase of its schedule
  std::vector<workloads::Detection> detections;  // the detector's alarms about it, in time order
  std::optional<CollectiveMetrics> collective_metrics;  // none before its first collective
  std::optional<IterationMetrics> iteration_metrics;    // none before its first iteration
  // The names of its communicators (CollectiveResult::communicator): a
  // collective job's one is "world".
  std::vector<std::string> communicators{"world"};
  // Graph jobs: where each iteration went (compute, exposed communication
  // per communicator kind, bubble), and with `output.ops` every op's times.
  bool graph = false;
  std::vector<workloads::graph::IterationStats> breakdown;
  struct OpRow {
    std::uint32_t rank;
    std::uint32_t op;
    std::string label;
    workloads::graph::OpKind kind;
    std::string group;  // the communicator, or "" for ops of none
    std::uint64_t bytes;
    sim::Time start_ps;
    sim::Time end_ps;
  };
  std::vector<OpRow> ops;
};

enum class RunKind {
  training,  // jobs of collectives (and compute) on a leaf-spine
  recovery,  // a long job with faults, detections and restarts (`recovery:`)
  pccl,      // fault-tolerant all-reduce under churn (`pccl:`)
};

struct Results {
  RunKind kind = RunKind::training;

  // Training runs.
  std::vector<JobResults> jobs;
  std::optional<CollectiveMetrics> collective_metrics;  // over every job's collectives
  std::vector<transport::Fault> faults;                 // the run's (random_fault drawn)
  std::vector<workloads::Detection> detections;         // with a detector, in time order
  workloads::DetectionScore detection;                  // those, scored against the faults
  transport::FlowTotals flows;
  std::optional<transport::PacketTotals> packets;  // packet level only
  std::uint32_t hosts = 0;
  std::size_t links = 0;  // directed
  double oversubscription = 1.0;
  std::optional<double> agg_oversubscription;  // clos3 only: at the aggs

  // Recovery runs: attempts, faults with their fate, totals.
  std::optional<recovery::RecoveryRun> recovery;

  // PCCL runs: steps, churn, the invariant checks.
  std::optional<pccl::SimRun> pccl;
  std::optional<pccl::PcclMetrics> pccl_metrics;

  // Every run.
  std::uint64_t events = 0;
  sim::Time end_ps = 0;
  double wall_seconds = 0;  // in run.json only: not deterministic
  sim::Json metrics;        // summary.json's "metrics", as written
};

}  // namespace spinel::api
