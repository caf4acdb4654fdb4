// A pccl run through the library (workloads/pccl): the fabric (leaf-spine
// or WAN), its results in memory and its files.
#include <algorithm>

#include "api/metrics.hpp"
#include "api/outputs.hpp"
#include "api/runs.hpp"
#include "topology/topology.hpp"
#include "workloads/pccl/sim_run.hpp"

namespace spinel::api {

namespace {

// The slowest host link, for the liveness bound.
double host_rate_gbps(const Scenario& s) {
  if (!s.wan) return s.topology.host_link.rate_gbps;
  double rate = s.wan->sites.front().host_link.rate_gbps;
  for (const topology::WanSite& site : s.wan->sites)
    rate = std::min(rate, site.host_link.rate_gbps);
  return rate;
}

}  // namespace

Results run_pccl(const Scenario& s, const RunOptions& options) {
  sim::Recorder recorder =
      options.out_dir.empty() ? sim::Recorder() : sim::Recorder(options.out_dir);
  const topology::Topology topology =
      s.wan ? topology::build_wan(*s.wan) : topology::build_fabric(s.topology);
  Results r;
  r.kind = RunKind::pccl;
  r.pccl = pccl::run_on_fabric(topology, s.transport, s.faults, *s.pccl, s.seed, host_rate_gbps(s),
                               recorder, s.output.flows && recorder.enabled(), options.on_progress);
  r.pccl_metrics = pccl::metrics_of(r.pccl->result);
  r.events = r.pccl->events;
  r.end_ps = r.pccl->result.end_ps;
  r.metrics = pccl_metrics_json(*r.pccl, *r.pccl_metrics);
  if (recorder.enabled()) {
    write_pccl_files(recorder, s, r.pccl->result, r.metrics);
    recorder.flush();
  }
  return r;
}

}  // namespace spinel::api
