#include "tools/docgen/render.hpp"

#include <algorithm>
#include <stdexcept>

#include "api/output_columns.hpp"
#include "api/scenario/keys.hpp"
#include "tools/sweep/keys.hpp"
#include "tools/sweep/results.hpp"

namespace spinel::docgen {

namespace {

constexpr std::string_view kBegin = "<!-- generated: ";
constexpr std::string_view kBeginEnd = " -->";
constexpr std::string_view kEnd = "<!-- end generated -->";

// A table cell: pipes escaped (those already escaped kept), never empty
// lines inside.
std::string cell(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '|' && (i == 0 || text[i - 1] != '\\')) out += '\\';
    out += text[i] == '\n' ? ' ' : text[i];
  }
  return out;
}

std::string code(std::string_view text) {
  return "`" + std::string(text) + "`";
}

std::string row(std::initializer_list<std::string> cells) {
  std::string out = "|";
  for (const std::string& c : cells) out += " " + c + " |";
  return out + "\n";
}

std::vector<std::string_view> sections() {
  std::vector<std::string_view> out;
  for (const scenario::KeyDoc& k : scenario::scenario_keys()) {
    if (std::find(out.begin(), out.end(), k.section) == out.end()) out.push_back(k.section);
  }
  return out;
}

std::string scenario_keys(std::string_view section) {
  std::string out = "| key | type | values | default | meaning |\n|---|---|---|---|---|\n";
  for (const scenario::KeyDoc& k : scenario::scenario_keys()) {
    if (k.section != section) continue;
    out += row({code(k.path), cell(k.type), cell(k.values), cell(k.fallback), cell(k.meaning)});
  }
  return out;
}

std::string_view kind_words(sweep::Kind kind) {
  switch (kind) {
    case sweep::Kind::integer:
      return "integer";
    case sweep::Kind::integer_or_all:
      return "integer or `all`";
    case sweep::Kind::size:
      return "size (the column in bytes)";
    case sweep::Kind::rate:
      return "rate (the column in Gb/s)";
    case sweep::Kind::duration:
      return "duration (the column in ps)";
    case sweep::Kind::word:
      return "word";
    case sweep::Kind::decimal:
      return "number (listed values only, no ranges)";
    case sweep::Kind::placement:
      return "`contiguous`, `random` or a list of hosts";
  }
  return "";
}

std::string sweepable_keys() {
  std::string out = "| key | values | `results.csv` column |\n|---|---|---|\n";
  for (const sweep::Key& k : sweep::sweepable_keys()) {
    out += row({code(k.path), cell(kind_words(k.kind)), code(sweep::column_name(k))});
  }
  return out;
}

std::string code_list(const std::vector<std::string_view>& words) {
  std::string out;
  for (std::string_view w : words) out += (out.empty() ? "" : ", ") + code(w);
  return out;
}

// The metric columns of results.csv, per kind of run (tools/sweep/results.cpp).
std::string result_metrics() {
  std::string out = "| sweep of | metric columns, in order |\n|---|---|\n";
  out += row({"workload runs", code_list(sweep::metric_columns())});
  out += row({"`pccl` runs", code_list(sweep::pccl_metric_columns())});
  out += row({"recovery runs", code_list(sweep::recovery_metric_columns())});
  return out;
}

std::string columns(const sim::CsvFile& file) {
  std::string out = "| column | meaning |\n|---|---|\n";
  for (const sim::Column& c : file.columns) out += row({code(c.name), cell(c.meaning)});
  return out;
}

}  // namespace

std::vector<std::string> block_names() {
  std::vector<std::string> names;
  for (std::string_view s : sections()) names.push_back("scenario-keys " + std::string(s));
  names.emplace_back("sweepable-keys");
  names.emplace_back("result-metrics");
  for (const api::columns::OutputFile& f : api::columns::output_files()) {
    names.push_back("columns " + std::string(f.id));
  }
  return names;
}

std::optional<std::string> render_block(std::string_view name) {
  if (name == "sweepable-keys") return sweepable_keys();
  if (name == "result-metrics") return result_metrics();
  constexpr std::string_view keys = "scenario-keys ";
  if (name.substr(0, keys.size()) == keys) {
    const std::string_view section = name.substr(keys.size());
    for (std::string_view s : sections()) {
      if (s == section) return scenario_keys(section);
    }
    return std::nullopt;
  }
  constexpr std::string_view cols = "columns ";
  if (name.substr(0, cols.size()) == cols) {
    for (const api::columns::OutputFile& f : api::columns::output_files()) {
      if (f.id == name.substr(cols.size())) return columns(*f.file);
    }
  }
  return std::nullopt;
}

std::string regenerate(std::string_view text, std::string_view file_name) {
  std::string out;
  std::size_t line_no = 0;
  std::size_t open = 0;  // the line of the block being replaced, 0 outside one
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    const std::string_view newline = end == std::string_view::npos ? "" : "\n";
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_no;
    if (open != 0) {
      // The old content goes; the end marker stays.
      if (line == kEnd) {
        out += std::string(line) + std::string(newline);
        open = 0;
      }
      continue;
    }
    out += std::string(line) + std::string(newline);
    const bool begins = line.size() > kBegin.size() + kBeginEnd.size() &&
                        line.substr(0, kBegin.size()) == kBegin &&
                        line.substr(line.size() - kBeginEnd.size()) == kBeginEnd;
    if (!begins) continue;
    const std::string_view name =
        line.substr(kBegin.size(), line.size() - kBegin.size() - kBeginEnd.size());
    const std::optional<std::string> block = render_block(name);
    if (!block) {
      throw std::runtime_error(std::string(file_name) + ":" + std::to_string(line_no) +
                               ": unknown generated block \"" + std::string(name) +
                               "\" (spinel-docgen --list names them)");
    }
    out += "\n" + *block + "\n";
    open = line_no;
  }
  if (open != 0) {
    throw std::runtime_error(std::string(file_name) + ":" + std::to_string(open) +
                             ": generated block without its " + std::string(kEnd));
  }
  return out;
}

}  // namespace spinel::docgen
