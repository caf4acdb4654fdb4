#pragma once
// timeseries.csv: the load of selected directed links, integrated over fixed
// intervals of simulated time. Hears loads from the flow model (an observer)
// and integrates them exactly as the model holds them: piecewise constant.
// (At packet level the engine counts per port itself: port_series.hpp.)
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/recorder.hpp"
#include "topology/topology.hpp"
#include "transport/flow_observer.hpp"

namespace spinel::transport {

// Which directed links timeseries.csv covers.
enum class LinkSelection {
  all,        // every directed link
  host,       // host_up and host_down (the NICs)
  uplinks,    // leaf_up (leaf -> spine or agg) and agg_up (agg -> core)
  downlinks,  // spine_down (spine -> leaf), agg_down (agg -> leaf) and core_down (core -> agg)
  fabric,     // uplinks and downlinks: every switch-to-switch link
  list,       // the links named in TimeseriesConfig::link_names
};

constexpr std::string_view to_string(LinkSelection links) {
  switch (links) {
    case LinkSelection::all:
      return "all";
    case LinkSelection::host:
      return "host";
    case LinkSelection::uplinks:
      return "uplinks";
    case LinkSelection::downlinks:
      return "downlinks";
    case LinkSelection::fabric:
      return "fabric";
    case LinkSelection::list:
      return "list";
  }
  return "all";
}

// A scenario's output.timeseries.
struct TimeseriesConfig {
  bool enabled = false;
  sim::Time interval_ps = 0;
  LinkSelection links = LinkSelection::all;
  std::vector<std::string> link_names;  // for LinkSelection::list, as links.csv names them
};

// The links a timeseries selection names, in link order.
std::vector<topology::LinkId> selected_links(const topology::Topology& topology,
                                             const TimeseriesConfig& config);

class Timeseries final : public FlowObserver {
 public:
  // Rows are links x intervals; beyond this the run stops with an error
  // saying how to shrink it (a longer interval, fewer links).
  static constexpr std::uint64_t kMaxRows = 5'000'000;

  Timeseries(const topology::Topology& topology, const TimeseriesConfig& config);

  void link_load(sim::Time now, topology::LinkId link, double bytes_per_ps) override;
  void flow_completed(sim::Time, const FlowRecord&) override {}

  // Writes timeseries.csv: every selected link, every interval from 0 to
  // `end_ps` (the last one ends at end_ps).
  void write(sim::Recorder& recorder, sim::Time end_ps);

 private:
  struct Track {
    topology::LinkId link;
    double load = 0;  // bytes per ps since `since`
    sim::Time since = 0;
    std::vector<double> bytes;  // per interval, from interval 0
  };
  static constexpr std::uint32_t kUntracked = ~std::uint32_t{0};

  void integrate(Track& track, sim::Time to);
  void check_rows(sim::Time end_ps) const;

  const topology::Topology& topology_;
  sim::Time interval_ps_;
  std::vector<std::uint32_t> track_of_;  // link -> index in tracks_, or kUntracked
  std::vector<Track> tracks_;
  sim::Time limit_ps_ = 0;  // the run may reach this time before rows exceed kMaxRows
};

}  // namespace spinel::transport
