#include "workloads/collective.hpp"

#include <algorithm>

#include "sim/error.hpp"
#include "sim/rng.hpp"
#include "sim/units.hpp"

namespace spinel::workloads {

CollectiveRun::CollectiveRun(sim::Simulator& sim, transport::Transport& transport,
                             std::vector<topology::HostId> hosts,
                             std::shared_ptr<const Schedule> schedule,
                             const CollectiveOptions& options)
    : sim_(sim),
      transport_(transport),
      self_(sim.add_handler(*this)),
      hosts_(std::move(hosts)),
      schedule_(std::move(schedule)),
      options_(options),
      n_(schedule_->ranks()),
      steps_(schedule_->steps()) {
  if (hosts_.size() != n_) throw sim::InternalError("collective: one host per rank needed");
  if (!options_.server_of_rank.empty() &&
      (options_.server_of_rank.size() != n_ || options_.nvlink_gbps <= 0)) {
    throw sim::InternalError("collective: one server per rank and an NVLink rate needed");
  }
  if (options_.iterations == 0 || options_.buckets == 0) {
    throw sim::InternalError("collective: no iterations or no buckets");
  }
  if (n_ > kMaxRanks || steps_ > kMaxSteps) {
    throw sim::InternalError("collective: too many ranks or steps to name a transfer in 64 bits");
  }
  ranks_.resize(n_);
  entered_ps_.assign(n_, 0);
  open_connections();
}

// Every pair's connection is a long-lived queue pair whose source port (the
// entropy ECMP hashes) is fixed for the collective's life and differs per
// pair and phase.
void CollectiveRun::open_connections() {
  std::vector<Transfer> pairs;
  std::vector<transport::ConnectionSpec> specs;
  std::vector<transport::Load> loads;
  std::unordered_map<topology::HostId, std::uint32_t> queue_pairs;
  phases_.resize(schedule_->phases());
  phase_congestion_ps_.assign(phases_.size(), 0);
  for (std::uint32_t p = 0; p < phases_.size(); ++p) {
    pairs.clear();
    schedule_->phase_pairs(p, pairs);
    // Pairs inside a server talk over NVLink: no connection, no fabric load.
    std::erase_if(pairs, [&](const Transfer& t) { return over_nvlink(t); });
    std::sort(pairs.begin(), pairs.end(), [](const Transfer& a, const Transfer& b) {
      return a.src != b.src ? a.src < b.src : a.dst < b.dst;
    });
    specs.clear();
    for (const Transfer& t : pairs) {
      if (t.src >= n_ || t.dst >= n_) throw sim::InternalError("schedule: rank out of range");
      const std::uint64_t key = sim::mix64((std::uint64_t{options_.first_id} << 32) | p) ^
                                sim::mix64((std::uint64_t{t.src} << 32) | t.dst);
      transport::ConnectionSpec spec;
      spec.src = hosts_[t.src];
      spec.dst = hosts_[t.dst];
      spec.src_port = static_cast<std::uint16_t>(49152 + key % 16384);
      spec.planned_bytes = t.bytes;
      specs.push_back(spec);
    }
    const std::vector<transport::ConnectionId> ids = transport_.connect_group(specs);
    PhaseConnections& phase = phases_[p];
    phase.row.assign(n_ + 1, 0);
    phase.peers.reserve(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      ++phase.row[pairs[i].src + 1];
      phase.peers.emplace_back(pairs[i].dst, ids[i]);
    }
    for (std::uint32_t r = 0; r < n_; ++r) phase.row[r + 1] += phase.row[r];
    loads.clear();
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      loads.push_back(transport::Load{ids[i], pairs[i].bytes});
      queue_pairs[specs[i].src] += transport_.queue_pairs(ids[i]);
    }
    phase_congestion_ps_[p] = transport_.max_congestion_ps(loads);
    max_congestion_ps_ = std::max(max_congestion_ps_, phase_congestion_ps_[p]);
  }
  for (std::uint32_t step = 0; step < steps_; ++step) {
    congestion_bound_ps_ += phase_congestion_ps_[schedule_->phase_of(step)];
  }
  for (const auto& [host, count] : queue_pairs) {
    max_queue_pairs_per_host_ = std::max(max_queue_pairs_per_host_, count);
  }
}

