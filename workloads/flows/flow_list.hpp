#pragma once
// A flow list: point-to-point flows between a job's ranks, each starting at
// a time or when a trigger fires, and triggers that flows signal when they
// are delivered. What CSV flow lists (ns-3 and notebooks), htsim's
// connection matrices and the traffic generators describe; make_program
// turns one into a workload graph (workloads/graph/program.hpp), so that it
// runs like any other job.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/time.hpp"
#include "workloads/graph/program.hpp"

namespace spinel::workloads::flows {

// A file that cannot be read as a flow list: "FILE:LINE: what is wrong".
class FlowFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class TriggerKind : std::uint8_t {
  oneshot,    // fires once, at its first signal: starts all its flows
  multishot,  // its k-th signal starts its k-th flow (in file order)
  barrier,    // fires once `count` signals came: starts all its flows
};

struct Trigger {
  std::uint32_t id = 0;
  TriggerKind kind = TriggerKind::oneshot;
  std::uint32_t count = 0;  // barrier
  std::size_t line = 0;     // where it was declared (0: made by a reader)
};

struct Flow {
  std::uint32_t id = 0;  // the user's; becomes the send's tag and flows.csv's `tag`
  std::uint32_t src = 0;
  std::uint32_t dst = 0;
  std::uint64_t size_bytes = 0;
  sim::Time start_ps = 0;     // after the job's start; with a trigger: not before this either
  std::uint32_t trigger = 0;  // 0: none; else starts when this trigger fires
  // Triggers it signals once delivered (0: none). spinel's transports tell
  // the sender and the receiver at the same moment, so both signal together.
  std::uint32_t send_done_trigger = 0;
  std::uint32_t recv_done_trigger = 0;
  std::size_t line = 0;  // in its file (0: generated)
};

struct FlowList {
  std::string source;       // the file, for errors
  std::uint32_t nodes = 0;  // ranks the job needs at least (htsim's Nodes; 0: not given)
  std::size_t nodes_line = 0;
  std::vector<Flow> flows;
  std::vector<Trigger> triggers;
};

// Checks a list against a job of `ranks` ranks: ids unique, ranks in range,
// every trigger referenced declared, every triggered flow able to start
// (a barrier with fewer signallers than its count, a cycle of triggers).
// Throws FlowFileError located at the flow's or trigger's line.
void check(const FlowList& list, std::uint32_t ranks);

// The workload graph of a checked list on `ranks` ranks: per flow a send at
// its source and a receive at its destination, tagged with the flow's id,
// each on a connection of its own; triggers become wait ops joined by cross
// dependencies.
[[nodiscard]] graph::Program make_program(const FlowList& list, std::uint32_t ranks);

}  // namespace spinel::workloads::flows
