#pragma once
// One TCP connection of the real mode, on a Boost.Asio io_context: reads
// bytes into a ConnectionDecoder and hands each whole frame to its owner,
// queues writes in order. With a shared key it first runs the handshake of
// auth.hpp, in which both ends prove they hold the key: the owner sees no
// frame before that, and what it sends meanwhile waits; from then on every
// frame is tagged and checked. With a TLS context all of it runs inside TLS.
// It ends with one `closed` call on a malformed or unauthenticated frame, on
// EOF (with or without a truncated frame left over), on a socket error, when
// its send queue outgrows its limit (the other end does not read) or when its
// process's budget cannot hold what it needs; close() ends it without one.
// Completion handlers hold the connection, never the owner, so an owner can
// drop it at any time.
// Boost 1.74's asio uses std::exchange without including <utility> (fixed in 1.75).
#include <utility>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "workloads/pccl/auth.hpp"
#include "workloads/pccl/byte_budget.hpp"
#include "workloads/pccl/real_wire.hpp"

namespace spinel::pccl {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// What one connection may hold. Until its owner says otherwise (once it
// knows who is on the other end), only the first frames' size.
struct ConnectionLimits {
  std::size_t max_frame_bytes = kFirstFramesMaxBytes;
  std::size_t max_queued_bytes = 64U << 10;  // unsent bytes: beyond, the other end does not read
};

struct ConnectionSettings {
  std::shared_ptr<const SharedKey> key;     // null: no authentication (--insecure)
  std::shared_ptr<asio::ssl::context> tls;  // null: plain TCP; TLS needs a key
  std::shared_ptr<ByteBudget> budget;       // null: no bound across connections
};

// The settings of one process's connections: its key (null: none), TLS on
// or off (on needs the key), and a budget of `budget_bytes` for them all.
ConnectionSettings connection_settings(std::shared_ptr<const SharedKey> key, bool tls,
                                       std::size_t budget_bytes);

// How a connection ended, for its owner's counts and logs.
struct Ending {
  enum class Kind : std::uint8_t {
    closed,           // the other end closed it, between frames
    failed,           // a socket error, or closed inside a frame
    malformed,        // a frame the decoder refused
    unauthenticated,  // the handshake failed, or a frame's tag did not check
    over_limit,       // its send queue or its process's budget
  };
  Kind kind = Kind::closed;
  std::string why;
};

// Connections ended by their other end's fault, by kind.
struct DropCounts {
  std::uint64_t malformed = 0;
  std::uint64_t unauthenticated = 0;
  std::uint64_t over_limit = 0;
  // Counts an ending; true if it is one of those (worth a log line).
  bool count(const Ending& ending);
  DropCounts& operator+=(const DropCounts& other);
};

// The limits of the real mode's connections, from the group's sizes.
// Control connections (peer <-> master) carry small messages that grow only
// with the number of peers: frames up to 64 KiB (a ring of 16,000 peers),
// 1 MiB waiting to be sent.
ConnectionLimits control_limits();
// Ring connections carry chunk parts and, at most, a StateReply of every
// shared key: frames up to that (kStateKeys x floats x 4 bytes) plus 4 KiB,
// four of them waiting to be sent.
ConnectionLimits ring_limits(const PeerConfig& group);

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  struct Handlers {
    std::function<void(Connection&, Frame&&)> frame;
    std::function<void(Connection&, const Ending&)> closed;
  };

  // A socket from an acceptor.
  static std::shared_ptr<Connection> accepted(tcp::socket socket,
                                              const ConnectionSettings& settings);
  // Connects to `endpoint`; sends queued meanwhile go out once it is connected
  // (and authenticated).
  static std::shared_ptr<Connection> connect(asio::io_context& io, const tcp::endpoint& endpoint,
                                             const ConnectionSettings& settings);

  void start(Handlers handlers);
  void send(const Message& message);
  void send(const DriverFrame& frame);
  void set_limits(const ConnectionLimits& limits);
  // abort: reset the connection at once (queued bytes lost), as the kernel
  // does for a killed process with unread data; otherwise the queued bytes
  // go out first, then a FIN.
  void close(bool abort);
  [[nodiscard]] bool open() const { return !closed_; }
  // Unique in the process: owners key maps and timers by it, never by the
  // connection's address, which a later connection may reuse.
  [[nodiscard]] std::uint64_t id() const { return id_; }

  Connection(tcp::socket socket, const ConnectionSettings& settings, HandshakeRole role);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

 private:
  enum class Stage : std::uint8_t { connecting, tls, authenticating, open };
  static constexpr std::size_t kReadBufferBytes = 16384;

  void begin();
  void after_tls();
  void read();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  bool on_handshake_frame(const Frame& frame);
  template <typename T>
  void enqueue(const T& frame);
  void seal_from(std::size_t start);
  void flush();
  bool charge();
  void fail(Ending::Kind kind, const std::string& why);
  void fail_soon(Ending::Kind kind, const std::string& why);
  void shut();
  tcp::socket& socket() { return tls_ ? tls_->next_layer() : socket_; }
  [[nodiscard]] const Nonce& connector_nonce() const;
  [[nodiscard]] const Nonce& acceptor_nonce() const;

  tcp::socket socket_;
  // Declared before the stream, so destroyed after it: its callbacks hold the key.
  std::shared_ptr<asio::ssl::context> tls_context_;
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
  std::shared_ptr<const SharedKey> key_;
  std::shared_ptr<ByteBudget> budget_;
  HandshakeRole role_;
  std::uint64_t id_;
  ConnectionDecoder decoder_;
  ConnectionLimits limits_;
  Handlers handlers_;
  Stage stage_ = Stage::connecting;
  bool started_ = false;
  bool connected_ = false;
  bool writing_ = false;
  bool closing_ = false;  // close after the queue drains
  bool closed_ = false;
  bool over_budget_ = false;
  Nonce own_nonce_{};
  std::optional<Nonce> their_nonce_;
  std::optional<FrameMac> sender_;
  std::vector<std::uint8_t> pending_;      // frames sent before authentication, untagged
  std::vector<std::size_t> pending_ends_;  // where each of them ends
  std::vector<std::uint8_t> queued_;
  std::vector<std::uint8_t> in_flight_;
  std::size_t held_bytes_ = 0;
  std::array<std::uint8_t, kReadBufferBytes> read_buffer_{};
};

}  // namespace spinel::pccl
