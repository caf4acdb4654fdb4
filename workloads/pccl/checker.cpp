#include "workloads/pccl/checker.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>

#include "workloads/pccl/data.hpp"

namespace spinel::pccl {

namespace {
std::string ids(const std::vector<PeerId>& peers) {
  std::string s = "[";
  for (std::size_t i = 0; i < peers.size(); ++i) s += (i ? ", " : "") + std::to_string(peers[i]);
  return s + "]";
}
// Bit-for-bit, unlike ==, which calls -0 and +0 equal.
std::string seconds(sim::Time ps) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f s", static_cast<double>(ps) / sim::kSecond);
  return text;
}
bool bits_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}
}  // namespace

void Checker::fail(sim::Time now, std::string what) {
  if (!violation_.empty()) return;
  violation_ = std::move(what);
  violation_at_ = now;
}

void Checker::check_liveness(sim::Time now, std::size_t healthy_peers) {
  ++checks_;
  if (healthy_peers < 2) {
    progress_at_ = now;
    return;
  }
  if (now - progress_at_ > liveness_bound_ps_) {
    fail(now, "liveness: " + std::to_string(healthy_peers) +
                  " live peers and no step completed for " + seconds(now - progress_at_) +
                  " (bound " + seconds(liveness_bound_ps_) + ")");
  }
}

void Checker::on_notice(sim::Time now, const Notice& n) {
  ++checks_;
  const std::string at = "op " + std::to_string(n.op) + " attempt " + std::to_string(n.attempt);
  switch (n.kind) {
    case NoticeKind::topology_update:
      if (collective_active_ || sync_active_) {
        fail(now, "a topology update overlaps a " +
                      std::string(collective_active_ ? "collective" : "sync"));
      }
      break;
    case NoticeKind::sync_begin:
      if (collective_active_) fail(now, "a shared-state sync overlaps a collective");
      sync_active_ = true;
      break;
    case NoticeKind::sync_end: {
      sync_active_ = false;
      const std::vector<PeerId> accepted = master_.accepted();
      const Peer* first = accepted.empty() ? nullptr : peer_(accepted[0]);
      for (PeerId id : accepted) {
        const Peer* p = peer_(id);
        if (first == nullptr || p == nullptr) continue;
        if (p->revision() != first->revision() || p->state_hashes() != first->state_hashes()) {
          fail(now, "after sync peer " + std::to_string(id) + " holds revision " +
                        std::to_string(p->revision()) + " / other hashes than peer " +
                        std::to_string(accepted[0]) + " (revision " +
                        std::to_string(first->revision()) + ")");
        }
      }
      break;
    }
    case NoticeKind::collective_start: {
      if (sync_active_) fail(now, "a collective starts during a shared-state sync");
      if (collective_active_) fail(now, "a collective starts while another runs");
      // Retry: every survivor of the aborted attempt got exactly one abort.
      if (n.op == op_ && !aborted_participants_.empty()) {
        for (PeerId p : master_.participants()) {
          if (std::find(aborted_participants_.begin(), aborted_participants_.end(), p) ==
              aborted_participants_.end()) {
            continue;
          }
          const std::uint64_t count = aborts_[{p, op_, attempt_}];
          if (count != 1) {
            fail(now, "peer " + std::to_string(p) + " retries op " + std::to_string(op_) +
                          " after " + std::to_string(count) + " aborts of attempt " +
                          std::to_string(attempt_) + " (exactly one expected)");
          }
        }
      }
      collective_active_ = true;
      op_ = n.op;
      attempt_ = n.attempt;
      participants_ = master_.participants();
      aborted_participants_.clear();
      break;
    }
    case NoticeKind::collective_abort:
      collective_active_ = false;
      aborted_participants_ = participants_;
      break;
    case NoticeKind::collective_complete:
      collective_active_ = false;
      check_complete(now, n);
      progress_at_ = now;
      break;
    case NoticeKind::peer_aborted:
      aborts_[{n.peer, n.op, n.attempt}] = n.value;
      if (n.value > 1) {
        fail(now, "peer " + std::to_string(n.peer) + " received " + std::to_string(n.value) +
                      " aborts for " + at);
      }
      break;
    case NoticeKind::peer_finished:
      if (n.op == op_ && n.attempt == attempt_ && n.value != participants_.size()) {
        fail(now, "world size: peer " + std::to_string(n.peer) + " ran " + at + " with " +
                      std::to_string(n.value) + " peers, the master with " +
                      std::to_string(participants_.size()));
      }
      break;
    case NoticeKind::peer_synced:
      if (n.value != 1) {
        fail(now, "peer " + std::to_string(n.peer) +
                      " fetched shared state whose hashes do not match the winner's");
      }
      break;
    default:
      break;
  }
}

void Checker::check_complete(sim::Time now, const Notice& n) {
  const std::string at = "op " + std::to_string(n.op) + " attempt " + std::to_string(n.attempt);
  if (n.op != op_ || n.attempt != attempt_ || n.value != participants_.size()) {
    fail(now, "completion of " + at + " does not match the attempt started (op " +
                  std::to_string(op_) + " attempt " + std::to_string(attempt_) + ")");
    return;
  }
  std::vector<std::vector<float>> inputs;
  for (PeerId id : participants_) {
    const Peer* p = peer_(id);
    if (p == nullptr) {
      fail(now, "participant " + std::to_string(id) + " of " + at + " is unknown");
      return;
    }
    inputs.push_back(p->input());
  }
  // The group's ring shape (every peer has the group's; the first says it).
  const std::vector<float> expected =
      reference_allreduce(inputs, peer_(participants_[0])->ring_shape());
  for (PeerId id : participants_) {
    const Peer* p = peer_(id);
    if (aborts_.count({id, n.op, n.attempt}) != 0) {
      fail(now, "peer " + std::to_string(id) + " was aborted in " + at + ", which completed");
    }
    if (!bits_equal(p->buffer(), expected)) {
      std::size_t i = 0;
      while (i < expected.size() && i < p->buffer().size() &&
             std::bit_cast<std::uint32_t>(p->buffer()[i]) ==
                 std::bit_cast<std::uint32_t>(expected[i])) {
        ++i;
      }
      fail(now, "peer " + std::to_string(id) + " ended " + at + " of participants " +
                    ids(participants_) +
                    " with a result that differs from the reduction over them at element " +
                    std::to_string(i));
      return;
    }
  }
}

}  // namespace spinel::pccl
