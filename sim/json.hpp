#pragma once
// JSON values are nlohmann::ordered_json (Debian's nlohmann-json3-dev): keys
// keep insertion order, so the same value always has the same key order.
// json_text() lays a value out as spinel's files have it (two-space indent,
// trailing newline) with every double in std::to_chars' shortest round-trip
// form. nlohmann's own dump() prints doubles with Grisu2 in another layout
// ("100.0" for 100, "200000.0" for 2e+05, "0.0001" for 1e-04), which would
// change the bytes of every summary.json written so far.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace spinel::sim {

using Json = nlohmann::ordered_json;

// Pretty-printed with two-space indent and a trailing newline.
std::string json_text(const Json& value);

// `s` as a quoted JSON string (control characters escaped; bytes that are
// not UTF-8 become U+FFFD): also the one-line, unambiguous way to show user
// text in an error message.
std::string json_string(std::string_view s);

}  // namespace spinel::sim
