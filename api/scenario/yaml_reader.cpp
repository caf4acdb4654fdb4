#include "api/scenario/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdio>
#include <sstream>
#include <system_error>
#include <unordered_map>
#include <utility>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include "api/scenario/keys.hpp"
#include "sim/units.hpp"

namespace spinel::scenario {

namespace {

constexpr std::string_view kDocumentPath = "document";

Position to_position(const YAML::Mark& mark, Position fallback) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return fallback;
  return Position{mark.line + 1, mark.column + 1};
}

// Where a document's first node starts (a parse that builds no nodes).
class FirstNodeMark : public YAML::EventHandler {
 public:
  YAML::Mark mark = YAML::Mark::null_mark();

  void OnDocumentStart(const YAML::Mark& /*mark*/) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t /*anchor*/) override { note(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t /*anchor*/) override { note(m); }
  void OnScalar(const YAML::Mark& m, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                const std::string& /*value*/) override {
    note(m);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                       YAML::EmitterStyle::value /*style*/) override {
    note(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {
    note(m);
  }
  void OnMapEnd() override {}

 private:
  void note(const YAML::Mark& m) {
    if (mark.is_null()) mark = m;
  }
};

Position node_position(const YAML::Node& node, Position fallback) {
  try {
    return to_position(node.Mark(), fallback);
  } catch (const YAML::Exception&) {
    return fallback;
  }
}

std::string join(const std::vector<std::string_view>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += ", ";
    out += words[i];
  }
  return out;
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool is_prefix(std::string_view prefix, std::string_view word) {
  if (prefix.empty() || prefix.size() > word.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(prefix[i]) != lower(word[i])) return false;
  }
  return true;
}

bool is_plain_key(std::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

// "topology" + "leaves" -> "topology.leaves"; odd keys (spaces, colons,
// newlines, ...) are quoted so the message stays one readable line.
std::string child_path(const std::string& parent, std::string_view key) {
  std::string out = parent;
  if (!out.empty()) out += '.';
  out += is_plain_key(key) ? std::string(key) : sim::quote_for_message(key);
  return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& allowed) {
  const std::string_view best = closest_word(word, allowed);
  if (best.empty()) return "";
  return "did you mean " + sim::quote_for_message(best) + "? ";
}

}  // namespace

void fail_at(std::string_view source, Position pos, std::string_view path,
             std::string_view message) {
  std::string out(source);
  out += ':';
  out += std::to_string(pos.line);
  out += ':';
  out += std::to_string(pos.column);
  out += ": ";
  out += path.empty() ? kDocumentPath : path;
  out += ": ";
  out += message;
  throw sim::ScenarioError(out);
}

std::string_view closest_word(std::string_view word, const std::vector<std::string_view>& allowed) {
  // Closest by edit distance; on a tie, a word that the typo is a prefix of
  // ("laten" -> "latency" rather than "rate"); then the earlier in `allowed`.
  std::string_view best;
  std::size_t best_score = std::numeric_limits<std::size_t>::max();
  for (const std::string_view candidate : allowed) {
    const std::size_t d = edit_distance(word, candidate);
    const bool prefix = is_prefix(word, candidate) || is_prefix(candidate, word);
    if (d > 2 && !prefix) continue;
    const std::size_t score = 2 * d + (prefix ? 0 : 1);
    if (score < best_score) {
      best = candidate;
      best_score = score;
    }
  }
  return best;
}

std::string describe_choices(const std::vector<std::string_view>& words) {
  if (words.empty()) return "nothing";
  if (words.size() == 1) return std::string(words[0]);
  if (words.size() == 2) return std::string(words[0]) + " or " + std::string(words[1]);
  return "one of " + join(words);
}

Value::Value(std::shared_ptr<const std::string> source, YAML::Node node, std::string path,
             Position key_pos)
    : source_(std::move(source)),
      node_(std::move(node)),
      path_(std::move(path)),
      key_pos_(key_pos) {
  // An empty value's mark is wherever the next token starts (often the next
  // line), so errors about it point at its key instead.
  pos_ = is_null() ? key_pos_ : node_position(node_, key_pos_);
}

bool Value::is_null() const {
  try {
    return !node_.IsDefined() || node_.IsNull();
  } catch (const YAML::Exception&) {
    return true;
  }
}

bool Value::is_scalar() const {
  try {
    return node_.IsScalar();
  } catch (const YAML::Exception&) {
    return false;
  }
}

bool Value::is_map() const {
  try {
    return node_.IsMap();
  } catch (const YAML::Exception&) {
    return false;
  }
}

bool Value::is_list() const {
  try {
    return node_.IsSequence();
  } catch (const YAML::Exception&) {
    return false;
  }
}

std::string Value::scalar() const {
  if (!is_scalar()) return "";
  try {
    return node_.Scalar();
  } catch (const YAML::Exception&) {
    return "";
  }
}

std::string Value::describe() const {
  if (is_scalar()) return sim::quote_for_message(scalar());
  if (is_map()) return "a map";
  if (is_list()) return "a list";
  return "nothing";
}

void Value::fail(std::string_view message) const {
  fail_at(*source_, pos_, path_, message);
}

void Value::fail_at_key(std::string_view message) const {
  fail_at(*source_, key_pos_, path_, message);
}

std::string Value::to_string() const {
  if (is_null()) return "";
  if (!is_scalar()) fail("expected text, got " + describe());
  return scalar();
}

bool Value::to_bool() const {
  if (is_scalar()) {
    const std::string s = scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  fail("expected true or false, got " + describe());
}

std::uint64_t Value::to_uint64(std::uint64_t min, std::uint64_t max, std::string_view noun) const {
  auto complain = [&]() {
    fail("expected " + std::string(noun) + " from " + std::to_string(min) + " to " +
         std::to_string(max) + ", got " + describe());
  };
  if (!is_scalar()) complain();
  const std::string s = scalar();
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    complain();
  }
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || v < min || v > max) complain();
  return v;
}

std::uint64_t Value::to_bytes(std::uint64_t min, std::uint64_t max) const {
  if (!is_scalar()) fail("expected a size such as 4096, 64KiB or 1GiB, got " + describe());
  const auto parsed = sim::parse_bytes(scalar());
  if (!parsed) fail(parsed.error);
  if (parsed.value < min || parsed.value > max) {
    fail("expected a size from " + sim::format_bytes(min) + " to " + sim::format_bytes(max) +
         ", got " + describe());
  }
  return parsed.value;
}

double Value::to_rate_gbps(double max_gbps) const {
  if (!is_scalar()) fail("expected a rate such as 400Gbps or 1.6Tbps, got " + describe());
  const auto parsed = sim::parse_rate_gbps(scalar());
  if (!parsed) fail(parsed.error);
  if (parsed.value > max_gbps) {
    fail("expected a rate up to " + sim::format_rate_gbps(max_gbps) + ", got " + describe());
  }
  return parsed.value;
}

sim::Time Value::to_duration_ps(sim::Time max_ps) const {
  if (!is_scalar()) fail("expected a duration such as 500ns, 1.5us or 2ms, got " + describe());
  const auto parsed = sim::parse_duration_ps(scalar());
  if (!parsed) fail(parsed.error);
  if (parsed.value > max_ps) {
    fail("expected a duration up to " + sim::format_duration_ps(max_ps) + ", got " + describe());
  }
  return parsed.value;
}

double Value::to_fraction() const {
  const std::string expected = "expected a fraction from 0 to 1 such as 0.02 or 2%, got ";
  if (!is_scalar()) fail(expected + describe());
  std::string text = scalar();
  double scale = 1.0;
  if (!text.empty() && text.back() == '%') {
    text.pop_back();
    scale = 0.01;
  }
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !(value * scale >= 0) ||
      value * scale > 1.0) {
    fail(expected + describe());
  }
  return value * scale;
}

