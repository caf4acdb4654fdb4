#pragma once
// A job's collective schedule and options on its ranks: what a run and
// the recovery driver both hand to CollectiveRun.
#include <cstdint>
#include <memory>
#include <vector>

#include "topology/config.hpp"
#include "topology/routing.hpp"
#include "topology/servers.hpp"
#include "topology/topology.hpp"
#include "workloads/collective.hpp"
#include "workloads/config.hpp"
#include "workloads/schedule.hpp"

namespace spinel::workloads {

struct JobSetup {
  std::shared_ptr<const Schedule> schedule;
  CollectiveOptions options;
};

// Job `job` of config `w` on `ranks` (the host of each rank); its
// collective ids start at first_id. A training job all-reduces its
// gradient in `buckets` equal collectives.
JobSetup setup_job(const WorkloadConfig& w, std::uint32_t job,
                   const std::vector<topology::HostId>& ranks, const topology::Topology& topology,
                   topology::Routing& routing, const topology::FabricConfig& config,
                   std::uint32_t first_id);

}  // namespace spinel::workloads
