#include "sim/error.hpp"
#include "workloads/schedules.hpp"

namespace spinel::workloads {

RingPipelineSchedule::RingPipelineSchedule(Kind kind, std::uint32_t ranks, std::uint64_t size_bytes,
                                           std::uint32_t chunks, std::uint32_t root)
    : n_(ranks), chunks_{chunks, size_bytes}, first_(0) {
  if (ranks < 2) throw sim::InternalError("a ring pipeline needs at least two ranks");
  if (chunks == 0) throw sim::InternalError("a ring pipeline needs at least one piece");
  if (root >= ranks) throw sim::InternalError("the root is not a rank of the group");
  first_ = kind == Kind::broadcast ? root : (root + 1) % ranks;
}

void RingPipelineSchedule::sends(std::uint32_t step, std::uint32_t rank,
                                 std::vector<Transfer>& out) const {
  const std::uint32_t p = position(rank);
  if (p == n_ - 1 || step < p || step - p >= chunks_.n) return;
  out.push_back(Transfer{rank, (rank + 1) % n_, chunks_.bytes(step - p)});
}

std::uint32_t RingPipelineSchedule::receives(std::uint32_t step, std::uint32_t rank) const {
  // Piece step + 1 - p arrives from position p - 1, which sends it in this step.
  const std::uint32_t p = position(rank);
  return p != 0 && step + 1 >= p && step + 1 - p < chunks_.n ? 1 : 0;
}

void RingPipelineSchedule::phase_pairs(std::uint32_t, std::vector<Transfer>& out) const {
  for (std::uint32_t p = 0; p + 1 < n_; ++p) {
    const std::uint32_t rank = (first_ + p) % n_;
    out.push_back(Transfer{rank, (rank + 1) % n_, chunks_.bytes(chunks_.n - 1)});
  }
}

}  // namespace spinel::workloads
