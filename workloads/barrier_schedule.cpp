#include <bit>

#include "sim/error.hpp"
#include "workloads/schedules.hpp"

namespace spinel::workloads {

BarrierSchedule::BarrierSchedule(std::uint32_t ranks)
    : n_(ranks), rounds_(static_cast<std::uint32_t>(std::bit_width(ranks - 1))) {
  if (ranks < 2) throw sim::InternalError("a barrier needs at least two ranks");
}

void BarrierSchedule::sends(std::uint32_t step, std::uint32_t rank,
                            std::vector<Transfer>& out) const {
  // 2^step < N in every round, so the peer is never the rank itself.
  out.push_back(Transfer{rank, (rank + (1u << step)) % n_, kBarrierMessageBytes});
}

void BarrierSchedule::phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const {
  for (std::uint32_t r = 0; r < n_; ++r) sends(phase, r, out);
}

}  // namespace spinel::workloads
