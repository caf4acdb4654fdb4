#pragma once
// A job's Chakra keys: `chakra` (the traces' path prefix, relative to the
// scenario file), `replicate` and `dimensions`, read into the job's
// workload graph (workloads/chakra/chakra.hpp). The trace's problems are
// reported at `chakra`, quoting the reader's file, byte offset or node id.
#include <cstdint>
#include <optional>

#include "api/scenario/yaml_reader.hpp"
#include "workloads/config.hpp"

namespace spinel::scenario {

struct ChakraKeys {
  std::optional<Value> chakra;
  std::optional<Value> replicate;
  std::optional<Value> dimensions;
  [[nodiscard]] bool any() const { return chakra.has_value(); }
};

// Reads the trace into w.program. The job's rank count is the trace's:
// without `hosts` or a placement list the job gets trace ranks /
// `gpus_per_server` hosts (of the `placeable` ones); with them the two must
// agree. `hosts` is the job's `hosts` key, if given.
void read_chakra(const ChakraKeys& keys, const std::optional<Value>& hosts,
                 std::uint32_t gpus_per_server, std::uint32_t placeable,
                 workloads::WorkloadConfig& w);

}  // namespace spinel::scenario
