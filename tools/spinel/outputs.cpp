#include "tools/spinel/outputs.hpp"

#include <algorithm>

#include "tools/spinel/run.hpp"
#include "workloads/collectives.hpp"

namespace spinel::tools {

namespace {

double ratio(sim::Time a, sim::Time b) {
  return b > 0 ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
}

// Mean, min and max collective time, and what they compare with, over the
// collectives of one job (or of all, for the run's headline numbers).
void collective_metrics(const std::vector<const workloads::CollectiveResult*>& cs, sim::Json& m) {
  if (cs.empty()) return;
  sim::Time total = 0;
  sim::Time worst = 0;
  sim::Time best = cs.front()->duration_ps();
  sim::Time ideal = 0;
  sim::Time congestion = 0;
  sim::Time bound = 0;
  std::uint32_t queue_pairs = 0;
  for (const auto* c : cs) {
    total += c->duration_ps();
    worst = std::max(worst, c->duration_ps());
    best = std::min(best, c->duration_ps());
    ideal = std::max(ideal, c->ideal_ps);
    congestion = std::max(congestion, c->max_congestion_ps);
    bound = std::max(bound, c->congestion_bound_ps);
    queue_pairs = std::max(queue_pairs, c->max_queue_pairs_per_host);
  }
  const auto& first = *cs.front();
  const sim::Time mean = total / static_cast<sim::Time>(cs.size());
  m["collective_mean_ps"] = mean;
  m["collective_min_ps"] = best;
  m["collective_max_ps"] = worst;
  m["ideal_ps"] = ideal;
  m["ratio_to_ideal"] = ratio(mean, ideal);
  m["busbw_gbps"] = workloads::busbw_gbps(first.collective, first.ranks, first.size_bytes, mean);
  m["max_congestion_ps"] = congestion;
  m["congestion_bound_ps"] = bound;
  m["max_queue_pairs_per_host"] = queue_pairs;
}

// A job's training iterations: their mean time, the rate they go at, and
// the GPU time the job held its ranks (from its first iteration's start to
// its last one's end).
void iteration_metrics(const std::vector<const workloads::IterationRecord*>& its,
                       std::uint32_t ranks, sim::Json& m) {
  if (its.empty()) return;
  sim::Time total = 0;
  for (const auto* it : its) total += it->duration_ps();
  const sim::Time mean = total / static_cast<sim::Time>(its.size());
  const sim::Time held = its.back()->end_ps - its.front()->start_ps;
  m["iteration_mean_ps"] = mean;
  m["iterations_per_second"] = mean > 0 ? 1e12 / static_cast<double>(mean) : 0.0;
  m["gpu_seconds"] = static_cast<double>(ranks) * static_cast<double>(held) / 1e12;
}

}  // namespace

sim::Json run_metrics(const RunResult& r) {
  sim::Json m = sim::Json::object();
  m["hosts"] = r.hosts;
  m["directed_links"] = static_cast<std::uint64_t>(r.links);
  m["oversubscription"] = r.oversubscription;
  if (r.agg_oversubscription) m["agg_oversubscription"] = *r.agg_oversubscription;
  m["collectives"] = static_cast<std::uint64_t>(r.collectives.size());
  std::vector<const workloads::CollectiveResult*> all;
  for (const auto& c : r.collectives) all.push_back(&c);
  collective_metrics(all, m);
  sim::Json jobs = sim::Json::array();
  for (std::uint32_t j = 0; j < r.phase_congestion_ps.size(); ++j) {
    std::vector<const workloads::CollectiveResult*> mine;
    for (const auto& c : r.collectives) {
      if (c.job == j) mine.push_back(&c);
    }
    sim::Json job = sim::Json::object();
    job["job"] = j;
    job["finished"] = static_cast<bool>(r.job_finished.at(j));
    job["collectives_completed"] = static_cast<std::uint64_t>(mine.size());
    collective_metrics(mine, job);
    std::vector<const workloads::IterationRecord*> iterations;
    for (const auto& it : r.iterations) {
      if (it.job == j) iterations.push_back(&it);
    }
    iteration_metrics(iterations, r.job_ranks.at(j), job);
    jobs.push_back(std::move(job));
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
  if (r.packets) {
    const transport::PacketTotals& t = *r.packets;
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
    p["peak_packets"] = t.peak_packets;
    p["pauses"] = t.pauses;
    p["paused_ps"] = static_cast<std::int64_t>(t.paused_ps);
    m["packets"] = std::move(p);
  }
  return m;
}

void write_summary_json(sim::Recorder& recorder, const scenario::Scenario& scenario,
                        const sim::Json& metrics) {
  sim::Json summary = sim::Json::object();
  summary["spinel_version"] = SPINEL_VERSION;
  summary["seed"] = scenario.seed;
  summary["scenario"] = scenario::to_json(scenario);
  summary["metrics"] = metrics;
  recorder.write_file("summary.json", summary.dump());
}

void write_outputs(sim::Recorder& recorder, const scenario::Scenario& scenario,
                   const RunResult& r) {
  if (!recorder.enabled()) return;
  sim::CsvTable* csv = recorder.table(
      "collectives.csv",
      {"collective_id", "job", "iteration", "bucket", "algorithm", "ranks", "size_bytes",
       "start_ps", "end_ps", "duration_ps", "ideal_ps", "ratio_to_ideal", "algbw_gbps",
       "busbw_gbps", "max_congestion_ps", "congestion_bound_ps", "max_queue_pairs_per_host"});
  for (const auto& c : r.collectives) {
    const double algbw = static_cast<double>(c.size_bytes) * 8000.0 /
                         static_cast<double>(std::max<sim::Time>(c.duration_ps(), 1));
    csv->cell(c.collective_id)
        .cell(scenario.jobs.at(c.job).name)
        .cell(c.iteration)
        .cell(c.bucket)
        .cell(workloads::to_string(c.collective))
        .cell(c.ranks)
        .cell(c.size_bytes)
        .cell(c.start_ps)
        .cell(c.end_ps)
        .cell(c.duration_ps())
        .cell(c.ideal_ps)
        .cell(ratio(c.duration_ps(), c.ideal_ps))
        .cell(algbw)
        .cell(workloads::busbw_gbps(c.collective, c.ranks, c.size_bytes, c.duration_ps()))
        .cell(c.max_congestion_ps)
        .cell(c.congestion_bound_ps)
        .cell(c.max_queue_pairs_per_host)
        .end_row();
  }
  // Per training iteration of each job: compute, then what communication
  // added after the slowest rank's compute.
  sim::CsvTable* its =
      recorder.table("iterations.csv", {"job", "iteration", "start_ps", "compute_end_ps", "end_ps",
                                        "duration_ps", "exposed_communication_ps", "slowest_rank"});
  for (const auto& it : r.iterations) {
    its->cell(scenario.jobs.at(it.job).name)
        .cell(it.iteration)
        .cell(it.start_ps)
        .cell(it.compute_end_ps)
        .cell(it.end_ps)
        .cell(it.duration_ps())
        .cell(it.end_ps - it.compute_end_ps)
        .cell(it.slowest_rank)
        .end_row();
  }
  // Per phase of each job: what its routes make of its busiest link.
  sim::CsvTable* phases = recorder.table("phases.csv", {"job", "phase", "max_congestion_ps"});
  for (std::size_t j = 0; j < r.phase_congestion_ps.size(); ++j) {
    for (std::size_t p = 0; p < r.phase_congestion_ps[j].size(); ++p) {
      phases->cell(scenario.jobs.at(j).name).cell(p).cell(r.phase_congestion_ps[j][p]).end_row();
    }
  }
  write_summary_json(recorder, scenario, r.metrics);
}

}  // namespace spinel::tools
