#pragma once
// The PCCL master over real TCP: listens on 127.0.0.1, names each peer that
// says Hello (ids count connections from 0), welcomes it with the group's
// parameters, and from then on feeds its frames to the Master state machine
// and turns the Master's Output into writes, drops and timers. Before every
// Topology it tells the peer the listening ports of the ring, so peers can
// connect to their neighbours. With a shared key, only a peer that proves it
// holds the key gets as far as its Hello (connection.hpp). A connection that
// sends a malformed or unauthenticated frame, no Hello within hello_timeout,
// or more than its limits is dropped (a named peer's drop is a departure for
// the Master); nothing a peer sends can crash it or exhaust its memory.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "workloads/pccl/connection.hpp"
#include "workloads/pccl/listener.hpp"
#include "workloads/pccl/master.hpp"
#include "workloads/pccl/peer.hpp"
#include "workloads/pccl/tcp_clock.hpp"

namespace spinel::pccl {

struct TcpMasterOptions {
  std::uint16_t port = 0;  // 0: any free port (see TcpMaster::port)
  MasterConfig master;
  PeerConfig group;                      // sent to every peer (its seed, floats, pool, timings)
  std::shared_ptr<const SharedKey> key;  // null: no authentication (--insecure)
  bool tls = false;                      // TLS on every connection (needs the key)
  sim::Time hello_timeout_ps = 5 * sim::kSecond;
  std::size_t max_pending = 64;  // connections not yet introduced, at once
  // All connections together (read buffers, frames being read, send queues).
  // Those not yet introduced hold at most about 80 KiB each (a read buffer
  // and a read of small first frames): 5 MiB of it at the most.
  std::size_t max_buffered_bytes = 64U << 20;
};

class TcpMaster : public std::enable_shared_from_this<TcpMaster> {
 public:
  TcpMaster(asio::io_context& io, const TcpMasterOptions& options, TcpClock clock);
  // Binds the port (throws if taken) and starts accepting.
  void start();
  void stop();
  [[nodiscard]] std::uint16_t port() const { return listener_->port(); }
  [[nodiscard]] const Master& master() const { return master_; }
  [[nodiscard]] const DropCounts& drops() const { return drops_; }
  [[nodiscard]] std::uint64_t malformed_drops() const { return drops_.malformed; }
  [[nodiscard]] const Listener& listener() const { return *listener_; }
  [[nodiscard]] const ByteBudget& budget() const { return *budget_; }

  std::function<void(const Notice&)> on_notice;
  // Human-readable driver events: connections named, dropped, and why.
  std::function<void(const std::string&)> on_log;

 private:
  struct Client {
    std::shared_ptr<Connection> connection;
    std::uint16_t listen_port = 0;
  };
  void on_frame(Connection& c, Frame&& frame);
  void on_closed(Connection& c, const Ending& ending);
  void apply(Output&& out);
  void log(const std::string& text) const;

  asio::io_context& io_;
  TcpMasterOptions options_;
  TcpClock clock_;
  std::shared_ptr<ByteBudget> budget_;
  std::shared_ptr<Listener> listener_;
  Master master_;
  std::map<std::uint64_t, PeerId> names_;  // by Connection::id()
  std::map<PeerId, Client> clients_;
  PeerId next_id_ = 0;
  DropCounts drops_;
  bool stopped_ = false;
};

}  // namespace spinel::pccl
