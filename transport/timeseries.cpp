#include "transport/timeseries.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "sim/error.hpp"
#include "sim/units.hpp"
#include "transport/output_columns.hpp"

namespace spinel::transport {

namespace {

bool selected(LinkSelection selection, topology::LinkKind kind) {
  using topology::LinkKind;
  switch (selection) {
    case LinkSelection::all:
      return true;
    case LinkSelection::host:
      return kind == LinkKind::host_up || kind == LinkKind::host_down;
    case LinkSelection::uplinks:
      return topology::is_uplink(kind);
    case LinkSelection::downlinks:
      return topology::is_downlink(kind);
    case LinkSelection::fabric:
      return topology::is_uplink(kind) || topology::is_downlink(kind);
    case LinkSelection::list:
      return false;
  }
  return false;
}

}  // namespace

std::vector<topology::LinkId> selected_links(const topology::Topology& topology,
                                             const TimeseriesConfig& config) {
  std::vector<topology::LinkId> links;
  if (config.links == LinkSelection::list) {
    // The loader checked the names against the fabric's shape.
    const auto by_name = topology.links_by_name();
    for (const std::string& name : config.link_names) {
      const auto it = by_name.find(name);
      if (it == by_name.end()) throw sim::InternalError("timeseries: no link named " + name);
      links.push_back(it->second);
    }
  } else {
    for (topology::LinkId l = 0; l < topology.link_count(); ++l) {
      if (selected(config.links, topology.link(l).kind)) links.push_back(l);
    }
  }
  // Rows come out in link order, whatever order the list gave.
  std::sort(links.begin(), links.end());
  return links;
}

Timeseries::Timeseries(const topology::Topology& topology, const TimeseriesConfig& config)
    : topology_(topology), interval_ps_(config.interval_ps) {
  if (interval_ps_ <= 0) throw sim::InternalError("timeseries interval must be positive");
  track_of_.assign(topology.link_count(), kUntracked);
  for (const topology::LinkId l : selected_links(topology, config)) {
    track_of_[l] = static_cast<std::uint32_t>(tracks_.size());
    tracks_.push_back(Track{l, 0.0, 0, {}});
  }
  if (!tracks_.empty()) {
    limit_ps_ = static_cast<sim::Time>(kMaxRows / tracks_.size()) * interval_ps_;
  }
}

void Timeseries::link_load(sim::Time now, topology::LinkId link, double bytes_per_ps) {
  const std::uint32_t t = track_of_[link];
  if (t == kUntracked) return;
  if (now > limit_ps_) check_rows(now);
  Track& track = tracks_[t];
  integrate(track, now);
  track.load = bytes_per_ps;
}

// Adds the load held since track.since up to `to`, split at interval edges.
void Timeseries::integrate(Track& track, sim::Time to) {
  sim::Time from = track.since;
  track.since = to;
  if (track.load == 0 || from >= to) return;
  auto k = static_cast<std::size_t>(from / interval_ps_);
  while (from < to) {
    const sim::Time edge = std::min(static_cast<sim::Time>(k + 1) * interval_ps_, to);
    if (track.bytes.size() <= k) track.bytes.resize(k + 1, 0.0);
    track.bytes[k] += track.load * static_cast<double>(edge - from);
    from = edge;
    ++k;
  }
}

void Timeseries::check_rows(sim::Time end_ps) const {
  const std::uint64_t intervals =
      static_cast<std::uint64_t>((end_ps + interval_ps_ - 1) / interval_ps_);
  const std::uint64_t rows = intervals * tracks_.size();
  if (rows <= kMaxRows) return;
  throw std::runtime_error(
      "output.timeseries: " + std::to_string(tracks_.size()) + " links x " +
      std::to_string(intervals) + " intervals of " + sim::format_duration_ps(interval_ps_) +
      " (by simulated time " + sim::format_duration_ps(end_ps) + ") exceed the limit of " +
      std::to_string(kMaxRows) +
      " rows of timeseries.csv; use a longer output.timeseries.interval or fewer links");
}

void Timeseries::write(sim::Recorder& recorder, sim::Time end_ps) {
  check_rows(end_ps);
  sim::CsvTable* csv = recorder.table(columns::timeseries);
  if (csv == nullptr) return;
  const auto intervals = static_cast<std::size_t>((end_ps + interval_ps_ - 1) / interval_ps_);
  for (Track& track : tracks_) {
    integrate(track, end_ps);
    track.bytes.resize(intervals, 0.0);
    const topology::Link& link = topology_.link(track.link);
    const std::string name = topology_.link_name(track.link);
    const double capacity = sim::gbps_to_bytes_per_ps(link.rate_gbps);
    for (std::size_t k = 0; k < intervals; ++k) {
      const sim::Time start = static_cast<sim::Time>(k) * interval_ps_;
      const sim::Time end = std::min(start + interval_ps_, end_ps);
      csv->cell(track.link)
          .cell(name)
          .cell(topology::to_string(link.kind))
          .cell(start)
          .cell(end)
          .cell(track.bytes[k])
          .cell(track.bytes[k] / (capacity * static_cast<double>(end - start)))
          .end_row();
    }
  }
}

}  // namespace spinel::transport