transport::ConnectionId CollectiveRun::connection(std::uint32_t phase, std::uint32_t src,
                                                  std::uint32_t dst) const {
  const PhaseConnections& p = phases_[phase];
  const auto first = p.peers.begin() + p.row[src];
  const auto last = p.peers.begin() + p.row[src + 1];
  const auto it = std::lower_bound(
      first, last, dst, [](const auto& entry, std::uint32_t d) { return entry.first < d; });
  if (it == last || it->first != dst) {
    throw sim::InternalError("schedule: a step sends on a pair its phase does not list");
  }
  return it->second;
}

void CollectiveRun::start(sim::Time at) {
  sim_.schedule_at(at, self_, kStartIteration, 0);
}

void CollectiveRun::begin_iteration() {
  iteration_start_ = sim_.now();
  ranks_finished_ = 0;
  for (RankState& state : ranks_) state = RankState{};
  far_ahead_.clear();
  const auto index = static_cast<std::uint32_t>(results_.size());
  if (monitor_ != nullptr) {
    monitor_->collective_opened(options_.job, index, index % options_.buckets, iteration_start_);
  }
  std::uint32_t entered = 0;
  for (std::uint32_t r = 0; r < n_; ++r) {
    const sim::Time ready =
        gate_ == nullptr ? iteration_start_ : gate_->ready_at(r, index, iteration_start_);
    if (ready <= iteration_start_) {
      ranks_[r].entered = true;
      entered_ps_[r] = iteration_start_;
      if (monitor_ != nullptr) monitor_->rank_entered(options_.job, index, r, iteration_start_);
      enter_step(r);
      ++entered;
    } else if (ready != sim::kForever) {
      sim_.schedule_at(ready, self_, kEnterRank, r);
    }
  }
  if (entered == 0) return;
  for (std::uint32_t r = 0; r < n_; ++r) {
    if (ranks_[r].entered) try_advance(r);
  }
}

void CollectiveRun::enter_rank(std::uint32_t rank) {
  ranks_[rank].entered = true;
  entered_ps_[rank] = sim_.now();
  if (monitor_ != nullptr) {
    monitor_->rank_entered(options_.job, static_cast<std::uint32_t>(results_.size()), rank,
                           sim_.now());
  }
  enter_step(rank);
  try_advance(rank);
}

std::uint32_t& CollectiveRun::ahead_slot(RankState& state, std::uint32_t step) {
  return state.ahead[step % kAhead];
}

// Starts the rank's sends of its current step, and takes in the receipts
// that arrived for it early.
void CollectiveRun::enter_step(std::uint32_t rank) {
  RankState& state = ranks_[rank];
  const std::uint32_t step = state.step;
  state.step_start = sim_.now();
  std::uint32_t& early = ahead_slot(state, step);
  state.received = early;
  early = 0;
  if (!far_ahead_.empty()) {
    const std::uint64_t key = (std::uint64_t{rank} << 32) | (step + kAhead - 1);
    // The receipt for step + kAhead - 1 now has a slot: move it in from the map.
    const auto it = far_ahead_.find(key);
    if (it != far_ahead_.end()) {
      ahead_slot(state, step + kAhead - 1) += it->second;
      far_ahead_.erase(it);
    }
  }
  scratch_.clear();
  schedule_->sends(step, rank, scratch_);
  state.sends_pending = static_cast<std::uint32_t>(scratch_.size());
  const std::uint32_t phase = schedule_->phase_of(step);
  const std::uint32_t collective_id =
      options_.first_id + static_cast<std::uint32_t>(results_.size());
  for (const Transfer& t : scratch_) {
    if (over_nvlink(t)) {
      const sim::Time nvlink_ps =
          sim::serialisation_ps(t.bytes, options_.nvlink_gbps) + options_.nvlink_latency_ps;
      sim_.schedule_in(nvlink_ps, self_, kDelivered, encode(t.src, t.dst, step));
      continue;
    }
    transport::FlowSpec spec;
    if (t.src == rank && state.sent_phase == phase && state.sent_dst == t.dst) {
      spec.connection = state.sent_connection;
    } else {
      spec.connection = connection(phase, t.src, t.dst);
      if (t.src == rank) {
        state.sent_phase = phase;
        state.sent_dst = t.dst;
        state.sent_connection = spec.connection;
      }
    }
    spec.size_bytes = t.bytes;
    spec.notify = self_;
    spec.notify_tag = kDelivered;
    spec.notify_payload = encode(t.src, t.dst, step);
    spec.collective = collective_id;
    spec.step = step;
    transport_.start_flow(spec);
    if (monitor_ != nullptr) {
      TransferStat stat;
      stat.job = options_.job;
      stat.index = static_cast<std::uint32_t>(results_.size());
      stat.src = t.src;
      stat.dst = t.dst;
      stat.connection = spec.connection;
      stat.bytes = t.bytes;
      stat.start_ps = sim_.now();
      monitor_->transfer_started(stat);
    }
  }
}

