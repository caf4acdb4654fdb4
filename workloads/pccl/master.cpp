#include "workloads/pccl/master.hpp"

#include <algorithm>
#include <tuple>

namespace spinel::pccl {

std::vector<PeerId> Master::accepted() const {
  std::vector<PeerId> ids;
  for (const auto& [id, p] : peers_) {
    if (p.accepted) ids.push_back(id);
  }
  return ids;
}

Output Master::start(sim::Time now) {
  Output out;
  out.timers.push_back({kKeepaliveTimer, now + config_.keepalive_interval_ps});
  return out;
}

Output Master::on_timer(sim::Time now, std::uint32_t kind) {
  Output out;
  if (kind != kKeepaliveTimer) return out;
  std::vector<PeerId> silent;
  for (const auto& [id, p] : peers_) {
    if (now - p.last_heard > config_.keepalive_timeout_ps) silent.push_back(id);
  }
  for (PeerId id : silent) {
    out.disconnects.push_back(id);
    depart(out, id, true);
  }
  if (!silent.empty()) check(out);
  out.timers.push_back({kKeepaliveTimer, now + config_.keepalive_interval_ps});
  return out;
}

Output Master::on_disconnect(sim::Time /*now*/, PeerId peer) {
  Output out;
  if (peers_.count(peer) == 0) return out;
  depart(out, peer, false);
  check(out);
  return out;
}

Output Master::on_message(sim::Time now, PeerId from, const Message& message) {
  Output out;
  if (std::holds_alternative<Register>(message)) {
    if (peers_.count(from) != 0) return out;  // registers once
    peers_[from].last_heard = now;
    check(out);
    return out;
  }
  auto it = peers_.find(from);
  if (it == peers_.end()) return out;  // a dropped peer's late words
  PeerInfo& p = it->second;
  p.last_heard = now;
  if (std::holds_alternative<Keepalive>(message)) return out;
  if (std::holds_alternative<Leave>(message)) {
    depart(out, from, false);
  } else if (!p.accepted) {
    return out;  // waits for admission; it has no vote yet
  } else if (std::holds_alternative<VoteTopology>(message)) {
    p.vote = Vote::topology;
  } else if (const auto* v = std::get_if<VoteSync>(&message)) {
    p.vote = Vote::sync;
    p.state = *v;
  } else if (const auto* d = std::get_if<SyncDone>(&message)) {
    if (!p.awaiting_sync) return out;
    p.awaiting_sync = false;
    p.sync_failed = !d->ok;
    if (d->ok) {
      p.state = winner_;
    }
  } else if (std::holds_alternative<VoteCollective>(message)) {
    p.vote = Vote::collective;
  } else if (const auto* cd = std::get_if<CollectiveDone>(&message)) {
    if (phase_ != MasterPhase::collective || cd->op != next_op_ || cd->attempt != attempt_) {
      return out;
    }
    done_.insert(from);
  } else if (const auto* a = std::get_if<ReportAbort>(&message)) {
    if (phase_ == MasterPhase::collective && a->op == next_op_ && a->attempt == attempt_) {
      abort_collective(out);
    }
  }
  check(out);
  return out;
}

bool Master::all_accepted_voted(Vote vote) const {
  for (const auto& [id, p] : peers_) {
    if (p.accepted && p.vote != vote) return false;
  }
  return true;
}

void Master::check(Output& out) {
  // Loops because one transition may make the next consensus true at once
  // (e.g. every peer already voted for the collective during the fetch).
  for (;;) {
    const MasterPhase before = phase_;
    // Every accepted peer gone: whatever was under way is over, and the
    // waiting newcomers start afresh (the first is admitted at once).
    if (phase_ != MasterPhase::topology_vote && accepted().empty()) {
      if (phase_ == MasterPhase::sync_fetch) {
        out.notices.push_back({NoticeKind::sync_end, kMaster, next_op_, 0, 0});
      }
      phase_ = MasterPhase::topology_vote;
      participants_.clear();
      done_.clear();
      attempt_aborted_ = false;
      continue;
    }
    switch (phase_) {
      case MasterPhase::topology_vote: {
        const bool any_accepted = !accepted().empty();
        const bool any_waiting = peers_.size() > accepted().size();
        if ((any_accepted || any_waiting) && all_accepted_voted(Vote::topology)) admit(out);
        break;
      }
      case MasterPhase::sync_vote:
        if (all_accepted_voted(Vote::sync)) {
          for (auto& [id, p] : peers_) {
            if (p.accepted) p.vote = Vote::none;
          }
          out.notices.push_back({NoticeKind::sync_begin, kMaster, next_op_, 0, 0});
          plan_sync(out, false);
          phase_ = MasterPhase::sync_fetch;
        }
        break;
      case MasterPhase::sync_fetch: {
        bool waiting = false;
        bool failed = false;
        for (const auto& [id, p] : peers_) {
          waiting = waiting || p.awaiting_sync;
          failed = failed || p.sync_failed;
        }
        if (waiting) break;
        if (failed) {
          plan_sync(out, true);
          break;
        }
        out.notices.push_back({NoticeKind::sync_end, kMaster, next_op_, 0, 0});
        phase_ = MasterPhase::collective_vote;
        break;
      }
      case MasterPhase::collective_vote:
        if (!accepted().empty() && all_accepted_voted(Vote::collective)) {
          if (accepted().size() < 2) {
            for (auto& [id, p] : peers_) {
              if (!p.accepted) continue;
              p.vote = Vote::none;
              out.sends.push_back({id, TooFewPeers{next_op_}});
            }
            phase_ = MasterPhase::topology_vote;
          } else {
            start_collective(out);
          }
        }
        break;
      case MasterPhase::collective:
        if (!attempt_aborted_ && done_.size() == participants_.size()) {
          for (PeerId id : participants_) {
            out.sends.push_back({id, CompleteCollective{next_op_, attempt_}});
          }
          out.notices.push_back(
              {NoticeKind::collective_complete, kMaster, next_op_, attempt_, participants_.size()});
          ++next_op_;
          attempt_ = 0;
          participants_.clear();
          done_.clear();
          phase_ = MasterPhase::topology_vote;
        }
        break;
    }
    if (phase_ == before) return;
  }
}

void Master::admit(Output& out) {
  for (auto& [id, p] : peers_) {
    p.vote = Vote::none;
    if (!p.accepted) {
      p.accepted = true;
      out.notices.push_back({NoticeKind::admitted, id, next_op_, 0, 0});
    }
  }
  ++epoch_;
  Topology topo{epoch_, next_op_, ring()};
  for (PeerId id : topo.ring) out.sends.push_back({id, topo});
  out.notices.push_back({NoticeKind::topology_update, kMaster, next_op_, 0, topo.ring.size()});
  // The admission notices learn the world size only now.
  for (Notice& n : out.notices) {
    if (n.kind == NoticeKind::admitted) n.value = topo.ring.size();
  }
  phase_ = MasterPhase::sync_vote;
}

void Master::plan_sync(Output& out, bool only_failed) {
  // The winner: the most popular (revision, hashes) among the peers with the
  // highest revision (so a crowd of newcomers never rolls the group back);
  // ties go to the set held by the lowest id.
  if (!only_failed || std::none_of(peers_.begin(), peers_.end(), [&](const auto& e) {
        return e.second.accepted && !e.second.sync_failed &&
               e.second.state.revision == winner_.revision &&
               e.second.state.hashes == winner_.hashes;
      })) {
    std::uint64_t top = 0;
    for (const auto& [id, p] : peers_) {
      if (p.accepted) top = std::max(top, p.state.revision);
    }
    std::size_t best_count = 0;
    for (const auto& [id, p] : peers_) {
      if (!p.accepted || p.state.revision != top) continue;
      std::size_t count = 0;
      for (const auto& [id2, q] : peers_) {
        if (q.accepted && q.state.revision == top && q.state.hashes == p.state.hashes) ++count;
      }
      if (count > best_count) {
        best_count = count;
        winner_ = p.state;
      }
    }
  }
  PeerId source = kMaster;
  for (const auto& [id, p] : peers_) {
    if (p.accepted && p.state.revision == winner_.revision && p.state.hashes == winner_.hashes) {
      source = id;
      break;
    }
  }
  for (auto& [id, p] : peers_) {
    if (!p.accepted || (only_failed && !p.sync_failed)) continue;
    SyncPlan plan{winner_.revision, winner_.hashes, {}, source};
    for (std::uint32_t k = 0; k < winner_.hashes.size(); ++k) {
      if (k >= p.state.hashes.size() || p.state.hashes[k] != winner_.hashes[k])
        plan.keys.push_back(k);
    }
    if (plan.keys.empty()) plan.source = kMaster;
    p.awaiting_sync = true;
    p.sync_failed = false;
    out.sends.push_back({id, std::move(plan)});
  }
}

void Master::start_collective(Output& out) {
  participants_ = ring();
  done_.clear();
  aborted_sent_.clear();
  attempt_aborted_ = false;
  for (auto& [id, p] : peers_) p.vote = Vote::none;
  StartCollective start{next_op_, attempt_, participants_};
  for (PeerId id : participants_) out.sends.push_back({id, start});
  out.notices.push_back(
      {NoticeKind::collective_start, kMaster, next_op_, attempt_, participants_.size()});
  phase_ = MasterPhase::collective;
}

void Master::abort_collective(Output& out) {
  if (attempt_aborted_) return;
  attempt_aborted_ = true;
  for (PeerId id : participants_) {
    if (peers_.count(id) == 0 || !aborted_sent_.insert(id).second) continue;
    out.sends.push_back({id, AbortCollective{next_op_, attempt_}});
  }
  out.notices.push_back({NoticeKind::collective_abort, kMaster, next_op_, attempt_, 0});
  ++attempt_;
  done_.clear();
  phase_ = MasterPhase::collective_vote;
}

void Master::depart(Output& out, PeerId peer, bool kicked) {
  const bool was_accepted = peers_.at(peer).accepted;
  peers_.erase(peer);
  out.notices.push_back(
      {kicked ? NoticeKind::kicked : NoticeKind::departed, peer, next_op_, 0, was_accepted});
  if (phase_ == MasterPhase::collective &&
      std::find(participants_.begin(), participants_.end(), peer) != participants_.end()) {
    abort_collective(out);
  }
}

std::vector<PeerId> Master::ring() {
  std::vector<PeerId> members = accepted();
  if (config_.ring_order == RingOrder::id || !probe_) return members;  // accepted() is by id
  if (members != ring_members_) {
    std::vector<std::vector<double>> bandwidth_gbps(members.size(),
                                                    std::vector<double>(members.size(), 0.0));
    for (std::size_t i = 0; i < members.size(); ++i) {
      for (std::size_t j = 0; j < members.size(); ++j) {
        if (i != j) bandwidth_gbps[i][j] = probe_(members[i], members[j]);
      }
    }
    ring_order_ = optimise_ring(members, bandwidth_gbps);
    ring_members_ = std::move(members);
  }
  return ring_order_;
}

}  // namespace spinel::pccl
