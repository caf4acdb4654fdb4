#include "api/scenario/flows_section.hpp"

#include <filesystem>
#include <string>

#include "sim/units.hpp"
#include "workloads/flows/flow_files.hpp"
#include "workloads/flows/generators.hpp"

namespace spinel::scenario {

namespace {

namespace flows = workloads::flows;
using u32 = std::uint32_t;

// A file named in the scenario, relative to the scenario's folder.
std::string file_path(const Value& x, const char* what) {
  const std::string text = x.is_scalar() ? x.to_string() : std::string();
  if (text.empty()) x.fail(std::string("expected the path of ") + what + ", got " + x.describe());
  std::filesystem::path path(text);
  if (path.is_relative()) path = std::filesystem::path(x.source()).parent_path() / path;
  return path.string();
}

flows::FlowList read_pattern(const Value& v, u32 ranks) {
  flows::PatternConfig c;
  std::optional<Value> size;
  v.read_map({
      {"pattern", Need::required,
       [&](const Value& x) {
         c.pattern = x.to_enum<flows::Pattern>({{"permutation", flows::Pattern::permutation},
                                                {"incast", flows::Pattern::incast},
                                                {"all_to_all", flows::Pattern::all_to_all}});
       }},
      {"size_bytes", Need::required,
       [&](const Value& x) { c.size_bytes = x.to_bytes(1, kMaxSizeBytes); }},
      {"start", Need::optional,
       [&](const Value& x) { c.start_ps = x.to_duration_ps(sim::kSecond * 3600); }},
      {"seed", Need::optional, [&](const Value& x) { c.seed = x.to_uint<std::uint64_t>(); }},
      {"rack_size", Need::optional,
       [&](const Value& x) { c.rack_size = x.to_uint<u32>(1, ranks); }},
      {"receiver", Need::optional,
       [&](const Value& x) { c.receiver = x.to_uint<u32>(0, ranks - 1, "a rank of the job"); }},
      {"senders", Need::optional, [&](const Value& x) { c.senders = x.to_uint<u32>(); }},
  });
  if (const std::string e = flows::problem(c, ranks); !e.empty()) v.fail(e);
  return flows::generate(c, ranks);
}

flows::FlowList connection_matrix_flows(const Value& v) {
  flows::MatrixOptions options;
  if (!v.is_map()) {
    try {
      return flows::read_connection_matrix(file_path(v, "an htsim connection matrix (.cm)"),
                                           options);
    } catch (const flows::FlowFileError& e) {
      v.fail(e.what());
    }
  }
  std::optional<Value> path;
  v.read_map({
      {"path", Need::required, [&](const Value& x) { path = x; }},
      {"start_unit", Need::optional,
       [&](const Value& x) {
         options.start_unit_ps =
             x.to_enum<sim::Time>({{"us", sim::kMicrosecond}, {"ns", sim::kNanosecond}, {"ps", 1}});
       }},
      {"size_bytes", Need::optional,
       [&](const Value& x) { options.default_size_bytes = x.to_bytes(1, kMaxSizeBytes); }},
  });
  try {
    return flows::read_connection_matrix(file_path(*path, "an htsim connection matrix (.cm)"),
                                         options);
  } catch (const flows::FlowFileError& e) {
    path->fail(e.what());
  }
}

}  // namespace

void check_flow_job(const GraphKeys& graph, const std::optional<Value>& compute_scale,
                    const std::optional<Value>& iterations) {
  for (const auto& key : {graph.program, graph.transformer, graph.parallel, graph.groups,
                          compute_scale, iterations}) {
    if (key) {
      key->fail_at_key(
          "a job of flows (flows or connection_matrix) runs its flows once; this key is for "
          "collective jobs and programs");
    }
  }
}

std::shared_ptr<const workloads::graph::Program> read_flows(const FlowKeys& keys, u32 ranks) {
  if (keys.flows && keys.connection_matrix) {
    keys.connection_matrix->fail_at_key("give either flows or a connection_matrix, not both");
  }
  const Value& where = keys.flows ? *keys.flows : *keys.connection_matrix;
  flows::FlowList list;
  if (keys.connection_matrix) {
    list = connection_matrix_flows(*keys.connection_matrix);
  } else if (keys.flows->is_map()) {
    list = read_pattern(*keys.flows, ranks);
  } else {
    try {
      list = flows::read_csv(file_path(*keys.flows, "a CSV flow list, or a pattern"));
    } catch (const flows::FlowFileError& e) {
      keys.flows->fail(e.what());
    }
  }
  try {
    flows::check(list, ranks);
  } catch (const flows::FlowFileError& e) {
    where.fail(e.what());
  }
  auto program = std::make_shared<workloads::graph::Program>(flows::make_program(list, ranks));
  if (const std::string e = workloads::graph::validate(*program); !e.empty()) {
    where.fail("the flows do not make a valid program: " + e);
  }
  return program;
}

}  // namespace spinel::scenario
