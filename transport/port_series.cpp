#include "transport/port_series.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "sim/error.hpp"
#include "sim/units.hpp"
#include "transport/output_columns.hpp"

namespace spinel::transport {

PortSeries::PortSeries(const topology::Topology& topology, sim::Time interval_ps,
                       std::vector<topology::LinkId> links)
    : topology_(topology), interval_ps_(interval_ps) {
  if (interval_ps_ <= 0) throw sim::InternalError("timeseries interval must be positive");
  track_of_.assign(topology.link_count(), kUntracked);
  std::sort(links.begin(), links.end());  // rows in link order
  for (const topology::LinkId l : links) {
    track_of_[l] = static_cast<std::uint32_t>(tracks_.size());
    Track track;
    track.link = l;
    track.bytes_per_ps = sim::gbps_to_bytes_per_ps(topology.link(l).rate_gbps);
    tracks_.push_back(std::move(track));
  }
}

void PortSeries::check_rows(std::size_t intervals) const {
  const std::uint64_t rows = std::uint64_t{intervals} * tracks_.size();
  if (rows <= kMaxRows) return;
  throw std::runtime_error(
      "output.timeseries: " + std::to_string(tracks_.size()) + " links x " +
      std::to_string(intervals) + " intervals of " + sim::format_duration_ps(interval_ps_) +
      " exceed the limit of " + std::to_string(kMaxRows) +
      " rows of timeseries.csv; use a longer output.timeseries.interval or fewer links");
}

PortSeries::Cell& PortSeries::cell(Track& track, sim::Time at) {
  const auto k = static_cast<std::size_t>(at / interval_ps_);
  if (k >= track.cells.size()) {
    check_rows(k + 1);
    track.cells.resize(k + 1);
  }
  return track.cells[k];
}

// Split at interval edges in proportion to time, as the flow level
// integrates a load: summed over intervals a port's bytes are its bytes in
// links.csv (up to floating point).
void PortSeries::add_sent(Track& track, sim::Time start, sim::Time end, std::uint64_t bytes) {
  if (end <= start) {
    cell(track, start).bytes += static_cast<double>(bytes);
    return;
  }
  const double per_ps = static_cast<double>(bytes) / static_cast<double>(end - start);
  sim::Time from = start;
  while (from < end) {
    const sim::Time edge = std::min((from / interval_ps_ + 1) * interval_ps_, end);
    cell(track, from).bytes += per_ps * static_cast<double>(edge - from);
    from = edge;
  }
}

void PortSeries::fill_drained(Track& track, std::size_t k) {
  if (k > track.cells.size()) {
    check_rows(k);
    track.cells.resize(k);
  }
  for (std::size_t j = track.filled; j < k; ++j) {
    const sim::Time start = static_cast<sim::Time>(j) * interval_ps_;
    const double drained = track.bytes_per_ps * static_cast<double>(std::max<sim::Time>(
                                                    0, start - track.last_arrival_ps));
    const double left = static_cast<double>(track.last_queue_bytes) - drained;
    if (left > 0) {
      track.cells[j].max_queue_bytes =
          std::max(track.cells[j].max_queue_bytes, static_cast<std::uint64_t>(left));
    }
  }
  track.filled = std::max(track.filled, k);
}

void PortSeries::queued(topology::LinkId link, sim::Time now, std::uint64_t queue_bytes) {
  if (track_of_[link] == kUntracked) return;
  Track& track = tracks_[track_of_[link]];
  const auto k = static_cast<std::size_t>(now / interval_ps_);
  fill_drained(track, k + 1);
  Cell& c = track.cells[k];
  c.max_queue_bytes = std::max(c.max_queue_bytes, queue_bytes);
  track.last_queue_bytes = queue_bytes;
  track.last_arrival_ps = now;
}

void PortSeries::write(sim::Recorder& recorder, sim::Time end_ps) {
  const auto intervals = static_cast<std::size_t>((end_ps + interval_ps_ - 1) / interval_ps_);
  check_rows(intervals);
  sim::CsvTable* csv = recorder.table(columns::packet_timeseries);
  if (csv == nullptr) return;
  for (Track& track : tracks_) {
    fill_drained(track, intervals);
    track.cells.resize(std::max(track.cells.size(), intervals));
    const topology::Link& link = topology_.link(track.link);
    const std::string name = topology_.link_name(track.link);
    for (std::size_t k = 0; k < intervals; ++k) {
      const sim::Time start = static_cast<sim::Time>(k) * interval_ps_;
      const sim::Time end = std::min(start + interval_ps_, end_ps);
      const Cell& c = track.cells[k];
      csv->cell(track.link)
          .cell(name)
          .cell(topology::to_string(link.kind))
          .cell(start)
          .cell(end)
          .cell(c.bytes)
          .cell(c.bytes / (track.bytes_per_ps * static_cast<double>(end - start)))
          .cell(c.max_queue_bytes)
          .cell(c.drops)
          .cell(c.ecn_marks)
          .cell(c.pauses)
          .end_row();
    }
  }
}

}  // namespace spinel::transport
