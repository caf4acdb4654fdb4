#include "api/pccl_run.hpp"

#include <algorithm>
#include <chrono>

#include "api/faults.hpp"
#include "api/outputs.hpp"
#include "api/run.hpp"
#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/flow_model.hpp"
#include "transport/link_faults.hpp"

namespace spinel::tools {

namespace {

sim::Json metrics_of(const pccl::PcclResult& r, sim::Time liveness_bound_ps) {
  sim::Json m = sim::Json::object();
  m["steps_completed"] = static_cast<std::uint64_t>(r.steps.size());
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
  const double hours = static_cast<double>(r.end_ps) / (3600.0 * sim::kSecond);
  m["steps_per_hour"] = hours > 0 ? static_cast<double>(r.steps.size()) / hours : 0.0;
  // A step's all-reduce, from its first attempt's start to its completion,
  // and the rate each peer sent at to its ring neighbour meanwhile.
  sim::Time step_sum_ps = 0;
  double edge_sum_gbps = 0;
  for (const pccl::StepRecord& s : r.steps) {
    const sim::Time ps = s.end_ps - s.start_ps;
    step_sum_ps += ps;
    if (ps > 0 && s.world > 0) {
      edge_sum_gbps += static_cast<double>(s.bytes) * 8000.0 / static_cast<double>(s.world) /
                       static_cast<double>(ps);
    }
  }
  const auto steps = static_cast<std::int64_t>(r.steps.size());
  // The longest stretch without a completed step (PCCL's stress test fails
  // at 5 minutes), counting from the start and up to the end of the run.
  sim::Time last_ps = 0;
  sim::Time gap_ps = 0;
  for (const pccl::StepRecord& s : r.steps) {
    gap_ps = std::max(gap_ps, s.end_ps - last_ps);
    last_ps = s.end_ps;
  }
  gap_ps = std::max(gap_ps, r.end_ps - last_ps);
  m["max_step_gap_ps"] = static_cast<std::int64_t>(gap_ps);
  m["step_mean_ps"] = steps > 0 ? step_sum_ps / steps : std::int64_t{0};
  m["edge_gbps"] = steps > 0 ? edge_sum_gbps / static_cast<double>(steps) : 0.0;
  // Recovery: from a death or stall to the next completed step.
  sim::Time sum = 0;
  sim::Time worst = 0;
  for (sim::Time t : r.recovery_ps) {
    sum += t;
    worst = std::max(worst, t);
  }
  m["recovery_count"] = static_cast<std::uint64_t>(r.recovery_ps.size());
  m["recovery_mean_ps"] = r.recovery_ps.empty()
                              ? std::int64_t{0}
                              : sum / static_cast<std::int64_t>(r.recovery_ps.size());
  m["recovery_max_ps"] = static_cast<std::int64_t>(worst);
  m["liveness_bound_ps"] = static_cast<std::int64_t>(liveness_bound_ps);
  m["invariant_checks"] = r.checks;
  m["violation"] = r.failed ? sim::Json(r.violation) : sim::Json(nullptr);
  m["violation_at_ps"] = static_cast<std::int64_t>(r.violation_at_ps);
  m["end_ps"] = static_cast<std::int64_t>(r.end_ps);
  return m;
}

// The slowest host link, for the liveness bound.
double host_rate_gbps(const scenario::Scenario& s) {
  if (!s.wan) return s.topology.host_link.rate_gbps;
  double rate = s.wan->sites.front().host_link.rate_gbps;
  for (const topology::WanSite& site : s.wan->sites)
    rate = std::min(rate, site.host_link.rate_gbps);
  return rate;
}

void write_tables(sim::Recorder& recorder, const pccl::PcclResult& r) {
  if (sim::CsvTable* t =
          recorder.table("churn.csv", {"time_ps", "event", "peer", "host", "world_size"})) {
    for (const pccl::ChurnRecord& c : r.churn) {
      t->cell(static_cast<std::int64_t>(c.at_ps))
          .cell(c.event)
          .cell(c.peer)
          .cell(c.host)
          .cell(c.world);
      t->end_row();
    }
  }
  if (sim::CsvTable* t = recorder.table("steps.csv", {"op", "attempts", "start_ps", "end_ps",
                                                      "duration_ps", "world_size", "bytes"})) {
    for (const pccl::StepRecord& s : r.steps) {
      t->cell(s.op).cell(s.attempts).cell(static_cast<std::int64_t>(s.start_ps));
      t->cell(static_cast<std::int64_t>(s.end_ps))
          .cell(static_cast<std::int64_t>(s.end_ps - s.start_ps));
      t->cell(s.world).cell(s.bytes);
      t->end_row();
    }
  }
}

}  // namespace

PcclRun run_pccl(const scenario::Scenario& scenario, const std::filesystem::path& out_dir) {
  const auto wall_start = std::chrono::steady_clock::now();
  const pccl::PcclConfig& config = *scenario.pccl;
  sim::Recorder recorder = out_dir.empty() ? sim::Recorder() : sim::Recorder(out_dir);
  const topology::Topology topology = scenario.wan ? topology::build_wan(*scenario.wan)
                                                   : topology::build_leaf_spine(scenario.topology);
  topology::Routing routing(topology);
  sim::Simulator sim;
  transport::FlowModel model(sim, topology, routing, scenario.transport, scenario.seed, recorder,
                             scenario.output.flows && recorder.enabled());
  // Link faults act on the network as in workload runs (the loader refuses
  // host faults here: peers have their own churn).
  transport::LinkFaults link_faults(sim, model);
  schedule_link_faults(scenario.faults, topology, model, link_faults);
  pccl::SimDriver driver(sim, model, topology.host_count(), config, scenario.seed,
                         host_rate_gbps(scenario));
  driver.start();
  PcclRun run;
  run.events = sim.run(config.duration_ps);
  run.result = driver.finish();
  run.metrics = metrics_of(run.result, driver.liveness_bound_ps());
  if (recorder.enabled()) {
    model.finish();
    write_tables(recorder, run.result);
    write_summary_json(recorder, scenario, run.metrics);
    recorder.flush();
  }
  run.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return run;
}

}  // namespace spinel::tools
