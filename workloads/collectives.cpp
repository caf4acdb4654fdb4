#include "workloads/collectives.hpp"

#include <algorithm>
#include <bit>

#include "sim/error.hpp"
#include "sim/units.hpp"
#include "workloads/schedules.hpp"

namespace spinel::workloads {

std::shared_ptr<const Schedule> make_schedule(Collective collective, std::uint32_t ranks,
                                              std::uint64_t size_bytes) {
  switch (collective) {
    case Collective::ring_allreduce:
      return std::make_shared<RingSchedule>(RingSchedule::Part::all_reduce, ranks, size_bytes);
    case Collective::reduce_scatter:
      return std::make_shared<RingSchedule>(RingSchedule::Part::reduce_scatter, ranks, size_bytes);
    case Collective::all_gather:
      return std::make_shared<RingSchedule>(RingSchedule::Part::all_gather, ranks, size_bytes);
    case Collective::tree_allreduce:
      return std::make_shared<DoubleBinaryTreeSchedule>(ranks, size_bytes, kTreeChunks);
    case Collective::halving_doubling_allreduce:
      return std::make_shared<HalvingDoublingSchedule>(ranks, size_bytes);
    case Collective::all_to_all:
      return std::make_shared<DirectAllToAllSchedule>(ranks, size_bytes);
    case Collective::pairwise_all_to_all:
      return std::make_shared<PairwiseAllToAllSchedule>(ranks, size_bytes);
  }
  throw sim::InternalError("unknown collective");
}

sim::Time ideal_ps(Collective collective, std::uint32_t ranks, std::uint64_t size_bytes,
                   double host_rate_gbps, sim::Time path_latency_ps) {
  const Chunks chunks{ranks, size_bytes};
  const auto step = [&](std::uint64_t bytes) {
    return sim::serialisation_ps(bytes, host_rate_gbps) + path_latency_ps;
  };
  const sim::Time n_1 = ranks - 1;
  switch (collective) {
    case Collective::ring_allreduce:
      return 2 * n_1 * step(chunks.bytes(ranks - 1));
    case Collective::reduce_scatter:
    case Collective::all_gather:
    case Collective::pairwise_all_to_all:
      return n_1 * step(chunks.bytes(ranks - 1));
    case Collective::all_to_all: {
      // Every NIC sends N-1 chunks and receives N-1 at once; the busiest
      // direction (the last rank's downlink, which takes every copy of the
      // largest chunk) sets the time.
      const std::uint64_t up = size_bytes - chunks.bytes(0);
      const std::uint64_t down = static_cast<std::uint64_t>(n_1) * chunks.bytes(ranks - 1);
      return step(std::max(up, down));
    }
    case Collective::halving_doubling_allreduce: {
      // Each reduce-scatter step halves the block; all-gather mirrors it.
      sim::Time total = 0;
      for (std::uint32_t count = ranks / 2; count >= 1; count /= 2) {
        total += 2 * step(chunks.bytes(ranks - count, count));
      }
      return total;
    }
    case Collective::tree_allreduce: {
      // The pipeline as if in lock step: each step as long as its busiest
      // NIC's pieces take (two where a rank works in both trees at once).
      const DoubleBinaryTreeSchedule tree(ranks, size_bytes, kTreeChunks);
      std::vector<std::uint32_t> in(ranks);
      std::vector<std::uint32_t> out(ranks);
      std::vector<Transfer> sends;
      sim::Time total = 0;
      for (std::uint32_t t = 0; t < tree.steps(); ++t) {
        std::fill(in.begin(), in.end(), 0u);
        std::fill(out.begin(), out.end(), 0u);
        sends.clear();
        for (std::uint32_t r = 0; r < ranks; ++r) tree.sends(t, r, sends);
        std::uint64_t busiest = 0;
        for (const Transfer& x : sends) {
          busiest =
              std::max<std::uint64_t>({busiest, ++out[x.src] * x.bytes, ++in[x.dst] * x.bytes});
        }
        total += step(busiest);
      }
      return total;
    }
  }
  throw sim::InternalError("unknown collective");
}

double busbw_gbps(Collective collective, std::uint32_t ranks, std::uint64_t size_bytes,
                  sim::Time duration_ps) {
  if (duration_ps <= 0 || ranks == 0) return 0;
  const double algbw = static_cast<double>(size_bytes) * 8000.0 / static_cast<double>(duration_ps);
  const double share = static_cast<double>(ranks - 1) / ranks;
  switch (collective) {
    case Collective::ring_allreduce:
    case Collective::tree_allreduce:
    case Collective::halving_doubling_allreduce:
      return algbw * 2.0 * share;
    case Collective::reduce_scatter:
    case Collective::all_gather:
    case Collective::all_to_all:
    case Collective::pairwise_all_to_all:
      return algbw * share;
  }
  return 0;
}

sim::Time max_pair_latency_ps(const Schedule& schedule, const std::vector<topology::HostId>& hosts,
                              topology::Routing& routing) {
  sim::Time worst = 0;
  std::vector<Transfer> pairs;
  for (std::uint32_t p = 0; p < schedule.phases(); ++p) {
    pairs.clear();
    schedule.phase_pairs(p, pairs);
    for (const Transfer& t : pairs) {
      if (hosts[t.src] == hosts[t.dst]) continue;
      worst =
          std::max(worst, routing.max_path_latency_ps(routing.paths(hosts[t.src], hosts[t.dst])));
    }
  }
  return worst;
}

}  // namespace spinel::workloads
