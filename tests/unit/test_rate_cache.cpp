// Reuse of max-min allocations (transport/rate_cache.hpp): the flow model
// with the cache gives exactly, bit for bit, what it gives recomputing every
// component, and the cache forgets what a link change or a re-route makes stale.
#include <gtest/gtest.h>

#include <vector>

#include "sim/rng.hpp"
#include "transport/rate_cache.hpp"

#include "fabric.hpp"

namespace spinel::transport {
namespace {

TEST(RateCache, FindsOnlyTheSameRoutesAndVariantUntilCleared) {
  RateCache cache;
  const std::vector<std::uint32_t> routes{3, 3, 7};
  const std::vector<double> rates{0.5, 0.5, 1.0};
  const std::vector<std::uint32_t> links{1, 2};
  const std::vector<double> utilisations{1.0, 0.25};
  const std::uint64_t hash = 2 * RateCache::route_hash(3) + RateCache::route_hash(7);
  EXPECT_EQ(cache.find(hash, 0, routes), nullptr);
  RateCache::Entry& stored = cache.store(hash, 0, routes);
  stored.values = rates;
  stored.ids.insert(stored.ids.end(), links.begin(), links.end());
  stored.values.insert(stored.values.end(), utilisations.begin(), utilisations.end());
  const RateCache::Entry* e = cache.find(hash, 0, routes);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(std::vector<double>(e->rates().begin(), e->rates().end()), rates);
  EXPECT_EQ(std::vector<std::uint32_t>(e->links().begin(), e->links().end()), links);
  EXPECT_EQ(std::vector<double>(e->utilisations().begin(), e->utilisations().end()), utilisations);
  // The same hash with other routes (a collision) or the other filling: no entry.
  EXPECT_EQ(cache.find(hash, 0, std::vector<std::uint32_t>{3, 7, 7}), nullptr);
  EXPECT_EQ(cache.find(hash, 1, routes), nullptr);
  cache.clear();
  EXPECT_EQ(cache.find(hash, 0, routes), nullptr);
  EXPECT_EQ(cache.hits(), 1u);
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

// Host h sends to h + shift on 16 hosts of 4 leaves; ports from the seed, so
// ECMP collides on the spines. `change`: a spine link drops to 100 Gb/s at
// 30 us, then fails at 60 us.
Outcome run(bool cache, PathPolicy policy, bool change, std::uint64_t seed) {
  testing::Fabric f(testing::leaf_spine(4, 4, 2), testing::policy(policy), seed);
  f.model.set_rate_cache(cache);
  if (change || policy == PathPolicy::spray) f.model.set_spray_trunks(false);
  sim::Rng rng(seed, "test");
  std::vector<ConnectionId> ids;
  for (topology::HostId h = 0; h < 16; ++h) {
    for (const std::uint32_t shift : {5u, 9u}) {
      ids.push_back(f.model.connect(
          ConnectionSpec{h, (h + shift) % 16, static_cast<std::uint16_t>(rng.below(65536))}));
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

}  // namespace
}  // namespace spinel::transport
