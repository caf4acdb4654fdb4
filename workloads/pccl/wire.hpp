#pragma once
// PCCL messages on a byte stream (the real TCP mode's format): each frame is
//   u32 length | u8 type | fields
// little-endian, `length` counting the type byte and the fields; the type is
// the Message alternative's index. Vectors are a u32 count then the
// elements; floats travel as their IEEE-754 bits. A StreamDecoder takes
// bytes as they arrive and hands out whole messages; a malformed frame
// (unknown type, fields that do not fill the frame exactly, a count larger
// than the bytes left, a frame over the size limit) stops the stream with
// an error, so the owner can drop that peer. It never reads out of bounds
// and never allocates more than the frame it holds.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "workloads/pccl/messages.hpp"

namespace spinel::pccl {

inline constexpr std::size_t kDefaultMaxFrameBytes = 64U << 20;

std::vector<std::uint8_t> encode(const Message& message);
// Appends one frame to `out`.
void encode_into(const Message& message, std::vector<std::uint8_t>& out);

class StreamDecoder {
 public:
  explicit StreamDecoder(std::size_t max_frame_bytes = kDefaultMaxFrameBytes)
      : max_frame_bytes_(max_frame_bytes) {}

  // Appends bytes as they arrive. Returns false once the stream has failed.
  bool feed(std::span<const std::uint8_t> bytes);
  // The next whole message, or nothing (more bytes needed, or failed()).
  std::optional<Message> next();

  [[nodiscard]] bool failed() const { return !error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] std::size_t buffered() const { return buffer_.size() - head_; }

 private:
  std::size_t max_frame_bytes_;
  std::vector<std::uint8_t> buffer_;
  std::size_t head_ = 0;  // start of the first unread frame
  std::string error_;
};

}  // namespace spinel::pccl
