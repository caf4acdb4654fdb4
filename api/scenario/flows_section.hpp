#pragma once
// A job's flow-list keys: `flows` (a CSV flow list, or a generated pattern)
// and `connection_matrix` (an htsim .cm file), read into a graph::Program.
// The files' own errors come as FILE:LINE inside the scenario's located
// error.
#include <cstdint>
#include <memory>
#include <optional>

#include "api/scenario/graph_section.hpp"
#include "api/scenario/yaml_reader.hpp"
#include "workloads/graph/program.hpp"

namespace spinel::scenario {

struct FlowKeys {
  std::optional<Value> flows;
  std::optional<Value> connection_matrix;
  [[nodiscard]] bool any() const { return flows || connection_matrix; }
};

// A flow list is the whole job: refuses a program, groups, compute_scale and
// iterations beside it, at their keys.
void check_flow_job(const GraphKeys& graph, const std::optional<Value>& compute_scale,
                    const std::optional<Value>& iterations);

// The program of a job of `ranks` ranks.
std::shared_ptr<const workloads::graph::Program> read_flows(const FlowKeys& keys,
                                                            std::uint32_t ranks);

}  // namespace spinel::scenario
