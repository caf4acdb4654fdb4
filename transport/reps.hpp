#pragma once
// REPS, recycled entropy packet spraying (Bonato et al., 2024/25; the Ultra
// Ethernet Consortium's baseline load balancer). A sender keeps a small ring
// of entropies (here: path indices among the equal-cost paths) whose packets
// were acknowledged without an ECN mark, and sends each packet on the oldest
// of them, using it up; with none left it draws a fresh path at random. Paths
// that mark stop being recycled, so the sender's packets drift to the paths
// that are not congested, while unmarked ones keep their packets coming.
#include <cstdint>
#include <vector>

namespace spinel::transport {

class RepsBuffer {
 public:
  explicit RepsBuffer(std::uint32_t capacity) : ring_(capacity) {}

  // The oldest recycled entropy, used up; false if there is none.
  bool take(std::uint16_t& path) {
    if (count_ == 0) return false;
    path = ring_[head_];
    head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
    --count_;
    return true;
  }

  // An unmarked ACK returns its packet's entropy; a full ring forgets its oldest.
  void recycle(std::uint16_t path) {
    const auto size = static_cast<std::uint32_t>(ring_.size());
    std::uint32_t tail = head_ + count_;
    if (tail >= size) tail -= size;
    ring_[tail] = path;
    if (count_ < size) {
      ++count_;
    } else {
      head_ = head_ + 1 == size ? 0 : head_ + 1;
    }
  }

  [[nodiscard]] std::uint32_t size() const { return count_; }

 private:
  std::vector<std::uint16_t> ring_;
  std::uint32_t head_ = 0;
  std::uint32_t count_ = 0;
};

}  // namespace spinel::transport
