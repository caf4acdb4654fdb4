#pragma once
// Typed, validated access to a parsed YAML document. A Value is one node plus
// where it came from (file, line, column, dotted key path); its conversions
// either return a checked C++ value or throw sim::ScenarioError with one line
//   FILE:LINE:COL: key.path: what is wrong; what is allowed
// (LINE and COL 1-based). Maps are read through a table of fields, one line
// per key, which gives the allowed-key list, unknown/duplicate/missing-key
// errors and did-you-mean hints for free:
//
//   v.read_map({
//       {"leaves", Need::required, [&](const Value& x) { t.leaves = x.to_uint<u32>(1, 65536); }},
//       {"host_link", Need::optional, [&](const Value& x) { read_link(x, t.host_link); }},
//   });
//
// yaml-cpp exceptions never escape this layer: they become ScenarioErrors.
// Readers never recurse into nodes the schema does not ask for, so cyclic
// aliases (`&a [*a]`) are harmless.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/error.hpp"
#include "sim/time.hpp"

namespace spinel::scenario {

// 1-based place in the file.
// The largest link rate and one-way latency any scenario key accepts (fabric
// links, WAN links, rate faults).
inline constexpr double kMaxLinkRateGbps = 1e6;
inline constexpr sim::Time kMaxLinkLatency = sim::kSecond;
// The largest size any scenario key accepts (a collective, a transfer, a flow): 1 PiB.
inline constexpr std::uint64_t kMaxSizeBytes = 1ULL << 50;

struct Position {
  int line = 1;
  int column = 1;
};

// Throws ScenarioError "SOURCE:LINE:COL: PATH: MESSAGE". An empty path is
// shown as "document" (the file as a whole).
[[noreturn]] void fail_at(std::string_view source, Position pos, std::string_view path,
                          std::string_view message);

// "did you mean" candidate: the closest of `allowed` to `word` when their edit
// distance is <= 2 or one is a prefix of the other; empty when none is close.
std::string_view closest_word(std::string_view word, const std::vector<std::string_view>& allowed);

// "a", "a or b", "one of a, b, c".
std::string describe_choices(const std::vector<std::string_view>& words);

enum class Need { required, optional };

class Value;

// One entry of a map: its key (a word) and where it is, and its value.
struct MapEntry;

// One key of a map: its name, whether it must be present, and how to read it.
struct Field {
  std::string_view key;
  Need need;
  std::function<void(const Value&)> read;
};

// An enum value and its YAML word.
template <typename E>
struct Choice {
  std::string_view word;
  E value;
};

class Value {
 public:
  // `key_pos` is where the key of this value is (or the value itself, for the
  // root and list elements); errors about an empty value point there.
  Value(std::shared_ptr<const std::string> source, YAML::Node node, std::string path,
        Position key_pos);

  [[nodiscard]] const std::string& source() const { return *source_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] Position position() const { return pos_; }
  [[nodiscard]] Position key_position() const { return key_pos_; }
  [[nodiscard]] const YAML::Node& node() const { return node_; }

  [[nodiscard]] bool is_null() const;
  [[nodiscard]] bool is_scalar() const;  // a non-null scalar
  [[nodiscard]] bool is_map() const;
  [[nodiscard]] bool is_list() const;
  // The scalar's text ("" unless is_scalar()).
  [[nodiscard]] std::string scalar() const;
  // For "got ...": the quoted scalar, "a map", "a list" or "nothing".
  [[nodiscard]] std::string describe() const;

  // Throws "SOURCE:LINE:COL: PATH: message" at this value.
  [[noreturn]] void fail(std::string_view message) const;
  // The same, at this value's key.
  [[noreturn]] void fail_at_key(std::string_view message) const;

  // Any scalar as text; an empty value (`key:` or `~`) is "".
  [[nodiscard]] std::string to_string() const;
  // true/True/TRUE or false/False/FALSE.
  [[nodiscard]] bool to_bool() const;
  // A decimal integer in [min, max]; `noun` words the error message
  // ("expected NOUN from MIN to MAX, got ...").
  template <typename T>
  [[nodiscard]] T to_uint(T min = 0, T max = std::numeric_limits<T>::max(),
                          std::string_view noun = "an integer") const {
    return static_cast<T>(to_uint64(min, max, noun));
  }
  [[nodiscard]] std::uint64_t to_uint64(std::uint64_t min, std::uint64_t max,
                                        std::string_view noun = "an integer") const;
  // Quantities with units (sim/units.hpp), range-checked.
  [[nodiscard]] std::uint64_t to_bytes(std::uint64_t min, std::uint64_t max) const;
  [[nodiscard]] double to_rate_gbps(double max_gbps) const;
  [[nodiscard]] sim::Time to_duration_ps(sim::Time max_ps) const;
  // A fraction from 0 to 1: a decimal (0.02) or a percentage (2%).
  [[nodiscard]] double to_fraction() const;
  // A plain decimal number in [min, max] (1.5, 2, 1e3), for unitless factors.
  [[nodiscard]] double to_decimal(double min, double max) const;
  // One word of `words`; returns its index. Words in `planned` are known but
  // not supported yet, and get an error saying so.
  [[nodiscard]] std::size_t to_word(const std::vector<std::string_view>& words,
                                    const std::vector<std::string_view>& planned = {}) const;
  template <typename E>
  [[nodiscard]] E to_enum(std::initializer_list<Choice<E>> choices,
                          const std::vector<std::string_view>& planned = {}) const {
    std::vector<std::string_view> words;
    for (const auto& c : choices) words.push_back(c.word);
    return (choices.begin() + to_word(words, planned))->value;
  }

  // A YAML list; element i has path "PATH[i]".
  [[nodiscard]] std::vector<Value> to_list() const;

  // A map's entries in file order, for maps whose keys are data rather than
  // a fixed table (a sweep's key paths). Rejects non-word and duplicate keys;
  // an empty value has no entries. Entry values have path "PATH.KEY".
  [[nodiscard]] std::vector<MapEntry> to_entries() const;

  // The value under `key` of this map, if it has one (to point at a key
  // after the map was read).
  [[nodiscard]] std::optional<Value> child(std::string_view key) const;

  // The same value under another key path (errors name `path`).
  [[nodiscard]] Value with_path(std::string path) const;

  // Reads a map through its field table: first rejects duplicate and unknown
  // keys (at the key, with did-you-mean), then visits the fields IN TABLE
  // ORDER, failing at this map's key for a missing required one, so a field
  // may rely on the ones listed before it. An empty value reads as an empty
  // map; anything else that is not a map is an error listing the keys.
  void read_map(std::initializer_list<Field> fields) const;
  void read_map(std::span<const Field> fields) const;

 private:
  // The entries, rejecting keys not in `allowed` (when given) as they come.
  [[nodiscard]] std::vector<MapEntry> entries(const std::vector<std::string_view>* allowed) const;

  std::shared_ptr<const std::string> source_;
  YAML::Node node_;
  std::string path_;
  Position key_pos_;
  Position pos_;
};

struct MapEntry {
  std::string key;
  Position key_position;
  Value value;
};

// Parses one YAML document. Syntax errors throw "SOURCE:LINE:COL: syntax: ...";
// an empty file (no document) and a file with several documents are errors.
Value parse_document(std::string_view text, std::string_view source);

}  // namespace spinel::scenario
