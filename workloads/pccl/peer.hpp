#pragma once
// A PCCL peer as a sans-I/O state machine. Each training step: vote to
// update the topology (the master admits newcomers), vote the shared state
// (fetch differing keys if outdated), vote to start the all-reduce, run it
// (ring reduce-scatter then all-gather, each chunk in parts over a pool of
// connections per neighbour, reduced as parts arrive), then wait for the
// master's verdict: complete (commit: weights += result, revision + 1) or
// abort (restore the input from its backup and vote again: the retry runs
// with the survivors). Failure detection is connection close only; a
// neighbour that stalls without closing blocks the ring until the master's
// keepalive timeout drops it.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "sim/time.hpp"
#include "workloads/pccl/data.hpp"
#include "workloads/pccl/loop.hpp"
#include "workloads/pccl/messages.hpp"

namespace spinel::pccl {

struct PeerConfig {
  std::uint64_t seed = 1;              // inputs: make_pseudo_gradient(seed, id, op, inner steps)
  std::uint32_t floats = 64;           // elements each peer reduces
  std::uint64_t size_bytes = 1 << 20;  // what the all-reduce stands for on the network
  std::uint32_t connections_per_neighbour = 1;
  sim::Time step_compute_ps = sim::kSecond;  // compute of one (inner) step
  TrainingLoop loop;
  sim::Time retry_backoff_ps = sim::kSecond;  // wait after "too few peers"
  sim::Time keepalive_interval_ps = 5 * sim::kSecond;
};

// Shared state: key 0 holds the weights (the sum of every committed
// all-reduce), key 1 a constant (the same at every peer from the start, so
// an outdated peer fetches key 0 only).
inline constexpr std::uint32_t kStateKeys = 2;

enum class PeerPhase : std::uint8_t {
  registered,        // waiting for admission
  topology_voted,    // waiting for the topology
  sync_voted,        // waiting for a sync plan
  fetching,          // waiting for a StateReply
  collective_voted,  // waiting for StartCollective (or TooFewPeers)
  running,           // ring in progress
  abort_reported,    // a neighbour broke; waiting for the master's abort
  finished,          // ring done locally; waiting for complete or abort
  computing,         // between steps (timer; async: the inner steps, result pending)
  left,              // gone (graceful leave or master lost)
};

class Peer {
 public:
  Peer(PeerId id, const PeerConfig& config);

  Output start(sim::Time now);
  Output on_message(sim::Time now, PeerId from, const Message& message);
  Output on_disconnect(sim::Time now, PeerId other);
  Output on_timer(sim::Time now, std::uint32_t kind);
  // Leave gracefully at the next step boundary.
  void request_leave() { leaving_ = true; }

  [[nodiscard]] PeerId id() const { return id_; }
  [[nodiscard]] const PeerConfig& config() const { return config_; }
  [[nodiscard]] RingShape ring_shape() const {
    return {config_.loop.concurrent_collectives, config_.connections_per_neighbour,
            config_.loop.quantisation};
  }
  [[nodiscard]] PeerPhase phase() const { return phase_; }
  [[nodiscard]] std::uint64_t revision() const { return revision_; }
  [[nodiscard]] std::uint64_t op() const { return op_; }
  [[nodiscard]] const std::vector<float>& input() const { return input_; }
  // The working buffer: the all-reduce result once finished.
  [[nodiscard]] const std::vector<float>& buffer() const { return buffer_; }
  [[nodiscard]] const std::vector<std::vector<float>>& state() const { return state_; }
  [[nodiscard]] std::vector<std::uint64_t> state_hashes() const;
  // Overwrites a key (tests: make a peer outdated).
  void set_state(std::uint32_t key, std::vector<float> values) { state_[key] = std::move(values); }
  void set_revision(std::uint64_t revision) { revision_ = revision; }

  static constexpr std::uint32_t kKeepaliveTimer = 1;
  static constexpr std::uint32_t kStepTimer = 2;
  // Async: the inner steps that overlap the outer all-reduce are done.
  static constexpr std::uint32_t kInnerTimer = 3;

 private:
  void vote_collective(Output& out);
  void begin_ring(Output& out, const StartCollective& start);
  void send_part(Output& out, std::uint32_t tag, std::uint32_t step, std::uint32_t part);
  void receive_part(Output& out, const Chunk& chunk);
  void restore();
  void commit(Output& out, const CompleteCollective& complete);
  // The step boundary: leave, or vote to update the topology.
  void next_step(Output& out);
  void end_step(Output& out, sim::Time now, sim::Time wait);
  [[nodiscard]] std::uint32_t streams() const {
    return config_.loop.concurrent_collectives * config_.connections_per_neighbour;
  }
  [[nodiscard]] std::uint32_t world() const { return static_cast<std::uint32_t>(ring_.size()); }

  PeerId id_;
  PeerConfig config_;
  PeerPhase phase_ = PeerPhase::registered;
  bool leaving_ = false;
  std::uint64_t revision_ = 0;
  std::vector<std::vector<float>> state_;
  // The current operation.
  std::uint64_t op_ = 0;
  std::uint32_t attempt_ = 0;
  std::uint64_t input_op_ = ~std::uint64_t{0};
  std::vector<float> input_;   // the backup restored on abort
  std::vector<float> buffer_;  // reduced in place
  std::vector<PeerId> ring_;
  std::uint32_t position_ = 0;
  // Per (tag, part), index tag * parts + part: the step expected next.
  std::vector<std::uint32_t> next_step_;
  std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t>, Chunk>
      early_;  // (attempt, tag, part, step) arrived early
  std::uint32_t parts_done_ = 0;
  std::map<std::pair<std::uint64_t, std::uint32_t>, std::uint32_t> aborts_;  // per (op, attempt)
  // Async: the inner steps run (a kInnerTimer is pending), the op they
  // follow, and a completed outer result waiting for them to end.
  bool inner_running_ = false;
  std::uint64_t inner_op_ = ~std::uint64_t{0};
  std::optional<CompleteCollective> pending_commit_;
  // Sync.
  SyncPlan plan_;
  std::set<PeerId> connected_;
};

}  // namespace spinel::pccl
