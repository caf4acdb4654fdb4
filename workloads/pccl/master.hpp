#pragma once
// PCCL's master as a sans-I/O state machine: the only authority, carries no
// data. Input: a message from a peer, a peer's connection closing, a timer;
// output: an Output value (messages, drops, timers, notices). Every input
// re-checks the consensus of the current phase, so a peer that leaves is
// taken out of every pending vote at once.
//
// Phases, in a cycle: topology vote (admit registered peers) -> shared-state
// vote -> state fetch -> collective vote -> collective -> topology vote ...
// A collective therefore never overlaps a topology update or a sync.
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "sim/time.hpp"
#include "workloads/pccl/messages.hpp"
#include "workloads/pccl/ring.hpp"

namespace spinel::pccl {

struct MasterConfig {
  sim::Time keepalive_interval_ps = 5 * sim::kSecond;  // how often silence is checked
  sim::Time keepalive_timeout_ps = 30 * sim::kSecond;  // silence that drops a peer
  RingOrder ring_order = RingOrder::id;
};

// The measured rate from one peer to another, in Gbit/s. PCCL's peers
// benchmark each other; whoever drives the master answers (a simulation asks
// its fabric), so the master itself stays free of I/O.
using BandwidthProbe = std::function<double(PeerId from, PeerId to)>;

enum class MasterPhase : std::uint8_t {
  topology_vote,
  sync_vote,
  sync_fetch,
  collective_vote,
  collective
};

class Master {
 public:
  explicit Master(const MasterConfig& config) : config_(config) {}

  // Needed for RingOrder::optimised (without one the ring is by id).
  void set_bandwidth_probe(BandwidthProbe probe) { probe_ = std::move(probe); }

  Output start(sim::Time now);
  Output on_message(sim::Time now, PeerId from, const Message& message);
  Output on_disconnect(sim::Time now, PeerId peer);
  Output on_timer(sim::Time now, std::uint32_t kind);

  [[nodiscard]] MasterPhase phase() const { return phase_; }
  [[nodiscard]] std::vector<PeerId> accepted() const;
  [[nodiscard]] std::size_t registered() const { return peers_.size(); }
  [[nodiscard]] std::uint64_t next_op() const { return next_op_; }
  [[nodiscard]] const std::vector<PeerId>& participants() const { return participants_; }

  static constexpr std::uint32_t kKeepaliveTimer = 1;

 private:
  enum class Vote : std::uint8_t { none, topology, sync, collective };
  struct PeerInfo {
    bool accepted = false;
    Vote vote = Vote::none;
    VoteSync state;  // last shared-state vote (updated when a fetch succeeds)
    sim::Time last_heard = 0;
    bool awaiting_sync = false;  // a SyncPlan was sent, no SyncDone yet
    bool sync_failed = false;
  };

  void check(Output& out);
  bool all_accepted_voted(Vote vote) const;
  void admit(Output& out);
  void plan_sync(Output& out, bool only_failed);
  void start_collective(Output& out);
  void abort_collective(Output& out);
  void depart(Output& out, PeerId peer, bool kicked);
  // The ring over the accepted peers; optimised rings are searched again
  // only when the membership changed.
  std::vector<PeerId> ring();

  MasterConfig config_;
  std::map<PeerId, PeerInfo> peers_;  // ordered: every loop is in id order (determinism)
  MasterPhase phase_ = MasterPhase::topology_vote;
  std::uint64_t epoch_ = 0;
  std::uint64_t next_op_ = 0;
  std::uint32_t attempt_ = 0;
  std::vector<PeerId> participants_;
  std::set<PeerId> done_;
  std::set<PeerId> aborted_sent_;  // of the current attempt: at most one abort each
  bool attempt_aborted_ = false;
  VoteSync winner_;
  BandwidthProbe probe_;
  std::vector<PeerId> ring_members_;  // ascending: whom ring_order_ was searched for
  std::vector<PeerId> ring_order_;
};

}  // namespace spinel::pccl
