#include "sim/error.hpp"
#include "workloads/schedules.hpp"

namespace spinel::workloads {

DirectAllToAllSchedule::DirectAllToAllSchedule(std::uint32_t ranks, std::uint64_t size_bytes)
    : chunks_{ranks, size_bytes} {
  if (ranks < 2) throw sim::InternalError("an all-to-all needs at least two ranks");
}

void DirectAllToAllSchedule::sends(std::uint32_t, std::uint32_t rank,
                                   std::vector<Transfer>& out) const {
  for (std::uint32_t j = 0; j < chunks_.n; ++j) {
    if (j != rank) out.push_back(Transfer{rank, j, chunks_.bytes(j)});
  }
}

std::uint32_t DirectAllToAllSchedule::receives(std::uint32_t, std::uint32_t) const {
  return chunks_.n - 1;
}

void DirectAllToAllSchedule::phase_pairs(std::uint32_t, std::vector<Transfer>& out) const {
  for (std::uint32_t r = 0; r < chunks_.n; ++r) sends(0, r, out);
}

PairwiseAllToAllSchedule::PairwiseAllToAllSchedule(std::uint32_t ranks, std::uint64_t size_bytes)
    : chunks_{ranks, size_bytes} {
  if (ranks < 2) throw sim::InternalError("an all-to-all needs at least two ranks");
}

void PairwiseAllToAllSchedule::sends(std::uint32_t step, std::uint32_t rank,
                                     std::vector<Transfer>& out) const {
  const std::uint32_t dst = (rank + step + 1) % chunks_.n;
  out.push_back(Transfer{rank, dst, chunks_.bytes(dst)});
}

std::uint32_t PairwiseAllToAllSchedule::receives(std::uint32_t, std::uint32_t) const {
  return 1;
}

void PairwiseAllToAllSchedule::phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const {
  for (std::uint32_t r = 0; r < chunks_.n; ++r) sends(phase, r, out);
}

}  // namespace spinel::workloads
