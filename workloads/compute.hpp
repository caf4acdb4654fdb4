#pragma once
// The compute half of a training iteration, as a RankGate on the job's
// gradient all-reduce: each rank computes for `compute` (jittered per rank
// and iteration), and its gradient, cut into `buckets` equal buckets, becomes
// ready bucket by bucket as its backward pass proceeds: bucket b at
// start + compute * (b + 1) / buckets. Bucket all-reduces run one after the
// other, each overlapping the compute still to come, as data-parallel
// frameworks overlap gradient communication with the backward pass.
#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/rng.hpp"
#include "sim/time.hpp"
#include "workloads/collective.hpp"
#include "workloads/compute_speed.hpp"
#include "workloads/rank_gate.hpp"

namespace spinel::workloads {

struct ComputeConfig {
  sim::Time compute_ps = 0;   // per rank per iteration, forward and backward
  double compute_jitter = 0;  // relative standard deviation of a rank's compute time
  std::uint32_t buckets = 1;  // the all-reduce's iterations per training iteration
};

// One training iteration's compute: when it started (the previous iteration's
// last bucket done, plus the compute gap) and when the slowest rank finished.
struct IterationCompute {
  sim::Time start_ps = 0;
  sim::Time end_ps = 0;
  std::uint32_t slowest_rank = 0;
};

// One training iteration of a job, from its compute's start to the end of
// its last bucket's all-reduce.
struct IterationRecord {
  std::uint32_t job = 0;
  std::uint32_t iteration = 0;
  sim::Time start_ps = 0;
  sim::Time compute_end_ps = 0;  // the slowest rank's
  sim::Time end_ps = 0;
  std::uint32_t slowest_rank = 0;
  [[nodiscard]] sim::Time duration_ps() const { return end_ps - start_ps; }
};

// One rank's compute time in one iteration: compute_ps times
// max(0, 1 + compute_jitter * z), z a normal draw from `rng` (no draw without
// jitter). The collective job's graph generator (workloads/graph/classic.hpp)
// draws the same values in the same stream order as ComputeModel.
[[nodiscard]] sim::Time draw_compute_ps(sim::Time compute_ps, double compute_jitter, sim::Rng& rng);

class ComputeModel final : public RankGate {
 public:
  // Jitter draws come from stream `stream` of `seed`, every rank's in rank
  // order at the start of each iteration.
  ComputeModel(const ComputeConfig& config, std::uint32_t ranks, std::uint64_t seed,
               std::string_view stream);

  sim::Time ready_at(std::uint32_t rank, std::uint32_t index, sim::Time open_ps) override;

  // Host faults, registered before the run. From `at_ps` on, `rank` computes
  // `factor` times slower (a straggler), even part-way through an
  // iteration: the compute still to do stretches. A hung rank never
  // finishes its compute again, so it enters no later collective.
  void slow_from(std::uint32_t rank, sim::Time at_ps, double factor);
  void hang_from(std::uint32_t rank, sim::Time at_ps);
  [[nodiscard]] ComputeSpeed& speed() { return speed_; }

  // One per training iteration begun so far.
  [[nodiscard]] const std::vector<IterationCompute>& iterations() const { return iterations_; }
  // The finished iterations, given the results of the job's collectives
  // (iteration * buckets + bucket in order, as CollectiveRun::results).
  [[nodiscard]] std::vector<IterationRecord> records(
      std::uint32_t job, const std::vector<CollectiveResult>& collectives) const;
  // A rank's compute time in the current iteration.
  [[nodiscard]] sim::Time compute_ps(std::uint32_t rank) const { return compute_ps_[rank]; }

 private:
  void begin(sim::Time start_ps);

  ComputeConfig config_;
  sim::Rng rng_;
  std::vector<sim::Time> compute_ps_;
  std::vector<IterationCompute> iterations_;
  ComputeSpeed speed_;
};

}  // namespace spinel::workloads
