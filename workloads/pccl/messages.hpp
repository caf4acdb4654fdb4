#pragma once
// PCCL's protocol messages as plain structs, and what a state machine hands
// back after each input (Output). Master and peers never touch sockets or
// the simulator: a driver (simulated network, later TCP) carries these.
#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sim/time.hpp"

namespace spinel::pccl {

using PeerId = std::uint32_t;
// The master as a message endpoint.
inline constexpr PeerId kMaster = ~PeerId{0};

// ---- peer -> master ----
struct Register {};
struct VoteTopology {};
// Shared-state vote: the revision and one hash per key.
struct VoteSync {
  std::uint64_t revision = 0;
  std::vector<std::uint64_t> hashes;
};
struct SyncDone {
  bool ok = true;  // false: the source went away before it answered
};
struct VoteCollective {
  std::uint64_t op = 0;
};
struct CollectiveDone {
  std::uint64_t op = 0;
  std::uint32_t attempt = 0;
};
// A connection to a ring neighbour broke mid-operation.
struct ReportAbort {
  std::uint64_t op = 0;
  std::uint32_t attempt = 0;
};
struct Leave {};
struct Keepalive {};

// ---- master -> peer ----
// The accepted peers in ring order (admission happened), and the operation
// number the group is at (newcomers learn it here).
struct Topology {
  std::uint64_t epoch = 0;
  std::uint64_t next_op = 0;
  std::vector<PeerId> ring;
};
// What to fetch to hold the winning shared state: the keys whose hash
// differs, from `source` (no keys: already up to date).
struct SyncPlan {
  std::uint64_t revision = 0;
  std::vector<std::uint64_t> hashes;  // the winner's, to check after fetching
  std::vector<std::uint32_t> keys;
  PeerId source = kMaster;
};
struct StartCollective {
  std::uint64_t op = 0;
  std::uint32_t attempt = 0;
  std::vector<PeerId> ring;  // the participants, in ring order
};
struct AbortCollective {
  std::uint64_t op = 0;
  std::uint32_t attempt = 0;
};
struct CompleteCollective {
  std::uint64_t op = 0;
  std::uint32_t attempt = 0;
};
// Fewer than two accepted peers: no all-reduce; try again later.
struct TooFewPeers {
  std::uint64_t op = 0;
};

// ---- peer -> peer ----
// One part (sub-chunk) of one ring step: global step g < W-1 is
// reduce-scatter, the rest all-gather. `tag`: which of the step's
// concurrent collectives it belongs to.
struct Chunk {
  std::uint64_t op = 0;
  std::uint32_t attempt = 0;
  std::uint32_t step = 0;
  std::uint32_t part = 0;
  std::vector<float> values;
  std::uint32_t tag = 0;
};
struct StateRequest {
  std::vector<std::uint32_t> keys;
};
struct StateReply {
  std::uint64_t revision = 0;
  std::vector<std::pair<std::uint32_t, std::vector<float>>> entries;
};

using Message =
    std::variant<Register, VoteTopology, VoteSync, SyncDone, VoteCollective, CollectiveDone,
                 ReportAbort, Leave, Keepalive, Topology, SyncPlan, StartCollective,
                 AbortCollective, CompleteCollective, TooFewPeers, Chunk, StateRequest, StateReply>;

std::string_view message_name(const Message& m);

struct Send {
  PeerId to = kMaster;
  Message message;
  // Chunks: which connection of the neighbour pool carries it, and the bytes
  // it stands for on the simulated network (the float vector is a small
  // stand-in for the real buffer). Control messages: 0 and 0.
  std::uint32_t connection = 0;
  std::uint64_t bytes = 0;
};

// A timer to fire at an absolute time; the state machine ignores stale ones.
struct Timer {
  std::uint32_t kind = 0;
  sim::Time at_ps = 0;
};

// What happened, for the invariant checker, metrics and churn.csv.
enum class NoticeKind : std::uint8_t {
  admitted,             // master: `peer` accepted; value = world size after the update
  departed,             // master: `peer` removed (disconnect, leave or keepalive)
  kicked,               // master: `peer` silent past the keepalive timeout
  topology_update,      // master: value = world size
  sync_begin,           // master
  sync_end,             // master
  collective_start,     // master: op, attempt, value = participants
  collective_abort,     // master: op, attempt
  collective_complete,  // master: op, attempt, value = participants
  peer_aborted,         // peer: received an abort for (op, attempt); value = aborts of it so far
  peer_finished,        // peer: local ring done for (op, attempt); value = its world size
  peer_synced,          // peer: fetched state; value = 1 if hashes matched the winner's
  peer_step,            // peer: committed op; value = new revision
};
std::string_view to_string(NoticeKind kind);

struct Notice {
  NoticeKind kind = NoticeKind::admitted;
  PeerId peer = kMaster;
  std::uint64_t op = 0;
  std::uint32_t attempt = 0;
  std::uint64_t value = 0;
};

struct Output {
  std::vector<Send> sends;
  std::vector<PeerId> connects;     // open connections (pools) to these peers
  std::vector<PeerId> disconnects;  // close them (master: drop the peer)
  std::vector<Timer> timers;
  std::vector<Notice> notices;
  void clear() {
    sends.clear();
    connects.clear();
    disconnects.clear();
    timers.clear();
    notices.clear();
  }
};

}  // namespace spinel::pccl
