#include "workloads/pccl/data.hpp"

#include <bit>
#include <cstring>

#include "sim/rng.hpp"

namespace spinel::pccl {

Range chunk_range(std::uint32_t count, std::uint32_t world, std::uint32_t chunk) {
  const std::uint32_t base = count / world;
  const std::uint32_t begin = base * chunk;
  return {begin, chunk + 1 == world ? count : begin + base};
}

Range part_range(Range chunk, std::uint32_t parts, std::uint32_t part) {
  const Range r = chunk_range(chunk.end - chunk.begin, parts, part);
  return {chunk.begin + r.begin, chunk.begin + r.end};
}

std::uint64_t part_bytes(std::uint64_t size_bytes, std::uint32_t world, std::uint32_t chunk,
                         std::uint32_t parts, std::uint32_t part) {
  const std::uint64_t chunk_base = size_bytes / world;
  const std::uint64_t chunk_len =
      chunk + 1 == world ? size_bytes - chunk_base * (world - 1) : chunk_base;
  const std::uint64_t part_base = chunk_len / parts;
  return part + 1 == parts ? chunk_len - part_base * (parts - 1) : part_base;
}

std::uint64_t hash_floats(std::span<const float> values) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (float v : values) {
    std::uint32_t bits = std::bit_cast<std::uint32_t>(v);
    for (int b = 0; b < 4; ++b) {
      h ^= bits & 0xffU;
      h *= 0x100000001b3ULL;
      bits >>= 8;
    }
  }
  return h;
}

std::vector<float> make_input(std::uint64_t seed, std::uint32_t peer, std::uint64_t op,
                              std::uint32_t count) {
  // Not a named Rng stream of the run: a pure function of its arguments, so
  // that it is the same whatever else the run draws.
  std::uint64_t s = seed ^ sim::mix64((static_cast<std::uint64_t>(peer) << 40) ^ op);
  std::vector<float> v(count);
  for (float& x : v) {
    // Mixed magnitudes make float addition order-sensitive: a wrong
    // reduction order shows as different bits.
    const std::uint64_t r = sim::splitmix64(s);
    const double unit = static_cast<double>(r >> 11) * 0x1.0p-53 - 0.5;
    x = static_cast<float>(unit * static_cast<double>(1U << (r & 15U)));
  }
  return v;
}

std::vector<float> reference_allreduce(const std::vector<std::vector<float>>& inputs) {
  const auto world = static_cast<std::uint32_t>(inputs.size());
  if (world == 0) return {};
  const auto count = static_cast<std::uint32_t>(inputs[0].size());
  std::vector<float> out(count);
  for (std::uint32_t c = 0; c < world; ++c) {
    const Range r = chunk_range(count, world, c);
    for (std::uint32_t i = r.begin; i < r.end; ++i) {
      float acc = inputs[c][i];
      for (std::uint32_t k = 1; k < world; ++k) acc = acc + inputs[(c + k) % world][i];
      out[i] = acc;
    }
  }
  return out;
}

}  // namespace spinel::pccl
