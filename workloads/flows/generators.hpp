#pragma once
// Flow lists of the common traffic patterns, generated in the scenario
// (`workload.flows: {pattern: ...}`) rather than written to a file: what
// htsim's matrix generators and spinel's packet benchmark run.
#include <cstdint>
#include <string>

#include "sim/time.hpp"
#include "workloads/flows/flow_list.hpp"

namespace spinel::workloads::flows {

enum class Pattern : std::uint8_t {
  permutation,  // every rank sends to one other, each rank receives once
  incast,       // `senders` ranks send to `receiver` at once
  all_to_all,   // every rank sends to every other at once
};

struct PatternConfig {
  Pattern pattern = Pattern::permutation;
  std::uint64_t size_bytes = 0;  // of every flow
  sim::Time start_ps = 0;        // of every flow
  // permutation: the shuffle's seed, and (above 0) racks of this many
  // consecutive ranks that no flow stays inside.
  std::uint64_t seed = 1;
  std::uint32_t rack_size = 0;
  // incast: the receiver, and the senders: the `senders` ranks after it
  // (wrapping around).
  std::uint32_t receiver = 0;
  std::uint32_t senders = 0;
};

// What is wrong with `c` on `ranks` ranks ("" when nothing), naming the key.
[[nodiscard]] std::string problem(const PatternConfig& c, std::uint32_t ranks);

// The pattern's flows, ids from 1 in source order (permutation: rank r's flow
// is id r + 1).
[[nodiscard]] FlowList generate(const PatternConfig& c, std::uint32_t ranks);

}  // namespace spinel::workloads::flows
