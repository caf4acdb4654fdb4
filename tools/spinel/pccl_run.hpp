#pragma once
// Runs a scenario's `pccl:` section (fault-tolerant all-reduce under churn)
// and writes churn.csv, steps.csv, links.csv and summary.json; and
// `spinel dst`: many seeds of it against the invariants.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/json.hpp"
#include "tools/scenario/scenario.hpp"
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

// `spinel dst FILE --seeds N ...`; returns the exit status.
int cmd_dst(const std::vector<std::string>& args);
std::string_view dst_help();

// The scenario file's text with its seed set to `seed` (comments dropped):
// the reproducer `spinel dst` writes for a failing seed.
std::string with_seed(const std::string& yaml_text, std::uint64_t seed);

}  // namespace spinel::tools
