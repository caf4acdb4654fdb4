#include <bit>

#include "sim/error.hpp"
#include "workloads/schedules.hpp"

namespace spinel::workloads {

HalvingDoublingSchedule::HalvingDoublingSchedule(std::uint32_t ranks, std::uint64_t size_bytes)
    : chunks_{ranks, size_bytes}, log2_(0) {
  if (ranks < 2 || !std::has_single_bit(ranks)) {
    throw sim::InternalError("halving-doubling needs a power-of-two number of ranks");
  }
  log2_ = static_cast<std::uint32_t>(std::countr_zero(ranks));
}

// Rank r ends the reduce-scatter owning chunk r. Before reduce-scatter step
// s it holds the aligned block of 2d chunks around r (d = N >> (s+1)) and
// sends the partner's half of it; all-gather step j sends the aligned block
// of d = 2^j chunks it owns to the rank d away.
HalvingDoublingSchedule::Exchange HalvingDoublingSchedule::exchange(std::uint32_t step,
                                                                    std::uint32_t rank) const {
  if (step < log2_) {
    const std::uint32_t d = chunks_.n >> (step + 1);
    return Exchange{d, (rank ^ d) & ~(d - 1), d};
  }
  const std::uint32_t d = 1u << (step - log2_);
  return Exchange{d, rank & ~(d - 1), d};
}

void HalvingDoublingSchedule::sends(std::uint32_t step, std::uint32_t rank,
                                    std::vector<Transfer>& out) const {
  const Exchange e = exchange(step, rank);
  out.push_back(Transfer{rank, rank ^ e.distance, chunks_.bytes(e.first_chunk, e.chunks)});
}

std::uint32_t HalvingDoublingSchedule::receives(std::uint32_t, std::uint32_t) const {
  return 1;
}

void HalvingDoublingSchedule::phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const {
  for (std::uint32_t r = 0; r < chunks_.n; ++r) sends(phase, r, out);
}

}  // namespace spinel::workloads
