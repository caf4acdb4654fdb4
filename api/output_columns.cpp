#include "api/output_columns.hpp"

#include "transport/output_columns.hpp"

namespace spinel::api::columns {

namespace {

constexpr sim::Column collectives_columns[] = {
    {"collective_id", "id of the collective, 0, 1, … (numbered on across jobs)"},
    {"job", "the job's name (`job0` for a `workload:` scenario)"},
    {"iteration", "iteration number, from 0"},
    {"bucket", "gradient bucket of the iteration, from 0 (always 0 without `buckets`)"},
    {"algorithm", "the collective, as in `workload.collective`"},
    {"ranks", "number of ranks N"},
    {"size_bytes", "buffer size S (of one bucket: `size_bytes / buckets`, rounded down)"},
    {"start_ps",
     "when the last rank entered the collective (with `compute`, once its bucket was ready; "
     "otherwise when the previous one ended)"},
    {"end_ps", "when the last rank finished its last step"},
    {"duration_ps", "`end_ps − start_ps`: the collective completion time (CCT)"},
    {"ideal_ps",
     "the collective's closed-form time on a non-blocking fabric (see "
     "[Collectives](model.md#collectives))"},
    {"ratio_to_ideal", "`duration_ps / ideal_ps`"},
    {"algbw_gbps", "algorithm bandwidth S / duration"},
    {"busbw_gbps",
     "bus bandwidth as NCCL defines it: algbw · 2(N−1)/N for all-reduces, · (N−1)/N for the "
     "others"},
    {"max_congestion_ps",
     "the largest phase congestion: over the collective's phases, the busiest link's bytes / "
     "capacity when every pair of the phase sends its largest transfer at once, by the routes the "
     "policy chose (see `phases.csv`)"},
    {"congestion_bound_ps",
     "that congestion summed over the steps (each step's phase): no step ends before its busiest "
     "link has carried its bytes, so the CCT is at least this"},
    {"max_queue_pairs_per_host",
     "the most queue pairs (connections × subflows) any host opens for this collective"},
    {"communicator",
     "the group it ran on: `world` for a job of one collective, a group's name (`tp.3`, `dp.0`, "
     "…) for a [workload graph](workload-graph.md#what-a-graph-job-writes)"},
};

constexpr sim::Column iterations_columns[] = {
    {"job", "the job's name"},
    {"iteration", "from 0"},
    {"start_ps",
     "when the iteration's compute began (the previous iteration's end, plus `compute_gap`)"},
    {"compute_end_ps", "when the slowest rank finished computing (`start_ps` without `compute`)"},
    {"end_ps", "when its last bucket's collective ended"},
    {"duration_ps", "`end_ps − start_ps`"},
    {"exposed_communication_ps",
     "`end_ps − compute_end_ps`: communication left after the slowest rank's compute"},
    {"slowest_rank", "the rank that computed longest (the lowest such rank on ties)"},
};

constexpr sim::Column iteration_breakdown_columns[] = {
    {"job", "the job's name"},
    {"iteration", "from 0"},
    {"part",
     "`compute`, `exposed_comm`, `bubble` (these three add up to the iteration), then "
     "`exposed_comm.<kind>` per group kind (`tp`, `pp`, `dp`, …; `p2p` for sends of no group)"},
    {"time_ps", "the part's time, a mean over the job's ranks"},
};

constexpr sim::Column ops_columns[] = {
    {"job", "the job's name"},
    {"rank", "the rank that ran the op, from 0"},
    {"op", "the op's index in the rank's program"},
    {"label", "the op's name in the program"},
    {"kind", "the op's kind (`compute`, `send`, `recv`, a collective, …)"},
    {"group", "the communicator it ran on; empty for ops of none (compute, sends of no group)"},
    {"bytes", "bytes the op moves (0 for compute)"},
    {"start_ps",
     "a compute op: when it got its GPU; the others: when they were ready; empty if it never "
     "started"},
    {"end_ps", "when it ended; empty if it never ended"},
    {"duration_ps", "`end_ps − start_ps`; empty if it never ended"},
};

constexpr sim::Column phases_columns[] = {
    {"job", "the job's name"},
    {"phase", "phase index, from 0"},
    {"max_congestion_ps",
     "busiest link's bytes / capacity with every pair of the phase sending its largest transfer "
     "at once"},
};

constexpr sim::Column faults_columns[] = {
    {"fault", "index in `faults`, from 0"},
    {"at_ps", "when it happens"},
    {"element",
     "the link (`leaf0>spine1`), host (`h3`), NIC port (`h3.p1`, for `nic_port_down`) or switch "
     "(`spine2`)"},
    {"state",
     "as in the scenario: `down`, `degraded`, `up`, `flapping`, `slow`, `hung`, `nic_down`, "
     "`nic_port_down`"},
    {"rate_gbps", "`degraded`: the rate the link keeps"},
    {"factor", "`slow`: how many times as long the host's compute takes"},
    {"period_ps", "`flapping`: its period"},
    {"until_ps", "`flapping`: its end"},
    {"job", "host faults: the job on that host (empty if none runs there)"},
    {"rank", "host faults: the rank on that host (empty if none runs there)"},
};

constexpr sim::Column detections_columns[] = {
    {"detection", "from 0"},
    {"at_ps", "when it was raised"},
    {"job", "the job whose statistics showed it"},
    {"class",
     "`communication_hang`, `non_communication_hang`, `communication_slow`, "
     "`non_communication_slow`"},
    {"suspect", "a host (`h5`) or a connection (`h3>h4`)"},
    {"fault", "the fault (index in `faults.csv`) it is about; empty for a false alarm"},
    {"localised", "whether it names the faulty element; empty for a false alarm"},
    {"evidence", "what the statistics showed, in words and numbers"},
};

constexpr sim::Column placement_columns[] = {
    {"job", "the job's name"},
    {"rank", "from 0, as in `collectives.csv`'s `ranks` and `ops.csv`'s `rank`"},
    {"host", "the fabric host (a NIC; `h<host>` in `links.csv` and traces)"},
    {"server",
     "the server the GPU sits in (`topology.nics_per_host` GPUs a server, numbered as in [the "
     "model](model.md)); the host itself on fabrics of one GPU a server"},
    {"switch", "the switch its NIC (port 0) is cabled to: `leaf3`, or a fabric file's node name"},
};

constexpr sim::Column attempts_columns[] = {
    {"attempt", "from 0"},
    {"start_ps", "when it started"},
    {"end_ps", "when it stopped"},
    {"first_iteration", "the checkpoint it resumed from"},
    {"iterations", "iterations completed in it"},
    {"checkpoint", "iterations saved at its end"},
    {"useful_ps", "its time to the end of its last checkpointed iteration"},
    {"rework_ps", "then to its last completed one (rolled back)"},
    {"stalled_ps", "then to the stop"},
    {"restart_ps", "from the stop to the next attempt"},
    {"stop", "`c4`, `manual` or `finished`"},
    {"class", "the stop's detection class (empty when finished)"},
    {"suspect", "what the stop named (empty when finished)"},
    {"fault", "the fault (index in `faults.csv`) the stop was about"},
    {"localised", "whether the stop named the faulty element"},
    {"action",
     "`isolate s3` (the server, `hN` with one-GPU servers), `repair leaf0>spine1` or `none`"},
};

constexpr sim::Column recovery_faults_columns[] = {
    {"fault", "from 0"},
    {"at_ps", "when it happened"},
    {"kind", "the `fault_process` kind, or `scheduled`"},
    {"element", "the link, host or switch"},
    {"state", "as in the scenario"},
    {"rate_gbps", "`degraded`: the rate the link keeps"},
    {"factor", "`slow`: how many times as long the host's compute takes"},
    {"cleared_ps", "when it was cleared (empty if never)"},
    {"cleared_by", "`isolated`, `launch`, `repaired` or `people`"},
    {"acted_on_in", "the attempt whose stop was about it"},
    {"localised", "whether that stop named the faulty element"},
};

constexpr sim::Column recovery_detections_columns[] = {
    {"detection", "from 0"},
    {"at_ps", "when it was raised"},
    {"attempt", "the attempt it was raised in"},
    {"detector", "`c4` or `manual`"},
    {"class",
     "as in a training run's `detections.csv`, or `job_hang`, `job_slow` (people, in recovery "
     "runs)"},
    {"suspect", "a host or a connection"},
    {"fault", "the fault (index in `faults.csv`) it is about; empty for a false alarm"},
    {"localised", "whether it names the faulty element"},
    {"action",
     "what followed: as in `attempts.csv`, or `report` for a C4 alarm that named only a "
     "connection"},
    {"evidence", "what the statistics showed, in words and numbers"},
};

constexpr sim::Column churn_columns[] = {
    {"time_ps", "when it happened"},
    {"event",
     "`spawn`, `leave_request`, `death`, `stall` (injected) and `admitted`, `departed`, `kicked` "
     "(the master's view)"},
    {"peer", "the peer"},
    {"host", "the host it runs on"},
    {"world_size", "the accepted peers after it"},
};

constexpr sim::Column steps_columns[] = {
    {"op", "the step's all-reduce, from 0"},
    {"attempts", "1 + aborted ones"},
    {"start_ps", "the first attempt's start"},
    {"end_ps", "when it completed"},
    {"duration_ps", "`end_ps − start_ps`"},
    {"world_size", "peers taking part in the successful attempt"},
    {"bytes", "the bytes reduced"},
};

}  // namespace

const sim::CsvFile collectives{"collectives.csv", collectives_columns};
const sim::CsvFile iterations{"iterations.csv", iterations_columns};
const sim::CsvFile iteration_breakdown{"iteration_breakdown.csv", iteration_breakdown_columns};
const sim::CsvFile ops{"ops.csv", ops_columns};
const sim::CsvFile phases{"phases.csv", phases_columns};
const sim::CsvFile faults{"faults.csv", faults_columns};
const sim::CsvFile detections{"detections.csv", detections_columns};
const sim::CsvFile placement{"placement.csv", placement_columns};
const sim::CsvFile attempts{"attempts.csv", attempts_columns};
const sim::CsvFile recovery_faults{"faults.csv", recovery_faults_columns};
const sim::CsvFile recovery_detections{"detections.csv", recovery_detections_columns};
const sim::CsvFile churn{"churn.csv", churn_columns};
const sim::CsvFile steps{"steps.csv", steps_columns};

const std::vector<OutputFile>& output_files() {
  static const std::vector<OutputFile> files = {
      {"collectives", &collectives},
      {"iterations", &iterations},
      {"faults", &faults},
      {"detections", &detections},
      {"recovery_attempts", &attempts},
      {"recovery_faults", &recovery_faults},
      {"recovery_detections", &recovery_detections},
      {"phases", &phases},
      {"flows", &transport::columns::flows},
      {"links", &transport::columns::links},
      {"placement", &placement},
      {"timeseries", &transport::columns::timeseries},
      {"packet_timeseries", &transport::columns::packet_timeseries},
      {"ports", &transport::columns::ports},
      {"iteration_breakdown", &iteration_breakdown},
      {"ops", &ops},
      {"pccl_churn", &churn},
      {"pccl_steps", &steps},
  };
  return files;
}

}  // namespace spinel::api::columns
