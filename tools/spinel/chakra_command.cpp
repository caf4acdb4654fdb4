#include "tools/spinel/chakra_command.hpp"

#include <iostream>
#include <optional>

#include "tools/spinel/options.hpp"
#include "workloads/chakra/chakra.hpp"

namespace spinel::tools {

namespace {

constexpr std::string_view kHelp =
    R"(Usage: spinel chakra-info PATH_PREFIX [--replicate N] [--dimensions A,B,...]

Reads a Chakra execution trace (ASTRA-sim's input: one file per rank,
PATH_PREFIX.0.et, PATH_PREFIX.1.et, ...) as a scenario's
`workload: {chakra: PATH_PREFIX}` would, and prints what it holds:
  - the ranks (one per file; with --replicate N, N copies of them),
  - the nodes by type, the CPU-side nodes and unknown types that are skipped,
    and the attributes spinel ignores (with how many nodes carry each),
  - the groups (communicators) the collectives run on, from pg_name (the ranks
    whose traces use that name), involved_dim (with --dimensions) or every
    rank, and per group its collectives by kind and size, counted once,
  - the point-to-point sends,
  - the critical-path compute time: the longest chain of COMP nodes the
    dependencies force on one rank, communication counted as free; the run
    cannot be faster.
A malformed trace is reported with its file and byte offset or node id, and
exit status 2.

Options:
  --replicate N        copies of the traced ranks, as the workload's replicate
  --dimensions A,B,..  the network's dimension sizes, for involved_dim

Example:
  spinel chakra-info scenarios/chakra/pipeline
)";

int fail_usage(const std::string& message) {
  std::cerr << "spinel chakra-info: " << message << "\n" << kHelp;
  return 2;
}

std::optional<std::uint32_t> number(const std::string& text) {
  if (text.empty() || text.size() > 7 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(std::stoul(text));
}

}  // namespace

std::string_view chakra_info_help() {
  return kHelp;
}

int cmd_chakra_info(const std::vector<std::string>& args) {
  std::optional<std::string> prefix;
  workloads::chakra::ChakraOptions options;
  Options cli(kHelp, fail_usage, "");
  cli.one_word(prefix, "one path prefix, got");
  cli.value("--replicate", [&options](const std::string& v) -> std::optional<std::string> {
    const auto n = number(v);
    if (!n || *n == 0) return "--replicate takes a positive integer, got '" + v + "'";
    options.replicate = *n;
    return std::nullopt;
  });
  cli.value("--dimensions", [&options](const std::string& v) -> std::optional<std::string> {
    options.dimensions.clear();
    for (std::size_t from = 0; from <= v.size();) {
      const std::size_t comma = std::min(v.find(',', from), v.size());
      const auto n = number(v.substr(from, comma - from));
      if (!n || *n == 0) return "--dimensions takes sizes like 8,4, got '" + v + "'";
      options.dimensions.push_back(*n);
      from = comma + 1;
    }
    return std::nullopt;
  });
  if (const auto status = cli.parse(args)) {
    return *status;
  }
  if (!prefix) return fail_usage("which trace? give its path prefix (PREFIX for PREFIX.0.et)");
  try {
    const workloads::chakra::Trace trace = workloads::chakra::read_trace(*prefix, options);
    workloads::chakra::write_summary(std::cout, *prefix, trace);
  } catch (const workloads::chakra::ChakraError& e) {
    std::cerr << "spinel chakra-info: " << e.what() << "\n";
    return 2;
  }
  return std::cout ? 0 : 1;
}

}  // namespace spinel::tools
