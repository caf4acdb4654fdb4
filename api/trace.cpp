#include "api/trace.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "sim/json.hpp"
#include "sim/units.hpp"

namespace spinel::api {

namespace {

constexpr int kStepsTid = 0;
constexpr int kFlowsTid = 1;
constexpr std::uint32_t kFirstOpTid = 2;

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_double(std::string& out, double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_us(std::string& out, sim::Time ps) {
  append_uint(out, static_cast<std::uint64_t>(ps / sim::kMicrosecond));
  out += '.';
  const auto frac = static_cast<std::uint64_t>(ps % sim::kMicrosecond);
  char digits[8];
  const auto r = std::to_chars(digits, digits + sizeof digits, frac);
  out.append(6 - static_cast<std::size_t>(r.ptr - digits), '0');
  out.append(digits, r.ptr);
}

}  // namespace

std::string format_trace_us(sim::Time ps) {
  std::string out;
  append_us(out, ps);
  return out;
}

Trace::Trace(const topology::Topology& topology)
    : topology_(topology), last_counter_(topology.link_count(), kNone) {}

void Trace::push(const Event& event) {
  if (events_.size() >= kMaxEvents) {
    throw std::runtime_error(
        "output.trace: more than " + std::to_string(kMaxEvents) +
        " trace events by simulated time " + sim::format_duration_ps(event.ts) +
        "; trace.json is for small runs (tens of hosts, a few iterations): use fewer hosts or "
        "iterations, or output.timeseries for link loads over time");
  }
  events_.push_back(event);
}

// NIC links belong to their host's process; leaf-spine links to "fabric".
std::uint32_t Trace::counter_pid(topology::LinkId link) const {
  const topology::Link& l = topology_.link(link);
  if (l.kind == topology::LinkKind::host_up) return l.src;  // hosts are nodes 0 ... H-1
  if (l.kind == topology::LinkKind::host_down) return l.dst;
  return topology_.host_count();
}

void Trace::link_load(sim::Time now, topology::LinkId link, double bytes_per_ps) {
  const double utilisation =
      bytes_per_ps / sim::gbps_to_bytes_per_ps(topology_.link(link).rate_gbps);
  std::size_t& last = last_counter_[link];
  if (last != kNone && events_[last].ts == now) {
    events_[last].value = utilisation;  // a later report at the same instant holds
    return;
  }
  if (last != kNone && events_[last].value == utilisation) return;
  if (last == kNone && now > 0) {
    // Counter tracks start at 0 from the beginning of the run.
    Event zero;
    zero.kind = Kind::counter;
    zero.pid = link;
    push(zero);
  }
  Event e;
  e.ts = now;
  e.kind = Kind::counter;
  e.pid = link;
  e.value = utilisation;
  push(e);
  last = events_.size() - 1;
}

void Trace::flow_completed(sim::Time, const transport::FlowRecord& flow) {
  Event e;
  e.ts = flow.start_ps;
  e.dur = flow.end_ps - flow.start_ps;
  e.kind = Kind::flow;
  e.pid = flow.src_host;
  e.a = flow.collective;
  e.b = flow.step;
  e.c = flow.dst_host;
  e.d = flow.size_bytes;
  e.id = flow.flow_id;
  push(e);
}

void Trace::step_finished(const workloads::StepRecord& step) {
  Event e;
  e.ts = step.start_ps;
  e.dur = step.end_ps - step.start_ps;
  e.kind = Kind::step;
  e.pid = step.host;
  e.a = step.collective;
  e.b = step.step;
  e.c = step.rank;
  push(e);
}

void Trace::add_ops(const workloads::graph::GraphRun& run) {
  using workloads::graph::OpKind;
  const workloads::graph::Program& p = run.program();
  std::map<std::string, std::uint32_t> name_index;
  const auto name_of = [&](const std::string& text) {
    const auto [it, fresh] = name_index.emplace(text, static_cast<std::uint32_t>(names_.size()));
    if (fresh) names_.push_back(text);
    return it->second;
  };
  for (std::uint32_t r = 0; r < p.rank_count(); ++r) {
    const topology::HostId host = run.hosts()[r];
    std::vector<std::string>& tracks = tracks_[host];
    tracks.assign(1, "compute");
    std::map<std::uint32_t, std::uint32_t> tid_of;  // communicator (or none) -> tid
    const auto tid = [&](std::uint32_t communicator) {
      const auto [it, fresh] =
          tid_of.emplace(communicator, kFirstOpTid + static_cast<std::uint32_t>(tracks.size()));
      if (fresh) {
        tracks.push_back(communicator == workloads::graph::kNoCommunicator
                             ? std::string("point to point")
                             : p.communicators[communicator].name);
      }
      return it->second;
    };
    const workloads::graph::RankProgram& prog = p.ranks[r];
    for (std::uint32_t i = 0; i < prog.size(); ++i) {
      const workloads::graph::Op& op = prog.ops[i];
      const workloads::graph::OpTiming& t = run.timing(r, i);
      if (op.kind == OpKind::wait || t.start_ps == sim::kForever || t.end_ps == sim::kForever) {
        continue;
      }
      Event e;
      e.ts = t.start_ps;
      e.dur = t.end_ps - t.start_ps;
      e.kind = Kind::op;
      e.pid = host;
      e.a = op.kind == OpKind::compute ? kFirstOpTid : tid(op.communicator);
      e.b = name_of(op.label != 0 ? p.labels[op.label] : std::string(to_string(op.kind)));
      e.c = static_cast<std::uint32_t>(op.kind);
      e.d = op.kind == OpKind::compute ? 0 : op.size_bytes;
      e.id = (std::uint64_t{r} << 32) | i;
      push(e);
    }
  }
}

void Trace::write(sim::Recorder& recorder) {
  if (!recorder.enabled()) return;
  // Recorded in a deterministic order (flows at completion, steps at their
  // end): a stable sort by start time keeps it for equal times.
  std::stable_sort(events_.begin(), events_.end(),
                   [](const Event& x, const Event& y) { return x.ts < y.ts; });
  std::string out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[";
  bool first = true;
  const auto next = [&] {
    out += first ? "\n" : ",\n";
    first = false;
  };
  // tid < 0: a process's metadata, else a thread's.
  const auto metadata = [&](const char* what, std::uint32_t pid, int tid, const std::string& name) {
    next();
    out += "{\"name\":\"";
    out += what;
    out += "\",\"ph\":\"M\",\"pid\":";
    append_uint(out, pid);
    if (tid >= 0) {
      out += ",\"tid\":";
      append_uint(out, static_cast<std::uint64_t>(tid));
    }
    out += ",\"args\":{\"name\":\"" + name + "\"}}";
  };
  for (topology::HostId h = 0; h < topology_.host_count(); ++h) {
    metadata("process_name", h, -1, topology_.node_name(topology_.host_node(h)));
    metadata("thread_name", h, kStepsTid, "collective steps");
    metadata("thread_name", h, kFlowsTid, "flows sent");
    const auto tracks = tracks_.find(h);
    if (tracks == tracks_.end()) continue;
    for (std::size_t i = 0; i < tracks->second.size(); ++i) {
      metadata("thread_name", h, static_cast<int>(kFirstOpTid + i), tracks->second[i]);
    }
  }
  metadata("process_name", topology_.host_count(), -1, "fabric");
  for (const Event& e : events_) {
    next();
    switch (e.kind) {
      case Kind::step:
        out += "{\"name\":\"step ";
        append_uint(out, e.b);
        out += "\",\"cat\":\"step\",\"ph\":\"X\",\"ts\":";
        append_us(out, e.ts);
        out += ",\"dur\":";
        append_us(out, e.dur);
        out += ",\"pid\":";
        append_uint(out, e.pid);
        out += ",\"tid\":0,\"args\":{\"collective\":";
        append_uint(out, e.a);
        out += ",\"step\":";
        append_uint(out, e.b);
        out += ",\"rank\":";
        append_uint(out, e.c);
        out += "}}";
        break;
      case Kind::flow:
        out += "{\"name\":\"h";
        append_uint(out, e.pid);
        out += ">h";
        append_uint(out, e.c);
        out += "\",\"cat\":\"flow\",\"ph\":\"X\",\"ts\":";
        append_us(out, e.ts);
        out += ",\"dur\":";
        append_us(out, e.dur);
        out += ",\"pid\":";
        append_uint(out, e.pid);
        out += ",\"tid\":1,\"args\":{\"flow_id\":";
        append_uint(out, e.id);
        out += ",\"bytes\":";
        append_uint(out, e.d);
        out += ",\"src\":";
        append_uint(out, e.pid);
        out += ",\"dst\":";
        append_uint(out, e.c);
        out += ",\"step\":";
        append_uint(out, e.b);
        out += ",\"collective\":";
        append_uint(out, e.a);
        out += "}}";
        break;
      case Kind::counter:
        out += "{\"name\":\"" + topology_.link_name(e.pid) +
               "\",\"cat\":\"link\",\"ph\":\"C\",\"ts\":";
        append_us(out, e.ts);
        out += ",\"pid\":";
        append_uint(out, counter_pid(e.pid));
        out += ",\"args\":{\"utilisation\":";
        append_double(out, e.value);
        out += "}}";
        break;
      case Kind::op:
        out += "{\"name\":";
        sim::append_json_string(out, names_[e.b]);
        out += ",\"cat\":\"";
        out += to_string(static_cast<workloads::graph::OpKind>(e.c));
        out += "\",\"ph\":\"X\",\"ts\":";
        append_us(out, e.ts);
        out += ",\"dur\":";
        append_us(out, e.dur);
        out += ",\"pid\":";
        append_uint(out, e.pid);
        out += ",\"tid\":";
        append_uint(out, e.a);
        out += ",\"args\":{\"rank\":";
        append_uint(out, e.id >> 32);
        out += ",\"op\":";
        append_uint(out, e.id & 0xffffffffU);
        out += ",\"bytes\":";
        append_uint(out, e.d);
        out += "}}";
        break;
    }
  }
  out += "\n]}\n";
  recorder.write_file("trace.json", out);
}

}  // namespace spinel::api
