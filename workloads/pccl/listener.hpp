#pragma once
// The listening end of a master or a peer: accepts connections on 127.0.0.1
// and holds each one until its owner names it (by the Hello that follows the
// handshake) or the hello timeout passes, counted from that connection's own
// accept: timers find their connection by its id, never by its address. At
// most max_pending connections wait at once; one more is refused at once.
// When accept fails (out of descriptors: EMFILE, ENFILE; out of buffers) it
// backs off, 10 ms doubling up to 1 s, instead of retrying in a loop; the
// connections already admitted go on being served meanwhile, and the kernel
// keeps new ones in its backlog until a descriptor is free.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "sim/time.hpp"
#include "workloads/pccl/connection.hpp"

namespace spinel::pccl {

struct ListenerOptions {
  std::uint16_t port = 0;  // 0: any free port (see Listener::port)
  sim::Time hello_timeout_ps = 5 * sim::kSecond;
  std::size_t max_pending = 64;
  ConnectionSettings connection;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, const ListenerOptions& options, Connection::Handlers handlers);
  // Binds the port (throws if taken) and starts accepting.
  void start();
  // Closes the acceptor and every connection still pending.
  void stop();
  [[nodiscard]] std::uint16_t port() const { return port_; }

  // The owner names a pending connection: it is the owner's from now on (no
  // more hello timer). nullptr if it is not pending (any more).
  std::shared_ptr<Connection> adopt(const Connection& c);
  // A connection ended (the owner heard it): whether it was still pending.
  bool forget(const Connection& c) { return pending_.erase(c.id()) != 0; }

  [[nodiscard]] std::uint64_t accept_errors() const { return accept_errors_; }
  // Connections closed at once: max_pending were already waiting.
  [[nodiscard]] std::uint64_t refused() const { return refused_; }

  std::function<void(const std::string&)> on_log;

 private:
  void accept();
  void on_accept(const boost::system::error_code& ec, tcp::socket socket);
  void log(const std::string& text) const;

  asio::io_context& io_;
  ListenerOptions options_;
  Connection::Handlers handlers_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  std::uint16_t port_ = 0;
  std::chrono::milliseconds backoff_{0};
  std::map<std::uint64_t, std::shared_ptr<Connection>> pending_;  // by Connection::id()
  std::uint64_t accept_errors_ = 0;
  std::uint64_t refused_ = 0;
  bool stopped_ = false;
};

}  // namespace spinel::pccl
