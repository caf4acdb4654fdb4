#include "transport/rate_cache.hpp"

#include <algorithm>

#include "sim/error.hpp"
#include "sim/rng.hpp"

namespace spinel::transport {

namespace {
constexpr std::uint32_t kFirstSlots = 256;
// At most 2^17 entries (a few hundred bytes each): the 1,024-host ring meets
// about 75k distinct components.
constexpr std::uint32_t kMaxSlots = 1u << 17;
constexpr std::uint32_t kSizeSlots = 4096;
}  // namespace

RateCache::RateCache() : RateCache(kMaxSlots) {}

RateCache::RateCache(std::uint32_t max_slots) : max_slots_(max_slots) {
  if (max_slots == 0 || (max_slots & (max_slots - 1)) != 0) {
    throw sim::InternalError("rate cache: the slot count must be a power of two");
  }
}

std::uint64_t RateCache::route_hash(std::uint32_t route) {
  return sim::mix64(route);
}

const RateCache::Entry* RateCache::find(std::uint64_t hash, std::span<const std::uint32_t> routes) {
  if (!slots_.empty()) {
    const Entry& e = slots_[hash & (slots_.size() - 1)];
    if (e.generation == generation_ && e.hash == hash && e.flows == routes.size() &&
        std::equal(routes.begin(), routes.end(), e.ids.begin())) {
      ++hits_;
      return &e;
    }
  }
  ++misses_;
  return nullptr;
}

RateCache::Entry& RateCache::store(std::uint64_t hash, std::span<const std::uint32_t> routes) {
  // Grows while it misses more than twice its size since it last grew: the
  // components in use do not fit (or collide). Growing forgets the entries.
  if (slots_.size() < max_slots_ && ++misses_since_growth_ > 2 * slots_.size()) {
    const std::size_t size =
        slots_.empty() ? std::min<std::uint32_t>(kFirstSlots, max_slots_) : 2 * slots_.size();
    slots_.clear();
    slots_.resize(size);
    misses_since_growth_ = 0;
  }
  Entry& e = slots_[hash & (slots_.size() - 1)];
  e.hash = hash;
  e.generation = generation_;
  e.flows = static_cast<std::uint32_t>(routes.size());
  e.ids.assign(routes.begin(), routes.end());
  e.values.clear();
  return e;
}

bool RateCache::seen_before(std::uint32_t flows, std::uint32_t links) {
  if (sizes_.empty()) sizes_.assign(kSizeSlots, 0);
  const std::uint64_t size = (std::uint64_t{flows} << 32 | links) + 1;
  std::uint64_t& slot = sizes_[sim::mix64(size) & (kSizeSlots - 1)];
  if (slot == size) return true;
  slot = size;
  return false;
}

void RateCache::clear() {
  ++generation_;
  if (generation_ == 0) {
    // Wrapped: every entry would look current again.
    for (Entry& e : slots_) e.generation = 0;
    generation_ = 1;
  }
}

}  // namespace spinel::transport
