#pragma once
// Simulated time: a signed 64-bit count of picoseconds. Integer so that event
// order never depends on rounding; 2^63 ps is about 106 days of simulated time.
#include <cstdint>
#include <limits>

namespace spinel::sim {

using Time = std::int64_t;

inline constexpr Time kPicosecond = 1;
inline constexpr Time kNanosecond = 1'000;
inline constexpr Time kMicrosecond = 1'000'000;
inline constexpr Time kMillisecond = 1'000'000'000;
inline constexpr Time kSecond = 1'000'000'000'000;
inline constexpr Time kForever = std::numeric_limits<Time>::max();

// Exact serialisation time of `bytes` at `gbps` gigabits per second, rounded
// up to the next picosecond: bytes * 8 bits / (gbps * 1e9 b/s) = bytes * 8000 / gbps ps.
constexpr Time serialisation_ps(std::uint64_t bytes, double gbps) {
  const double ps = static_cast<double>(bytes) * 8000.0 / gbps;
  const auto whole = static_cast<Time>(ps);
  return static_cast<double>(whole) < ps ? whole + 1 : whole;
}

// Rates inside the models are bytes per picosecond: 1 Gb/s = 1/8000 B/ps.
constexpr double gbps_to_bytes_per_ps(double gbps) {
  return gbps / 8000.0;
}
constexpr double bytes_per_ps_to_gbps(double bytes_per_ps) {
  return bytes_per_ps * 8000.0;
}

}  // namespace spinel::sim
