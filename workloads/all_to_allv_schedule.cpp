#include "sim/error.hpp"
#include "workloads/schedules.hpp"

namespace spinel::workloads {

AllToAllvSchedule::AllToAllvSchedule(std::vector<std::vector<std::uint64_t>> bytes)
    : bytes_(std::move(bytes)), receives_(bytes_.size(), 0) {
  const std::size_t n = bytes_.size();
  if (n < 2) throw sim::InternalError("an all-to-allv needs at least two ranks");
  for (std::size_t i = 0; i < n; ++i) {
    if (bytes_[i].size() != n) {
      throw sim::InternalError("all-to-allv: the size matrix is not square");
    }
    for (std::size_t j = 0; j < n; ++j) {
      if (j != i && bytes_[i][j] > 0) ++receives_[j];
    }
  }
}

void AllToAllvSchedule::sends(std::uint32_t, std::uint32_t rank, std::vector<Transfer>& out) const {
  const std::vector<std::uint64_t>& row = bytes_[rank];
  for (std::uint32_t j = 0; j < row.size(); ++j) {
    if (j != rank && row[j] > 0) out.push_back(Transfer{rank, j, row[j]});
  }
}

void AllToAllvSchedule::phase_pairs(std::uint32_t, std::vector<Transfer>& out) const {
  for (std::uint32_t r = 0; r < ranks(); ++r) sends(0, r, out);
}

}  // namespace spinel::workloads
