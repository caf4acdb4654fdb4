#pragma once
// Per-interval counters of selected ports at packet level, written as
// timeseries.csv in the flow level's shape (link, interval, bytes,
// utilisation) plus the queue and its events: the largest queue in the
// interval, drops, ECN marks and PAUSEs that took effect.
//
// The engine calls the hooks only when a series was asked for; a port that
// is not selected costs one lookup.
#include <cstdint>
#include <vector>

#include "sim/recorder.hpp"
#include "sim/time.hpp"
#include "topology/topology.hpp"

namespace spinel::transport {

class PortSeries {
 public:
  // Rows are ports x intervals; beyond this the run stops with an error
  // saying how to shrink it (as the flow level's timeseries.csv).
  static constexpr std::uint64_t kMaxRows = 5'000'000;

  PortSeries(const topology::Topology& topology, sim::Time interval_ps,
             std::vector<topology::LinkId> links);

  // `bytes` serialised at a constant rate over [start, end).
  void sent(topology::LinkId link, sim::Time start, sim::Time end, std::uint64_t bytes) {
    if (track_of_[link] != kUntracked) add_sent(tracks_[track_of_[link]], start, end, bytes);
  }
  // A packet joined (or was refused by) a queue holding `queue_bytes`, itself included.
  void queued(topology::LinkId link, sim::Time now, std::uint64_t queue_bytes);
  void dropped(topology::LinkId link, sim::Time now) {
    if (track_of_[link] != kUntracked) ++cell(tracks_[track_of_[link]], now).drops;
  }
  void marked(topology::LinkId link, sim::Time now) {
    if (track_of_[link] != kUntracked) ++cell(tracks_[track_of_[link]], now).ecn_marks;
  }
  void paused(topology::LinkId link, sim::Time now) {
    if (track_of_[link] != kUntracked) ++cell(tracks_[track_of_[link]], now).pauses;
  }

  // timeseries.csv, every selected port and every interval up to `end_ps`.
  void write(sim::Recorder& recorder, sim::Time end_ps);

 private:
  struct Cell {
    double bytes = 0;
    std::uint64_t max_queue_bytes = 0;
    std::uint32_t drops = 0;
    std::uint32_t ecn_marks = 0;
    std::uint32_t pauses = 0;
  };
  struct Track {
    topology::LinkId link = 0;
    double bytes_per_ps = 0;  // the port's line rate: how a queue drains
    std::vector<Cell> cells;  // per interval, from interval 0
    // The queue after the last arrival, and when: intervals without
    // arrivals get what was left of it at their start.
    std::uint64_t last_queue_bytes = 0;
    sim::Time last_arrival_ps = 0;
    std::size_t filled = 0;  // intervals before this have their drained queue
  };
  static constexpr std::uint32_t kUntracked = ~std::uint32_t{0};

  Cell& cell(Track& track, sim::Time at);
  void add_sent(Track& track, sim::Time start, sim::Time end, std::uint64_t bytes);
  // Intervals up to (not including) `k` get the drained queue at their start.
  void fill_drained(Track& track, std::size_t k);
  void check_rows(std::size_t intervals) const;

  const topology::Topology& topology_;
  sim::Time interval_ps_;
  std::vector<std::uint32_t> track_of_;
  std::vector<Track> tracks_;
};

}  // namespace spinel::transport
