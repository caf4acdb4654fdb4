#include "workloads/pccl/sim_run.hpp"

#include <algorithm>

#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "transport/flow_model.hpp"
#include "transport/link_changes.hpp"
#include "transport/link_faults.hpp"

namespace spinel::pccl {

SimRun run_on_fabric(const topology::Topology& topology,
                     const transport::TransportConfig& transport,
                     const std::vector<transport::Fault>& faults, const PcclConfig& config,
                     std::uint64_t seed, double host_rate_gbps, sim::Recorder& recorder,
                     bool record_flows, const sim::ProgressCallback& progress) {
  topology::Routing routing(topology);
  sim::Simulator sim;
  transport::FlowModel model(sim, topology, routing, transport, seed, recorder, record_flows);
  // Link faults act on the network as in workload runs (the loader refuses
  // host faults here: peers have their own churn).
  transport::LinkFaults link_faults(sim, model);
  transport::schedule_link_faults(faults, topology, model, link_faults);
  SimDriver driver(sim, model, topology.host_count(), config, seed, host_rate_gbps);
  driver.start();
  SimRun run;
  if (progress) {
    // A hundredth of the duration at a time; a violation stops the run.
    const sim::Time slice = std::max<sim::Time>(config.duration_ps / 100, sim::kMicrosecond);
    sim::Time until = 0;
    while (until < config.duration_ps && sim.pending() > 0) {
      until = std::min(config.duration_ps, until + slice);
      run.events += sim.run(until);
      if (driver.failed()) break;
      progress(sim::Progress{sim.now(), sim.events_dispatched(),
                             static_cast<double>(until) / static_cast<double>(config.duration_ps)});
    }
  } else {
    run.events = sim.run(config.duration_ps);
  }
  run.result = driver.finish();
  run.liveness_bound_ps = driver.liveness_bound_ps();
  if (recorder.enabled()) model.finish();
  return run;
}

PcclMetrics metrics_of(const PcclResult& r) {
  PcclMetrics m;
  m.steps_completed = r.steps.size();
  const double hours = static_cast<double>(r.end_ps) / (3600.0 * sim::kSecond);
  m.steps_per_hour = hours > 0 ? static_cast<double>(r.steps.size()) / hours : 0.0;
  sim::Time step_sum_ps = 0;
  double edge_sum_gbps = 0;
  for (const StepRecord& s : r.steps) {
    const sim::Time ps = s.end_ps - s.start_ps;
    step_sum_ps += ps;
    if (ps > 0 && s.world > 0) {
      edge_sum_gbps += static_cast<double>(s.bytes) * 8000.0 / static_cast<double>(s.world) /
                       static_cast<double>(ps);
    }
  }
  const auto steps = static_cast<std::int64_t>(r.steps.size());
  sim::Time last_ps = 0;
  for (const StepRecord& s : r.steps) {
    m.max_step_gap_ps = std::max(m.max_step_gap_ps, s.end_ps - last_ps);
    last_ps = s.end_ps;
  }
  m.max_step_gap_ps = std::max(m.max_step_gap_ps, r.end_ps - last_ps);
  m.step_mean_ps = steps > 0 ? step_sum_ps / steps : 0;
  m.edge_gbps = steps > 0 ? edge_sum_gbps / static_cast<double>(steps) : 0.0;
  sim::Time sum = 0;
  for (const sim::Time t : r.recovery_ps) {
    sum += t;
    m.recovery_max_ps = std::max(m.recovery_max_ps, t);
  }
  m.recovery_count = r.recovery_ps.size();
  m.recovery_mean_ps =
      r.recovery_ps.empty() ? 0 : sum / static_cast<std::int64_t>(r.recovery_ps.size());
  return m;
}

}  // namespace spinel::pccl
