#pragma once
// Quantities with units, as users write them in scenario files: sizes
// ("256MiB"), rates ("400Gbps") and durations ("500ns"). Parsing never throws
// on user text: it returns the value or a message that says what is allowed.
// Numbers are read with std::from_chars (locale-independent) and sizes and
// durations are computed exactly in integers, so "1.5KiB" is exactly 1536.
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/time.hpp"

namespace spinel::sim {

// A value or, when `error` is not empty, a one-line message for the user that
// quotes the text and says what is allowed.
template <typename T>
struct Expected {
  T value{};
  std::string error;

  [[nodiscard]] bool ok() const { return error.empty(); }
  explicit operator bool() const { return ok(); }
};

// Largest size parse_bytes accepts: 2^63 - 1 bytes (so it also fits an int64).
inline constexpr std::uint64_t kMaxBytes = 0x7fff'ffff'ffff'ffffULL;

// A size in bytes. A bare non-negative integer is bytes; units B, KB, MB, GB,
// TB (powers of 1000) and KiB, MiB, GiB, TiB, PiB (powers of 1024), with
// optional spaces before the unit. Decimals ("1.5KiB") only when the result
// is a whole number of bytes.
Expected<std::uint64_t> parse_bytes(std::string_view text);

// A rate in Gb/s. The unit is required: bps, Kbps, Mbps, Gbps, Tbps or Kb/s,
// Mb/s, Gb/s, Tb/s. Must be greater than zero.
Expected<double> parse_rate_gbps(std::string_view text);

// A duration in picoseconds. The unit is required: ps, ns, us (or µs), ms, s.
// Must be a whole number of picoseconds, >= 0 and <= kForever.
Expected<Time> parse_duration_ps(std::string_view text);

// "1GiB", "64KiB": the largest binary unit that divides exactly, else "1536B".
std::string format_bytes(std::uint64_t bytes);

// The shortest exact spelling: 500000 -> "500ns", 1500000 -> "1.5us", 0 -> "0ns".
std::string format_duration_ps(Time ps);

// "400Gbps", "0.5Gbps": plain decimal Gb/s that parse_rate_gbps reads back exactly.
std::string format_rate_gbps(double gbps);

// Shortest decimal that round-trips `v` (std::to_chars): "0.5", "100", "2e+05".
std::string format_double(double v);

// User text for an error message: double-quoted, on one line (control
// characters escaped), cut to about 60 characters with "..." when longer.
std::string quote_for_message(std::string_view text);

}  // namespace spinel::sim
