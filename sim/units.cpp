#include "sim/units.hpp"

#include <array>
#include <charconv>
#include <numeric>
#include <string>
#include <system_error>

#include "sim/error.hpp"
#include "sim/json.hpp"

namespace spinel::sim {

namespace {

struct Unit {
  std::string_view name;
  std::uint64_t multiplier;  // sizes: bytes; durations: picoseconds
};

constexpr std::array<Unit, 10> kSizeUnits{{
    {"B", 1ULL},
    {"KB", 1'000ULL},
    {"MB", 1'000'000ULL},
    {"GB", 1'000'000'000ULL},
    {"TB", 1'000'000'000'000ULL},
    {"KiB", 1ULL << 10},
    {"MiB", 1ULL << 20},
    {"GiB", 1ULL << 30},
    {"TiB", 1ULL << 40},
    {"PiB", 1ULL << 50},
}};
constexpr std::string_view kSizeUnitList = "B, KB, MB, GB, TB, KiB, MiB, GiB, TiB, PiB";

constexpr std::array<Unit, 10> kDurationUnits{{
    {"ps", 1ULL},
    {"ns", 1'000ULL},
    {"us", 1'000'000ULL},
    {"\xC2\xB5s", 1'000'000ULL},  // U+00B5 MICRO SIGN
    {"\xCE\xBCs", 1'000'000ULL},  // U+03BC GREEK SMALL LETTER MU
    {"ms", 1'000'000'000ULL},
    {"s", 1'000'000'000'000ULL},
    {"min", 60'000'000'000'000ULL},
    {"h", 3'600'000'000'000'000ULL},
    {"d", 86'400'000'000'000'000ULL},
}};
constexpr std::string_view kDurationUnitList = "ps, ns, us (or \xC2\xB5s), ms, s, min, h, d";

struct RateUnit {
  std::string_view name;
  int exponent;  // Gb/s = value * 10^exponent
};

constexpr std::array<RateUnit, 9> kRateUnits{{
    {"bps", -9},
    {"Kbps", -6},
    {"Mbps", -3},
    {"Gbps", 0},
    {"Tbps", 3},
    {"Kb/s", -6},
    {"Mb/s", -3},
    {"Gb/s", 0},
    {"Tb/s", 3},
}};
constexpr std::string_view kRateUnitList = "bps, Kbps, Mbps, Gbps, Tbps, Kb/s, Mb/s, Gb/s, Tb/s";

// Decimal fraction digits we keep; more (after trailing zeros are dropped)
// cannot give a whole number of bytes or picoseconds in any sane input.
constexpr std::size_t kMaxFractionDigits = 18;

bool is_space(char c) {
  return c == ' ' || c == '\t';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// "12.50 KiB" -> integer "12", fraction "50", unit "KiB".
struct Split {
  bool ok = false;
  std::string_view integer;
  std::string_view fraction;
  std::string_view unit;
};

Split split_quantity(std::string_view text) {
  Split out;
  const std::string_view s = trim(text);
  std::size_t i = 0;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i == 0) return out;
  out.integer = s.substr(0, i);
  if (i < s.size() && s[i] == '.') {
    const std::size_t start = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == start) return out;
    out.fraction = s.substr(start, i - start);
  }
  while (i < s.size() && is_space(s[i])) ++i;
  out.unit = s.substr(i);
  if (!out.unit.empty() && (is_digit(out.unit.front()) || out.unit.front() == '.')) return out;
  out.ok = true;
  return out;
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

template <std::size_t N>
std::string unknown_unit(std::string_view kind, std::string_view unit, std::string_view text,
                         const std::array<Unit, N>& units, std::string_view list) {
  std::string msg = "unknown " + std::string(kind) + " unit " + quote_for_message(unit) + " in " +
                    quote_for_message(text) + "; ";
  for (const auto& u : units) {
    if (iequal(u.name, unit)) {
      msg += "did you mean " + quote_for_message(u.name) + "? ";
      break;
    }
  }
  msg += "allowed units: ";
  msg += list;
  return msg;
}

enum class Exact { ok, not_whole, overflow };

// integer.fraction * multiplier, exactly, if it is a whole number <= max.
Exact scale_exact(std::string_view integer, std::string_view fraction, std::uint64_t multiplier,
                  std::uint64_t max, std::uint64_t& out) {
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  std::uint64_t whole = 0;
  {
    const auto [ptr, ec] = std::from_chars(integer.data(), integer.data() + integer.size(), whole);
    if (ec == std::errc::result_out_of_range) return Exact::overflow;
    if (ec != std::errc{} || ptr != integer.data() + integer.size()) return Exact::overflow;
  }
  std::uint64_t total = 0;
  if (__builtin_mul_overflow(whole, multiplier, &total)) return Exact::overflow;
  if (!fraction.empty()) {
    if (fraction.size() > kMaxFractionDigits) return Exact::not_whole;
    std::uint64_t digits = 0;
    const auto [ptr, ec] =
        std::from_chars(fraction.data(), fraction.data() + fraction.size(), digits);
    if (ec != std::errc{} || ptr != fraction.data() + fraction.size()) return Exact::not_whole;
    std::uint64_t pow10 = 1;
    for (std::size_t k = 0; k < fraction.size(); ++k) pow10 *= 10;
    // digits / pow10 * multiplier is whole iff (pow10 / g) divides digits,
    // where g = gcd(multiplier, pow10) (the reduced denominators are coprime).
    const std::uint64_t g = std::gcd(multiplier, pow10);
    const std::uint64_t denominator = pow10 / g;
    if (digits % denominator != 0) return Exact::not_whole;
    std::uint64_t part = 0;
    if (__builtin_mul_overflow(digits / denominator, multiplier / g, &part)) {
      return Exact::overflow;
    }
    if (__builtin_add_overflow(total, part, &total)) return Exact::overflow;
  }
  if (total > max) return Exact::overflow;
  out = total;
  return Exact::ok;
}

}  // namespace

std::string format_double(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc{}) throw InternalError("format_double failed");
  return std::string(buf, end);
}

std::string quote_for_message(std::string_view text) {
  constexpr std::size_t kMaxShown = 60;
  std::string out = json_string(text.substr(0, kMaxShown));
  if (text.size() > kMaxShown) out.insert(out.size() - 1, "...");
  return out;
}

Expected<std::uint64_t> parse_bytes(std::string_view text) {
  Expected<std::uint64_t> out;
  const Split q = split_quantity(text);
  if (!q.ok) {
    out.error = "expected a size such as 4096, 64KiB or 1GiB, got " + quote_for_message(text);
    return out;
  }
  std::uint64_t multiplier = 0;
  if (q.unit.empty()) {
    multiplier = 1;
  } else {
    for (const auto& u : kSizeUnits) {
      if (u.name == q.unit) multiplier = u.multiplier;
    }
    if (multiplier == 0) {
      out.error = unknown_unit("size", q.unit, text, kSizeUnits, kSizeUnitList);
      return out;
    }
  }
  switch (scale_exact(q.integer, q.fraction, multiplier, kMaxBytes, out.value)) {
    case Exact::ok:
      break;
    case Exact::not_whole:
      out.error = quote_for_message(text) + " is not a whole number of bytes";
      break;
    case Exact::overflow:
      out.error =
          quote_for_message(text) + " is too large; a size must be below 8192PiB (2^63 bytes)";
      break;
  }
  if (!out.ok()) out.value = 0;
  return out;
}

Expected<double> parse_rate_gbps(std::string_view text) {
  Expected<double> out;
  const std::string_view trimmed = trim(text);
  if (!trimmed.empty() && trimmed.front() == '-') {
    out.error = "a rate must be greater than zero, got " + quote_for_message(text);
    return out;
  }
  const Split q = split_quantity(text);
  if (!q.ok) {
    out.error = "expected a rate such as 400Gbps or 1.6Tbps, got " + quote_for_message(text);
    return out;
  }
  if (q.unit.empty()) {
    out.error = "a rate needs a unit, e.g. 400Gbps; got " + quote_for_message(text);
    return out;
  }
  const RateUnit* unit = nullptr;
  for (const auto& u : kRateUnits) {
    if (u.name == q.unit) unit = &u;
  }
  if (unit == nullptr) {
    out.error = "unknown rate unit " + quote_for_message(q.unit) + " in " +
                quote_for_message(text) + "; allowed units: " + std::string(kRateUnitList);
    return out;
  }
  // Shift the decimal point textually ("1.6" Tb/s -> "16e2" Gb/s) so that the
  // one rounding step is from_chars' correctly rounded conversion.
  std::string digits(q.integer);
  digits += q.fraction;
  const long exponent = unit->exponent - static_cast<long>(q.fraction.size());
  digits += 'e';
  digits += std::to_string(exponent);
  double value = 0.0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || ptr != digits.data() + digits.size()) {
    out.error = quote_for_message(text) + " is out of range for a rate";
    return out;
  }
  if (!(value > 0.0)) {
    out.error = "a rate must be greater than zero, got " + quote_for_message(text);
    return out;
  }
  out.value = value;
  return out;
}

Expected<Time> parse_duration_ps(std::string_view text) {
  Expected<Time> out;
  const std::string_view trimmed = trim(text);
  if (!trimmed.empty() && trimmed.front() == '-') {
    out.error = "a duration cannot be negative, got " + quote_for_message(text);
    return out;
  }
  const Split q = split_quantity(text);
  if (!q.ok) {
    out.error = "expected a duration such as 500ns, 1.5us or 2ms, got " + quote_for_message(text);
    return out;
  }
  if (q.unit.empty()) {
    out.error = "a duration needs a unit, e.g. 500ns; got " + quote_for_message(text);
    return out;
  }
  std::uint64_t multiplier = 0;
  for (const auto& u : kDurationUnits) {
    if (u.name == q.unit) multiplier = u.multiplier;
  }
  if (multiplier == 0) {
    out.error = unknown_unit("duration", q.unit, text, kDurationUnits, kDurationUnitList);
    return out;
  }
  std::uint64_t ps = 0;
  switch (
      scale_exact(q.integer, q.fraction, multiplier, static_cast<std::uint64_t>(kForever), ps)) {
    case Exact::ok:
      out.value = static_cast<Time>(ps);
      break;
    case Exact::not_whole:
      out.error = quote_for_message(text) + " is not a whole number of picoseconds";
      break;
    case Exact::overflow:
      out.error =
          quote_for_message(text) + " is too large; a duration must be below 2^63ps (106 days)";
      break;
  }
  return out;
}

std::string format_bytes(std::uint64_t bytes) {
  if (bytes != 0) {
    for (std::size_t i = kSizeUnits.size(); i-- > 0;) {
      const Unit& u = kSizeUnits[i];
      if (u.name.size() == 3 && bytes % u.multiplier == 0) {  // the binary units
        return std::to_string(bytes / u.multiplier) + std::string(u.name);
      }
    }
  }
  return std::to_string(bytes) + "B";
}

std::string format_duration_ps(Time ps) {
  const bool negative = ps < 0;
  // Magnitude without overflow, also for the most negative value.
  const std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(ps + 1)) + 1 : static_cast<std::uint64_t>(ps);
  if (magnitude == 0) return "0ns";
  struct Plain {
    std::string_view name;
    std::uint64_t multiplier;
    std::size_t decimals;
  };
  constexpr std::array<Plain, 5> kUnits{{
      {"ps", 1ULL, 0},
      {"ns", 1'000ULL, 3},
      {"us", 1'000'000ULL, 6},
      {"ms", 1'000'000'000ULL, 9},
      {"s", 1'000'000'000'000ULL, 12},
  }};
  std::string best;
  for (const auto& u : kUnits) {
    if (magnitude < u.multiplier) break;
    std::string s = std::to_string(magnitude / u.multiplier);
    const std::uint64_t rest = magnitude % u.multiplier;
    if (rest != 0) {
      std::string frac = std::to_string(rest);
      frac.insert(0, u.decimals - frac.size(), '0');
      while (frac.back() == '0') frac.pop_back();
      s += '.';
      s += frac;
    }
    s += u.name;
    if (best.empty() || s.size() < best.size()) best = std::move(s);
  }
  return negative ? "-" + best : best;
}

std::string format_rate_gbps(double gbps) {
  char buf[400];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, gbps, std::chars_format::fixed);
  std::string out = ec == std::errc{} ? std::string(buf, ptr) : std::to_string(gbps);
  out += "Gbps";
  return out;
}

}  // namespace spinel::sim
