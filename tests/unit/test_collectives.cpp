// Every collective against its closed form on a non-blocking fabric, and the
// schedules' own bookkeeping (what is sent is received, bytes add up).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <string>

#include "fabric.hpp"
#include "schedule_check.hpp"
#include "topology/servers.hpp"
#include "workloads/collective.hpp"
#include "workloads/collectives.hpp"
#include "workloads/schedules.hpp"

namespace spinel::workloads {
namespace {

using testing::Fabric;
using testing::leaf_spine;

constexpr double kGbps = 400.0;
constexpr double kHop_ps = 500'000.0;  // 500 ns per link

std::vector<topology::HostId> contiguous(std::uint32_t n) {
  std::vector<topology::HostId> v(n);
  for (std::uint32_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

struct Outcome {
  sim::Time duration_ps;
  transport::FlowTotals totals;
};

Outcome run(Fabric& f, Collective c, std::uint32_t n, std::uint64_t bytes) {
  CollectiveOptions options;
  options.size_bytes = bytes;
  CollectiveRun collective(f.sim, f.transport, contiguous(n), make_schedule(c, n, bytes), options);
  collective.start(0);
  f.sim.run();
  EXPECT_TRUE(collective.finished()) << to_string(c);
  return Outcome{collective.results().at(0).duration_ps(), f.model.totals()};
}

// Closed forms written out here, independently of the library: S bytes per
// rank, B = 400 Gb/s NICs, L = 4 hops of 500 ns.
double serial_ps(double bytes) {
  return bytes * 8000.0 / kGbps;
}

double closed_form_ps(Collective c, double n, double s) {
  const double latency = 4 * kHop_ps;
  const double log2n = std::log2(n);
  switch (c) {
    case Collective::ring_allreduce:
      return 2 * (n - 1) * (serial_ps(s / n) + latency);
    case Collective::reduce_scatter:
    case Collective::all_gather:
    case Collective::pairwise_all_to_all:
      return (n - 1) * (serial_ps(s / n) + latency);
    case Collective::all_to_all:
      return serial_ps((n - 1) * s / n) + latency;
    case Collective::halving_doubling_allreduce:
      return 2 * (serial_ps((n - 1) / n * s) + log2n * latency);
    case Collective::tree_allreduce: {
      // Two trees, each pipelining S/2 in C pieces: 2C + 2 log2 N - 2 steps
      // (N a power of two); every step but two moves two pieces (one per
      // tree) through the busiest NIC.
      const double c_pieces = kTreeChunks;
      const double steps = 2 * c_pieces + 2 * log2n - 2;
      return (2 * steps - 2) * serial_ps(s / 2 / c_pieces) + steps * latency;
    }
    case Collective::hierarchical_allreduce:
      return 0;  // needs servers: see Hierarchical below
    case Collective::broadcast:
    case Collective::reduce: {
      // S/C pieces down an (N-1)-edge chain: the last piece leaves the
      // chain's head in step C-1 and needs N-2 more.
      const double pieces = std::ceil(s / (512 * 1024));
      return (pieces + n - 2) * (serial_ps(s / pieces) + latency);
    }
    case Collective::gather:
    case Collective::scatter:
      return serial_ps((n - 1) * s / n) + latency;
    case Collective::barrier:
      return std::ceil(log2n) * (serial_ps(1) + latency);
    case Collective::all_to_allv:
      return 0;  // needs its matrix: see AllToAllv
  }
  return 0;
}

const Collective kAll[] = {Collective::ring_allreduce,
                           Collective::tree_allreduce,
                           Collective::halving_doubling_allreduce,
                           Collective::reduce_scatter,
                           Collective::all_gather,
                           Collective::all_to_all,
                           Collective::pairwise_all_to_all,
                           Collective::broadcast,
                           Collective::reduce,
                           Collective::gather,
                           Collective::scatter,
                           Collective::barrier};

class ClosedForm : public ::testing::TestWithParam<std::uint32_t> {};

// One host per leaf and one spine: every path is 4 hops and nothing but the
// NICs can limit a flow, under either policy.
TEST_P(ClosedForm, EveryCollectiveMatchesItsFormulaOnANonBlockingFabric) {
  const std::uint32_t n = GetParam();
  const std::uint64_t bytes = 64ULL << 20;
  for (Collective c : kAll) {
    for (auto policy : {transport::PathPolicy::ecmp, transport::PathPolicy::spray}) {
      Fabric f(leaf_spine(n, 1, 1), policy);
      const Outcome r = run(f, c, n, bytes);
      const double expected = closed_form_ps(c, n, static_cast<double>(bytes));
      EXPECT_NEAR(static_cast<double>(r.duration_ps), expected, expected * 1e-4)
          << to_string(c) << " " << transport::to_string(policy);
      EXPECT_EQ(r.totals.bytes_delivered, r.totals.bytes_sent) << to_string(c);
      EXPECT_EQ(r.totals.completed, r.totals.started) << to_string(c);
    }
    // The library's own ideal is the same formula.
    const double ideal =
        static_cast<double>(ideal_ps(c, n, bytes, kGbps, static_cast<sim::Time>(4 * kHop_ps)));
    EXPECT_NEAR(ideal, closed_form_ps(c, n, static_cast<double>(bytes)), 64) << to_string(c);
  }
}

INSTANTIATE_TEST_SUITE_P(Ranks, ClosedForm, ::testing::Values(4u, 16u, 64u));

// Several hosts per leaf, spraying on a non-blocking fabric: steps between
// ranks of one leaf skip two hops, so a collective may only be faster than
// the formula, by at most its steps times those two hops.
TEST(ClosedForm, SprayOnMultiHostLeavesIsWithinTheLatencySaved) {
  const std::uint32_t n = 32;
  const std::uint64_t bytes = 64ULL << 20;
  for (Collective c : kAll) {
    Fabric f(leaf_spine(4, 8, 8), transport::PathPolicy::spray);
    const Outcome r = run(f, c, n, bytes);
    const double expected = closed_form_ps(c, n, static_cast<double>(bytes));
    const double steps = make_schedule(c, n, bytes)->steps();
    EXPECT_LE(static_cast<double>(r.duration_ps), expected + 1) << to_string(c);
    EXPECT_GE(static_cast<double>(r.duration_ps), expected - steps * 2 * kHop_ps) << to_string(c);
  }
}

// Every step's sends are what the step's receivers expect, every transfer
// is on a pair its phase lists, and the bytes add up to the collective's.
TEST(Schedules, SendsMatchReceivesAndBytesAddUp) {
  for (std::uint32_t n : {2u, 3u, 5u, 8u, 12u, 16u}) {
    const std::uint64_t bytes = 1000003;  // prime: uneven chunks everywhere
    for (Collective c : kAll) {
      if (c == Collective::halving_doubling_allreduce && !std::has_single_bit(n)) continue;
      const auto schedule = make_schedule(c, n, bytes);
      const std::uint64_t sent =
          testing::checked_bytes(*schedule, std::string(to_string(c)) + " n=" + std::to_string(n));
      // What each collective must move in total.
      const double n_1 = n - 1;
      std::uint64_t expected = 0;
      switch (c) {
        case Collective::ring_allreduce:
          expected = 2 * static_cast<std::uint64_t>(n_1) * bytes;
          break;
        case Collective::reduce_scatter:
        case Collective::all_gather:
        case Collective::tree_allreduce:  // each half up N-1 edges, then down N-1
          expected =
              static_cast<std::uint64_t>(n_1) * bytes * (c == Collective::tree_allreduce ? 2 : 1);
          break;
        case Collective::all_to_all:  // chunk j reaches rank j from N-1 ranks
        case Collective::pairwise_all_to_all:
          expected = static_cast<std::uint64_t>(n_1) * bytes;
          break;
        case Collective::halving_doubling_allreduce:  // each chunk N-1 times each way
          expected = 2 * static_cast<std::uint64_t>(n_1) * bytes;
          break;
        case Collective::hierarchical_allreduce:  // one GPU per server: a ring
          expected = 2 * static_cast<std::uint64_t>(n_1) * bytes;
          break;
        case Collective::broadcast:  // the whole buffer over each of N-1 ring edges
        case Collective::reduce:
          expected = static_cast<std::uint64_t>(n_1) * bytes;
          break;
        case Collective::gather:  // every chunk but the root's (rank 0: S/N rounded down)
        case Collective::scatter:
          expected = bytes - bytes / n;
          break;
        case Collective::barrier:  // one message per rank per round
          expected = std::uint64_t{n} * static_cast<std::uint64_t>(std::ceil(std::log2(n))) *
                     kBarrierMessageBytes;
          break;
        case Collective::all_to_allv:
          break;  // not made by make_schedule
      }
      EXPECT_EQ(sent, expected) << to_string(c) << " n=" << n;
    }
  }
}

// Every rank is a leaf in at least one of NCCL's two trees when N is even,
// and both are binary trees spanning every rank.
TEST(Tree, TwoSpanningBinaryTreesWithComplementaryLeaves) {
  for (std::uint32_t n : {2u, 4u, 6u, 7u, 16u, 33u, 256u}) {
    const DoubleBinaryTreeSchedule s(n, 1 << 20, 4);
    for (std::uint32_t k = 0; k < 2; ++k) {
      const auto& t = s.tree(k);
      std::uint32_t edges = 0;
      for (std::uint32_t r = 0; r < n; ++r) {
        EXPECT_LE(t.children[r].size(), 2u);
        edges += static_cast<std::uint32_t>(t.children[r].size());
        if (r != t.root) {
          EXPECT_EQ(t.depth[r], t.depth[t.parent[r]] + 1);
        }
      }
      EXPECT_EQ(edges, n - 1);
      EXPECT_LE(t.height[t.root], static_cast<std::uint32_t>(std::bit_width(n)));
    }
    if (n % 2 == 0) {
      for (std::uint32_t r = 0; r < n; ++r) {
        EXPECT_TRUE(s.tree(0).children[r].empty() || s.tree(1).children[r].empty())
            << "rank " << r << " is inner in both trees, n=" << n;
      }
    }
  }
}

// Servers of G GPUs, NIC g of each on rail g's leaf: 2(G-1) NVLink steps of
// S/G, then 2(H-1) ring steps of S/(G H) between servers, rail by rail.
TEST(Hierarchical, MatchesItsFormulaOnRailOptimisedServers) {
  for (const bool rails : {true, false}) {
    const std::uint32_t gpus = 4;
    topology::FabricConfig config = leaf_spine(4, 4, 4);
    config.nics_per_host = gpus;
    config.rail_optimised = rails;
    const topology::Servers servers(config);
    ASSERT_EQ(servers.count(), 4u);
    // Without rails, a server's four NICs share a leaf and ECMP may collide
    // their flows on the spines; spraying keeps the fabric non-blocking.
    Fabric f(config, rails ? transport::PathPolicy::ecmp : transport::PathPolicy::spray);
    std::vector<topology::HostId> hosts;
    CollectiveOptions options;
    for (std::uint32_t s = 0; s < servers.count(); ++s) {
      for (std::uint32_t g = 0; g < gpus; ++g) {
        hosts.push_back(servers.nic(s, g));
        options.server_of_rank.push_back(servers.server_of(hosts.back()));
        EXPECT_EQ(options.server_of_rank.back(), s);
      }
    }
    options.nvlink_gbps = 3600;
    options.nvlink_latency_ps = sim::kMicrosecond;
    const std::uint64_t bytes = 64ULL << 20;
    const auto n = static_cast<std::uint32_t>(hosts.size());
    CollectiveRun run(f.sim, f.transport, hosts,
                      make_schedule(Collective::hierarchical_allreduce, n, bytes, {gpus, 0, 0}),
                      options);
    run.start(0);
    f.sim.run();
    ASSERT_TRUE(run.finished());
    const double s = static_cast<double>(bytes);
    const double h = servers.count();
    // Rail-optimised, GPU g of every server sits on one leaf: 2 hops; else 4.
    const double latency = (rails ? 2 : 4) * kHop_ps;
    const double expected = 2 * (gpus - 1) * (s / gpus * 8000.0 / 3600.0 + 1e6) +
                            2 * (h - 1) * (serial_ps(s / gpus / h) + latency);
    EXPECT_NEAR(static_cast<double>(run.results()[0].duration_ps()), expected, expected * 1e-4)
        << (rails ? "rails" : "no rails");
    const double ideal = static_cast<double>(ideal_ps(Collective::hierarchical_allreduce, n, bytes,
                                                      kGbps, static_cast<sim::Time>(latency),
                                                      {gpus, 3600, sim::kMicrosecond}));
    EXPECT_NEAR(ideal, expected, 64);
    // Only the inter-server stage crosses the fabric: 2(H-1) S bytes.
    EXPECT_EQ(f.model.totals().bytes_sent, 2 * (servers.count() - 1) * bytes);
  }
}

TEST(Hierarchical, ScheduleMovesWhatARingWouldInsideAndAcrossServers) {
  const std::uint32_t servers = 3;
  const std::uint32_t gpus = 4;
  const std::uint64_t bytes = 1000003;
  const HierarchicalSchedule s(servers, gpus, bytes);
  std::uint64_t inside = 0;
  std::uint64_t across = 0;
  for (std::uint32_t step = 0; step < s.steps(); ++step) {
    std::vector<Transfer> sends;
    for (std::uint32_t r = 0; r < s.ranks(); ++r) s.sends(step, r, sends);
    for (const Transfer& t : sends) (t.src / gpus == t.dst / gpus ? inside : across) += t.bytes;
  }
  EXPECT_EQ(inside, servers * 2ULL * (gpus - 1) * bytes);
  EXPECT_EQ(across, 2ULL * (servers - 1) * bytes);
}

}  // namespace
}  // namespace spinel::workloads
