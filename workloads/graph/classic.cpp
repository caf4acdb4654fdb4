#include "workloads/graph/classic.hpp"

#include "sim/rng.hpp"

namespace spinel::workloads::graph {

std::uint64_t classic_op_count(const WorkloadConfig& w, std::uint32_t ranks) {
  return 2ULL * w.iterations * w.buckets * ranks;
}

std::shared_ptr<const Program> classic_program(const WorkloadConfig& w, std::uint32_t ranks,
                                               std::uint64_t seed) {
  auto p = std::make_shared<Program>();
  std::vector<std::uint32_t> all(ranks);
  for (std::uint32_t r = 0; r < ranks; ++r) all[r] = r;
  const std::uint32_t world = p->communicator("world", all);
  p->iterations = w.iterations;
  p->iteration_gap_ps = w.compute_gap_ps;
  p->ranks.resize(ranks);
  const std::uint32_t buckets = w.buckets;
  for (RankProgram& rp : p->ranks) {
    rp.ops.reserve(std::size_t{2} * w.iterations * buckets);
    rp.deps.reserve(std::size_t{2} * w.iterations * buckets + buckets);
  }
  Op collective;
  collective.kind = OpKind::collective;
  collective.collective = w.collective;
  collective.communicator = world;
  collective.size_bytes = w.size_bytes / buckets;
  sim::Rng rng(seed, "compute." + w.name);
  std::vector<std::uint32_t> last_collectives;
  for (std::uint32_t k = 0; k < w.iterations; ++k) {
    last_collectives.clear();
    for (std::uint32_t b = 0; k > 0 && b < buckets; ++b) {
      last_collectives.push_back(classic_collective_op(k - 1, b, buckets));
    }
    // ComputeModel's order: every rank's draw, in rank order, per iteration.
    for (std::uint32_t r = 0; r < ranks; ++r) {
      const sim::Time compute = draw_compute_ps(w.compute_ps, w.compute_jitter, rng);
      RankProgram& rp = p->ranks[r];
      for (std::uint32_t b = 0; b < buckets; ++b) {
        Op work;
        work.duration_ps = compute / buckets + (b + 1 == buckets ? compute % buckets : 0);
        if (b > 0) {
          rp.add(work, {classic_compute_op(k, b - 1, buckets)});
        } else if (k > 0) {
          rp.add(work, last_collectives);
        } else {
          rp.add(work);
        }
        rp.add(collective, {classic_compute_op(k, b, buckets)});
      }
    }
  }
  return p;
}

std::vector<IterationRecord> classic_iterations(const GraphRun& run, std::uint32_t job,
                                                std::uint32_t buckets) {
  std::vector<IterationRecord> out;
  const std::uint32_t ranks = run.program().rank_count();
  for (std::uint32_t k = 0; k < run.program().iterations; ++k) {
    const OpTiming& last = run.timing(0, classic_collective_op(k, buckets - 1, buckets));
    if (last.end_ps == sim::kForever) break;
    IterationRecord it;
    it.job = job;
    it.iteration = k;
    it.start_ps = run.timing(0, classic_compute_op(k, 0, buckets)).start_ps;
    it.end_ps = last.end_ps;
    for (std::uint32_t r = 0; r < ranks; ++r) {
      const sim::Time end = run.timing(r, classic_compute_op(k, buckets - 1, buckets)).end_ps;
      if (r == 0 || end > it.compute_end_ps) {
        it.compute_end_ps = end;
        it.slowest_rank = r;
      }
    }
    out.push_back(it);
  }
  return out;
}

}  // namespace spinel::workloads::graph
