#include "tools/spinel/topology_command.hpp"

#include <fstream>
#include <iostream>
#include <optional>

#include "api/scenario/scenario.hpp"
#include "tools/spinel/options.hpp"
#include "topology/fabric_file.hpp"
#include "topology/topology.hpp"

namespace spinel::tools {

namespace {

constexpr std::string_view kHelp =
    R"(Usage: spinel topology FILE --export graphml|dot [--out PATH]

Builds the fabric of scenario FILE (any kind but wan) and writes it as a graph
file: every node with its name and role (host, leaf, spine, agg, core or
switch), every cable once with rate_gbps and latency_ns. A scenario reads it
back with `topology: {kind: file, path: PATH}` (docs/scenario-reference.md),
so a preset can be the start of a hand-edited fabric. Writes to stdout
unless --out names a file.

Example:
  spinel topology scenarios/quickstart.yaml --export graphml --out fabric.graphml
)";

int fail_usage(const std::string& message) {
  std::cerr << "spinel topology: " << message << "\n" << kHelp;
  return 2;
}

}  // namespace

std::string_view topology_help() {
  return kHelp;
}

int cmd_topology(const std::vector<std::string>& args) {
  std::optional<std::string> file;
  std::optional<topology::GraphFormat> format;
  std::optional<std::string> out_path;
  Options cli(kHelp, fail_usage, "");
  cli.one_word(file, "one scenario file, got");
  cli.choice<std::optional<topology::GraphFormat>>(
      "--export", format,
      {{"graphml", topology::GraphFormat::graphml}, {"dot", topology::GraphFormat::dot}});
  cli.text("--out", out_path);
  if (const auto status = cli.parse(args)) {
    return *status;
  }
  if (!file) return fail_usage("which scenario file?");
  if (!format) return fail_usage("--export graphml or --export dot");
  const scenario::Scenario s = scenario::load_file(*file);
  if (s.wan) {
    std::cerr << "spinel topology: " << *file << ": a wan topology cannot be exported yet\n";
    return 1;
  }
  const topology::Topology built = topology::build_fabric(s.topology);
  if (!out_path) {
    topology::write_fabric(built, *format, std::cout);
    return std::cout ? 0 : 1;
  }
  std::ofstream out(*out_path, std::ios::binary);
  if (out) topology::write_fabric(built, *format, out);
  out.close();
  if (!out) {
    std::cerr << "spinel topology: cannot write " << *out_path << "\n";
    return 1;
  }
  return 0;
}

}  // namespace spinel::tools
