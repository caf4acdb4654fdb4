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

// a + b for times and durations (both >= 0), or a TimeOverflow when the sum
// passes the clock's range. For times computed from what a scenario asks
// (sizes, rates, durations), not on per-event paths that cannot overflow.
// (sim/simulator.cpp; delay < 0 when the sum already wrapped.)
[[noreturn]] void throw_time_overflow(Time now, Time delay);
inline Time later(Time a, Time b) {
  Time sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) throw_time_overflow(a, b);
  return sum;
}

// Exact serialisation time of `bytes` at `gbps` gigabits per second, rounded
// up to the next picosecond: bytes * 8 bits / (gbps * 1e9 b/s) = bytes * 8000 / gbps ps.
constexpr Time serialisation_ps(std::uint64_t bytes, double gbps) {
  const double ps = static_cast<double>(bytes) * 8000.0 / gbps;
  // Past the clock (a petabyte at a bit per second): the longest time there
  // is, which any later sum turns into a TimeOverflow.
  if (!(ps < 9.2e18)) return kForever;
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