// Receipts are counted against the receiver's step; one that is ahead waits
// in a rotating slot (or, further ahead, in the map).
void CollectiveRun::count_receipt(std::uint32_t rank, std::uint32_t step) {
  RankState& state = ranks_[rank];
  if (step == state.step && state.entered) {
    ++state.received;
  } else if (step < state.step) {
    throw sim::InternalError("collective: a receipt for a step its receiver has left");
  } else if (step - state.step < kAhead) {
    ++ahead_slot(state, step);
  } else {
    ++far_ahead_[(std::uint64_t{rank} << 32) | step];
  }
}

void CollectiveRun::try_advance(std::uint32_t rank) {
  RankState& state = ranks_[rank];
  if (!state.entered) return;
  while (state.step < steps_ && state.sends_pending == 0 &&
         state.received >= schedule_->receives(state.step, rank)) {
    if (observer_ != nullptr) {
      observer_->step_finished(
          StepRecord{options_.first_id + static_cast<std::uint32_t>(results_.size()), rank,
                     hosts_[rank], state.step, steps_, state.step_start, sim_.now()});
    }
    ++state.step;
    if (state.step < steps_) {
      enter_step(rank);
    } else if (++ranks_finished_ == n_) {
      const auto index = static_cast<std::uint32_t>(results_.size());
      CollectiveResult result;
      result.collective_id = options_.first_id + index;
      result.job = options_.job;
      result.collective = options_.collective;
      result.iteration = index / options_.buckets;
      result.bucket = index % options_.buckets;
      result.ranks = n_;
      result.size_bytes = options_.size_bytes;
      // From the last rank's entry: what the collective itself took, not the
      // compute it waited for (the same as its opening without a gate).
      result.start_ps = *std::max_element(entered_ps_.begin(), entered_ps_.end());
      result.end_ps = sim_.now();
      result.ideal_ps = options_.ideal_ps;
      result.max_congestion_ps = max_congestion_ps_;
      result.congestion_bound_ps = congestion_bound_ps_;
      result.max_queue_pairs_per_host = max_queue_pairs_per_host_;
      results_.push_back(result);
      if (monitor_ != nullptr) {
        monitor_->collective_done(options_.job, index, sim_.now(),
                                  results_.size() == collectives());
      }
      if (done_ != nullptr) done_->collective_done(*this, index);
      if (results_.size() < collectives()) {
        const bool iteration_done = result.bucket + 1 == options_.buckets;
        sim_.schedule_in(iteration_done ? options_.compute_gap_ps : 0, self_, kStartIteration);
      }
    }
  }
}

// A delivered network transfer, for the monitor (which heard of its start).
void CollectiveRun::report_transfer(const InFlight& t) {
  if (over_nvlink(Transfer{t.src, t.dst, 0})) return;  // not on the network
  monitor_->transfer_done(options_.job, connection(schedule_->phase_of(t.step), t.src, t.dst),
                          sim_.now());
}

void CollectiveRun::handle(const sim::Event& event) {
  if (event.tag == kStartIteration) {
    begin_iteration();
    return;
  }
  if (event.tag == kEnterRank) {
    enter_rank(static_cast<std::uint32_t>(event.payload));
    return;
  }
  const InFlight t = decode(event.payload);
  RankState& sender = ranks_[t.src];
  if (sender.step != t.step || sender.sends_pending == 0) {
    throw sim::InternalError("collective: a delivery out of its sender's step");
  }
  --sender.sends_pending;
  if (monitor_ != nullptr) report_transfer(t);
  count_receipt(t.dst, t.step);
  try_advance(t.src);
  try_advance(t.dst);
}

}  // namespace spinel::workloads
