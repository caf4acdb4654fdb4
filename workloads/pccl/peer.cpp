#include "workloads/pccl/peer.hpp"

#include <algorithm>

#include "workloads/pccl/data.hpp"
#include "workloads/pccl/quantise.hpp"

namespace spinel::pccl {

Peer::Peer(PeerId id, const PeerConfig& config) : id_(id), config_(config) {
  state_.resize(kStateKeys);
  state_[0].assign(config_.floats, 0.0F);
  state_[1] = make_input(config_.seed, kMaster, 0, config_.floats);
}

std::vector<std::uint64_t> Peer::state_hashes() const {
  std::vector<std::uint64_t> h;
  for (const auto& values : state_) h.push_back(hash_floats(values));
  return h;
}

Output Peer::start(sim::Time now) {
  Output out;
  out.sends.push_back({kMaster, Register{}});
  out.timers.push_back({kKeepaliveTimer, now + config_.keepalive_interval_ps});
  return out;
}

Output Peer::on_timer(sim::Time now, std::uint32_t kind) {
  Output out;
  if (phase_ == PeerPhase::left) return out;
  if (kind == kKeepaliveTimer) {
    out.sends.push_back({kMaster, Keepalive{}});
    out.timers.push_back({kKeepaliveTimer, now + config_.keepalive_interval_ps});
  } else if (kind == kStepTimer && phase_ == PeerPhase::computing) {
    next_step(out);
  } else if (kind == kInnerTimer && inner_running_) {
    inner_running_ = false;
    if (phase_ == PeerPhase::computing) {
      // The outer all-reduce finished first (or there were too few peers):
      // its result goes in now, one step late.
      if (pending_commit_) commit(out, *pending_commit_);
      next_step(out);
    }
  }
  return out;
}

void Peer::next_step(Output& out) {
  if (leaving_) {
    out.sends.push_back({kMaster, Leave{}});
    out.disconnects.assign(connected_.begin(), connected_.end());
    out.disconnects.push_back(kMaster);
    connected_.clear();
    phase_ = PeerPhase::left;
  } else {
    out.sends.push_back({kMaster, VoteTopology{}});
    phase_ = PeerPhase::topology_voted;
  }
}

Output Peer::on_disconnect(sim::Time /*now*/, PeerId other) {
  Output out;
  if (phase_ == PeerPhase::left) return out;
  connected_.erase(other);
  if (other == kMaster) {
    phase_ = PeerPhase::left;
    return out;
  }
  if (phase_ == PeerPhase::running) {
    const PeerId next = ring_[(position_ + 1) % world()];
    const PeerId prev = ring_[(position_ + world() - 1) % world()];
    if (other == next || other == prev) {
      out.sends.push_back({kMaster, ReportAbort{op_, attempt_}});
      phase_ = PeerPhase::abort_reported;
    }
  } else if (phase_ == PeerPhase::fetching && other == plan_.source) {
    out.sends.push_back({kMaster, SyncDone{false}});
    phase_ = PeerPhase::sync_voted;
  }
  return out;
}

Output Peer::on_message(sim::Time now, PeerId from, const Message& message) {
  Output out;
  if (phase_ == PeerPhase::left) return out;
  if (const auto* chunk = std::get_if<Chunk>(&message)) {
    if (chunk->op == op_) receive_part(out, *chunk);
  } else if (const auto* topo = std::get_if<Topology>(&message)) {
    if (phase_ != PeerPhase::registered && phase_ != PeerPhase::topology_voted) return out;
    op_ = topo->next_op;
    out.sends.push_back({kMaster, VoteSync{revision_, state_hashes()}});
    phase_ = PeerPhase::sync_voted;
  } else if (const auto* plan = std::get_if<SyncPlan>(&message)) {
    if (phase_ != PeerPhase::sync_voted) return out;
    plan_ = *plan;
    if (plan_.keys.empty()) {
      revision_ = plan_.revision;
      out.sends.push_back({kMaster, SyncDone{true}});
      vote_collective(out);
    } else {
      if (connected_.insert(plan_.source).second) out.connects.push_back(plan_.source);
      out.sends.push_back({plan_.source, StateRequest{plan_.keys}});
      phase_ = PeerPhase::fetching;
    }
  } else if (const auto* request = std::get_if<StateRequest>(&message)) {
    StateReply reply{revision_, {}};
    for (std::uint32_t k : request->keys) {
      if (k < state_.size()) reply.entries.emplace_back(k, state_[k]);
    }
    out.sends.push_back({from, std::move(reply)});
  } else if (const auto* reply = std::get_if<StateReply>(&message)) {
    if (phase_ != PeerPhase::fetching || from != plan_.source) return out;
    for (const auto& [k, values] : reply->entries) {
      if (k < state_.size()) state_[k] = values;
    }
    revision_ = plan_.revision;
    const bool match = state_hashes() == plan_.hashes;
    out.notices.push_back({NoticeKind::peer_synced, id_, op_, 0, match ? 1U : 0U});
    out.sends.push_back({kMaster, SyncDone{true}});
    vote_collective(out);
  } else if (const auto* start = std::get_if<StartCollective>(&message)) {
    if (phase_ == PeerPhase::collective_voted && start->op == op_) {
      begin_ring(out, *start);
      // Async: the next step's inner steps start with this op's first ring
      // (a retry does not restart them).
      if (config_.loop.async && phase_ == PeerPhase::running && inner_op_ != op_) {
        inner_op_ = op_;
        inner_running_ = true;
        out.timers.push_back(
            {kInnerTimer, now + config_.step_compute_ps * config_.loop.inner_steps});
      }
    }
  } else if (const auto* abort = std::get_if<AbortCollective>(&message)) {
    const std::uint32_t count = ++aborts_[{abort->op, abort->attempt}];
    out.notices.push_back({NoticeKind::peer_aborted, id_, abort->op, abort->attempt, count});
    if (count == 1 && abort->op == op_ && abort->attempt == attempt_ &&
        (phase_ == PeerPhase::running || phase_ == PeerPhase::abort_reported ||
         phase_ == PeerPhase::finished)) {
      restore();
      vote_collective(out);
    }
  } else if (const auto* complete = std::get_if<CompleteCollective>(&message)) {
    if (phase_ != PeerPhase::finished || complete->op != op_ || complete->attempt != attempt_) {
      return out;
    }
    if (!config_.loop.async) {
      commit(out, *complete);
      end_step(out, now, config_.step_compute_ps * config_.loop.inner_steps);
    } else if (inner_running_) {
      pending_commit_ = *complete;  // applied when the inner steps end
      phase_ = PeerPhase::computing;
    } else {
      commit(out, *complete);
      next_step(out);
    }
  } else if (const auto* few = std::get_if<TooFewPeers>(&message)) {
    if (phase_ == PeerPhase::collective_voted && few->op == op_) {
      if (inner_running_) {
        phase_ = PeerPhase::computing;  // the inner steps end the wait
      } else {
        end_step(out, now, config_.retry_backoff_ps);
      }
    }
  }
  return out;
}

void Peer::commit(Output& out, const CompleteCollective& complete) {
  for (std::uint32_t i = 0; i < config_.floats; ++i) state_[0][i] = state_[0][i] + buffer_[i];
  ++revision_;
  ++op_;
  early_.clear();
  aborts_.clear();
  pending_commit_.reset();
  out.notices.push_back({NoticeKind::peer_step, id_, complete.op, complete.attempt, revision_});
}

void Peer::vote_collective(Output& out) {
  if (input_op_ != op_ || input_.empty()) {
    input_ = make_pseudo_gradient(config_.seed, id_, op_, config_.loop.inner_steps, config_.floats);
    input_op_ = op_;
  }
  buffer_ = input_;
  out.sends.push_back({kMaster, VoteCollective{op_}});
  phase_ = PeerPhase::collective_voted;
}

void Peer::restore() {
  buffer_ = input_;
  // Parts of the aborted attempt that are still on their way are dropped.
  for (auto it = early_.begin(); it != early_.end();) {
    it = std::get<0>(it->first) <= attempt_ ? early_.erase(it) : std::next(it);
  }
}

void Peer::begin_ring(Output& out, const StartCollective& start) {
  attempt_ = start.attempt;
  ring_ = start.ring;
  position_ = 0;
  while (position_ < ring_.size() && ring_[position_] != id_) ++position_;
  if (position_ == ring_.size()) return;  // not a participant: cannot happen
  buffer_ = input_;
  const PeerId next = ring_[(position_ + 1) % world()];
  const PeerId prev = ring_[(position_ + world() - 1) % world()];
  for (PeerId n : {next, prev}) {
    if (connected_.insert(n).second) out.connects.push_back(n);
  }
  const std::uint32_t parts = config_.connections_per_neighbour;
  next_step_.assign(streams(), 0);
  parts_done_ = 0;
  phase_ = PeerPhase::running;
  for (std::uint32_t t = 0; t < config_.loop.concurrent_collectives; ++t) {
    for (std::uint32_t j = 0; j < parts; ++j) send_part(out, t, 0, j);
  }
  // Parts that arrived before our start message.
  for (auto it = early_.begin(); it != early_.end();) {
    if (std::get<0>(it->first) < attempt_) {
      it = early_.erase(it);
    } else {
      ++it;
    }
  }
  for (std::uint32_t t = 0; t < config_.loop.concurrent_collectives; ++t) {
    for (std::uint32_t j = 0; j < parts; ++j) {
      auto it = early_.find({attempt_, t, j, 0});
      if (it == early_.end()) continue;
      Chunk chunk = std::move(it->second);
      early_.erase(it);
      receive_part(out, chunk);
    }
  }
}

void Peer::send_part(Output& out, std::uint32_t tag, std::uint32_t step, std::uint32_t part) {
  const std::uint32_t w = world();
  const std::uint32_t chunk = step < w - 1 ? (position_ + 2 * w - step) % w
                                           : (position_ + 1 + 2 * w - (step - (w - 1))) % w;
  const RingShape shape = ring_shape();
  const Range r = part_of(config_.floats, shape, w, tag, chunk, part);
  Chunk c{op_,
          attempt_,
          step,
          part,
          std::vector<float>(buffer_.begin() + r.begin, buffer_.begin() + r.end),
          tag};
  if (step < w - 1) {
    quantise(c.values, shape.quantisation);  // a partial sum, sent small
  } else if (step == w - 1 && shape.quantisation != Quantisation::none) {
    // The owner's reduced chunk: quantised once, and the owner keeps the
    // decoded values too, so that every peer holds the same bits.
    quantise(c.values, shape.quantisation);
    std::copy(c.values.begin(), c.values.end(), buffer_.begin() + r.begin);
  }  // later all-gather steps forward the decoded values unchanged
  const std::uint64_t tag_bytes = part_bytes(config_.size_bytes, shape.tags, tag, 1, 0);
  const std::uint64_t bytes =
      quantised_bytes(part_bytes(tag_bytes, w, chunk, shape.parts, part), shape.quantisation);
  const auto connection =
      static_cast<std::uint32_t>((op_ + tag + part) % config_.connections_per_neighbour);
  out.sends.push_back({ring_[(position_ + 1) % w], std::move(c), connection, bytes});
}

void Peer::receive_part(Output& out, const Chunk& first) {
  if (phase_ != PeerPhase::running || first.attempt != attempt_) {
    if (first.attempt > attempt_ || phase_ == PeerPhase::collective_voted) {
      early_[{first.attempt, first.tag, first.part, first.step}] = first;
    }
    return;
  }
  const std::uint32_t w = world();
  const RingShape shape = ring_shape();
  if (first.part >= shape.parts || first.tag >= shape.tags || first.step > 2 * w - 3) {
    return;  // malformed: ignore
  }
  const std::uint32_t stream = first.tag * shape.parts + first.part;
  if (first.step != next_step_[stream]) {
    early_[{first.attempt, first.tag, first.part, first.step}] = first;
    return;
  }
  Chunk chunk = first;
  for (;;) {
    const std::uint32_t g = chunk.step;
    const std::uint32_t t = chunk.tag;
    const std::uint32_t j = chunk.part;
    const std::uint32_t c =
        g < w - 1 ? (position_ + 2 * w - g - 1) % w : (position_ + 2 * w - (g - (w - 1))) % w;
    const Range r = part_of(config_.floats, shape, w, t, c, j);
    if (chunk.values.size() != r.end - r.begin) return;  // malformed: ignore
    for (std::uint32_t i = r.begin; i < r.end; ++i) {
      const float v = chunk.values[i - r.begin];
      buffer_[i] = g < w - 1 ? v + buffer_[i] : v;
    }
    next_step_[stream] = g + 1;
    if (g + 1 <= 2 * w - 3) {
      send_part(out, t, g + 1, j);
    } else if (++parts_done_ == streams()) {
      phase_ = PeerPhase::finished;
      out.sends.push_back({kMaster, CollectiveDone{op_, attempt_}});
      out.notices.push_back({NoticeKind::peer_finished, id_, op_, attempt_, w});
      return;
    }
    auto it = early_.find({attempt_, t, j, g + 1});
    if (it == early_.end()) return;
    chunk = std::move(it->second);
    early_.erase(it);
  }
}

void Peer::end_step(Output& out, sim::Time now, sim::Time wait) {
  phase_ = PeerPhase::computing;
  out.timers.push_back({kStepTimer, now + wait});
}

}  // namespace spinel::pccl
