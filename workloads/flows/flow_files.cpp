#include "workloads/flows/flow_files.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

namespace spinel::workloads::flows {

namespace {

constexpr std::uint64_t kMaxBytes = 1ULL << 50;
constexpr std::uint32_t kMaxRank = 1u << 24;
constexpr std::size_t kMaxFlows = 10'000'000;
constexpr double kMaxStartPs = 3.6e15;  // an hour

class Located {
 public:
  explicit Located(std::string source) : source_(std::move(source)) {}
  void at(std::size_t line) { line_ = line; }
  [[nodiscard]] std::size_t line() const { return line_; }
  [[noreturn]] void fail(const std::string& message) const {
    throw FlowFileError(source_ + ":" + std::to_string(line_) + ": " + message);
  }
  // An unsigned integer in [min, max]; `what` names it in errors.
  template <class T>
  T number(std::string_view text, const std::string& what, std::uint64_t min,
           std::uint64_t max) const {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
      fail(what + ": expected a whole number, got \"" + std::string(text) + "\"");
    }
    if (v < min || v > max) {
      fail(what + ": " + std::to_string(v) + " is out of range " + std::to_string(min) + ".." +
           std::to_string(max));
    }
    return static_cast<T>(v);
  }
  // A non-negative decimal (htsim writes start times as %f).
  double decimal(std::string_view text, const std::string& what) const {
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
        !std::isfinite(v) || v < 0) {
      fail(what + ": expected a non-negative number, got \"" + std::string(text) + "\"");
    }
    return v;
  }

 private:
  std::string source_;
  std::size_t line_ = 0;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FlowFileError(path + ": cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Lines without their end (\n or \r\n).
std::vector<std::string_view> lines_of(const std::string& text) {
  std::vector<std::string_view> out;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    begin = end + 1;
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  std::size_t begin = 0;
  while (true) {
    const std::size_t end = line.find(sep, begin);
    out.push_back(
        trim(line.substr(begin, end == std::string_view::npos ? line.npos : end - begin)));
    if (end == std::string_view::npos) return out;
    begin = end + 1;
  }
}

// Whitespace-separated tokens (htsim writes single spaces; tabs and runs are accepted).
std::vector<std::string_view> tokens_of(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t begin = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > begin) out.push_back(line.substr(begin, i - begin));
  }
  return out;
}

bool skipped(std::string_view line) {
  const std::string_view t = trim(line);
  return t.empty() || t.front() == '#';
}

}  // namespace

FlowList parse_csv(const std::string& text, const std::string& source) {
  Located at(source);
  FlowList list;
  list.source = source;
  const std::vector<std::string_view> lines = lines_of(text);
  enum Column { src, dst, size_bytes, start_ps, id, after, count };
  const std::vector<std::string_view> names = {"src",      "dst", "size_bytes",
                                               "start_ps", "id",  "after"};
  std::vector<int> column_of;  // per column of the file: which Column
  std::vector<int> where(count, -1);
  std::size_t l = 0;
  for (; l < lines.size(); ++l) {
    if (!skipped(lines[l])) break;
  }
  if (l == lines.size()) {
    at.at(1);
    at.fail("no header: the first line names the columns, e.g. src,dst,size_bytes,start_ps");
  }
  at.at(l + 1);
  for (const std::string_view name : split(lines[l], ',')) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      at.fail("unknown column \"" + std::string(name) +
              "\"; the columns are src, dst, size_bytes, start_ps and optionally id and after");
    }
    const int c = static_cast<int>(it - names.begin());
    if (where[c] != -1) at.fail("column " + std::string(name) + " is named twice");
    where[c] = static_cast<int>(column_of.size());
    column_of.push_back(c);
  }
  for (const int c : {src, dst, size_bytes, start_ps}) {
    if (where[c] == -1) {
      at.fail("missing column " + std::string(names[static_cast<std::size_t>(c)]) +
              "; the header needs src, dst, size_bytes and start_ps");
    }
  }
  // `after` names ids that may come later: resolved once every row is read.
  std::vector<std::pair<std::uint32_t, std::size_t>> afters;  // (id, flow index); id 0 none
  for (++l; l < lines.size(); ++l) {
    if (skipped(lines[l])) continue;
    at.at(l + 1);
    const std::vector<std::string_view> cells = split(lines[l], ',');
    if (cells.size() != column_of.size()) {
      at.fail("expected " + std::to_string(column_of.size()) + " cells as in the header, got " +
              std::to_string(cells.size()));
    }
    if (list.flows.size() == kMaxFlows) at.fail("more than 10,000,000 flows");
    Flow f;
    f.line = l + 1;
    f.id = static_cast<std::uint32_t>(list.flows.size() + 1);
    const auto cell = [&](int c) { return cells[static_cast<std::size_t>(where[c])]; };
    f.src = at.number<std::uint32_t>(cell(src), "src", 0, kMaxRank);
    f.dst = at.number<std::uint32_t>(cell(dst), "dst", 0, kMaxRank);
    f.size_bytes = at.number<std::uint64_t>(cell(size_bytes), "size_bytes", 1, kMaxBytes);
    f.start_ps = at.number<sim::Time>(cell(start_ps), "start_ps", 0,
                                      static_cast<std::uint64_t>(kMaxStartPs));
    if (where[id] != -1) f.id = at.number<std::uint32_t>(cell(id), "id", 0, 0xffffffffu);
    if (where[after] != -1 && !cell(after).empty()) {
      afters.emplace_back(at.number<std::uint32_t>(cell(after), "after", 0, 0xffffffffu),
                          list.flows.size());
    }
    list.flows.push_back(f);
  }
  // Each flow that another waits for signals a oneshot trigger of its own
  // when it is delivered; ids are flows' (triggers are another namespace).
  std::map<std::uint32_t, std::size_t> index_of;
  for (std::size_t i = 0; i < list.flows.size(); ++i) index_of.emplace(list.flows[i].id, i);
  for (const auto& [id, i] : afters) {
    Flow& f = list.flows[i];
    const auto it = index_of.find(id);
    if (it == index_of.end()) {
      at.at(f.line);
      at.fail("after " + std::to_string(id) + ": no flow has that id");
    }
    Flow& before = list.flows[it->second];
    if (before.recv_done_trigger == 0) {
      list.triggers.push_back(Trigger{before.id, TriggerKind::oneshot, 0, 0});
      before.recv_done_trigger = before.id;
    }
    f.trigger = before.id;
  }
  return list;
}

