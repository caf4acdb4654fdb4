// Broadcast, reduce, gather, scatter (from or to any root), the barrier and
// all-to-allv: their bookkeeping, their bytes, and their runs against the
// library's ideal on a non-blocking fabric. test_collectives.cpp checks them
// at root 0 against closed forms written out there.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "fabric.hpp"
#include "schedule_check.hpp"
#include "sim/error.hpp"
#include "workloads/collective.hpp"
#include "workloads/collectives.hpp"
#include "workloads/schedules.hpp"

namespace spinel::workloads {
namespace {

using testing::Fabric;
using testing::leaf_spine;

constexpr double kGbps = 400.0;
constexpr sim::Time kFourHops_ps = 4 * 500'000;  // leaf_spine's links: 500 ns each

std::vector<topology::HostId> contiguous(std::uint32_t n) {
  std::vector<topology::HostId> v(n);
  for (std::uint32_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

// One host per leaf, one spine: only the NICs limit a flow, every path is 4 hops.
sim::Time run_ps(std::shared_ptr<const Schedule> schedule, std::uint64_t bytes,
                 std::uint64_t* bytes_sent = nullptr) {
  const std::uint32_t n = schedule->ranks();
  Fabric f(leaf_spine(n, 1, 1));
  CollectiveOptions options;
  options.size_bytes = bytes;
  CollectiveRun run(f.sim, f.transport, contiguous(n), std::move(schedule), options);
  run.start(0);
  f.sim.run();
  EXPECT_TRUE(run.finished());
  EXPECT_EQ(f.model.totals().bytes_delivered, f.model.totals().bytes_sent);
  if (bytes_sent != nullptr) *bytes_sent = f.model.totals().bytes_sent;
  return run.finished() ? run.results()[0].duration_ps() : 0;
}

std::string label(std::string_view what, std::uint32_t n, std::uint32_t root) {
  return std::string(what) + " n=" + std::to_string(n) + " root=" + std::to_string(root);
}

TEST(RootedCollectives, EveryRootSendsWhatItsReceiversExpect) {
  const std::uint64_t bytes = 1000003;  // prime: a remainder on the last chunk
  for (std::uint32_t n : {2u, 3u, 5u, 8u}) {
    const Chunks chunks{n, bytes};
    for (std::uint32_t root = 0; root < n; ++root) {
      for (std::uint32_t pieces : {1u, 3u, 7u}) {
        for (auto kind :
             {RingPipelineSchedule::Kind::broadcast, RingPipelineSchedule::Kind::reduce}) {
          const bool bcast = kind == RingPipelineSchedule::Kind::broadcast;
          const RingPipelineSchedule s(kind, n, bytes, pieces, root);
          const std::string what = label(bcast ? "broadcast" : "reduce", n, root);
          EXPECT_EQ(s.steps(), pieces + n - 2) << what;
          // The whole buffer crosses each of the chain's N-1 edges once.
          EXPECT_EQ(testing::checked_bytes(s, what), (n - 1) * bytes) << what;
          // Broadcast's root only sends, reduce's only receives, and each
          // rank takes in every piece once (but the chain's head).
          std::uint32_t root_sends = 0;
          std::uint32_t root_receives = 0;
          std::vector<std::uint32_t> received(n, 0);
          for (std::uint32_t step = 0; step < s.steps(); ++step) {
            std::vector<Transfer> out;
            s.sends(step, root, out);
            root_sends += static_cast<std::uint32_t>(out.size());
            root_receives += s.receives(step, root);
            for (std::uint32_t r = 0; r < n; ++r) received[r] += s.receives(step, r);
          }
          EXPECT_EQ(root_sends, bcast ? pieces : 0u) << what;
          EXPECT_EQ(root_receives, bcast ? 0u : pieces) << what;
          const std::uint32_t head = bcast ? root : (root + 1) % n;
          for (std::uint32_t r = 0; r < n; ++r) {
            EXPECT_EQ(received[r], r == head ? 0u : pieces) << what << " rank " << r;
          }
        }
      }
      for (auto kind : {RootedSchedule::Kind::gather, RootedSchedule::Kind::scatter}) {
        const RootedSchedule s(kind, n, bytes, root);
        const std::string what =
            label(kind == RootedSchedule::Kind::gather ? "gather" : "scatter", n, root);
        // Every chunk but the root's own crosses the fabric once.
        EXPECT_EQ(testing::checked_bytes(s, what), bytes - chunks.bytes(root)) << what;
        std::vector<Transfer> out;
        for (std::uint32_t r = 0; r < n; ++r) s.sends(0, r, out);
        for (const Transfer& t : out) {
          EXPECT_EQ(kind == RootedSchedule::Kind::gather ? t.dst : t.src, root) << what;
          EXPECT_EQ(t.bytes, chunks.bytes(kind == RootedSchedule::Kind::gather ? t.src : t.dst));
        }
      }
    }
  }
  EXPECT_THROW(RootedSchedule(RootedSchedule::Kind::gather, 4, bytes, 4), sim::InternalError);
  EXPECT_THROW(RingPipelineSchedule(RingPipelineSchedule::Kind::reduce, 4, bytes, 0, 0),
               sim::InternalError);
}

// A root other than 0 and a size with a remainder: the runs still match the
// ideal, which is the same for every root (root 5's chunk is not the last).
TEST(RootedCollectives, AnyRootMatchesTheIdealOnANonBlockingFabric) {
  const std::uint32_t n = 8;
  const std::uint32_t root = 5;
  const std::uint64_t bytes = (8ULL << 20) + 12345;
  for (Collective c :
       {Collective::broadcast, Collective::reduce, Collective::gather, Collective::scatter}) {
    const double ideal = static_cast<double>(ideal_ps(c, n, bytes, kGbps, kFourHops_ps));
    const double took = static_cast<double>(run_ps(make_schedule(c, n, bytes, {}, root), bytes));
    EXPECT_NEAR(took, ideal, ideal * 1e-4) << to_string(c);
  }
}

// Large buffers pipeline in 512 KiB pieces, at most 1024 of them. Each
// piece waits for its delivery (L) before the next leaves its rank, where
// NCCL keeps several slices in flight: on 8 ranks and 2 us paths a 256 MiB
// broadcast reaches (S/C/B) / (S/C/B + L) of the NIC rate less the fill,
// about 83%, where store and forward of the whole buffer would reach 1/7.
TEST(RootedCollectives, PipelineChunksAndBusBandwidth) {
  EXPECT_EQ(pipeline_chunks(1), 1u);
  EXPECT_EQ(pipeline_chunks(512 * 1024), 1u);
  EXPECT_EQ(pipeline_chunks(512 * 1024 + 1), 2u);
  EXPECT_EQ(pipeline_chunks(64ULL << 20), 128u);
  EXPECT_EQ(pipeline_chunks(1ULL << 40), kMaxPipelineChunks);
  const std::uint32_t n = 8;
  const std::uint64_t bytes = 256ULL << 20;
  const sim::Time t = ideal_ps(Collective::broadcast, n, bytes, kGbps, kFourHops_ps);
  const double piece_ps = static_cast<double>(sim::serialisation_ps(512 * 1024, kGbps));
  const double busbw = busbw_gbps(Collective::broadcast, n, bytes, t);
  EXPECT_NEAR(busbw, kGbps * piece_ps / (piece_ps + kFourHops_ps) * 512 / (512 + n - 2), 0.01);
  EXPECT_GT(busbw, 0.8 * kGbps);
}

// nccl-tests' factors: 1 for broadcast and reduce, (N-1)/N for gather and
// scatter (and the all-to-alls), and a barrier has no bandwidth.
TEST(RootedCollectives, BusBandwidthFactorsFollowNcclTests) {
  const std::uint32_t n = 8;
  const std::uint64_t bytes = 1ULL << 30;
  const sim::Time t = 20 * sim::kMillisecond;
  const double algbw = static_cast<double>(bytes) * 8 / 20e6;  // Gb/s: bits per 20 ms
  EXPECT_DOUBLE_EQ(busbw_gbps(Collective::broadcast, n, bytes, t), algbw);
  EXPECT_DOUBLE_EQ(busbw_gbps(Collective::reduce, n, bytes, t), algbw);
  EXPECT_DOUBLE_EQ(busbw_gbps(Collective::gather, n, bytes, t), algbw * 7 / 8);
  EXPECT_DOUBLE_EQ(busbw_gbps(Collective::scatter, n, bytes, t), algbw * 7 / 8);
  EXPECT_DOUBLE_EQ(busbw_gbps(Collective::all_to_allv, n, bytes, t),
                   busbw_gbps(Collective::all_to_all, n, bytes, t));
  EXPECT_EQ(busbw_gbps(Collective::barrier, n, 0, t), 0.0);
}

// A dissemination barrier of N ranks takes ceil(log2 N) rounds of one small
// message each, so it costs latency, not nothing.
TEST(Barrier, TakesLog2RoundsOfOneMessageEach) {
  for (std::uint32_t n : {2u, 3u, 5u, 8u, 9u}) {
    const auto schedule = make_schedule(Collective::barrier, n, 0);
    const auto rounds = static_cast<std::uint32_t>(std::ceil(std::log2(n)));
    EXPECT_EQ(schedule->steps(), rounds) << n;
    std::uint64_t sent = 0;
    const sim::Time took = run_ps(schedule, 0, &sent);
    EXPECT_EQ(sent, std::uint64_t{n} * rounds * kBarrierMessageBytes);
    const sim::Time round_ps = sim::serialisation_ps(kBarrierMessageBytes, kGbps) + kFourHops_ps;
    EXPECT_EQ(took, rounds * round_ps) << n;
    EXPECT_EQ(ideal_ps(Collective::barrier, n, 0, kGbps, kFourHops_ps), rounds * round_ps);
  }
}

// In round k rank r hears from r - 2^k: after the last round every rank has
// heard, directly or through others, from every rank.
TEST(Barrier, EveryRankHearsFromEveryOther) {
  for (std::uint32_t n : {2u, 3u, 6u, 7u, 16u, 33u}) {
    const BarrierSchedule s(n);
    std::vector<std::vector<bool>> heard(n, std::vector<bool>(n, false));
    for (std::uint32_t r = 0; r < n; ++r) heard[r][r] = true;
    for (std::uint32_t step = 0; step < s.steps(); ++step) {
      std::vector<Transfer> out;
      for (std::uint32_t r = 0; r < n; ++r) s.sends(step, r, out);
      const auto before = heard;
      for (const Transfer& t : out) {
        for (std::uint32_t k = 0; k < n; ++k) heard[t.dst][k] = heard[t.dst][k] || before[t.src][k];
      }
    }
    for (std::uint32_t r = 0; r < n; ++r) {
      for (std::uint32_t k = 0; k < n; ++k) EXPECT_TRUE(heard[r][k]) << n << ": " << r << " " << k;
    }
  }
}

// Uneven per-pair sizes with empty entries: each non-empty entry is one
// transfer, empty ones are not waited for, and the bytes are the matrix's.
TEST(AllToAllv, SendsTheMatrixAndSkipsEmptyEntries) {
  const std::uint32_t n = 6;
  std::vector<std::vector<std::uint64_t>> m(n, std::vector<std::uint64_t>(n, 0));
  std::uint64_t total = 0;
  std::uint32_t entries = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    for (std::uint32_t j = 0; j < n; ++j) {
      m[i][j] = (i * 7 + j * 3) % 5 == 0 ? 0 : 1000 * ((i + 2 * j) % 4 + 1) + i;
      if (i != j) {
        total += m[i][j];
        entries += m[i][j] > 0 ? 1 : 0;
      }
    }
  }
  const auto s = make_all_to_allv_schedule(m);
  EXPECT_EQ(testing::checked_bytes(*s, "all_to_allv"), total);
  std::vector<Transfer> out;
  for (std::uint32_t r = 0; r < n; ++r) s->sends(0, r, out);
  EXPECT_EQ(out.size(), entries);
  for (const Transfer& t : out) EXPECT_EQ(t.bytes, m[t.src][t.dst]);

  // Nothing to send: done at once, as its ideal says.
  const std::vector<std::vector<std::uint64_t>> empty(n, std::vector<std::uint64_t>(n, 0));
  EXPECT_EQ(run_ps(make_all_to_allv_schedule(empty), 0), 0);
  EXPECT_EQ(all_to_allv_ideal_ps(empty, kGbps, kFourHops_ps), 0);

  EXPECT_THROW(make_all_to_allv_schedule({{0, 1}, {1}}), sim::InternalError);
  EXPECT_THROW(make_all_to_allv_schedule({{0}}), sim::InternalError);
  EXPECT_THROW((void)make_schedule(Collective::all_to_allv, 4, 1024), sim::InternalError);
}

// A uniform matrix is the all-to-all: the same run and the same ideal.
TEST(AllToAllv, UniformMatrixRunsAsTheAllToAll) {
  const std::uint32_t n = 8;
  const std::uint64_t bytes = 8ULL << 20;
  std::vector<std::vector<std::uint64_t>> m(n, std::vector<std::uint64_t>(n, bytes / n));
  const sim::Time v = run_ps(make_all_to_allv_schedule(m), bytes);
  const sim::Time uniform = run_ps(make_schedule(Collective::all_to_all, n, bytes), bytes);
  EXPECT_EQ(v, uniform);
  EXPECT_EQ(all_to_allv_ideal_ps(m, kGbps, kFourHops_ps),
            ideal_ps(Collective::all_to_all, n, bytes, kGbps, kFourHops_ps));
}

// A hot spot: every rank sends rank 0 four times what it sends the others.
// Rank 0's downlink is the busiest NIC direction and stays busy to the end,
// so the run meets the ideal; and no run beats that bound.
TEST(AllToAllv, HotSpotMatchesTheBusiestNic) {
  const std::uint32_t n = 8;
  const std::uint64_t chunk = 1ULL << 20;
  std::vector<std::vector<std::uint64_t>> m(n, std::vector<std::uint64_t>(n, chunk));
  for (std::uint32_t i = 1; i < n; ++i) m[i][0] = 4 * chunk;
  const double ideal = static_cast<double>(all_to_allv_ideal_ps(m, kGbps, kFourHops_ps));
  EXPECT_EQ(ideal, static_cast<double>(sim::serialisation_ps(7 * 4 * chunk, kGbps) + kFourHops_ps));
  const double took = static_cast<double>(run_ps(make_all_to_allv_schedule(m), 0));
  EXPECT_NEAR(took, ideal, ideal * 1e-4);
}

}  // namespace
}  // namespace spinel::workloads
