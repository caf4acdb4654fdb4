#pragma once
// The real TCP mode's own frames, which travel on the same streams as the
// protocol's (wire.hpp) and share its framing `u32 length | u8 type | fields`
// with types from 0xF0 up, which no Message uses:
//   Hello     first frame of every connection: who connects and why
//   Welcome   the master's answer on a control connection: the peer's id and
//             the group's parameters (so every peer reduces the same data)
//   Directory the listening ports of peers a peer is about to be told of
// The state machines never see these: ids, ports and parameters are the
// driver's business. ConnectionDecoder splits a byte stream into either kind;
// a malformed frame of either kind fails the stream.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

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

using DriverFrame = std::variant<Hello, Welcome, Directory>;

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

  [[nodiscard]] bool failed() const { return !error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }
  // Bytes of an unfinished frame: a stream that ends with some was truncated.
  [[nodiscard]] std::size_t buffered() const { return buffer_.size() - head_; }

 private:
  std::size_t max_frame_bytes_;
  std::vector<std::uint8_t> buffer_;
  std::size_t head_ = 0;
  std::string error_;
};

}  // namespace spinel::pccl
