#pragma once
// The real data every peer reduces: small float vectors, so that
// bit-identity of the results is checked, not assumed. The reduction order
// is fixed by the ring (see reference_allreduce), so it is reproducible.
#include <cstdint>
#include <span>
#include <vector>

#include "workloads/pccl/loop.hpp"

namespace spinel::pccl {

// Half-open range of element indices.
struct Range {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

// Chunk c of `count` elements split W ways: count/W each, the remainder to
// the last (as PCCL does).
Range chunk_range(std::uint32_t count, std::uint32_t world, std::uint32_t chunk);
// Part j of `parts` of a range, split the same way.
Range part_range(Range chunk, std::uint32_t parts, std::uint32_t part);

// The bytes part `part` of chunk `chunk` moves on the network: the same split
// applied to the `size_bytes` the all-reduce stands for (remainders to the
// last), not to the few real floats, whose remainder would make the last
// chunk up to twice the others and skew the ring's pace.
std::uint64_t part_bytes(std::uint64_t size_bytes, std::uint32_t world, std::uint32_t chunk,
                         std::uint32_t parts, std::uint32_t part);

// FNV-1a over the floats' bit patterns: equal hashes for bit-identical data.
std::uint64_t hash_floats(std::span<const float> values);

// A peer's input for one operation: a pure function of (seed, peer, op), so
// a retry restores exactly the same input and a checker can recompute it.
std::vector<float> make_input(std::uint64_t seed, std::uint32_t peer, std::uint64_t op,
                              std::uint32_t count);

// DiLoCo: what a peer all-reduces after the `inner_steps` local steps of
// outer step `op`: the sum, in step order, of the inner steps' inputs
// (inner step op * inner_steps + h). One inner step: make_input itself.
std::vector<float> make_pseudo_gradient(std::uint64_t seed, std::uint32_t peer, std::uint64_t op,
                                        std::uint32_t inner_steps, std::uint32_t count);

// How a step's buffer goes round the ring: split into `tags` tensors (one
// collective each), each tensor's chunks into `parts` (one per pooled
// connection), each part quantised with its own scale.
struct RingShape {
  std::uint32_t tags = 1;
  std::uint32_t parts = 1;
  Quantisation quantisation = Quantisation::none;
};

// The elements of a tag's tensor, of chunk c of it and of part j of that.
Range part_of(std::uint32_t count, const RingShape& shape, std::uint32_t world, std::uint32_t tag,
              std::uint32_t chunk, std::uint32_t part);

// What ring all-reduce yields for inputs[i] held by ring position i: chunk c
// starts at position c and is accumulated as acc = received + local around
// the ring (positions c+1, c+2, ...), exactly as Peer does it; quantised,
// every hop carries decode(encode(acc)) and the owner's final chunk is
// decoded by all, itself included.
std::vector<float> reference_allreduce(const std::vector<std::vector<float>>& inputs,
                                       const RingShape& shape = {});

}  // namespace spinel::pccl
