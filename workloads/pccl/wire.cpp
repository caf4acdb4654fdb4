#include "workloads/pccl/wire.hpp"

#include <bit>
#include <type_traits>

namespace spinel::pccl {

namespace {

class Writer {
 public:
  explicit Writer(std::vector<std::uint8_t>& out) : out_(out) {}
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void f32(float v) { u32(std::bit_cast<std::uint32_t>(v)); }
  void count(std::size_t n) { u32(static_cast<std::uint32_t>(n)); }

 private:
  std::vector<std::uint8_t>& out_;
};

// Reads fields of one frame body; any overrun sets ok = false and reads 0.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}
  std::uint8_t u8() { return static_cast<std::uint8_t>(take(1)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(take(4)); }
  std::uint64_t u64() { return take(8); }
  float f32() { return std::bit_cast<float>(u32()); }
  // A count of elements of `size` bytes each: never more than the bytes left,
  // so a forged count cannot make us allocate.
  std::size_t count(std::size_t size) {
    const std::uint32_t n = u32();
    if (static_cast<std::uint64_t>(n) * size > in_.size() - at_) {
      ok = false;
      return 0;
    }
    return n;
  }
  [[nodiscard]] bool done() const { return ok && at_ == in_.size(); }
  bool ok = true;

 private:
  std::uint64_t take(std::size_t bytes) {
    if (!ok || in_.size() - at_ < bytes) {
      ok = false;
      return 0;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i)
      v |= static_cast<std::uint64_t>(in_[at_ + i]) << (8 * i);
    at_ += bytes;
    return v;
  }
  std::span<const std::uint8_t> in_;
  std::size_t at_ = 0;
};

void write_fields(Writer& w, const Message& message) {
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, VoteSync>) {
          w.u64(m.revision);
          w.count(m.hashes.size());
          for (std::uint64_t h : m.hashes) w.u64(h);
        } else if constexpr (std::is_same_v<T, SyncDone>) {
          w.u8(m.ok ? 1 : 0);
        } else if constexpr (std::is_same_v<T, VoteCollective> || std::is_same_v<T, TooFewPeers>) {
          w.u64(m.op);
        } else if constexpr (std::is_same_v<T, CollectiveDone> || std::is_same_v<T, ReportAbort> ||
                             std::is_same_v<T, AbortCollective> ||
                             std::is_same_v<T, CompleteCollective>) {
          w.u64(m.op);
          w.u32(m.attempt);
        } else if constexpr (std::is_same_v<T, Topology>) {
          w.u64(m.epoch);
          w.u64(m.next_op);
          w.count(m.ring.size());
          for (PeerId p : m.ring) w.u32(p);
        } else if constexpr (std::is_same_v<T, SyncPlan>) {
          w.u64(m.revision);
          w.count(m.hashes.size());
          for (std::uint64_t h : m.hashes) w.u64(h);
          w.count(m.keys.size());
          for (std::uint32_t k : m.keys) w.u32(k);
          w.u32(m.source);
        } else if constexpr (std::is_same_v<T, StartCollective>) {
          w.u64(m.op);
          w.u32(m.attempt);
          w.count(m.ring.size());
          for (PeerId p : m.ring) w.u32(p);
        } else if constexpr (std::is_same_v<T, Chunk>) {
          w.u64(m.op);
          w.u32(m.attempt);
          w.u32(m.tag);
          w.u32(m.step);
          w.u32(m.part);
          w.count(m.values.size());
          for (float v : m.values) w.f32(v);
        } else if constexpr (std::is_same_v<T, StateRequest>) {
          w.count(m.keys.size());
          for (std::uint32_t k : m.keys) w.u32(k);
        } else if constexpr (std::is_same_v<T, StateReply>) {
          w.u64(m.revision);
          w.count(m.entries.size());
          for (const auto& [key, values] : m.entries) {
            w.u32(key);
            w.count(values.size());
            for (float v : values) w.f32(v);
          }
        }
        // Register, VoteTopology, Leave, Keepalive: no fields.
      },
      message);
}

