// Reuse of max-min allocations (transport/rate_cache.hpp): the flow model
// with the cache gives exactly, bit for bit, what it gives recomputing every
// component, and the cache forgets what a link change or a re-route makes stale.
#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <tuple>
#include <vector>

#include "sim/rng.hpp"
#include "transport/rate_cache.hpp"
#include "workloads/collective.hpp"
#include "workloads/collectives.hpp"

#include "fabric.hpp"

namespace spinel::transport {
namespace {

TEST(RateCache, FindsOnlyTheSameRoutesUntilCleared) {
  RateCache cache;
  const std::vector<std::uint32_t> routes{3, 3, 7};
  const std::vector<double> rates{0.5, 0.5, 1.0};
  const std::vector<std::uint32_t> links{1, 2};
  const std::vector<double> utilisations{1.0, 0.25};
  const std::uint64_t hash = 2 * RateCache::route_hash(3) + RateCache::route_hash(7);
  EXPECT_EQ(cache.find(hash, routes), nullptr);
  RateCache::Entry& stored = cache.store(hash, routes);
  stored.values = rates;
  stored.ids.insert(stored.ids.end(), links.begin(), links.end());
  stored.values.insert(stored.values.end(), utilisations.begin(), utilisations.end());
  const RateCache::Entry* e = cache.find(hash, routes);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(std::vector<double>(e->rates().begin(), e->rates().end()), rates);
  EXPECT_EQ(std::vector<std::uint32_t>(e->links().begin(), e->links().end()), links);
  EXPECT_EQ(std::vector<double>(e->utilisations().begin(), e->utilisations().end()), utilisations);
  // The same hash with other routes (a collision): no entry.
  EXPECT_EQ(cache.find(hash, std::vector<std::uint32_t>{3, 7, 7}), nullptr);
  cache.clear();
  EXPECT_EQ(cache.find(hash, routes), nullptr);
  EXPECT_EQ(cache.hits(), 1u);
}

TEST(RateCache, RemembersTheSizesOfComponentsItMet) {
  RateCache cache;
  EXPECT_FALSE(cache.seen_before(10, 70));
  EXPECT_TRUE(cache.seen_before(10, 70));
  EXPECT_FALSE(cache.seen_before(10, 71));
  EXPECT_FALSE(cache.seen_before(11, 70));
  EXPECT_TRUE(cache.seen_before(10, 71));
}

// Each connection sends `rounds` flows one after the other, the next when the
// last is delivered: a ring's steps, the same collisions again and again.
struct Repeater final : sim::EventHandler {
  Repeater(testing::Fabric& fabric, std::vector<ConnectionId> ids, std::uint32_t rounds)
      : f(fabric), connections(std::move(ids)), left(connections.size(), rounds) {
    self = f.sim.add_handler(*this);
    for (std::size_t i = 0; i < connections.size(); ++i) send(i);
  }
  void send(std::size_t i) {
    FlowSpec spec;
    spec.connection = connections[i];
    spec.size_bytes = 1'000'000 + 1'000 * i;
    spec.notify = self;
    spec.notify_payload = i;
    f.model.start_flow(spec);
    --left[i];
  }
  void handle(const sim::Event& e) override {
    delivered.emplace_back(e.payload, f.sim.now());
    if (left[e.payload] > 0) send(e.payload);
  }
  testing::Fabric& f;
  std::vector<ConnectionId> connections;
  std::vector<std::uint32_t> left;
  sim::HandlerId self = 0;
  std::vector<std::pair<std::uint64_t, sim::Time>> delivered;
};

struct Outcome {
  std::vector<std::pair<std::uint64_t, sim::Time>> delivered;
  std::vector<double> peaks;
  std::vector<double> bytes;
  std::uint64_t hits = 0;
};

// Host h sends to h + shift on 64 hosts of 8 leaves; ports from the seed, so
// ECMP collides on the spines, and every host's links couple its flows into
// components of more than 64 links (only those the heap fills are cached).
// `change`: a spine link drops to 100 Gb/s at 30 us, then fails at 60 us.
Outcome run(bool cache, PathPolicy policy, bool change, std::uint64_t seed) {
  testing::Fabric f(testing::leaf_spine(8, 8, 4), testing::policy(policy), seed);
  f.model.set_rate_cache(cache);
  if (change || policy == PathPolicy::spray) f.model.set_spray_trunks(false);
  sim::Rng rng(seed, "test");
  std::vector<ConnectionId> ids;
  for (topology::HostId h = 0; h < 64; ++h) {
    for (const std::uint32_t shift : {9u, 19u}) {
      ids.push_back(f.model.connect(
          ConnectionSpec{h, (h + shift) % 64, static_cast<std::uint16_t>(rng.below(65536))}));
    }
  }
  Repeater repeater(f, ids, 12);
  if (change) {
    const topology::LinkId spine = f.topology.links_by_name().at("leaf0>spine1");
    f.sim.run(30'000'000);
    f.model.set_link_rate(spine, 100);
    f.sim.run(60'000'000);
    f.model.set_link_rate(spine, 0);
  }
  f.sim.run();
  Outcome out;
  out.delivered = repeater.delivered;
  for (topology::LinkId l = 0; l < f.topology.link_count(); ++l) {
    out.peaks.push_back(f.model.link_stats(l).peak_utilisation);
    out.bytes.push_back(f.model.link_stats(l).bytes);
  }
  out.hits = f.model.rate_cache().hits();
  EXPECT_EQ(repeater.delivered.size(), ids.size() * 12);
  return out;
}

void expect_same(const Outcome& a, const Outcome& b) {
  EXPECT_EQ(a.delivered, b.delivered);  // every delivery at the same picosecond
  EXPECT_EQ(a.peaks, b.peaks);          // exact doubles
  EXPECT_EQ(a.bytes, b.bytes);
}

TEST(RateCache, ReusedAllocationsEqualRecomputedOnesExactly) {
  for (const std::uint64_t seed : {1u, 2u, 3u}) {
    const Outcome with = run(true, PathPolicy::ecmp, false, seed);
    const Outcome without = run(false, PathPolicy::ecmp, false, seed);
    EXPECT_GT(with.hits, 50u) << "seed " << seed;  // the steps did repeat
    EXPECT_EQ(without.hits, 0u);
    expect_same(with, without);
  }
}

TEST(RateCache, ForgetsAllocationsWhenALinkChangesOrFails) {
  const Outcome with = run(true, PathPolicy::ecmp, true, 1);
  const Outcome without = run(false, PathPolicy::ecmp, true, 1);
  EXPECT_GT(with.hits, 0u);
  expect_same(with, without);
}

// Sprayed flows weighted link by link are not unit-weight: their sums
// depend on the order of the search, so they are always recomputed.
TEST(RateCache, WeightedSprayingIsAlwaysRecomputed) {
  const Outcome with = run(true, PathPolicy::spray, false, 1);
  const Outcome without = run(false, PathPolicy::spray, false, 1);
  EXPECT_EQ(with.hits, 0u);
  expect_same(with, without);
}

// Collectives on 64 hosts placed at random: every rank's every step, each
// collective's end, the links and the totals, with the cache on or off.
struct StepLog final : workloads::StepObserver {
  void step_finished(const workloads::StepRecord& s) override {
    steps.emplace_back(s.collective, s.rank, s.step, s.start_ps, s.end_ps);
  }
  std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, sim::Time, sim::Time>> steps;
};

// Counts what the model reports; its presence alone must turn the cache off.
struct CountingObserver final : FlowObserver {
  void link_load(sim::Time, topology::LinkId, double) override { ++loads; }
  void flow_completed(sim::Time, const FlowRecord&) override { ++flows; }
  std::uint64_t loads = 0;
  std::uint64_t flows = 0;
};

struct Job {
  workloads::Collective collective;
  std::uint32_t ranks;
  std::uint64_t bytes;
  std::uint32_t iterations;
};

struct JobsOutcome {
  StepLog log;
  std::vector<sim::Time> ends;
  std::vector<double> peaks;
  std::vector<double> bytes;
  std::uint64_t completed = 0;
  double max_byte_error = 0;
  std::uint64_t hits = 0;
};

enum class Extra { none, fault, observer };

// The jobs run side by side on disjoint ranks. `fault`: a spine link fails at
// 40 us (during the first iteration; the cache is cleared, later ones repeat).
JobsOutcome run_jobs(bool cache, PathPolicy policy, const std::vector<Job>& jobs, Extra extra) {
  testing::Fabric f(testing::leaf_spine(8, 8, 8), testing::policy(policy), 1);
  f.model.set_rate_cache(cache);
  CountingObserver observer;
  if (extra == Extra::observer) f.model.set_observer(&observer);
  std::vector<topology::HostId> hosts(64);
  std::iota(hosts.begin(), hosts.end(), 0);
  sim::Rng(1, "placement").shuffle(hosts.begin(), hosts.end());
  JobsOutcome out;
  std::vector<std::unique_ptr<workloads::CollectiveRun>> runs;
  std::uint32_t next = 0;
  for (std::uint32_t j = 0; j < jobs.size(); ++j) {
    const Job& job = jobs[j];
    std::vector<topology::HostId> ranks(hosts.begin() + next, hosts.begin() + next + job.ranks);
    next += job.ranks;
    workloads::CollectiveOptions options;
    options.collective = job.collective;
    options.job = j;
    options.first_id = 100 * j;
    options.size_bytes = job.bytes;
    options.iterations = job.iterations;
    options.compute_gap_ps = 5 * sim::kMicrosecond;
    runs.push_back(std::make_unique<workloads::CollectiveRun>(
        f.sim, f.transport, ranks, workloads::make_schedule(job.collective, job.ranks, job.bytes),
        options));
    runs.back()->set_observer(&out.log);
    runs.back()->start(0);
  }
  if (extra == Extra::fault) {
    f.sim.run(40 * sim::kMicrosecond);
    f.model.set_link_rate(f.topology.links_by_name().at("leaf0>spine1"), 0);
  }
  f.sim.run();
  for (const auto& run : runs) {
    EXPECT_TRUE(run->finished());
    for (const workloads::CollectiveResult& r : run->results()) out.ends.push_back(r.end_ps);
  }
  for (topology::LinkId l = 0; l < f.topology.link_count(); ++l) {
    out.peaks.push_back(f.model.link_stats(l).peak_utilisation);
    out.bytes.push_back(f.model.link_stats(l).bytes);
  }
  out.completed = f.model.totals().completed;
  out.max_byte_error = f.model.totals().max_byte_error;
  out.hits = f.model.rate_cache().hits();
  return out;
}

void expect_same(const JobsOutcome& a, const JobsOutcome& b) {
  EXPECT_EQ(a.log.steps, b.log.steps);  // every rank's every step, to the picosecond
  EXPECT_EQ(a.ends, b.ends);
  EXPECT_EQ(a.peaks, b.peaks);  // exact doubles
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_EQ(a.completed, b.completed);
  EXPECT_EQ(a.max_byte_error, b.max_byte_error);
}

const Job kRing{workloads::Collective::ring_allreduce, 64, 4 << 20, 2};
const Job kAllToAll{workloads::Collective::all_to_all, 64, 4 << 20, 3};

TEST(RateCache, RingsAndAllToAllsRunTheSameWithTheCache) {
  for (const PathPolicy policy : {PathPolicy::ecmp, PathPolicy::spray}) {
    for (const Job& job : {kRing, kAllToAll}) {
      const JobsOutcome with = run_jobs(true, policy, {job}, Extra::none);
      const JobsOutcome without = run_jobs(false, policy, {job}, Extra::none);
      expect_same(with, without);
      EXPECT_EQ(without.hits, 0u);
      // Sprayed over trunks, every flow shares the trunks: one big component
      // that repeats.
      if (policy == PathPolicy::spray) {
        EXPECT_GT(with.hits, 0u);
      }
    }
  }
}

TEST(RateCache, TwoJobsRunTheSameWithTheCache) {
  const std::vector<Job> jobs{{workloads::Collective::ring_allreduce, 32, 4 << 20, 2},
                              {workloads::Collective::all_to_all, 32, 2 << 20, 3}};
  const JobsOutcome with = run_jobs(true, PathPolicy::spray, jobs, Extra::none);
  const JobsOutcome without = run_jobs(false, PathPolicy::spray, jobs, Extra::none);
  EXPECT_GT(with.hits, 0u);
  expect_same(with, without);
}

TEST(RateCache, AFailedLinkRunsTheSameWithTheCache) {
  const JobsOutcome with = run_jobs(true, PathPolicy::ecmp, {kAllToAll}, Extra::fault);
  const JobsOutcome without = run_jobs(false, PathPolicy::ecmp, {kAllToAll}, Extra::fault);
  EXPECT_GT(with.hits, 0u);
  expect_same(with, without);
}

// An observer hears every filling's loads, which a cached allocation does not
// report: with one set, nothing comes from the cache.
TEST(RateCache, AnObserverTurnsTheCacheOff) {
  const JobsOutcome with = run_jobs(true, PathPolicy::spray, {kRing}, Extra::observer);
  const JobsOutcome without = run_jobs(false, PathPolicy::spray, {kRing}, Extra::none);
  EXPECT_EQ(with.hits, 0u);
  expect_same(with, without);
}

}  // namespace
}  // namespace spinel::transport
