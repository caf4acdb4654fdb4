#include "workloads/pccl/real_wire.hpp"

#include <type_traits>

namespace spinel::pccl {

namespace {

enum : std::uint8_t { kHello = kFirstDriverType, kWelcome, kDirectory, kChallenge, kProof };

void put(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// Reads little-endian fields of one frame body; an overrun clears ok.
class Fields {
 public:
  explicit Fields(std::span<const std::uint8_t> in) : in_(in) {}
  std::uint64_t get(std::size_t bytes) {
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
  [[nodiscard]] std::size_t left() const { return in_.size() - at_; }
  [[nodiscard]] bool done() const { return ok && at_ == in_.size(); }
  bool ok = true;

 private:
  std::span<const std::uint8_t> in_;
  std::size_t at_ = 0;
};

std::optional<DriverFrame> decode_driver(std::uint8_t type, Fields& f) {
  DriverFrame frame;
  if (type == kHello) {
    Hello h;
    const auto role = f.get(1);
    if (role > 1) return std::nullopt;
    h.role = static_cast<HelloRole>(role);
    h.listen_port = static_cast<std::uint16_t>(f.get(2));
    h.peer = static_cast<PeerId>(f.get(4));
    h.connection = static_cast<std::uint32_t>(f.get(4));
    h.target = static_cast<PeerId>(f.get(4));
    frame = h;
  } else if (type == kWelcome) {
    Welcome w;
    w.id = static_cast<PeerId>(f.get(4));
    w.config.seed = f.get(8);
    w.config.floats = static_cast<std::uint32_t>(f.get(4));
    w.config.size_bytes = f.get(8);
    w.config.connections_per_neighbour = static_cast<std::uint32_t>(f.get(4));
    w.config.step_compute_ps = static_cast<sim::Time>(f.get(8));
    w.config.retry_backoff_ps = static_cast<sim::Time>(f.get(8));
    w.config.keepalive_interval_ps = static_cast<sim::Time>(f.get(8));
    w.config.loop.inner_steps = static_cast<std::uint32_t>(f.get(4));
    const auto async = f.get(1);
    const auto quantisation = f.get(1);
    w.config.loop.concurrent_collectives = static_cast<std::uint32_t>(f.get(4));
    // A pool of 0 or a zero keepalive would divide by zero or spin; the
    // loop's settings as a scenario bounds them.
    if (w.config.connections_per_neighbour == 0 || w.config.keepalive_interval_ps <= 0 ||
        w.config.step_compute_ps < 0 || w.config.retry_backoff_ps < 0 ||
        w.config.loop.inner_steps == 0 || w.config.loop.inner_steps > 100'000 || async > 1 ||
        quantisation > static_cast<std::uint8_t>(Quantisation::int8) ||
        w.config.loop.concurrent_collectives == 0 || w.config.loop.concurrent_collectives > 256) {
      return std::nullopt;
    }
    w.config.loop.async = async == 1;
    w.config.loop.quantisation = static_cast<Quantisation>(quantisation);
    frame = w;
  } else if (type == kDirectory) {
    Directory d;
    const std::uint64_t n = f.get(4);
    if (n * 6 > f.left()) return std::nullopt;  // a forged count allocates nothing
    d.ports.resize(n);
    for (auto& [id, port] : d.ports) {
      id = static_cast<PeerId>(f.get(4));
      port = static_cast<std::uint16_t>(f.get(2));
    }
    frame = d;
  } else if (type == kChallenge) {
    Challenge c;
    c.version = static_cast<std::uint8_t>(f.get(1));
    for (std::uint8_t& b : c.nonce) b = static_cast<std::uint8_t>(f.get(1));
    frame = c;
  } else if (type == kProof) {
    Proof p;
    for (std::uint8_t& b : p.proof) b = static_cast<std::uint8_t>(f.get(1));
    frame = p;
  } else {
    return std::nullopt;
  }
  if (!f.done()) return std::nullopt;
  return frame;
}

}  // namespace

void encode_into(const DriverFrame& frame, std::vector<std::uint8_t>& out) {
  const std::size_t start = out.size();
  put(out, 0, 4);  // length, patched below
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Hello>) {
          put(out, kHello, 1);
          put(out, static_cast<std::uint8_t>(m.role), 1);
          put(out, m.listen_port, 2);
          put(out, m.peer, 4);
          put(out, m.connection, 4);
          put(out, m.target, 4);
        } else if constexpr (std::is_same_v<T, Welcome>) {
          put(out, kWelcome, 1);
          put(out, m.id, 4);
          put(out, m.config.seed, 8);
          put(out, m.config.floats, 4);
          put(out, m.config.size_bytes, 8);
          put(out, m.config.connections_per_neighbour, 4);
          put(out, static_cast<std::uint64_t>(m.config.step_compute_ps), 8);
          put(out, static_cast<std::uint64_t>(m.config.retry_backoff_ps), 8);
          put(out, static_cast<std::uint64_t>(m.config.keepalive_interval_ps), 8);
          put(out, m.config.loop.inner_steps, 4);
          put(out, m.config.loop.async ? 1U : 0U, 1);
          put(out, static_cast<std::uint8_t>(m.config.loop.quantisation), 1);
          put(out, m.config.loop.concurrent_collectives, 4);
        } else if constexpr (std::is_same_v<T, Challenge>) {
          put(out, kChallenge, 1);
          put(out, m.version, 1);
          out.insert(out.end(), m.nonce.begin(), m.nonce.end());
        } else if constexpr (std::is_same_v<T, Proof>) {
          put(out, kProof, 1);
          out.insert(out.end(), m.proof.begin(), m.proof.end());
        } else {
          put(out, kDirectory, 1);
          put(out, m.ports.size(), 4);
          for (const auto& [id, port] : m.ports) {
            put(out, id, 4);
            put(out, port, 2);
          }
        }
      },
      frame);
  const std::size_t length = out.size() - start - 4;
  for (int i = 0; i < 4; ++i)
    out[start + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(length >> (8 * i));
}

void ConnectionDecoder::feed(std::span<const std::uint8_t> bytes) {
  if (failed()) return;
  if (head_ == buffer_.size()) {
    // Nothing unread: give back what a big frame left allocated.
    buffer_.clear();
    head_ = 0;
    if (buffer_.capacity() > (64U << 10)) buffer_.shrink_to_fit();
  }
  if (head_ > 0 && head_ * 2 >= buffer_.size()) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

std::optional<Frame> ConnectionDecoder::next() {
  if (failed() || buffered() < 5) return std::nullopt;
  const std::span<const std::uint8_t> rest(buffer_.data() + head_, buffered());
  Fields header(rest);
  const auto length = static_cast<std::size_t>(header.get(4));
  if (length == 0 || length > max_frame_bytes_) {
    error_ = "frame length " + std::to_string(length) + " outside 1.." +
             std::to_string(max_frame_bytes_);
    return std::nullopt;
  }
  const std::size_t tag_bytes = mac_ ? kTagBytes : 0;
  if (rest.size() - 4 < length + tag_bytes) return std::nullopt;  // truncated so far: wait
  const std::span<const std::uint8_t> frame = rest.first(4 + length);
  if (mac_ && !mac_->verify(frame, rest.subspan(4 + length, kTagBytes))) {
    unauthenticated_ = true;
    error_ = "a frame of type " + std::to_string(frame[4]) + " (" + std::to_string(length) +
             " bytes) whose MAC does not check";
    return std::nullopt;
  }
  const std::uint8_t type = frame[4];
  std::optional<Frame> out;
  if (type >= kFirstDriverType) {
    Fields fields(frame.subspan(5));
    if (auto d = decode_driver(type, fields)) {
      out = Frame(std::move(*d));
    } else {
      error_ = "malformed driver frame of type " + std::to_string(type) + " (" +
               std::to_string(length) + " bytes)";
    }
  } else {
    // One whole frame through the protocol's own decoder, which checks it.
    StreamDecoder protocol(max_frame_bytes_);
    protocol.feed(frame);
    if (auto m = protocol.next()) {
      out = Frame(std::move(*m));
    } else {
      error_ = protocol.error();
    }
  }
  if (out) head_ += frame.size() + tag_bytes;
  return out;
}

}  // namespace spinel::pccl
