#include "api/metrics.hpp"

#include <algorithm>
#include <map>

#include "workloads/collectives.hpp"

namespace spinel::api {

double time_ratio(sim::Time a, sim::Time b) {
  return b > 0 ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
}

namespace {

void put(sim::Json& m, const std::optional<CollectiveMetrics>& c) {
  if (!c) return;
  m["collective_mean_ps"] = c->collective_mean_ps;
  m["collective_min_ps"] = c->collective_min_ps;
  m["collective_max_ps"] = c->collective_max_ps;
  m["ideal_ps"] = c->ideal_ps;
  m["ratio_to_ideal"] = c->ratio_to_ideal;
  m["busbw_gbps"] = c->busbw_gbps;
  m["max_congestion_ps"] = c->max_congestion_ps;
  m["congestion_bound_ps"] = c->congestion_bound_ps;
  m["max_queue_pairs_per_host"] = c->max_queue_pairs_per_host;
}

void put(sim::Json& m, const std::optional<IterationMetrics>& it) {
  if (!it) return;
  m["iteration_mean_ps"] = it->iteration_mean_ps;
  m["iterations_per_second"] = it->iterations_per_second;
  m["gpu_seconds"] = it->gpu_seconds;
}

// A graph job's iterations, averaged: compute, exposed communication (in
// all and per communicator kind) and bubble.
void put(sim::Json& m, const std::vector<workloads::graph::IterationStats>& its) {
  if (its.empty()) return;
  sim::Time compute = 0;
  sim::Time exposed = 0;
  sim::Time bubble = 0;
  std::map<std::string, sim::Time> by_group;
  for (const auto& it : its) {
    compute += it.compute_ps;
    exposed += it.exposed_comm_ps;
    bubble += it.bubble_ps;
    for (const auto& [kind, t] : it.exposed_by_group_ps) by_group[kind] += t;
  }
  const auto n = static_cast<sim::Time>(its.size());
  m["compute_mean_ps"] = compute / n;
  m["exposed_comm_mean_ps"] = exposed / n;
  m["bubble_mean_ps"] = bubble / n;
  sim::Json groups = sim::Json::object();
  for (const auto& [kind, t] : by_group) groups[kind] = t / n;
  m["exposed_comm_by_group_mean_ps"] = std::move(groups);
}

sim::Json packet_json(const transport::PacketTotals& t) {
  sim::Json p = sim::Json::object();
  p["data_packets"] = t.data_packets;
  p["ack_packets"] = t.ack_packets;
  p["retransmitted_packets"] = t.retransmitted_packets;
  p["payload_bytes_sent"] = t.payload_bytes_sent;
  p["payload_bytes_delivered"] = t.payload_bytes_delivered;
  p["payload_bytes_dropped"] = t.payload_bytes_dropped;
  p["payload_bytes_duplicate"] = t.payload_bytes_duplicate;
  p["payload_bytes_discarded"] = t.payload_bytes_discarded;
  p["drops"] = t.drops;
  p["down_link_drops"] = t.down_link_drops;
  p["ecn_marks"] = t.ecn_marks;
  p["timeouts"] = t.timeouts;
  p["naks"] = t.naks;
  p["cnps"] = t.cnps;
  p["sacks"] = t.sacks;
  if (t.trimming) {
    p["trimmed_packets"] = t.trimmed_packets;
    p["payload_bytes_trimmed"] = t.payload_bytes_trimmed;
    p["nacks"] = t.nacks;
  }
  if (t.nscc) p["nscc_decreases"] = t.nscc_decreases;
  p["peak_packets"] = t.peak_packets;
  p["pauses"] = t.pauses;
  p["paused_ps"] = static_cast<std::int64_t>(t.paused_ps);
  return p;
}

// Counts, and per fault its latency.
sim::Json detection_json(const std::vector<transport::Fault>& faults,
                         const workloads::DetectionScore& score) {
  sim::Json m = sim::Json::object();
  sim::Json per_fault = sim::Json::array();
  for (std::size_t i = 0; i < faults.size(); ++i) {
    if (faults[i].state == transport::FaultState::up) continue;
    const workloads::FaultDetection& fd = score.faults[i];
    sim::Json f = sim::Json::object();
    f["fault"] = static_cast<std::uint64_t>(i);
    f["detected"] = fd.detected;
    if (fd.detected) {
      f["latency_ps"] = static_cast<std::int64_t>(fd.detected_ps - faults[i].at_ps);
      f["class"] = std::string(workloads::to_string(fd.anomaly));
      f["localised"] = fd.localised;
    }
    per_fault.push_back(std::move(f));
  }
  m["faults"] = score.counted;
  m["detected"] = score.detected;
  m["localised"] = score.localised;
  m["false_alarms"] = score.false_alarms;
  m["per_fault"] = std::move(per_fault);
  return m;
}

}  // namespace

std::optional<CollectiveMetrics> collective_metrics(
    const std::vector<const workloads::CollectiveResult*>& cs) {
  if (cs.empty()) return std::nullopt;
  CollectiveMetrics m;
  sim::Time total = 0;
  m.collective_min_ps = cs.front()->duration_ps();
  for (const auto* c : cs) {
    total += c->duration_ps();
    m.collective_max_ps = std::max(m.collective_max_ps, c->duration_ps());
    m.collective_min_ps = std::min(m.collective_min_ps, c->duration_ps());
    m.ideal_ps = std::max(m.ideal_ps, c->ideal_ps);
    m.max_congestion_ps = std::max(m.max_congestion_ps, c->max_congestion_ps);
    m.congestion_bound_ps = std::max(m.congestion_bound_ps, c->congestion_bound_ps);
    m.max_queue_pairs_per_host = std::max(m.max_queue_pairs_per_host, c->max_queue_pairs_per_host);
  }
  const auto& first = *cs.front();
  m.collective_mean_ps = total / static_cast<sim::Time>(cs.size());
  m.ratio_to_ideal = time_ratio(m.collective_mean_ps, m.ideal_ps);
  m.busbw_gbps =
      workloads::busbw_gbps(first.collective, first.ranks, first.size_bytes, m.collective_mean_ps);
  return m;
}

std::optional<IterationMetrics> iteration_metrics(
    const std::vector<workloads::IterationRecord>& its, std::uint32_t ranks) {
  if (its.empty()) return std::nullopt;
  sim::Time total = 0;
  for (const auto& it : its) total += it.duration_ps();
  IterationMetrics m;
  m.iteration_mean_ps = total / static_cast<sim::Time>(its.size());
  const sim::Time held = its.back().end_ps - its.front().start_ps;
  m.iterations_per_second =
      m.iteration_mean_ps > 0 ? 1e12 / static_cast<double>(m.iteration_mean_ps) : 0.0;
  m.gpu_seconds = static_cast<double>(ranks) * static_cast<double>(held) / 1e12;
  return m;
}

sim::Json training_metrics_json(const Results& r, bool detector) {
  sim::Json m = sim::Json::object();
  m["hosts"] = r.hosts;
  m["directed_links"] = static_cast<std::uint64_t>(r.links);
  m["oversubscription"] = r.oversubscription;
  if (r.agg_oversubscription) m["agg_oversubscription"] = *r.agg_oversubscription;
  std::uint64_t collectives = 0;
  for (const JobResults& job : r.jobs) collectives += job.collectives.size();
  m["collectives"] = collectives;
  put(m, r.collective_metrics);
  sim::Json jobs = sim::Json::array();
  for (std::uint32_t j = 0; j < r.jobs.size(); ++j) {
    const JobResults& job = r.jobs[j];
    sim::Json one = sim::Json::object();
    one["job"] = j;
    one["finished"] = job.finished;
    one["collectives_completed"] = static_cast<std::uint64_t>(job.collectives.size());
    put(one, job.collective_metrics);
    put(one, job.iteration_metrics);
    if (job.graph) put(one, job.breakdown);
    jobs.push_back(std::move(one));
  }
  m["jobs"] = std::move(jobs);
  m["end_ps"] = r.end_ps;
  m["events"] = r.events;
  m["flows"] = r.flows.completed;
  m["transfers"] = r.flows.transfers_completed;
  m["bytes_sent"] = r.flows.bytes_sent;
  m["bytes_delivered"] = r.flows.bytes_delivered;
  m["max_byte_error"] = r.flows.max_byte_error;
  m["rate_recomputations"] = r.flows.rate_recomputations;
  if (r.flows.split_groups > 0) {
    m["split_premises_met"] = r.flows.split_groups_failed == 0;
    m["split_groups_failed"] = r.flows.split_groups_failed;
  }
  if (r.packets) m["packets"] = packet_json(*r.packets);
  if (detector) m["detection"] = detection_json(r.faults, r.detection);
  return m;
}

sim::Json recovery_metrics_json(const recovery::RecoveryRun& run) {
  const recovery::RecoveryTotals& t = run.totals;
  sim::Json m = sim::Json::object();
  m["finished"] = run.finished();
  m["iterations"] = run.iterations();
  m["end_ps"] = static_cast<std::int64_t>(run.end_ps);
  m["ranks"] = run.ranks;
  m["job_hours"] = t.job_hours;
  m["gpu_hours"] = t.gpu_hours;
  m["useful_gpu_hours"] = t.useful_gpu_hours;
  m["lost_gpu_hours"] = t.lost_gpu_hours;
  m["lost_fraction"] = t.lost_fraction;
  m["lost_rework_gpu_hours"] = t.lost_rework_gpu_hours;
  m["lost_stalled_gpu_hours"] = t.lost_stalled_gpu_hours;
  m["lost_restart_gpu_hours"] = t.lost_restart_gpu_hours;
  m["attempts"] = static_cast<std::uint64_t>(run.attempts.size());
  m["stops_by_c4"] = t.stops_by_c4;
  m["stops_by_people"] = t.stops_by_people;
  m["faults"] = t.faults;
  m["faults_acted_on"] = t.faults_acted_on;
  m["false_alarms"] = t.false_alarms;
  m["wrong_suspects"] = t.wrong_suspects;
  return m;
}

sim::Json pccl_metrics_json(const pccl::SimRun& run, const pccl::PcclMetrics& pm) {
  const pccl::PcclResult& r = run.result;
  sim::Json m = sim::Json::object();
  m["steps_completed"] = pm.steps_completed;
  m["aborted_attempts"] = r.aborted_attempts;
  m["aborted_bytes"] = r.aborted_bytes;
  m["chunk_bytes"] = r.chunk_bytes;
  m["cancelled_bytes"] = r.cancelled_bytes;
  m["control_messages"] = r.messages;
  m["peers_spawned"] = r.peers_spawned;
  m["deaths"] = r.deaths;
  m["stalls"] = r.stalls;
  m["leaves"] = r.leaves;
  m["kicks"] = r.kicks;
  m["steps_per_hour"] = pm.steps_per_hour;
  m["max_step_gap_ps"] = pm.max_step_gap_ps;
  m["step_mean_ps"] = pm.step_mean_ps;
  m["edge_gbps"] = pm.edge_gbps;
  m["recovery_count"] = pm.recovery_count;
  m["recovery_mean_ps"] = pm.recovery_mean_ps;
  m["recovery_max_ps"] = pm.recovery_max_ps;
  m["liveness_bound_ps"] = static_cast<std::int64_t>(run.liveness_bound_ps);
  m["invariant_checks"] = r.checks;
  m["violation"] = r.failed ? sim::Json(r.violation) : sim::Json(nullptr);
  m["violation_at_ps"] = static_cast<std::int64_t>(r.violation_at_ps);
  m["end_ps"] = static_cast<std::int64_t>(r.end_ps);
  return m;
}

}  // namespace spinel::api
