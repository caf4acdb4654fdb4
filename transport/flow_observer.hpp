#pragma once
// An optional listener on the flow model, for traces and link time series.
// The model calls it only when one is set (one predictable branch per
// recomputation or completion otherwise), so runs that do not trace pay
// nothing for it. Implementations: transport/timeseries.hpp, api/trace.hpp,
// a library user's own (api::RunOptions::flow_observers).
#include <cstdint>

#include "sim/time.hpp"
#include "topology/topology.hpp"

namespace spinel::transport {

// A completed flow, as flows.csv describes it.
struct FlowRecord {
  std::uint64_t flow_id = 0;  // start order of the workload's flow (its subflows share it)
  std::uint32_t collective = 0;
  std::uint32_t step = 0;
  topology::HostId src_host = 0;
  topology::HostId dst_host = 0;
  std::uint64_t size_bytes = 0;
  sim::Time start_ps = 0;
  sim::Time end_ps = 0;       // last byte delivered
  std::uint32_t subflow = 0;  // which of its connection's subflows carried these bytes
};

class FlowObserver {
 public:
  virtual ~FlowObserver() = default;
  // The load of a physical directed link (bytes per ps, 0 ... capacity) is
  // `bytes_per_ps` from `now` on. Calls come in time order; a link may be
  // reported several times at one instant, and the last report holds.
  virtual void link_load(sim::Time now, topology::LinkId link, double bytes_per_ps) = 0;
  // A flow sent its last byte at `now` (its record ends at delivery, later).
  virtual void flow_completed(sim::Time now, const FlowRecord& flow) = 0;
};

}  // namespace spinel::transport
