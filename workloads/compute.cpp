#include "workloads/compute.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/error.hpp"

namespace spinel::workloads {

ComputeModel::ComputeModel(const ComputeConfig& config, std::uint32_t ranks, std::uint64_t seed,
                           std::string_view stream)
    : config_(config), rng_(seed, stream), compute_ps_(ranks, 0), speed_(ranks) {
  if (config_.buckets == 0) throw sim::InternalError("compute: no buckets");
  if (config_.compute_jitter < 0) throw sim::InternalError("compute: negative jitter");
}

sim::Time draw_compute_ps(sim::Time compute_ps, double compute_jitter, sim::Rng& rng) {
  double ps = static_cast<double>(compute_ps);
  if (compute_jitter > 0) ps *= std::max(0.0, 1.0 + compute_jitter * rng.normal());
  return static_cast<sim::Time>(std::llround(ps));
}

void ComputeModel::begin(sim::Time start_ps) {
  IterationCompute it;
  it.start_ps = start_ps;
  for (std::uint32_t r = 0; r < compute_ps_.size(); ++r) {
    compute_ps_[r] = draw_compute_ps(config_.compute_ps, config_.compute_jitter, rng_);
    const sim::Time end = speed_.finish_ps(r, start_ps, compute_ps_[r]);
    if (r == 0 || end > it.end_ps) {
      it.end_ps = end;
      it.slowest_rank = r;
    }
  }
  iterations_.push_back(it);
}

void ComputeModel::slow_from(std::uint32_t rank, sim::Time at_ps, double factor) {
  speed_.slow_from(rank, at_ps, factor);
}

void ComputeModel::hang_from(std::uint32_t rank, sim::Time at_ps) {
  speed_.hang_from(rank, at_ps);
}

sim::Time ComputeModel::ready_at(std::uint32_t rank, std::uint32_t index, sim::Time open_ps) {
  const std::uint32_t bucket = index % config_.buckets;
  if (bucket == 0 && rank == 0) begin(open_ps);
  // Bucket b of this rank's gradient is ready once its backward pass has
  // covered (b + 1) / buckets of its compute.
  const sim::Time done = compute_ps_[rank] / config_.buckets * (bucket + 1) +
                         (bucket + 1 == config_.buckets ? compute_ps_[rank] % config_.buckets : 0);
  return speed_.finish_ps(rank, iterations_.back().start_ps, done);
}

std::vector<IterationRecord> ComputeModel::records(
    std::uint32_t job, const std::vector<CollectiveResult>& collectives) const {
  std::vector<IterationRecord> out;
  for (std::size_t i = 0; i < iterations_.size(); ++i) {
    const std::size_t last = (i + 1) * config_.buckets - 1;
    if (last >= collectives.size()) break;
    IterationRecord r;
    r.job = job;
    r.iteration = static_cast<std::uint32_t>(i);
    r.start_ps = iterations_[i].start_ps;
    r.compute_end_ps = iterations_[i].end_ps;
    r.end_ps = collectives[last].end_ps;
    r.slowest_rank = iterations_[i].slowest_rank;
    out.push_back(r);
  }
  return out;
}

}  // namespace spinel::workloads
