#pragma once
// A small ordered JSON value, enough for summary.json and run.json. Keys keep
// insertion order and numbers print in shortest round-trip form, so the same
// value always serialises to the same bytes.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace spinel::sim {

class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() : value_(nullptr) {}
  Json(std::nullptr_t) : value_(nullptr) {}
  Json(bool b) : value_(b) {}
  Json(int v) : value_(static_cast<std::int64_t>(v)) {}
  Json(std::int64_t v) : value_(v) {}
  Json(std::uint32_t v) : value_(static_cast<std::int64_t>(v)) {}
  Json(std::uint64_t v) : value_(v) {}
  Json(double v) : value_(v) {}
  Json(const char* s) : value_(std::string(s)) {}
  Json(std::string s) : value_(std::move(s)) {}
  Json(std::string_view s) : value_(std::string(s)) {}
  Json(Array a) : value_(std::move(a)) {}
  Json(Object o) : value_(std::move(o)) {}

  static Json object() { return Json(Object{}); }
  static Json array() { return Json(Array{}); }

  // Object access: appends the key if absent (insertion order is kept).
  Json& operator[](std::string_view key);
  void push_back(Json v);

  [[nodiscard]] const Json* find(std::string_view key) const;
  // Element i of an array; nullptr for other values or past the end.
  [[nodiscard]] const Json* at(std::size_t i) const;
  [[nodiscard]] bool is_object() const { return std::holds_alternative<Object>(value_); }
  [[nodiscard]] bool is_array() const { return std::holds_alternative<Array>(value_); }

  // Pretty-printed with two-space indent and a trailing newline.
  [[nodiscard]] std::string dump() const;

 private:
  void dump_to(std::string& out, int indent) const;
  std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string, Array,
               Object>
      value_;
};

// Appends `s` as a quoted JSON string (control characters escaped): also the
// one-line, unambiguous way to show user text in an error message.
void append_json_string(std::string& out, std::string_view s);

// Shortest decimal that round-trips `v` (std::to_chars); NaN/inf become null in JSON.
std::string format_double(double v);

}  // namespace spinel::sim
