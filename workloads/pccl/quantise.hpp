#pragma once
// Quantisation of ring parts: fp16 and int8 with one scale per part. A
// part is round-tripped through its quantised form (the values a receiver
// decodes), so the numerics are exactly those of sending the small form.
// Pure float arithmetic, no libm beyond nearbyint/round: the same bits on
// every machine.
#include <cstdint>
#include <span>

#include "workloads/pccl/loop.hpp"

namespace spinel::pccl {

// values := decode(encode(values)); none leaves them as they are.
void quantise(std::span<float> values, Quantisation q);

// Bytes a part of `fp32_bytes` (as fp32) takes on the wire: half or a
// quarter of them, plus a 4-byte scale.
std::uint64_t quantised_bytes(std::uint64_t fp32_bytes, Quantisation q);

}  // namespace spinel::pccl
