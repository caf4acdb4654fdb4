#pragma once
// What a collective sends, step by step, independent of any network: the
// contract between collective algorithms, the executor that runs them on a
// transport (workloads/collective.hpp) and other simulators that replay them
// (tools/simgrid_check).
//
// The step model, the same for every collective: each rank walks the steps in
// order. On entering step k it starts all its sends of step k at once; it
// leaves step k when every one of those sends is delivered AND it has
// received receives(k, rank) transfers of step k. A rank with nothing to do
// in a step passes through it at once. Transfers that arrive for a step the
// receiver has not reached yet are counted for when it gets there.
#include <cstdint>
#include <vector>

namespace spinel::workloads {

// Ranks, not hosts: the executor maps ranks to hosts.
struct Transfer {
  std::uint32_t src = 0;
  std::uint32_t dst = 0;
  std::uint64_t bytes = 0;
};

class Schedule {
 public:
  virtual ~Schedule() = default;
  [[nodiscard]] virtual std::uint32_t ranks() const = 0;
  [[nodiscard]] virtual std::uint32_t steps() const = 0;
  // Appends what `rank` sends in `step`.
  virtual void sends(std::uint32_t step, std::uint32_t rank, std::vector<Transfer>& out) const = 0;
  // How many transfers `rank` receives in `step`.
  [[nodiscard]] virtual std::uint32_t receives(std::uint32_t step, std::uint32_t rank) const = 0;

  // Phases: runs of consecutive steps that use the same set of rank pairs.
  // The executor opens one connection per pair and phase, as one group, so
  // that planning policies see every flow that will run together.
  [[nodiscard]] virtual std::uint32_t phases() const = 0;
  [[nodiscard]] virtual std::uint32_t phase_of(std::uint32_t step) const = 0;
  // Appends each (src, dst) pair of the phase once, with the most bytes any
  // one step of the phase sends on it.
  virtual void phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const = 0;
};

}  // namespace spinel::workloads
