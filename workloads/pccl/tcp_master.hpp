#pragma once
// The PCCL master over real TCP: listens on 127.0.0.1, names each peer that
// says Hello (ids count connections from 0), welcomes it with the group's
// parameters, and from then on feeds its frames to the Master state machine
// and turns the Master's Output into writes, drops and timers. Before every
// Topology it tells the peer the listening ports of the ring, so peers can
// connect to their neighbours. A connection that sends a malformed frame, or
// no Hello within hello_timeout, is dropped (a named peer's drop is a
// departure for the Master); nothing a peer sends can crash it.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "workloads/pccl/connection.hpp"
#include "workloads/pccl/master.hpp"
#include "workloads/pccl/peer.hpp"
#include "workloads/pccl/tcp_clock.hpp"

namespace spinel::pccl {

struct TcpMasterOptions {
  std::uint16_t port = 0;  // 0: any free port (see TcpMaster::port)
  MasterConfig master;
  PeerConfig group;  // sent to every peer (its seed, floats, pool, timings)
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  sim::Time hello_timeout_ps = 5 * sim::kSecond;
};

class TcpMaster : public std::enable_shared_from_this<TcpMaster> {
 public:
  TcpMaster(asio::io_context& io, const TcpMasterOptions& options, TcpClock clock);
  // Binds the port (throws if taken) and starts accepting.
  void start();
  void stop();
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const Master& master() const { return master_; }
  [[nodiscard]] std::uint64_t malformed_drops() const { return malformed_drops_; }

  std::function<void(const Notice&)> on_notice;
  // Human-readable driver events: connections named, dropped, and why.
  std::function<void(const std::string&)> on_log;

 private:
  struct Client {
    std::shared_ptr<Connection> connection;
    std::uint16_t listen_port = 0;
  };
  void accept();
  void on_frame(Connection& c, Frame&& frame);
  void on_closed(Connection& c, const std::string& why);
  void apply(Output&& out);
  void log(const std::string& text) const;

  asio::io_context& io_;
  TcpMasterOptions options_;
  TcpClock clock_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  Master master_;
  std::map<const Connection*, std::shared_ptr<Connection>> unnamed_;  // no Hello yet
  std::map<const Connection*, PeerId> names_;
  std::map<PeerId, Client> clients_;
  PeerId next_id_ = 0;
  std::uint64_t malformed_drops_ = 0;
  bool stopped_ = false;
};

}  // namespace spinel::pccl
