#pragma once
// Max-min allocations the flow model computed before, by the routes of the
// component they were computed for.
//
// While no capacity and no route changes, the max-min rates of a component
// whose hops all weigh 1 are a function of the multiset of its flows' routes
// alone: progressive filling freezes flows round by round in (share, link id)
// order, and within a round every link loses the same share per flow, so
// neither the order of the flows on a link nor that of the search changes a
// single bit of the result. A ring all-reduce repeats the same contention
// step after step (the same connections collide on the same links), so the
// flow model looks a component up here before filling it and reuses the rates
// (and each link's utilisation, for its peak) exactly as they were computed.
// Only components the heap fills (FlowModel::fill_component) come here, so
// every entry was computed by the same filling a miss would run.
//
// Direct-mapped: a component's slot is its key's hash, and a new component
// overwrites what sat there. A hit is exact (the routes are compared, not only
// the hash), so what the cache holds changes how fast a run is, never what
// it computes.
#include <cstdint>
#include <span>
#include <vector>

namespace spinel::transport {

class RateCache {
 public:
  // Up to `max_slots` (a power of two) entries; it starts small and doubles
  // while it keeps missing, so small runs stay small.
  RateCache();
  explicit RateCache(std::uint32_t max_slots);

  struct Entry {
    std::uint64_t hash = 0;
    std::uint32_t generation = 0;  // 0: empty
    std::uint32_t flows = 0;
    // The routes (sorted), then the links that carry flows.
    std::vector<std::uint32_t> ids;
    // Per route its rate (bytes/ps), then per link its utilisation.
    std::vector<double> values;
    [[nodiscard]] std::span<const double> rates() const { return {values.data(), flows}; }
    [[nodiscard]] std::span<const std::uint32_t> links() const {
      return {ids.data() + flows, ids.size() - flows};
    }
    [[nodiscard]] std::span<const double> utilisations() const {
      return {values.data() + flows, values.size() - flows};
    }
  };

  // The entry for these routes (sorted, with repeats), or nullptr.
  [[nodiscard]] const Entry* find(std::uint64_t hash, std::span<const std::uint32_t> routes);
  // A new entry for these routes, in place of what sat in its slot: ids holds
  // the routes and values nothing yet. The caller appends a rate per route
  // (in the order of `routes`) to values, then each link to ids and its
  // utilisation to values.
  Entry& store(std::uint64_t hash, std::span<const std::uint32_t> routes);
  // Forgets everything: a capacity or a route changed.
  void clear();

  // The cheap pre-test: whether a component of this many flows and links
  // was met before (false the first time, and remembered). A component that
  // never recurs (an all-to-all loses flows at every completion) then costs
  // one probe of a small table, not the hash and sort of its routes.
  [[nodiscard]] bool seen_before(std::uint32_t flows, std::uint32_t links);

  // The hash of one route, summed over a component's flows: any order gives
  // the same key.
  static std::uint64_t route_hash(std::uint32_t route);

  [[nodiscard]] std::uint64_t hits() const { return hits_; }
  [[nodiscard]] std::uint64_t misses() const { return misses_; }

 private:
  std::vector<Entry> slots_;
  // (flows << 32 | links) + 1 of components met, direct-mapped; 0: none.
  std::vector<std::uint64_t> sizes_;
  std::uint32_t max_slots_;
  std::uint32_t generation_ = 1;
  std::uint64_t misses_since_growth_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace spinel::transport
