#include "sim/json.hpp"

#include <cmath>

#include "sim/units.hpp"

namespace spinel::sim {

namespace {

// nlohmann's own text for everything but doubles and containers: strings
// escaped as JSON requires, integers, booleans, null.
std::string leaf_text(const Json& value) {
  if (value.is_number_float()) {
    const double v = value.get<double>();
    return std::isfinite(v) ? format_double(v) : "null";
  }
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void newline(std::string& out, int indent) {
  out += '\n';
  out.append(static_cast<std::size_t>(indent) * 2, ' ');
}

void append(std::string& out, const Json& value, int indent) {
  if (!value.is_structured()) {
    out += leaf_text(value);
    return;
  }
  const bool object = value.is_object();
  if (value.empty()) {
    out += object ? "{}" : "[]";
    return;
  }
  out += object ? '{' : '[';
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (it != value.begin()) out += ',';
    newline(out, indent + 1);
    if (object) {
      out += json_string(it.key());
      out += ": ";
    }
    append(out, *it, indent + 1);
  }
  newline(out, indent);
  out += object ? '}' : ']';
}

}  // namespace

std::string json_text(const Json& value) {
  std::string out;
  append(out, value, 0);
  out += '\n';
  return out;
}

std::string json_string(std::string_view s) {
  return Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace spinel::sim
