#pragma once
// The real TCP mode's own frames, which travel on the same streams as the
// protocol's (wire.hpp) and share its framing `u32 length | u8 type | fields`
// with types from 0xF0 up, which no Message uses:
//   Hello     first frame of every connection: who connects and why
//   Welcome   the master's answer on a control connection: the peer's id and
//             the group's parameters (so every peer reduces the same data)
//   Directory the listening ports of peers a peer is about to be told of
//   Challenge, Proof  the authentication handshake (auth.hpp) that comes
//             before the Hello on a connection with a shared key
// The state machines never see these: ids, ports and parameters are the
// driver's business. ConnectionDecoder splits a byte stream into either kind;
// a malformed frame of either kind fails the stream. Once a connection is
// authenticated, every frame is followed by its tag (auth.hpp), and a frame
// whose tag does not check fails the stream too, before it is decoded.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "workloads/pccl/auth.hpp"
#include "workloads/pccl/messages.hpp"
#include "workloads/pccl/peer.hpp"
#include "workloads/pccl/wire.hpp"

namespace spinel::pccl {

enum class HelloRole : std::uint8_t {
  control = 0,  // peer -> master; listen_port is where the peer takes ring connections
  ring = 1,     // peer -> peer; `peer`, `connection` and `target` name the sender, the
                // pool slot and whom it means to reach (a port may have changed hands)
};

struct Hello {
  HelloRole role = HelloRole::control;
  std::uint16_t listen_port = 0;
  PeerId peer = 0;
  std::uint32_t connection = 0;
  PeerId target = 0;
};

struct Welcome {
  PeerId id = 0;
  PeerConfig config;  // seed, floats, size, pool, compute, back-off, keepalive
};

struct Directory {
  std::vector<std::pair<PeerId, std::uint16_t>> ports;
};

// The first frame of each end of an authenticated connection.
struct Challenge {
  std::uint8_t version = 1;  // of the handshake; another version is refused
  Nonce nonce{};
};

// The second: HMAC(key, role | both nonces), see auth.hpp.
struct Proof {
  Tag proof{};
};

inline constexpr std::uint8_t kHandshakeVersion = 1;
// Handshake frames and the Hello are small: a connection that has not
// introduced itself may send no bigger frame than this.
inline constexpr std::size_t kFirstFramesMaxBytes = 64;

using DriverFrame = std::variant<Hello, Welcome, Directory, Challenge, Proof>;

inline constexpr std::uint8_t kFirstDriverType = 0xF0;

void encode_into(const DriverFrame& frame, std::vector<std::uint8_t>& out);

// One decoded frame of a connection: a protocol message or a driver frame.
using Frame = std::variant<Message, DriverFrame>;

class ConnectionDecoder {
 public:
  explicit ConnectionDecoder(std::size_t max_frame_bytes = kDefaultMaxFrameBytes)
      : max_frame_bytes_(max_frame_bytes) {}

  void feed(std::span<const std::uint8_t> bytes);
  // The next whole frame, or nothing (more bytes needed, or failed()).
  std::optional<Frame> next();
  // From the next frame on: frames up to this size.
  void set_max_frame_bytes(std::size_t bytes) { max_frame_bytes_ = bytes; }
  // From the next frame on: each frame is followed by its tag, checked by `mac`.
  void require_mac(FrameMac mac) { mac_.emplace(std::move(mac)); }

  [[nodiscard]] bool failed() const { return !error_.empty(); }
  // The stream failed on a frame whose tag did not check.
  [[nodiscard]] bool unauthenticated() const { return unauthenticated_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  // Bytes of an unfinished frame: a stream that ends with some was truncated.
  [[nodiscard]] std::size_t buffered() const { return buffer_.size() - head_; }
  // Memory the buffer holds (its capacity), for the connection's budget.
  [[nodiscard]] std::size_t held_bytes() const { return buffer_.capacity(); }

 private:
  std::size_t max_frame_bytes_;
  std::vector<std::uint8_t> buffer_;
  std::size_t head_ = 0;
  std::optional<FrameMac> mac_;
  bool unauthenticated_ = false;
  std::string error_;
};

}  // namespace spinel::pccl
