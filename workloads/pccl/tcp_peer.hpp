#pragma once
// A PCCL peer over real TCP. It listens on 127.0.0.1 for its ring
// neighbours, connects to the master, says Hello, and once welcomed (its id
// and the group's parameters) runs the Peer state machine: frames in become
// its inputs; its Output becomes writes, connection pools and timers. A link
// to another peer is every connection between the two (the pool this peer
// opened and the pool the other opened); the first of them to close or to
// carry a malformed frame drops the whole link, and the Peer hears one
// disconnect. A ring connection is taken only from a peer that the master's
// latest Directory lists (with the listening port it gave the master), and,
// with a shared key, only once it proved it holds the key; its limits follow
// the group's sizes. kill() resets every socket at once, as SIGKILL would.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "workloads/pccl/connection.hpp"
#include "workloads/pccl/listener.hpp"
#include "workloads/pccl/peer.hpp"
#include "workloads/pccl/tcp_clock.hpp"

namespace spinel::pccl {

struct TcpPeerOptions {
  tcp::endpoint master{asio::ip::address_v4::loopback(), 0};
  std::uint16_t listen_port = 0;         // 0: any free port
  std::shared_ptr<const SharedKey> key;  // null: no authentication (--insecure)
  bool tls = false;                      // TLS on every connection (needs the key)
  sim::Time hello_timeout_ps = 5 * sim::kSecond;
  std::size_t max_pending = 64;  // ring connections not yet introduced, at once
};

// What all of a peer's connections may hold together: 16 MiB (read buffers
// of up to 64 connections per neighbour, control traffic) plus eight of its
// ring connections' biggest frames (parts from both neighbours, state sent
// to newcomers and fetched).
std::size_t peer_budget_bytes(const PeerConfig& group);

// Fault injection for tests: a lying peer. Called with each message the
// Peer state machine hands over, just before it goes out; it may change it
// and append more messages to send.
using Tamper = std::function<void(Send& send, std::vector<Send>& extra)>;

class TcpPeer : public std::enable_shared_from_this<TcpPeer> {
 public:
  TcpPeer(asio::io_context& io, const TcpPeerOptions& options, TcpClock clock);
  // Binds the listening port (throws if taken) and connects to the master.
  void start();
  // Every socket reset, no more input: the process is gone.
  void kill();
  // Alive but silent, as SIGSTOP: sockets stay open, nothing is read,
  // written or timed any more (only the master's keepalive finds it).
  void stall();
  // Leave gracefully at the next step boundary (after the current all-reduce).
  void leave();

  [[nodiscard]] bool running() const { return !dead_; }
  [[nodiscard]] bool stalled() const { return stalled_; }
  [[nodiscard]] std::uint16_t listen_port() const { return listen_port_; }
  // The state machine, once welcomed (nullptr before); kept after death for checkers.
  [[nodiscard]] std::shared_ptr<const Peer> peer() const { return peer_; }
  [[nodiscard]] const DropCounts& drops() const { return drops_; }
  // Links to other peers lost (a connection of the link closed or failed).
  [[nodiscard]] std::uint64_t links_dropped() const { return links_dropped_; }
  [[nodiscard]] std::uint64_t malformed_drops() const { return drops_.malformed; }
  [[nodiscard]] const Listener& listener() const { return *listener_; }

  std::function<void(const Peer&)> on_welcome;
  std::function<void(const Notice&)> on_notice;
  std::function<void(const std::string&)> on_log;
  // The peer stopped by itself: it left, or lost the master. Not called by kill().
  std::function<void(const std::string& why)> on_exit;
  Tamper tamper;

 private:
  struct Link {
    std::vector<std::shared_ptr<Connection>> out;  // the pool this peer opened
    std::vector<std::shared_ptr<Connection>> in;   // the pool the other peer opened
  };
  void on_master_frame(Frame&& frame);
  void on_ring_frame(Connection& c, Frame&& frame);
  void on_ring_closed(Connection& c, const Ending& ending);
  [[nodiscard]] bool valid_ring_hello(const Hello& hello) const;
  void open_pool(PeerId other);
  Connection* pick(PeerId other, std::uint32_t connection);
  void drop_link(PeerId other, const Ending& ending);
  void send(Send& s);
  void apply(Output&& out);
  void shut_down(bool abort);
  void log(const std::string& text) const;
  std::function<void(Connection&, Frame&&)> frame_handler();
  std::function<void(Connection&, const Ending&)> closed_handler();

  asio::io_context& io_;
  TcpPeerOptions options_;
  TcpClock clock_;
  ConnectionSettings settings_;
  std::shared_ptr<Listener> listener_;
  std::uint16_t listen_port_ = 0;
  std::shared_ptr<Peer> peer_;
  std::uint32_t pool_ = 1;
  ConnectionLimits ring_limits_;
  std::shared_ptr<Connection> master_;
  std::map<PeerId, std::uint16_t> directory_;  // the master's latest: the ring's peers
  std::map<std::uint64_t, PeerId> names_;      // ring connections, by Connection::id()
  std::map<PeerId, Link> links_;
  DropCounts drops_;
  std::uint64_t links_dropped_ = 0;
  bool dead_ = false;
  bool stalled_ = false;
  [[nodiscard]] bool deaf() const { return dead_ || stalled_; }
};

}  // namespace spinel::pccl
