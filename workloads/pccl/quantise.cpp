#include "workloads/pccl/quantise.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace spinel::pccl {

std::string_view to_string(Quantisation q) {
  switch (q) {
    case Quantisation::fp16:
      return "fp16";
    case Quantisation::int8:
      return "int8";
    case Quantisation::none:
      break;
  }
  return "none";
}

namespace {

// x in [-1, 1] rounded to the nearest IEEE half (ties to even): 10 mantissa
// bits for normal halves, steps of 2^-24 below 2^-14 (subnormal halves).
float round_to_half(float x) {
  if (std::fabs(x) < 0x1.0p-14F) return std::nearbyint(x * 0x1.0p24F) * 0x1.0p-24F;
  std::uint32_t bits = std::bit_cast<std::uint32_t>(x);
  bits += 0xFFFU + ((bits >> 13) & 1U);
  bits &= ~0x1FFFU;
  return std::bit_cast<float>(bits);
}

}  // namespace

void quantise(std::span<float> values, Quantisation q) {
  if (q == Quantisation::none || values.empty()) return;
  float largest = 0;
  for (float v : values) largest = std::max(largest, std::fabs(v));
  if (!(largest > 0) || !std::isfinite(largest)) return;  // zeros stay; non-finite: sent as is
  if (q == Quantisation::int8) {
    const float scale = largest / 127.0F;
    for (float& v : values) {
      const float level = std::clamp(std::round(v / scale), -127.0F, 127.0F);
      v = level * scale;
    }
  } else {
    for (float& v : values) v = round_to_half(v / largest) * largest;
  }
}

std::uint64_t quantised_bytes(std::uint64_t fp32_bytes, Quantisation q) {
  switch (q) {
    case Quantisation::fp16:
      return (fp32_bytes + 1) / 2 + 4;
    case Quantisation::int8:
      return (fp32_bytes + 3) / 4 + 4;
    case Quantisation::none:
      break;
  }
  return fp32_bytes;
}

}  // namespace spinel::pccl
