#pragma once
// A master and its peers over real TCP on 127.0.0.1, all in this process on
// one io_context (one thread: the checker reads every state machine between
// inputs, never during one), with peers killed (every socket reset, as
// SIGKILL does) and restarted at random real times. The invariant checker
// hears every notice; the run stops at the first violation. Real time, so
// no two runs are alike: the seed picks the victims and intervals only.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/rng.hpp"
#include "workloads/pccl/checker.hpp"
#include "workloads/pccl/tcp_master.hpp"
#include "workloads/pccl/tcp_peer.hpp"

namespace spinel::pccl {

struct LoopbackOptions {
  std::uint32_t peers = 6;  // started at once; each kill is followed by a restart
  sim::Time duration_ps = 15 * sim::kSecond;
  // Every uniform(min, max) one peer is killed; its replacement starts
  // uniform(0, max) later. max = 0: no churn.
  sim::Time churn_interval_min_ps = 500 * sim::kMillisecond;
  sim::Time churn_interval_max_ps = 2 * sim::kSecond;
  // Share of kills aimed at the next collective's start (the rest strike at
  // once, mostly between all-reduces on a fast loopback): the abort path.
  double mid_collective_share = 0.5;
  // Share of hits that stall the peer (alive, sockets open, silent: only the
  // master's keepalive timeout finds it) instead of killing it.
  double stall_share = 0;
  std::uint64_t seed = 1;
  MasterConfig master{500 * sim::kMillisecond, 2 * sim::kSecond};
  PeerConfig group;                      // see loopback_group_config
  sim::Time liveness_bound_ps;           // no step for this long with >= 2 live peers: a violation
  std::shared_ptr<const SharedKey> key;  // the group's; null: no authentication
  bool tls = false;
};

// Small and fast: 4096 floats, a pool of 2, 5 ms of compute, 50 ms back-off,
// keepalive every 500 ms; liveness bound 8 s; a random key.
LoopbackOptions loopback_defaults();

struct LoopbackStep {
  std::uint64_t op = 0;
  std::uint32_t attempts = 0;
  std::uint32_t world = 0;
  sim::Time at_ps = 0;  // since the start of the run
};

struct LoopbackResult {
  std::vector<LoopbackStep> steps;
  std::uint64_t aborted_attempts = 0;
  std::uint64_t spawned = 0;
  std::uint64_t kills = 0;
  std::uint64_t stalls = 0;
  std::uint64_t kicks = 0;            // peers the master dropped for silence
  std::uint64_t malformed_drops = 0;  // master and peers (not attackers)
  std::uint64_t unauthenticated_drops = 0;
  std::uint64_t over_limit_drops = 0;
  std::uint64_t max_revision = 0;   // of any honest peer
  std::uint64_t links_dropped = 0;  // by honest peers
  std::uint64_t checks = 0;
  sim::Time longest_gap_ps = 0;  // between completed steps (or the start and the first)
  bool failed = false;
  std::string violation;
  sim::Time violation_at_ps = 0;
};

class LoopbackGroup {
 public:
  LoopbackGroup(asio::io_context& io, const LoopbackOptions& options);
  ~LoopbackGroup();
  LoopbackGroup(const LoopbackGroup&) = delete;
  LoopbackGroup& operator=(const LoopbackGroup&) = delete;

  // Starts the master, the peers and the churn; io.run() then runs it until
  // the duration passes (or a violation stops it).
  void start();
  [[nodiscard]] std::uint16_t master_port() const { return master_->port(); }
  // Stalls a random running peer now (tests; the churn does it by stall_share).
  void stall_one() { hit(true); }
  // Some live, welcomed peer: its id and listening port (port 0 if none).
  struct PeerAddress {
    PeerId id = 0;
    std::uint16_t port = 0;
  };
  [[nodiscard]] PeerAddress some_peer() const;
  // Starts one more honest peer now (tests; the churn starts replacements).
  std::shared_ptr<TcpPeer> join() { return spawn(options_.key); }
  // Every live, welcomed peer.
  [[nodiscard]] std::vector<PeerAddress> peers() const;
  // Starts a peer that lies (tests): `tamper` changes what it sends, `key`
  // is the one it holds (null: none). The checker knows its state machine,
  // so a result it biased is a violation; it is neither killed nor counted
  // among the live peers.
  std::shared_ptr<TcpPeer> add_attacker(Tamper tamper, std::shared_ptr<const SharedKey> key);
  [[nodiscard]] const TcpMaster& master() const { return *master_; }
  [[nodiscard]] const TcpClock& clock() const { return clock_; }
  LoopbackResult finish();

  std::function<void(const std::string&)> on_log;

 private:
  std::shared_ptr<TcpPeer> spawn(std::shared_ptr<const SharedKey> key);
  void churn_tick();
  void kill_one() { hit(false); }
  void hit(bool stall);
  void liveness_tick();
  void on_notice(const Notice& n);
  [[nodiscard]] std::size_t live() const;
  void after(sim::Time wait_ps, std::function<void()> then);

  asio::io_context& io_;
  LoopbackOptions options_;
  TcpClock clock_;
  sim::Rng rng_;
  std::shared_ptr<TcpMaster> master_;
  std::vector<std::shared_ptr<TcpPeer>> peers_;  // every one ever started
  std::vector<std::shared_ptr<TcpPeer>> attackers_;
  std::map<PeerId, std::shared_ptr<const Peer>> by_id_;  // welcomed ones, dead too
  std::optional<Checker> checker_;
  LoopbackResult result_;
  sim::Time last_step_ps_ = 0;
  bool stopped_ = false;
  bool kill_at_start_ = false;  // a kill waits for the next collective
  // Timer handlers hold this weakly: once the group is gone they do nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace spinel::pccl
