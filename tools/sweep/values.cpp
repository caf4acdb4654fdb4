#include "tools/sweep/values.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "sim/units.hpp"

namespace spinel::sweep {

namespace {

using scenario::Need;
using scenario::Value;

constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();
constexpr double kMaxRate = std::numeric_limits<double>::max();

std::string_view example_of(Kind kind) {
  switch (kind) {
    case Kind::integer:
    case Kind::integer_or_all:
      return "[4, 8] or a range such as {from: 4, to: 16, step: 4}";
    case Kind::size:
      return "[4MiB, 16MiB] or a range such as {from: 4MiB, to: 256MiB, times: 2}";
    case Kind::rate:
      return "[100Gbps, 400Gbps] or a range such as {from: 100Gbps, to: 400Gbps, step: 100Gbps}";
    case Kind::duration:
      return "[500ns, 1us] or a range such as {from: 500ns, to: 4us, times: 2}";
    case Kind::word:
      return "[ecmp, spray]";
    case Kind::decimal:
      return "[0.25, 0.5]";
    case Kind::placement:
      return "[contiguous, random, [0, 9, 18, 27]]";
  }
  return "";
}

bool is_numeric(Kind kind) {
  return kind != Kind::word && kind != Kind::placement && kind != Kind::decimal;
}

// A numeric value: rates are doubles in Gb/s, everything else whole units
// (bytes, ps, counts).
struct Number {
  std::uint64_t whole = 0;
  double gbps = 0;
};

Number read_number(const Value& v, Kind kind) {
  switch (kind) {
    case Kind::size:
      return {v.to_bytes(0, sim::kMaxBytes), 0};
    case Kind::rate:
      return {0, v.to_rate_gbps(kMaxRate)};
    case Kind::duration:
      return {static_cast<std::uint64_t>(v.to_duration_ps(sim::kForever)), 0};
    default:
      return {v.to_uint64(0, kMaxU64), 0};
  }
}

ParamValue from_number(const Number& n, Kind kind, scenario::Position pos) {
  switch (kind) {
    case Kind::size:
      return {sim::format_bytes(n.whole), std::to_string(n.whole), sim::format_bytes(n.whole), pos};
    case Kind::rate:
      return {sim::format_rate_gbps(n.gbps), sim::format_double(n.gbps),
              sim::format_rate_gbps(n.gbps), pos};
    case Kind::duration: {
      const auto ps = static_cast<sim::Time>(n.whole);
      return {sim::format_duration_ps(ps), std::to_string(n.whole), sim::format_duration_ps(ps),
              pos};
    }
    default:
      return {std::to_string(n.whole), std::to_string(n.whole), std::to_string(n.whole), pos};
  }
}

// The element as YAML text, as the user wrote it (quoted where YAML needs it).
std::string emit(const Value& v) {
  YAML::Emitter out;
  out << YAML::Flow << v.node();
  if (!out.good()) v.fail("cannot use this value: " + out.GetLastError());
  return out.c_str();
}

ParamValue read_element(const Value& v, Kind kind) {
  if (is_numeric(kind)) {
    if (kind == Kind::integer_or_all && v.is_scalar() && v.scalar() == "all") {
      return {"all", "all", "all", v.position()};
    }
    ParamValue p = from_number(read_number(v, kind), kind, v.position());
    p.yaml = emit(v);  // the user's own spelling, so the loader's messages quote it
    return p;
  }
  if (v.is_scalar()) return {emit(v), v.scalar(), v.scalar(), v.position()};
  if (kind == Kind::placement && v.is_list()) {
    std::string hosts;
    for (const Value& host : v.to_list()) {
      if (!hosts.empty()) hosts += ' ';
      hosts += std::to_string(
          host.to_uint64(0, std::numeric_limits<std::uint32_t>::max(), "a host index"));
    }
    return {emit(v), "[" + hosts + "]", "[" + hosts + "]", v.position()};
  }
  v.fail(std::string(kind == Kind::placement
                         ? "expected contiguous, random or a list of host indices"
                     : kind == Kind::decimal ? "expected a number (decimals are listed, not ranged)"
                                             : "expected a word") +
         ", got " + v.describe());
}

std::vector<ParamValue> read_range(const Value& v, const Key& key) {
  std::optional<Value> from, to, times, step;
  v.read_map({
      {"from", Need::required, [&](const Value& x) { from = x; }},
      {"to", Need::required, [&](const Value& x) { to = x; }},
      {"times", Need::optional, [&](const Value& x) { times = x; }},
      {"step", Need::optional, [&](const Value& x) { step = x; }},
  });
  if (times.has_value() == step.has_value()) {
    v.fail(
        "a range needs either times (geometric: from, from x times, ... up to to) or step "
        "(arithmetic: from, from + step, ... up to to), not " +
        std::string(times ? "both" : "neither"));
  }
  const Number lo = read_number(*from, key.kind);
  const Number hi = read_number(*to, key.kind);
  const bool rate = key.kind == Kind::rate;
  if (rate ? lo.gbps > hi.gbps : lo.whole > hi.whole) {
    v.fail("a range needs from <= to, got from " + from->describe() + " and to " + to->describe());
  }
  std::vector<ParamValue> out;
  auto too_many = [&]() {
    v.fail("this range gives more than " + std::to_string(kMaxRangeValues) +
           " values; use a larger step or times");
  };
  const scenario::Position pos = v.position();
  if (times) {
    const std::uint64_t factor = times->to_uint64(2, 1'000'000, "an integer factor");
    if (rate ? lo.gbps <= 0 : lo.whole == 0) {
      from->fail("a geometric range (times) needs from > 0, got " + from->describe());
    }
    if (rate) {
      // Multiplying by an integer is exact while the values stay small whole
      // numbers of Gb/s; the tolerance keeps `to` in despite rounding.
      const double limit = hi.gbps * (1 + 1e-12);
      for (double g = lo.gbps; g <= limit && std::isfinite(g); g *= static_cast<double>(factor)) {
        out.push_back(from_number({0, g}, key.kind, pos));
      }
    } else {
      for (std::uint64_t w = lo.whole;; w *= factor) {
        out.push_back(from_number({w, 0}, key.kind, pos));
        if (w > hi.whole / factor) break;  // the next would pass `to` (or overflow)
      }
    }
    return out;
  }
  if (rate) {
    const double increment = read_number(*step, key.kind).gbps;
    const double span = (hi.gbps - lo.gbps) / increment;
    if (span >= static_cast<double>(kMaxRangeValues)) too_many();
    const auto count = static_cast<std::size_t>(std::floor(span + 1e-9)) + 1;
    for (std::size_t i = 0; i < count; ++i) {
      double g = lo.gbps + static_cast<double>(i) * increment;
      if (std::fabs(g - hi.gbps) <= 1e-9 * hi.gbps) g = hi.gbps;  // land on `to` exactly
      out.push_back(from_number({0, g}, key.kind, pos));
    }
    return out;
  }
  const std::uint64_t increment = read_number(*step, key.kind).whole;
  if (increment == 0) step->fail("a step must be greater than 0, got " + step->describe());
  if ((hi.whole - lo.whole) / increment >= kMaxRangeValues) too_many();
  for (std::uint64_t w = lo.whole;; w += increment) {
    out.push_back(from_number({w, 0}, key.kind, pos));
    if (hi.whole - w < increment) break;
  }
  return out;
}

}  // namespace

std::vector<ParamValue> read_values(const Value& v, const Key& key) {
  if (v.is_list()) {
    std::vector<ParamValue> out;
    for (const Value& element : v.to_list()) out.push_back(read_element(element, key.kind));
    if (out.empty())
      v.fail("an empty list; give at least one value, e.g. " + std::string(example_of(key.kind)));
    return out;
  }
  if (v.is_map()) {
    if (!is_numeric(key.kind)) {
      v.fail("a range needs a numeric key, and " + std::string(key.path) +
             " takes words; list them, e.g. " + std::string(example_of(key.kind)));
    }
    return read_range(v, key);
  }
  v.fail("expected a list of values such as " + std::string(example_of(key.kind)) + ", got " +
         v.describe());
}

}  // namespace spinel::sweep
