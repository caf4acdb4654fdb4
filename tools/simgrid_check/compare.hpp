#pragma once
// How far apart two replays of one collective ended.
#include <cstddef>
#include <vector>

#include "tools/simgrid_check/platform.hpp"

namespace spinel::simgrid_check {

struct Comparison {
  // Per iteration, |other - reference| / reference of its end time.
  std::vector<double> iteration_rel;
  double max_iteration_rel = 0;
  // Transfers are matched by (iteration, step, src, dst), in delivery order
  // where a key repeats.
  std::size_t transfers_reference = 0;
  std::size_t transfers_other = 0;
  bool transfers_match = false;  // the same keys, as often, on both sides
  double max_transfer_diff_s = 0;
  // max_transfer_diff_s over the reference's last end time: a transfer's
  // error in the unit that the completion time's is measured.
  double max_transfer_rel = 0;

  // Matched transfers, by key: (key, reference time, other time).
  struct Pair {
    TransferKey key;
    double reference_start_s = 0;
    double reference_s = 0;
    double other_start_s = 0;
    double other_s = 0;
  };
  std::vector<Pair> pairs;  // empty unless the transfers match

  // Completion times within `tolerance`; with `transfers_too`, every
  // transfer's delivery as well. Transfers always have to match one to one.
  [[nodiscard]] bool within(double tolerance, bool transfers_too) const {
    return transfers_match && max_iteration_rel <= tolerance &&
           (!transfers_too || max_transfer_rel <= tolerance);
  }
};

Comparison compare(const Outcome& reference, const Outcome& other);

}  // namespace spinel::simgrid_check
