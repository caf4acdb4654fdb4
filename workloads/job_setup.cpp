#include "workloads/job_setup.hpp"

#include <algorithm>

#include "workloads/collectives.hpp"

namespace spinel::workloads {

JobSetup setup_job(const WorkloadConfig& w, std::uint32_t job,
                   const std::vector<topology::HostId>& ranks, const topology::Topology& topology,
                   topology::Routing& routing, const topology::FabricConfig& config,
                   std::uint32_t first_id) {
  const topology::Servers servers(config);
  const std::uint32_t gpus = servers.gpus_per_server();
  const ServerShape shape{gpus, config.nvlink.rate_gbps, config.nvlink.latency_ps};
  const auto n = static_cast<std::uint32_t>(ranks.size());
  const std::uint64_t bucket_bytes = w.size_bytes / w.buckets;
  JobSetup setup;
  setup.schedule = make_schedule(w.collective, n, bucket_bytes, shape);
  double slowest_nic = topology.nic_rate_gbps(ranks[0]);
  for (const topology::HostId h : ranks)
    slowest_nic = std::min(slowest_nic, topology.nic_rate_gbps(h));
  CollectiveOptions& o = setup.options;
  o.collective = w.collective;
  o.job = job;
  o.size_bytes = bucket_bytes;
  o.iterations = w.iterations;
  o.buckets = w.buckets;
  o.compute_gap_ps = w.compute_gap_ps;
  o.first_id = first_id;
  if (gpus > 1) {
    for (const topology::HostId h : ranks) o.server_of_rank.push_back(servers.server_of(h));
    o.nvlink_gbps = shape.nvlink_gbps;
    o.nvlink_latency_ps = shape.nvlink_latency_ps;
  }
  o.ideal_ps =
      ideal_ps(w.collective, n, bucket_bytes, slowest_nic,
               max_pair_latency_ps(*setup.schedule, ranks, routing, o.server_of_rank), shape);
  return setup;
}

}  // namespace spinel::workloads
