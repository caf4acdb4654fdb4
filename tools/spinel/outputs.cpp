#include "tools/spinel/outputs.hpp"

#include <algorithm>

#include "tools/spinel/run.hpp"
#include "workloads/ring_allreduce.hpp"

namespace spinel::tools {

namespace {

double ratio(sim::Time a, sim::Time b) {
  return b > 0 ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
}

}  // namespace

sim::Json run_metrics(const RunResult& r) {
  sim::Json m = sim::Json::object();
  m["hosts"] = r.hosts;
  m["directed_links"] = static_cast<std::uint64_t>(r.links);
  m["oversubscription"] = r.oversubscription;
  m["collectives"] = static_cast<std::uint64_t>(r.collectives.size());
  if (!r.collectives.empty()) {
    sim::Time total = 0;
    sim::Time worst = 0;
    sim::Time best = r.collectives.front().duration_ps();
    for (const auto& c : r.collectives) {
      total += c.duration_ps();
      worst = std::max(worst, c.duration_ps());
      best = std::min(best, c.duration_ps());
    }
    const auto& first = r.collectives.front();
    const sim::Time mean = total / static_cast<sim::Time>(r.collectives.size());
    m["collective_mean_ps"] = mean;
    m["collective_min_ps"] = best;
    m["collective_max_ps"] = worst;
    m["ideal_ps"] = first.ideal_ps;
    m["ratio_to_ideal"] = ratio(mean, first.ideal_ps);
    m["busbw_gbps"] = workloads::ring_busbw_gbps(first.ranks, first.size_bytes, mean);
  }
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
  return m;
}

void write_outputs(sim::Recorder& recorder, const scenario::Scenario& scenario,
                   const RunResult& r) {
  if (!recorder.enabled()) return;
  sim::CsvTable* csv =
      recorder.table("collectives.csv", {"collective_id", "iteration", "algorithm", "ranks",
                                         "size_bytes", "start_ps", "end_ps", "duration_ps",
                                         "ideal_ps", "ratio_to_ideal", "algbw_gbps", "busbw_gbps"});
  for (const auto& c : r.collectives) {
    const double algbw = static_cast<double>(c.size_bytes) * 8000.0 /
                         static_cast<double>(std::max<sim::Time>(c.duration_ps(), 1));
    csv->cell(c.collective_id)
        .cell(c.iteration)
        .cell("ring_allreduce")
        .cell(c.ranks)
        .cell(c.size_bytes)
        .cell(c.start_ps)
        .cell(c.end_ps)
        .cell(c.duration_ps())
        .cell(c.ideal_ps)
        .cell(ratio(c.duration_ps(), c.ideal_ps))
        .cell(algbw)
        .cell(workloads::ring_busbw_gbps(c.ranks, c.size_bytes, c.duration_ps()))
        .end_row();
  }
  sim::Json summary = sim::Json::object();
  summary["spinel_version"] = SPINEL_VERSION;
  summary["seed"] = scenario.seed;
  summary["scenario"] = scenario::to_json(scenario);
  summary["metrics"] = r.metrics;
  recorder.write_file("summary.json", summary.dump());
}

}  // namespace spinel::tools