double Value::to_decimal(double min, double max) const {
  const auto expected = [&] {
    std::ostringstream o;
    o << "expected a number from " << min << " to " << max << ", got " << describe();
    return o.str();
  };
  if (!is_scalar()) fail(expected());
  const std::string text = scalar();
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !(value >= min) || value > max) {
    fail(expected());
  }
  return value;
}

std::size_t Value::to_word(const std::vector<std::string_view>& words,
                           const std::vector<std::string_view>& planned) const {
  if (is_scalar()) {
    const std::string s = scalar();
    for (std::size_t i = 0; i < words.size(); ++i) {
      if (words[i] == s) return i;
    }
    for (const std::string_view p : planned) {
      if (p == s) {
        fail(sim::quote_for_message(s) + " is planned but not supported yet; expected " +
             describe_choices(words));
      }
    }
    std::string hint;
    const std::string_view best = closest_word(s, words);
    if (!best.empty()) hint = " (did you mean " + sim::quote_for_message(best) + "?)";
    fail("expected " + describe_choices(words) + ", got " + describe() + hint);
  }
  fail("expected " + describe_choices(words) + ", got " + describe());
}

std::vector<Value> Value::to_list() const {
  if (!is_list()) fail("expected a list, got " + describe());
  std::vector<Value> out;
  try {
    std::size_t i = 0;
    for (const YAML::Node& element : node_) {
      const Position element_pos = node_position(element, pos_);
      out.emplace_back(source_, element, path_ + "[" + std::to_string(i) + "]", element_pos);
      ++i;
    }
  } catch (const YAML::Exception& e) {
    fail(std::string("could not read this list: ") + e.what());
  }
  return out;
}

std::vector<MapEntry> Value::to_entries() const {
  if (!is_map() && !is_null()) fail("expected a map, got " + describe());
  return entries(nullptr);
}

