// The result files' header rows against the column tables the docs are
// generated from (api/output_columns.cpp, transport/output_columns.cpp):
// every CSV file a run writes has a table, its header is that table's, and
// the runs below write every table's file. flows.csv and links.csv of the
// flow level are written by the flow model with literal headers: this test
// is what keeps those two equal to the tables.
#include <set>
#include <string>

#include "api/output_columns.hpp"
#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "tests/unit/test_support.hpp"

namespace spinel {
namespace {

namespace fs = std::filesystem;

const char* const kTopology =
    "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4}\n";

// A graph job with ops, a fault, a detector and a time series; a collective at
// packet level with a time series; a recovery run; a pccl run.
const std::string kRuns[] = {
    std::string("name: graph\n") + kTopology +
        "workload:\n  iterations: 2\n  parallel: {tp: 2, pp: 2, dp: 2}\n"
        "  program:\n    - {name: f, compute: 1ms}\n"
        "    - {collective: ring_allreduce, group: dp, size_bytes: 1MiB}\n"
        "faults: [{at: 1ms, host: h1, state: slow, factor: 2}]\n"
        "detector: {kind: c4}\n"
        "output: {ops: true, timeseries: {interval: 100us}}\n",
    std::string("name: packet\n") + kTopology +
        "transport: {model: packet}\n"
        "workload: {collective: ring_allreduce, size_bytes: 256KiB}\n"
        "output: {timeseries: {interval: 10us}}\n",
    std::string("name: recovery\n") + kTopology +
        "workload: {collective: ring_allreduce, size_bytes: 1MiB, hosts: 6, compute: 5ms, "
        "iterations: 200}\n"
        "detector: {kind: c4, hang_timeout: 50ms}\n"
        "recovery: {checkpoint_interval: 100ms, restart: 20ms}\n"
        "faults: [{at: 300ms, host: h3, state: hung}]\n",
    std::string("name: pccl\n") + kTopology +
        "pccl: {peers: 4, floats: 8, size_bytes: 1MiB, duration: 20s, step_compute: 1s}\n",
};

std::string header_of(const sim::CsvFile& file) {
  std::string out;
  for (const sim::Column& c : file.columns) out += (out.empty() ? "" : ",") + std::string(c.name);
  return out;
}

TEST(OutputColumns, EveryFileHeaderIsItsColumnTable) {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < std::size(kRuns); ++i) {
    const fs::path dir = testing::scratch_folder("output_columns_", std::to_string(i));
    (void)api::run(scenario::load_string(kRuns[i], "run.yaml"), api::RunOptions(dir));
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".csv") continue;
      const std::string name = entry.path().filename().string();
      const std::string text = testing::slurp(entry.path());
      const std::string header = text.substr(0, text.find('\n'));
      bool matched = false;
      for (const api::columns::OutputFile& f : api::columns::output_files()) {
        if (f.file->name != name || header_of(*f.file) != header) continue;
        matched = true;
        seen.insert(f.id);
      }
      EXPECT_TRUE(matched) << "run " << i << ": " << name << " has no column table with header "
                           << header;
    }
    fs::remove_all(dir);
  }
  for (const api::columns::OutputFile& f : api::columns::output_files()) {
    EXPECT_TRUE(seen.contains(f.id)) << "no run wrote " << f.id << " (" << f.file->name << ")";
  }
}

TEST(OutputColumns, IdsAreUniqueAndEveryColumnIsExplained) {
  std::set<std::string_view> ids;
  for (const api::columns::OutputFile& f : api::columns::output_files()) {
    EXPECT_TRUE(ids.insert(f.id).second) << f.id;
    EXPECT_FALSE(f.file->columns.empty()) << f.id;
    for (const sim::Column& c : f.file->columns) EXPECT_FALSE(c.meaning.empty()) << c.name;
  }
}

}  // namespace
}  // namespace spinel
