#pragma once
// What all the connections of one master or peer may hold in memory
// together: each connection takes bytes before it grows (its read buffer,
// the frame it is assembling, its send queue) and gives them back as it
// shrinks or closes. A connection that cannot take what it needs is dropped,
// so no number of connections can exhaust the process's memory.
#include <algorithm>
#include <cstddef>

namespace spinel::pccl {

class ByteBudget {
 public:
  explicit ByteBudget(std::size_t limit_bytes) : limit_bytes_(limit_bytes) {}

  // Takes `bytes` if they fit; nothing otherwise.
  bool take(std::size_t bytes) {
    if (bytes > limit_bytes_ - std::min(used_bytes_, limit_bytes_)) return false;
    used_bytes_ += bytes;
    peak_bytes_ = std::max(peak_bytes_, used_bytes_);
    return true;
  }
  void give(std::size_t bytes) { used_bytes_ -= std::min(bytes, used_bytes_); }
  // A peer learns its group's sizes only once welcomed.
  void set_limit(std::size_t bytes) { limit_bytes_ = bytes; }

  [[nodiscard]] std::size_t limit_bytes() const { return limit_bytes_; }
  [[nodiscard]] std::size_t used_bytes() const { return used_bytes_; }
  [[nodiscard]] std::size_t peak_bytes() const { return peak_bytes_; }

 private:
  std::size_t limit_bytes_;
  std::size_t used_bytes_ = 0;
  std::size_t peak_bytes_ = 0;
};

}  // namespace spinel::pccl