template <typename T>
void read_fields(Reader& r, T& m) {
  if constexpr (std::is_same_v<T, VoteSync>) {
    m.revision = r.u64();
    m.hashes.resize(r.count(8));
    for (std::uint64_t& h : m.hashes) h = r.u64();
  } else if constexpr (std::is_same_v<T, SyncDone>) {
    const std::uint8_t ok = r.u8();
    if (ok > 1) r.ok = false;
    m.ok = ok == 1;
  } else if constexpr (std::is_same_v<T, VoteCollective> || std::is_same_v<T, TooFewPeers>) {
    m.op = r.u64();
  } else if constexpr (std::is_same_v<T, CollectiveDone> || std::is_same_v<T, ReportAbort> ||
                       std::is_same_v<T, AbortCollective> ||
                       std::is_same_v<T, CompleteCollective>) {
    m.op = r.u64();
    m.attempt = r.u32();
  } else if constexpr (std::is_same_v<T, Topology>) {
    m.epoch = r.u64();
    m.next_op = r.u64();
    m.ring.resize(r.count(4));
    for (PeerId& p : m.ring) p = r.u32();
  } else if constexpr (std::is_same_v<T, SyncPlan>) {
    m.revision = r.u64();
    m.hashes.resize(r.count(8));
    for (std::uint64_t& h : m.hashes) h = r.u64();
    m.keys.resize(r.count(4));
    for (std::uint32_t& k : m.keys) k = r.u32();
    m.source = r.u32();
  } else if constexpr (std::is_same_v<T, StartCollective>) {
    m.op = r.u64();
    m.attempt = r.u32();
    m.ring.resize(r.count(4));
    for (PeerId& p : m.ring) p = r.u32();
  } else if constexpr (std::is_same_v<T, Chunk>) {
    m.op = r.u64();
    m.attempt = r.u32();
    m.tag = r.u32();
    m.step = r.u32();
    m.part = r.u32();
    m.values.resize(r.count(4));
    for (float& v : m.values) v = r.f32();
  } else if constexpr (std::is_same_v<T, StateRequest>) {
    m.keys.resize(r.count(4));
    for (std::uint32_t& k : m.keys) k = r.u32();
  } else if constexpr (std::is_same_v<T, StateReply>) {
    m.revision = r.u64();
    // Each entry is at least 8 bytes (key and count).
    m.entries.resize(r.count(8));
    for (auto& [key, values] : m.entries) {
      key = r.u32();
      values.resize(r.count(4));
      for (float& v : values) v = r.f32();
    }
  }
}

// Builds alternative `index` of Message from a frame body.
template <std::size_t I = 0>
std::optional<Message> decode_body(std::size_t index, Reader& r) {
  if constexpr (I < std::variant_size_v<Message>) {
    if (index == I) {
      std::variant_alternative_t<I, Message> m{};
      read_fields(r, m);
      if (!r.done()) return std::nullopt;
      return Message(std::move(m));
    }
    return decode_body<I + 1>(index, r);
  } else {
    return std::nullopt;
  }
}

}  // namespace

void encode_into(const Message& message, std::vector<std::uint8_t>& out) {
  const std::size_t start = out.size();
  Writer w(out);
  w.u32(0);  // length, patched below
  w.u8(static_cast<std::uint8_t>(message.index()));
  write_fields(w, message);
  const auto length = static_cast<std::uint32_t>(out.size() - start - 4);
  for (int i = 0; i < 4; ++i)
    out[start + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(length >> (8 * i));
}

std::vector<std::uint8_t> encode(const Message& message) {
  std::vector<std::uint8_t> out;
  encode_into(message, out);
  return out;
}

bool StreamDecoder::feed(std::span<const std::uint8_t> bytes) {
  if (failed()) return false;
  // Drop consumed frames before growing, so the buffer stays about one frame.
  if (head_ > 0 && head_ * 2 >= buffer_.size()) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  return true;
}

std::optional<Message> StreamDecoder::next() {
  if (failed() || buffered() < 4) return std::nullopt;
  const std::uint8_t* p = buffer_.data() + head_;
  const std::uint32_t length =
      static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
      static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
  if (length == 0 || length > max_frame_bytes_) {
    error_ = "frame length " + std::to_string(length) + " outside 1.." +
             std::to_string(max_frame_bytes_);
    return std::nullopt;
  }
  if (buffered() - 4 < length) return std::nullopt;  // truncated so far: wait for more
  const std::uint8_t type = p[4];
  Reader r(std::span<const std::uint8_t>(p + 5, length - 1));
  std::optional<Message> m = decode_body(type, r);
  if (!m) {
    error_ = type >= std::variant_size_v<Message>
                 ? "unknown message type " + std::to_string(type)
                 : "malformed frame of type " + std::to_string(type) + " (" +
                       std::to_string(length) + " bytes)";
    return std::nullopt;
  }
  head_ += 4 + length;
  return m;
}

}  // namespace spinel::pccl
