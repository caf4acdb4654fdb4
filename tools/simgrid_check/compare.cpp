#include "tools/simgrid_check/compare.hpp"

#include <algorithm>
#include <cmath>

namespace spinel::simgrid_check {

namespace {

std::vector<TransferTime> sorted(std::vector<TransferTime> transfers) {
  std::sort(transfers.begin(), transfers.end(), [](const TransferTime& a, const TransferTime& b) {
    return a.key != b.key ? a.key < b.key : a.delivered_s < b.delivered_s;
  });
  return transfers;
}

}  // namespace

Comparison compare(const Outcome& reference, const Outcome& other) {
  Comparison c;
  const std::size_t iterations =
      std::min(reference.iteration_end_s.size(), other.iteration_end_s.size());
  for (std::size_t i = 0; i < iterations; ++i) {
    const double ref = reference.iteration_end_s[i];
    const double rel = std::abs(other.iteration_end_s[i] - ref) / ref;
    c.iteration_rel.push_back(rel);
    c.max_iteration_rel = std::max(c.max_iteration_rel, rel);
  }
  // A missing iteration is no agreement at all.
  if (reference.iteration_end_s.size() != other.iteration_end_s.size()) {
    c.max_iteration_rel = HUGE_VAL;
  }

  const std::vector<TransferTime> a = sorted(reference.transfers);
  const std::vector<TransferTime> b = sorted(other.transfers);
  c.transfers_reference = a.size();
  c.transfers_other = b.size();
  c.transfers_match = a.size() == b.size();
  for (std::size_t i = 0; c.transfers_match && i < a.size(); ++i) {
    if (a[i].key != b[i].key) {
      c.transfers_match = false;
      break;
    }
    c.pairs.push_back(Comparison::Pair{a[i].key, a[i].started_s, a[i].delivered_s, b[i].started_s,
                                       b[i].delivered_s});
    c.max_transfer_diff_s =
        std::max(c.max_transfer_diff_s, std::abs(b[i].delivered_s - a[i].delivered_s));
  }
  const double total = reference.iteration_end_s.empty() ? 0 : reference.iteration_end_s.back();
  c.max_transfer_rel = total > 0 ? c.max_transfer_diff_s / total : 0;
  if (!c.transfers_match) c.pairs.clear();
  return c;
}

}  // namespace spinel::simgrid_check
