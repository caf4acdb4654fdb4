#pragma once
// Flow lists from files: CSV flow lists (ns-3 users' and notebooks') and
// htsim's connection matrices (.cm). Both throw FlowFileError located at
// FILE:LINE; neither checks ranks against a job (flows::check does).
#include <cstdint>
#include <string>

#include "workloads/flows/flow_list.hpp"

namespace spinel::workloads::flows {

// CSV with a header naming the columns, in any order: src, dst, size_bytes,
// start_ps, and optionally id (default: the row's number, from 1) and after
// (the id of a flow whose delivery starts this one, on top of start_ps;
// empty: none). Blank lines and lines starting with '#' are skipped.
[[nodiscard]] FlowList parse_csv(const std::string& text, const std::string& source);
[[nodiscard]] FlowList read_csv(const std::string& path);

// What a connection matrix leaves to the simulator that reads it.
struct MatrixOptions {
  // The unit of `start`: htsim's writer prints microseconds, some of its
  // generators picoseconds.
  sim::Time start_unit_ps = 1'000'000;
  // The size of connections of `size 0` (htsim's long-running flows, which
  // spinel cannot run); 0: such a connection is an error.
  std::uint64_t default_size_bytes = 0;
};

// htsim's format: `Nodes N`, `Connections C`, optional `Triggers T` and
// `Failures F` (which must be 0: spinel's faults are a scenario section),
// then connections `SRC->DST` with key/value tokens (id, start, size,
// trigger, send_done_trigger, recv_done_trigger; prio and msg read and
// ignored; addon ignored) and triggers `trigger id ID oneshot|multishot|
// barrier [count K]`. Connections without an id get ids above every given
// one, in file order.
[[nodiscard]] FlowList parse_connection_matrix(const std::string& text, const std::string& source,
                                               const MatrixOptions& options);
[[nodiscard]] FlowList read_connection_matrix(const std::string& path,
                                              const MatrixOptions& options);

}  // namespace spinel::workloads::flows