std::vector<MapEntry> Value::entries(const std::vector<std::string_view>* allowed) const {
  std::vector<MapEntry> out;
  if (!is_map()) return out;
  try {
    for (const auto& pair : node_) {
      const YAML::Node key_node = pair.first;
      const YAML::Node value_node = pair.second;
      const Position key_pos = node_position(key_node, pos_);
      const Value key(source_, key_node, path_, key_pos);
      if (!key.is_scalar()) key.fail("a key must be a word, got " + key.describe());
      std::string name = key.scalar();
      const std::string path = child_path(path_, name);
      for (const MapEntry& seen : out) {
        if (seen.key == name) {
          fail_at(*source_, key_pos, path, "duplicate key " + sim::quote_for_message(name));
        }
      }
      if (allowed != nullptr &&
          std::find(allowed->begin(), allowed->end(), name) == allowed->end()) {
        fail_at(*source_, key_pos, path,
                "unknown key; " + did_you_mean(name, *allowed) + "allowed: " + join(*allowed));
      }
      out.push_back(MapEntry{std::move(name), key_pos, Value(source_, value_node, path, key_pos)});
    }
  } catch (const YAML::Exception& e) {
    fail(std::string("could not read this map: ") + e.what());
  }
  return out;
}

std::optional<Value> Value::child(std::string_view key) const {
  for (MapEntry& e : entries(nullptr)) {
    if (e.key == key) return std::move(e.value);
  }
  return std::nullopt;
}

Value Value::with_path(std::string path) const {
  Value out = *this;
  out.path_ = std::move(path);
  return out;
}

void Value::read_map(std::initializer_list<Field> fields) const {
  read_map(std::span<const Field>(fields.begin(), fields.size()));
}

void Value::read_map(std::span<const Field> fields) const {
  check_fields(path_, fields);
  std::vector<std::string_view> allowed;
  allowed.reserve(fields.size());
  for (const Field& f : fields) allowed.push_back(f.key);

  // An empty value (`output:` with every child commented out) is an empty map.
  if (!is_map() && !is_null()) {
    fail("expected a map with keys " + join(allowed) + "; got " + describe());
  }
  const std::vector<MapEntry> found = entries(&allowed);
  for (const Field& f : fields) {
    const MapEntry* entry = nullptr;
    for (const MapEntry& e : found) {
      if (e.key == f.key) entry = &e;
    }
    if (entry == nullptr) {
      if (f.need == Need::required) {
        fail_at_key("missing required key " + sim::quote_for_message(f.key));
      }
      continue;
    }
    f.read(entry->value);
  }
}

// yaml-cpp 0.7 never returns from a document whose first token is a ','
// (e.g. the text ", x: y"): catch that before it parses.
void reject_leading_comma(std::string_view text, const std::string& source) {
  bool document_start = true;
  int line = 1;
  for (std::size_t at = 0; at <= text.size(); ++line) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view content = text.substr(at, end - at);
    std::size_t column = 0;
    if (content.substr(0, 3) == "---" || content.substr(0, 3) == "...") {
      document_start = true;
      column = 3;
    }
    column = std::min(content.find_first_not_of(" \t\r", column), content.size());
    if (document_start && column < content.size() && content[column] != '#' &&
        content[column] != '%') {
      if (content[column] == ',') {
        fail_at(source, Position{line, static_cast<int>(column) + 1}, "syntax",
                "unexpected ',' at the start of a document");
      }
      document_start = false;
    }
    at = end + 1;
  }
}

// A NUL or another control character (tab, newline and carriage return
// aside) has no place in a scenario; yaml-cpp reports some of them as an
// unrelated escape error, so name the character and where it is first.
void reject_control_characters(std::string_view text, const std::string& source) {
  int line = 1;
  int column = 1;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      ++line;
      column = 1;
      continue;
    }
    if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
      char code[8];
      std::snprintf(code, sizeof code, "0x%02X", static_cast<unsigned>(c));
      fail_at(source, Position{line, column}, "syntax",
              std::string(c == 0 ? "a NUL byte" : "a control character") + " (" + code +
                  ") in the text; a scenario file is plain text (tabs and newlines are the only "
                  "control characters allowed)");
    }
    ++column;
  }
}

Value parse_document(std::string_view text, std::string_view source) {
  auto src = std::make_shared<const std::string>(source);
  reject_leading_comma(text, *src);
  reject_control_characters(text, *src);
  YAML::Node root;
  try {
    // At most two documents are parsed: yaml-cpp 0.7's LoadAll never
    // returns on a ',' where a document should start after another
    // ("a\n#\n,": it adds empty documents forever, yaml-cpp PR 1319).
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    FirstNodeMark first;
    if (!parser.HandleNextDocument(first)) {
      fail_at(*src, Position{}, "", "the file is empty; expected a YAML map of settings");
    }
    FirstNodeMark second;
    if (parser.HandleNextDocument(second)) {
      fail_at(*src, to_position(second.mark, Position{}), "",
              "a second YAML document starts here; a file holds exactly one");
    }
    root = YAML::Load(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    fail_at(*src, to_position(e.mark, Position{}), "syntax",
            "lists and maps are nested too deep here: the YAML parser stops at " +
                std::to_string(e.depth()) + " levels of nesting (a scenario needs a handful)");
  } catch (const YAML::ParserException& e) {
    fail_at(*src, to_position(e.mark, Position{}), "syntax", e.msg);
  } catch (const YAML::Exception& e) {
    fail_at(*src, to_position(e.mark, Position{}), "syntax", e.msg);
  }
  const Position root_pos = node_position(root, Position{});
  return Value(src, root, "", root_pos);
}

}  // namespace spinel::scenario
