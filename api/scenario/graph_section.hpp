#pragma once
// A job's workload graph keys: `parallel` and `groups` (its communicators)
// and `program` (the ops every rank runs), read into a graph::Program.
// Errors are located like every other key's.
#include <cstdint>
#include <memory>
#include <optional>

#include "api/scenario/yaml_reader.hpp"
#include "sim/json.hpp"
#include "workloads/graph/program.hpp"

namespace spinel::scenario {

struct GraphKeys {
  std::optional<Value> parallel;
  std::optional<Value> groups;
  std::optional<Value> program;
  std::optional<Value> transformer;  // the hybrid-parallel transformer generator's keys
  [[nodiscard]] bool any() const { return program || transformer; }
};

// A collective's kind, by name (`collective:` of a job or of a program op).
workloads::Collective read_collective(const Value& v);

// The program of one iteration of a job of `ranks` ranks: from `program`
// (with `parallel` and `groups`) or from the `transformer` generator (with
// `parallel`).
std::shared_ptr<const workloads::graph::Program> read_graph(const GraphKeys& keys,
                                                            std::uint32_t ranks);
// What a graph job's program holds, for the resolved scenario in summary.json.
sim::Json graph_to_json(const workloads::graph::Program& program);

}  // namespace spinel::scenario
