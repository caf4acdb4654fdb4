#pragma once
// Runs a scenario's `pccl:` section (fault-tolerant all-reduce under churn)
// and writes churn.csv, steps.csv, links.csv and summary.json.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "api/scenario/scenario.hpp"
#include "sim/json.hpp"
#include "workloads/pccl/sim_driver.hpp"

namespace spinel::tools {

struct PcclRun {
  pccl::PcclResult result;
  std::uint64_t events = 0;
  double wall_seconds = 0;  // never written to result files
  sim::Json metrics;        // summary.json's "metrics"
};

// out_dir empty: write nothing (dst, tests).
PcclRun run_pccl(const scenario::Scenario& scenario, const std::filesystem::path& out_dir);

}  // namespace spinel::tools
