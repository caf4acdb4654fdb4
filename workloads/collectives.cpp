#include "workloads/collectives.hpp"

#include <algorithm>
#include <bit>

#include "sim/error.hpp"
#include "sim/units.hpp"
#include "workloads/bus_factor.hpp"
#include "workloads/schedules.hpp"

namespace spinel::workloads {

std::uint32_t pipeline_chunks(std::uint64_t size_bytes) {
  const std::uint64_t pieces = (size_bytes + kPipelineChunkBytes - 1) / kPipelineChunkBytes;
  return static_cast<std::uint32_t>(
      std::clamp<std::uint64_t>(pieces, 1, std::uint64_t{kMaxPipelineChunks}));
}

std::shared_ptr<const Schedule> make_schedule(Collective collective, std::uint32_t ranks,
                                              std::uint64_t size_bytes, const ServerShape& servers,
                                              std::uint32_t root) {
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
    case Collective::hierarchical_allreduce:
      return std::make_shared<HierarchicalSchedule>(ranks / servers.gpus_per_server,
                                                    servers.gpus_per_server, size_bytes);
    case Collective::broadcast:
      return std::make_shared<RingPipelineSchedule>(RingPipelineSchedule::Kind::broadcast, ranks,
                                                    size_bytes, pipeline_chunks(size_bytes), root);
    case Collective::reduce:
      return std::make_shared<RingPipelineSchedule>(RingPipelineSchedule::Kind::reduce, ranks,
                                                    size_bytes, pipeline_chunks(size_bytes), root);
    case Collective::gather:
      return std::make_shared<RootedSchedule>(RootedSchedule::Kind::gather, ranks, size_bytes,
                                              root);
    case Collective::scatter:
      return std::make_shared<RootedSchedule>(RootedSchedule::Kind::scatter, ranks, size_bytes,
                                              root);
    case Collective::barrier:
      return std::make_shared<BarrierSchedule>(ranks);
    case Collective::all_to_allv:
      throw sim::InternalError("all_to_allv needs its size matrix: make_all_to_allv_schedule");
  }
  throw sim::InternalError("unknown collective");
}

std::shared_ptr<const Schedule> make_all_to_allv_schedule(
    std::vector<std::vector<std::uint64_t>> bytes) {
  return std::make_shared<AllToAllvSchedule>(std::move(bytes));
}

sim::Time ideal_ps(Collective collective, std::uint32_t ranks, std::uint64_t size_bytes,
                   double host_rate_gbps, sim::Time path_latency_ps, const ServerShape& servers) {
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
    case Collective::hierarchical_allreduce: {
      // 2(G-1) NVLink ring steps of S/G, and 2(H-1) fabric ring steps of S/(G H).
      const std::uint32_t g = servers.gpus_per_server;
      const std::uint32_t h = ranks / g;
      const Chunks local{g, size_bytes};
      const Chunks shard{h, local.bytes(g - 1)};
      const sim::Time nvlink_step =
          g > 1 ? sim::serialisation_ps(local.bytes(g - 1), servers.nvlink_gbps) +
                      servers.nvlink_latency_ps
                : 0;
      return 2 * static_cast<sim::Time>(g - 1) * nvlink_step +
             2 * static_cast<sim::Time>(h - 1) * step(shard.bytes(h - 1));
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
    case Collective::broadcast:
    case Collective::reduce: {
      // Each rank sends and receives at most one piece per step. The last
      // piece (with the remainder) is in flight in N-1 steps, which wait on
      // it; the C-1 others move equal pieces.
      const Chunks pieces{pipeline_chunks(size_bytes), size_bytes};
      return static_cast<sim::Time>(pieces.n - 1) * step(pieces.bytes(0)) +
             n_1 * step(pieces.bytes(pieces.n - 1));
    }
    case Collective::gather:
    case Collective::scatter:
      // The root's NIC carries every chunk but its own (root 0's, the
      // smallest: any other root's time differs by the remainder at most).
      return step(size_bytes - chunks.bytes(0));
    case Collective::barrier:
      return static_cast<sim::Time>(BarrierSchedule(ranks).steps()) * step(kBarrierMessageBytes);
    case Collective::all_to_allv:
      throw sim::InternalError("all_to_allv's ideal needs its size matrix: all_to_allv_ideal_ps");
  }
  throw sim::InternalError("unknown collective");
}

sim::Time all_to_allv_ideal_ps(const std::vector<std::vector<std::uint64_t>>& bytes,
                               double host_rate_gbps, sim::Time path_latency_ps) {
  const std::size_t n = bytes.size();
  std::vector<std::uint64_t> in(n, 0);
  std::uint64_t busiest = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t out = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      out += bytes[i][j];
      in[j] += bytes[i][j];
    }
    busiest = std::max(busiest, out);
  }
  for (const std::uint64_t b : in) busiest = std::max(busiest, b);
  if (busiest == 0) return 0;  // nothing to send: every rank passes through at once
  return sim::serialisation_ps(busiest, host_rate_gbps) + path_latency_ps;
}

double bus_factor(Collective collective, std::uint32_t ranks) {
  if (ranks == 0) return 0;
  const double share = static_cast<double>(ranks - 1) / ranks;
  switch (collective) {
    case Collective::ring_allreduce:
    case Collective::tree_allreduce:
    case Collective::halving_doubling_allreduce:
    case Collective::hierarchical_allreduce:
      return 2.0 * share;
    case Collective::reduce_scatter:
    case Collective::all_gather:
    case Collective::all_to_all:
    case Collective::pairwise_all_to_all:
    case Collective::gather:
    case Collective::scatter:
    case Collective::all_to_allv:
      return share;
    case Collective::broadcast:
    case Collective::reduce:
      return 1;
    case Collective::barrier:
      return 0;
  }
  return 0;
}

double busbw_gbps(Collective collective, std::uint32_t ranks, std::uint64_t size_bytes,
                  sim::Time duration_ps) {
  if (duration_ps <= 0 || ranks == 0) return 0;
  const double algbw = static_cast<double>(size_bytes) * 8000.0 / static_cast<double>(duration_ps);
  return algbw * bus_factor(collective, ranks);
}

sim::Time max_pair_latency_ps(const Schedule& schedule, const std::vector<topology::HostId>& hosts,
                              topology::Routing& routing,
                              const std::vector<std::uint32_t>& server_of_rank) {
  sim::Time worst = 0;
  std::vector<Transfer> pairs;
  for (std::uint32_t p = 0; p < schedule.phases(); ++p) {
    pairs.clear();
    schedule.phase_pairs(p, pairs);
    for (const Transfer& t : pairs) {
      if (hosts[t.src] == hosts[t.dst]) continue;
      if (!server_of_rank.empty() && server_of_rank[t.src] == server_of_rank[t.dst]) continue;
      worst =
          std::max(worst, routing.max_path_latency_ps(routing.paths(hosts[t.src], hosts[t.dst])));
    }
  }
  return worst;
}

}  // namespace spinel::workloads
