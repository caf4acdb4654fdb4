#include "api/scenario/chakra_section.hpp"

#include <filesystem>

#include "workloads/chakra/chakra.hpp"

namespace spinel::scenario {

namespace {

using u32 = std::uint32_t;

constexpr u32 kMaxReplicate = 1u << 16;
constexpr std::size_t kMaxDimensions = 8;

}  // namespace

void read_chakra(const ChakraKeys& keys, const std::optional<Value>& hosts, u32 gpus_per_server,
                 u32 placeable, workloads::WorkloadConfig& w) {
  const Value& at = *keys.chakra;
  const std::string text = at.to_string();
  if (text.empty()) {
    at.fail(
        "expected the traces' path prefix, e.g. traces/job for traces/job.0.et, "
        "traces/job.1.et, ...; got " +
        at.describe());
  }
  std::filesystem::path prefix(text);
  if (prefix.is_relative()) prefix = std::filesystem::path(at.source()).parent_path() / prefix;
  workloads::chakra::ChakraOptions options;
  if (keys.replicate) options.replicate = keys.replicate->to_uint<u32>(1, kMaxReplicate);
  if (keys.dimensions) {
    const Value& d = *keys.dimensions;
    if (!d.is_list() || d.to_list().empty() || d.to_list().size() > kMaxDimensions) {
      d.fail(
          "expected the sizes of the network's dimensions (for involved_dim), the first "
          "varying fastest over the ranks, e.g. [8, 4]; got " +
          d.describe());
    }
    for (const Value& x : d.to_list()) options.dimensions.push_back(x.to_uint<u32>(1, 1u << 20));
  }
  workloads::chakra::Trace trace;
  try {
    trace = workloads::chakra::read_trace(prefix.string(), options);
  } catch (const workloads::chakra::ChakraError& e) {
    at.fail(e.what());
  }
  const u32 ranks = trace.program.rank_count();
  const bool listed = w.placement == workloads::Placement::explicit_list;
  if (listed || (hosts && w.hosts != 0)) {
    const u32 given = gpus_per_server * (listed ? static_cast<u32>(w.ranks.size()) : w.hosts);
    if (given != ranks) {
      (hosts ? *hosts : at)
          .fail("the job has " + std::to_string(given) +
                " ranks (hosts times GPUs per server), the trace " + std::to_string(ranks) +
                "; leave hosts out to take the trace's, or make them agree");
    }
  } else {
    if (ranks % gpus_per_server != 0 || ranks / gpus_per_server > placeable ||
        ranks / gpus_per_server < 2) {
      at.fail("the trace has " + std::to_string(ranks) + " ranks, which do not fill from 2 to " +
              std::to_string(placeable) + " hosts of " + std::to_string(gpus_per_server) +
              " GPUs each");
    }
    w.hosts = ranks / gpus_per_server;
  }
  w.program = std::make_shared<const workloads::graph::Program>(std::move(trace.program));
}

}  // namespace spinel::scenario