FlowList read_csv(const std::string& path) {
  return parse_csv(slurp(path), path);
}

FlowList parse_connection_matrix(const std::string& text, const std::string& source,
                                 const MatrixOptions& options) {
  Located at(source);
  FlowList list;
  list.source = source;
  std::optional<std::uint64_t> connections;
  std::optional<std::uint64_t> triggers;
  std::size_t connections_line = 0;
  std::size_t triggers_line = 0;
  bool body = false;
  std::vector<bool> given_id;
  const std::vector<std::string_view> lines = lines_of(text);
  for (std::size_t l = 0; l < lines.size(); ++l) {
    if (skipped(lines[l])) continue;
    at.at(l + 1);
    const std::vector<std::string_view> t = tokens_of(lines[l]);
    const std::string_view head = t[0];
    if (head == "Nodes" || head == "Connections" || head == "Triggers" || head == "Failures") {
      if (body)
        at.fail(std::string(head) +
                " after the first connection or trigger: the header comes first");
      if (t.size() != 2)
        at.fail(std::string(head) + " takes one number, e.g. `" + std::string(head) + " 16`");
      const auto v = at.number<std::uint64_t>(t[1], std::string(head), 0, kMaxFlows);
      if (head == "Nodes") {
        list.nodes = at.number<std::uint32_t>(t[1], "Nodes", 1, kMaxRank);
        list.nodes_line = l + 1;
      } else if (head == "Connections") {
        connections = v;
        connections_line = l + 1;
      } else if (head == "Triggers") {
        triggers = v;
        triggers_line = l + 1;
      } else if (v != 0) {
        at.fail(
            "htsim's failures are not read: give spinel's faults section instead (Failures 0 is "
            "fine)");
      }
      continue;
    }
    body = true;
    if (head == "trigger") {
      Trigger trigger;
      trigger.line = l + 1;
      bool typed = false;
      for (std::size_t i = 1; i < t.size(); ++i) {
        const auto value = [&]() {
          if (i + 1 >= t.size()) at.fail("trigger: " + std::string(t[i]) + " needs a value");
          return t[++i];
        };
        if (t[i] == "id") {
          trigger.id = at.number<std::uint32_t>(value(), "trigger id", 1, 0xffffffffu);
        } else if (t[i] == "count") {
          trigger.count = at.number<std::uint32_t>(value(), "count", 1, 0xffffffffu);
        } else if (t[i] == "oneshot" || t[i] == "multishot" || t[i] == "barrier") {
          if (typed) at.fail("a trigger has one kind: oneshot, multishot or barrier");
          typed = true;
          trigger.kind = t[i] == "oneshot"     ? TriggerKind::oneshot
                         : t[i] == "multishot" ? TriggerKind::multishot
                                               : TriggerKind::barrier;
        } else {
          at.fail("trigger: unknown token \"" + std::string(t[i]) +
                  "\"; expected id ID, oneshot, multishot, barrier or count K");
        }
      }
      if (trigger.id == 0) at.fail("a trigger needs `id ID` (not 0)");
      if (!typed)
        at.fail("trigger " + std::to_string(trigger.id) +
                " needs a kind: oneshot, multishot or barrier");
      if (trigger.kind == TriggerKind::barrier && trigger.count == 0) {
        at.fail("barrier trigger " + std::to_string(trigger.id) + " needs `count K`");
      }
      list.triggers.push_back(trigger);
      continue;
    }
    if (head == "failure") {
      at.fail("htsim's failures are not read: give spinel's faults section instead");
    }
    const std::size_t arrow = head.find("->");
    if (arrow == std::string_view::npos) {
      at.fail("unknown line \"" + std::string(head) +
              "\": expected Nodes, Connections, Triggers, Failures, a connection SRC->DST or a "
              "trigger");
    }
    if (list.flows.size() == kMaxFlows) at.fail("more than 10,000,000 connections");
    Flow f;
    f.line = l + 1;
    f.src = at.number<std::uint32_t>(head.substr(0, arrow), "source", 0, kMaxRank);
    f.dst = at.number<std::uint32_t>(head.substr(arrow + 2), "destination", 0, kMaxRank);
    bool started = false;
    bool sized = false;
    bool has_id = false;
    for (std::size_t i = 1; i < t.size(); ++i) {
      const std::string_view key = t[i];
      if (key == "addon") continue;  // htsim's add-on trigger signal: not modelled
      if (i + 1 >= t.size()) at.fail(std::string(key) + " needs a value");
      const std::string_view v = t[++i];
      if (key == "id") {
        f.id = at.number<std::uint32_t>(v, "id", 1, 0xffffffffu);
        has_id = true;
      } else if (key == "start") {
        const double ps = at.decimal(v, "start") * static_cast<double>(options.start_unit_ps);
        if (ps > kMaxStartPs) at.fail("start: after an hour");
        f.start_ps = static_cast<sim::Time>(std::llround(ps));
        started = true;
      } else if (key == "size") {
        f.size_bytes = at.number<std::uint64_t>(v, "size", 0, kMaxBytes);
        sized = true;
      } else if (key == "trigger") {
        f.trigger = at.number<std::uint32_t>(v, "trigger", 1, 0xffffffffu);
      } else if (key == "send_done_trigger") {
        f.send_done_trigger = at.number<std::uint32_t>(v, "send_done_trigger", 1, 0xffffffffu);
      } else if (key == "recv_done_trigger") {
        f.recv_done_trigger = at.number<std::uint32_t>(v, "recv_done_trigger", 1, 0xffffffffu);
      } else if (key == "prio" || key == "msg") {
        (void)at.number<std::uint64_t>(v, std::string(key), 0, ~0ULL);  // read, not modelled
      } else {
        at.fail("unknown token \"" + std::string(key) +
                "\"; a connection takes id, start, size, trigger, send_done_trigger, "
                "recv_done_trigger, prio, msg");
      }
    }
    if (!started && f.trigger == 0) at.fail("a connection needs `start T` or `trigger ID`");
    if (started && f.trigger != 0) at.fail("a connection has `start` or `trigger`, not both");
    if (!sized) at.fail("a connection needs `size BYTES`");
    if (f.size_bytes == 0) {
      if (options.default_size_bytes == 0) {
        at.fail(
            "size 0 (htsim: a flow that never ends); spinel runs finite flows: give "
            "connection_matrix.size_bytes for them");
      }
      f.size_bytes = options.default_size_bytes;
    }
    given_id.push_back(has_id);
    list.flows.push_back(f);
  }
  at.at(1);
  if (list.nodes == 0) at.fail("missing header line `Nodes N`");
  if (!connections) at.fail("missing header line `Connections C`");
  at.at(connections_line);
  if (*connections != list.flows.size()) {
    at.fail("Connections " + std::to_string(*connections) + ", but the file has " +
            std::to_string(list.flows.size()));
  }
  if (triggers) {
    at.at(triggers_line);
    if (*triggers != list.triggers.size()) {
      at.fail("Triggers " + std::to_string(*triggers) + ", but the file has " +
              std::to_string(list.triggers.size()));
    }
  }
  std::uint32_t next = 0;
  for (const Flow& f : list.flows) next = std::max(next, f.id);
  for (std::size_t i = 0; i < list.flows.size(); ++i) {
    if (given_id[i]) continue;
    at.at(list.flows[i].line);
    if (next == 0xffffffffu) at.fail("no id left for this connection");
    list.flows[i].id = ++next;
  }
  for (const Flow& f : list.flows) {
    if (f.src >= list.nodes || f.dst >= list.nodes) {
      at.at(f.line);
      at.fail(std::to_string(f.src) + "->" + std::to_string(f.dst) + ": Nodes is " +
              std::to_string(list.nodes) + " (nodes 0.." + std::to_string(list.nodes - 1) + ")");
    }
  }
  return list;
}

FlowList read_connection_matrix(const std::string& path, const MatrixOptions& options) {
  return parse_connection_matrix(slurp(path), path, options);
}

}  // namespace spinel::workloads::flows
