// timeseries.csv at packet level: per port and interval, bytes that add up
// to links.csv, and queue, drops, marks and pauses that add up to ports.csv.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "test_support.hpp"

namespace spinel {
namespace {

namespace fs = std::filesystem;
using Row = std::map<std::string, std::string>;

std::vector<Row> read_csv(const fs::path& p) {
  std::ifstream f(p);
  std::string line;
  const auto split = [](const std::string& text) {
    std::vector<std::string> cells;
    std::stringstream ss(text);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    return cells;
  };
  std::getline(f, line);
  const std::vector<std::string> header = split(line);
  std::vector<Row> rows;
  while (std::getline(f, line)) {
    const std::vector<std::string> cells = split(line);
    EXPECT_EQ(cells.size(), header.size()) << line;
    Row row;
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

// 16 hosts, an all-to-all with line-rate senders into small buffers.
std::string scenario_text(const std::string& packet_block) {
  return "name: s\n"
         "topology: {kind: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 4}\n"
         "transport:\n"
         "  model: packet\n"
         "  packet:\n"
         "    cc: none\n"
         "    buffer_bytes: 64KiB\n"
         "    ecn_kmin_bytes: 16KiB\n"
         "    ecn_kmax_bytes: 48KiB\n" +
         packet_block +
         "workload: {collective: all_to_all, size_bytes: 4MiB}\n"
         "output: {timeseries: {interval: 10us, links: all}}\n";
}

fs::path run(const std::string& packet_block, const std::string& name) {
  const fs::path dir = testing::scratch_folder("spinel_packet_series_", name);
  api::run(scenario::load_string(scenario_text(packet_block), "s.yaml"), api::RunOptions(dir));
  return dir;
}

struct Sums {
  double bytes = 0;
  std::uint64_t max_queue_bytes = 0;
  std::uint64_t drops = 0;
  std::uint64_t ecn_marks = 0;
  std::uint64_t pauses = 0;
};

// Per link: the series summed (max for the queue) against ports.csv.
void expect_adds_up(const fs::path& dir, const char* counter, bool expect_some) {
  std::map<std::string, Sums> series;
  for (const Row& row : read_csv(dir / "timeseries.csv")) {
    Sums& s = series[row.at("link_id")];
    s.bytes += std::stod(row.at("bytes"));
    s.max_queue_bytes =
        std::max<std::uint64_t>(s.max_queue_bytes, std::stoull(row.at("max_queue_bytes")));
    s.drops += std::stoull(row.at("drops"));
    s.ecn_marks += std::stoull(row.at("ecn_marks"));
    s.pauses += std::stoull(row.at("pauses"));
    EXPECT_LE(std::stod(row.at("utilisation")), 1.0 + 1e-9) << row.at("link");
  }
  const std::vector<Row> ports = read_csv(dir / "ports.csv");
  ASSERT_EQ(series.size(), ports.size());
  std::uint64_t total = 0;
  for (const Row& port : ports) {
    const Sums& s = series.at(port.at("link_id"));
    const double bytes = std::stod(port.at("bytes"));
    EXPECT_NEAR(s.bytes, bytes, 1.0 + 1e-9 * bytes) << port.at("link");
    EXPECT_EQ(s.drops, std::stoull(port.at("drops"))) << port.at("link");
    EXPECT_EQ(s.ecn_marks, std::stoull(port.at("ecn_marks"))) << port.at("link");
    EXPECT_EQ(s.pauses, std::stoull(port.at("pauses"))) << port.at("link");
    // NIC ports queue ACKs only (data waits in its queue pairs): not sampled.
    if (port.at("kind") != "host_up") {
      EXPECT_EQ(s.max_queue_bytes, std::stoull(port.at("max_queue_bytes"))) << port.at("link");
    }
    total += std::stoull(port.at(counter));
  }
  if (expect_some) {
    EXPECT_GT(total, 0U) << counter;
  }
}

TEST(PacketSeries, AddsUpToPortsAndLinks) {
  const fs::path drop_tail = run("", "drop_tail");
  expect_adds_up(drop_tail, "drops", true);
  expect_adds_up(drop_tail, "ecn_marks", true);
  const fs::path pfc =
      run("    flow_control: pfc\n    pfc_xoff_bytes: 32KiB\n"
          "    pfc_xon_bytes: 24KiB\n",
          "pfc");
  expect_adds_up(pfc, "pauses", true);
  expect_adds_up(pfc, "drops", false);
}

TEST(PacketSeries, SameSeedGivesTheSameFile) {
  const fs::path a = run("    buffer: shared\n", "det_a");
  const fs::path b = run("    buffer: shared\n", "det_b");
  EXPECT_EQ(testing::slurp(a / "timeseries.csv"), testing::slurp(b / "timeseries.csv"));
  EXPECT_GT(read_csv(a / "timeseries.csv").size(), 64U);
}

}  // namespace
}  // namespace spinel
