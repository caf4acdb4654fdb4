#include "sim/error.hpp"
#include "workloads/schedules.hpp"

namespace spinel::workloads {

RingSchedule::RingSchedule(Part part, std::uint32_t ranks, std::uint64_t size_bytes)
    : part_(part), chunks_{ranks, size_bytes}, steps_(0) {
  if (ranks < 2) throw sim::InternalError("a ring needs at least two ranks");
  steps_ = part == Part::all_reduce ? 2 * (ranks - 1) : ranks - 1;
}

void RingSchedule::sends(std::uint32_t step, std::uint32_t rank, std::vector<Transfer>& out) const {
  // Reduce-scatter step k sends chunk (r - k) mod N; all-gather step j sends
  // chunk (r + 1 - j) mod N, the chunk this rank completed or just received.
  const std::uint32_t n = chunks_.n;
  const bool gathering = part_ == Part::all_gather || (part_ == Part::all_reduce && step >= n - 1);
  const std::uint32_t j = part_ == Part::all_reduce && gathering ? step - (n - 1) : step;
  const std::uint32_t chunk = gathering ? (rank + 1 + n - j % n) % n : (rank + n - j % n) % n;
  out.push_back(Transfer{rank, (rank + 1) % n, chunks_.bytes(chunk)});
}

std::uint32_t RingSchedule::receives(std::uint32_t, std::uint32_t) const {
  return 1;
}

void RingSchedule::phase_pairs(std::uint32_t, std::vector<Transfer>& out) const {
  const std::uint32_t n = chunks_.n;
  for (std::uint32_t r = 0; r < n; ++r)
    out.push_back(Transfer{r, (r + 1) % n, chunks_.bytes(n - 1)});
}

}  // namespace spinel::workloads
