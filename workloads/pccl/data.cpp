#include "workloads/pccl/data.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "sim/rng.hpp"
#include "workloads/pccl/quantise.hpp"

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

std::vector<float> make_pseudo_gradient(std::uint64_t seed, std::uint32_t peer, std::uint64_t op,
                                        std::uint32_t inner_steps, std::uint32_t count) {
  if (inner_steps <= 1) return make_input(seed, peer, op, count);
  std::vector<float> sum = make_input(seed, peer, op * inner_steps, count);
  for (std::uint32_t h = 1; h < inner_steps; ++h) {
    const std::vector<float> step = make_input(seed, peer, op * inner_steps + h, count);
    for (std::uint32_t i = 0; i < count; ++i) sum[i] = sum[i] + step[i];
  }
  return sum;
}

Range part_of(std::uint32_t count, const RingShape& shape, std::uint32_t world, std::uint32_t tag,
              std::uint32_t chunk, std::uint32_t part) {
  return part_range(part_range(chunk_range(count, shape.tags, tag), world, chunk), shape.parts,
                    part);
}

std::vector<float> reference_allreduce(const std::vector<std::vector<float>>& inputs,
                                       const RingShape& shape) {
  const auto world = static_cast<std::uint32_t>(inputs.size());
  if (world == 0) return {};
  const auto count = static_cast<std::uint32_t>(inputs[0].size());
  std::vector<float> out(count);
  for (std::uint32_t t = 0; t < shape.tags; ++t) {
    for (std::uint32_t c = 0; c < world; ++c) {
      for (std::uint32_t j = 0; j < shape.parts; ++j) {
        const Range r = part_of(count, shape, world, t, c, j);
        std::vector<float> acc(inputs[c].begin() + r.begin, inputs[c].begin() + r.end);
        for (std::uint32_t k = 1; k < world; ++k) {
          quantise(acc, shape.quantisation);
          const std::vector<float>& local = inputs[(c + k) % world];
          for (std::uint32_t i = r.begin; i < r.end; ++i) {
            acc[i - r.begin] = acc[i - r.begin] + local[i];
          }
        }
        quantise(acc, shape.quantisation);
        std::copy(acc.begin(), acc.end(), out.begin() + r.begin);
      }
    }
  }
  return out;
}

}  // namespace spinel::pccl
