#include "sim/error.hpp"
#include "workloads/schedules.hpp"

namespace spinel::workloads {

RootedSchedule::RootedSchedule(Kind kind, std::uint32_t ranks, std::uint64_t size_bytes,
                               std::uint32_t root)
    : kind_(kind), chunks_{ranks, size_bytes}, root_(root) {
  if (ranks < 2) throw sim::InternalError("a gather or scatter needs at least two ranks");
  if (root >= ranks) throw sim::InternalError("the root is not a rank of the group");
}

void RootedSchedule::sends(std::uint32_t, std::uint32_t rank, std::vector<Transfer>& out) const {
  if (kind_ == Kind::gather) {
    if (rank != root_) out.push_back(Transfer{rank, root_, chunks_.bytes(rank)});
    return;
  }
  if (rank != root_) return;
  for (std::uint32_t j = 0; j < chunks_.n; ++j) {
    if (j != root_) out.push_back(Transfer{root_, j, chunks_.bytes(j)});
  }
}

std::uint32_t RootedSchedule::receives(std::uint32_t, std::uint32_t rank) const {
  if (kind_ == Kind::scatter) return rank == root_ ? 0 : 1;
  return rank == root_ ? chunks_.n - 1 : 0;
}

void RootedSchedule::phase_pairs(std::uint32_t, std::vector<Transfer>& out) const {
  for (std::uint32_t r = 0; r < chunks_.n; ++r) sends(0, r, out);
}

}  // namespace spinel::workloads
