#include "api/trace.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "sim/units.hpp"

namespace spinel::api {

namespace {

constexpr int kStepsTid = 0;
constexpr int kFlowsTid = 1;

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
    }
  }
  out += "\n]}\n";
  recorder.write_file("trace.json", out);
}

}  // namespace spinel::api
