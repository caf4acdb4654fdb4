// The command line and a scenario's cost: warnings, --force, and the clock's
// end refused before a run starts (issue 20).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using spinel::testing::Result;
using spinel::testing::spinel;

const std::string kFabric =
    "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 2}\n"
    "output: {flows: false}\n";

fs::path write(const fs::path& dir, const std::string& name, const std::string& text) {
  fs::create_directories(dir);
  std::ofstream(dir / name) << text;
  return dir / name;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CliCost, AnExtremeRunNeedsForce) {
  const fs::path dir = spinel::testing::scratch_folder("spinel_cli_cost_", "force");
  // A timeout far below the round trip: every packet is resent before its
  // ack can come back. One small collective, so that --force runs it fast.
  const fs::path f = write(dir, "rto.yaml",
                           "name: rto\n" + kFabric +
                               "transport: {model: packet, packet: {rto: 1ns}}\n"
                               "workload: {collective: ring_allreduce, size_bytes: 64KiB}\n");
  const Result v = spinel("validate " + f.string());
  EXPECT_EQ(v.status, 0) << v.output;
  EXPECT_TRUE(has(v.output, "warning: " + f.string() + ":4:"));
  EXPECT_TRUE(has(v.output, "transport.packet.rto: a timeout of 1ns")) << v.output;
  EXPECT_TRUE(has(v.output, "(spinel run needs --force)")) << v.output;

  const Result refused = spinel("run --quiet " + f.string() + " --out " + (dir / "o").string());
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_TRUE(has(refused.output, "run it anyway with --force")) << refused.output;
  EXPECT_FALSE(fs::exists(dir / "o" / "summary.json"));

  const Result forced =
      spinel("run --quiet --force " + f.string() + " --out " + (dir / "o").string());
  EXPECT_EQ(forced.status, 0) << forced.output;
  EXPECT_TRUE(fs::exists(dir / "o" / "summary.json"));
}

TEST(CliCost, PastTheClockIsRefusedBeforeRunning) {
  const fs::path dir = spinel::testing::scratch_folder("spinel_cli_cost_", "clock");
  const fs::path f = write(dir, "long.yaml",
                           "name: long\n" + kFabric +
                               "workload: {collective: ring_allreduce, size_bytes: 1GiB, "
                               "compute: 1h, iterations: 1000000}\n");
  for (const std::string cmd : {"validate ", "run --quiet "}) {
    const Result r = spinel(cmd + f.string());
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_TRUE(has(r.output, f.string() + ":4:")) << r.output;
    EXPECT_TRUE(has(r.output, "workload.compute: job job0 needs at least")) << r.output;
  }
}

}  // namespace
