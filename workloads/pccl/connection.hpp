#pragma once
// One TCP connection of the real mode, on a Boost.Asio io_context: reads
// bytes into a ConnectionDecoder and hands each whole frame to its owner,
// queues writes in order. A malformed frame, EOF (with or without a
// truncated frame left over) or a socket error ends it with one `closed`
// call; close() ends it without one. Completion handlers hold the
// connection, never the owner, so an owner can drop it at any time.
// Boost 1.74's asio uses std::exchange without including <utility> (fixed in 1.75).
#include <utility>

#include <array>
#include <boost/asio.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "workloads/pccl/real_wire.hpp"

namespace spinel::pccl {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  struct Handlers {
    std::function<void(Connection&, Frame&&)> frame;
    std::function<void(Connection&, const std::string& why)> closed;
  };

  // A socket from an acceptor.
  static std::shared_ptr<Connection> accepted(tcp::socket socket, std::size_t max_frame_bytes);
  // Connects to `endpoint`; sends queued meanwhile go out once connected.
  static std::shared_ptr<Connection> connect(asio::io_context& io, const tcp::endpoint& endpoint,
                                             std::size_t max_frame_bytes);

  void start(Handlers handlers);
  void send(const Message& message);
  void send(const DriverFrame& frame);
  // abort: reset the connection at once (queued bytes lost), as the kernel
  // does for a killed process with unread data; otherwise the queued bytes
  // go out first, then a FIN.
  void close(bool abort);
  [[nodiscard]] bool open() const { return !closed_; }

  Connection(tcp::socket socket, std::size_t max_frame_bytes);

 private:
  void read();
  void flush();
  void fail(const std::string& why);
  void shut();

  tcp::socket socket_;
  ConnectionDecoder decoder_;
  Handlers handlers_;
  bool connecting_ = false;
  bool writing_ = false;
  bool closing_ = false;  // close after the queue drains
  bool closed_ = false;
  std::vector<std::uint8_t> queued_;
  std::vector<std::uint8_t> in_flight_;
  std::array<std::uint8_t, 16384> read_buffer_{};
};

}  // namespace spinel::pccl
