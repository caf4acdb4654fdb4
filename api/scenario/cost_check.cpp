#include "api/scenario/cost_check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "api/scenario/scenario.hpp"
#include "sim/units.hpp"
#include "topology/fabric_file.hpp"
#include "topology/topology.hpp"
#include "transport/timeseries.hpp"
#include "workloads/bus_factor.hpp"
#include "workloads/graph/program.hpp"

namespace spinel::scenario {

namespace {

using workloads::Collective;
using workloads::WorkloadConfig;

constexpr double kClockPs = static_cast<double>(sim::kForever);
// A flow in the flow model with its path and bookkeeping, about.
constexpr double kBytesPerFlow = 512;
// Events per packet at packet level: a hop or two each way, and its ack.
constexpr double kEventsPerPacket = 6;
// Messages each churn event of a pccl run sets off, per peer (the master's
// notices and the ring's reconnections), about.
constexpr double kEventsPerChurnPerPeer = 4;

// "404.2 days", "3.5 h", "12.5 s", "20.8 ms", "2.17 us" or "500 ps".
std::string human_ps(double ps) {
  char buf[64];
  if (ps >= 86400.0 * sim::kSecond) {
    std::snprintf(buf, sizeof buf, "%.1f days", ps / (86400.0 * sim::kSecond));
  } else if (ps >= 3600.0 * sim::kSecond) {
    std::snprintf(buf, sizeof buf, "%.1f h", ps / (3600.0 * sim::kSecond));
  } else if (ps >= static_cast<double>(sim::kSecond)) {
    std::snprintf(buf, sizeof buf, "%.3g s", ps / static_cast<double>(sim::kSecond));
  } else if (ps >= static_cast<double>(sim::kMillisecond)) {
    std::snprintf(buf, sizeof buf, "%.3g ms", ps / static_cast<double>(sim::kMillisecond));
  } else if (ps >= static_cast<double>(sim::kMicrosecond)) {
    std::snprintf(buf, sizeof buf, "%.3g us", ps / static_cast<double>(sim::kMicrosecond));
  } else {
    std::snprintf(buf, sizeof buf, "%.0f ps", ps);
  }
  return buf;
}

std::string count(double n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, n < 1e7 ? "%.0f" : "%.2g", n);
  return buf;
}

std::string ratio(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g", x);
  return buf;
}

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g GiB", bytes / (1ULL << 30));
  return buf;
}

// Flows one collective starts, and how many run at once, about.
double flows_per_collective(Collective c, double n) {
  const double steps = std::max(1.0, std::ceil(std::log2(n)));
  switch (c) {
    case Collective::ring_allreduce:
    case Collective::hierarchical_allreduce:
      return 2 * (n - 1) * n;
    case Collective::reduce_scatter:
    case Collective::all_gather:
    case Collective::all_to_all:
    case Collective::pairwise_all_to_all:
    case Collective::all_to_allv:
      return (n - 1) * n;
    case Collective::halving_doubling_allreduce:
    case Collective::tree_allreduce:
      return 2 * steps * n;
    case Collective::broadcast:
    case Collective::reduce:
      return (n - 1) + n;
    case Collective::gather:
    case Collective::scatter:
      return n - 1;
    case Collective::barrier:
      return steps * n;
  }
  return n;
}

double concurrent_flows(Collective c, double n) {
  return c == Collective::all_to_all || c == Collective::all_to_allv ? (n - 1) * n : n;
}

// One job's needs, and the key that sets its time.
struct JobNeed {
  double end_ps = 0;
  double events = 0;
  double memory_bytes = 0;
  std::string why;       // what the time is made of, for messages
  std::string_view key;  // the job's key that sets its time most
  std::string_view events_key;
};

JobNeed job_need(const Scenario& s, const WorkloadConfig& w) {
  JobNeed need;
  const auto iterations = static_cast<double>(w.iterations);
  if (w.program) {
    double longest = 0;
    double ops = 0;
    for (const workloads::graph::RankProgram& r : w.program->ranks) {
      ops += static_cast<double>(r.ops.size());
      for (const workloads::graph::Op& op : r.ops) {
        longest = std::max(longest, static_cast<double>(op.duration_ps) * w.compute_scale);
      }
    }
    need.end_ps = static_cast<double>(w.start_ps) + iterations * longest;
    need.events = 2 * ops * iterations;
    need.why = std::to_string(w.iterations) + " iterations of a program whose longest op takes " +
               human_ps(longest);
    need.key = "iterations";
    need.events_key = "iterations";
    return need;
  }
  const topology::FabricConfig& t = s.topology;
  const double n = static_cast<double>(
      !w.ranks.empty() ? w.ranks.size() : (w.hosts == 0 ? t.host_count() : w.hosts));
  // A file's links may differ host by host: no rate to bound by.
  const bool rated = t.kind != topology::FabricKind::file;
  const double rank_gbps =
      t.host_link.rate_gbps * t.nic_ports + (t.nics_per_host > 1 ? t.nvlink.rate_gbps : 0.0);
  // The bandwidth lower bound: what a rank must move over its own links (an
  // all-to-allv's size_bytes is no per-rank figure: no bound from it).
  const double share = w.collective == Collective::all_to_allv
                           ? 0.0
                           : workloads::bus_factor(w.collective, static_cast<std::uint32_t>(n));
  const double bytes = share * static_cast<double>(w.size_bytes);
  const double comm = rated && rank_gbps > 0 ? bytes * 8000.0 / rank_gbps : 0.0;
  const auto compute = static_cast<double>(w.compute_ps);
  const auto gap = static_cast<double>(w.compute_gap_ps);
  // Buckets overlap compute with communication: an iteration takes the longer.
  need.end_ps = static_cast<double>(w.start_ps) + iterations * std::max(compute, comm) +
                (iterations - 1) * gap;
  const double collectives = iterations * w.buckets;
  if (s.transport.model == transport::Model::packet) {
    const double packets =
        bytes * n / std::max<double>(1, s.transport.packet.mtu_bytes) * iterations;
    need.events = kEventsPerPacket * packets;
  } else {
    need.events = 2 * flows_per_collective(w.collective, n) * collectives;
  }
  need.memory_bytes = kBytesPerFlow * concurrent_flows(w.collective, n);
  need.why = std::to_string(w.iterations) + " iterations of " +
             (compute >= comm ? "compute " + human_ps(compute)
                              : std::string(workloads::to_string(w.collective)) + " of " +
                                    sim::format_bytes(w.size_bytes) + " over " + count(n) +
                                    " ranks at " + sim::format_rate_gbps(rank_gbps) +
                                    " per rank, at least " + human_ps(comm)) +
             " each";
  const double largest = std::max({compute, comm, gap, static_cast<double>(w.start_ps)});
  need.key = largest == comm      ? "size_bytes"
             : largest == compute ? "compute"
             : largest == gap     ? "compute_gap"
                                  : "start";
  need.events_key = n > 1024 ? "hosts" : "iterations";
  return need;
}

// The value of job j (`workload:` or jobs[j]) in the document.
std::optional<Value> job_value(const Value& root, std::size_t j) {
  if (auto w = root.child("workload")) return w;
  if (auto jobs = root.child("jobs")) {
    const std::vector<Value> items = jobs->to_list();
    if (j < items.size()) return items[j];
  }
  return std::nullopt;
}

// The job's own key if given, else the job, else the document.
Value job_key(const Value& root, std::size_t j, std::string_view key) {
  const std::optional<Value> job = job_value(root, j);
  if (!job) return root;
  if (auto k = job->child(key)) return *k;
  return *job;
}

// Values are never assigned over here: assigning a YAML::Node writes into
// the document (yaml-cpp's Node::operator= sets the node it refers to), so an
// engaged optional is reset and emplaced instead.
void place(std::optional<Value>& slot, std::optional<Value> v) {
  slot.reset();
  if (v) slot.emplace(*v);
}

std::optional<Value> path_value(const Value& root, std::initializer_list<std::string_view> keys) {
  std::optional<Value> v(root);
  for (const std::string_view k : keys) {
    if (!v) return v;
    place(v, v->child(k));
  }
  return v;
}

std::string located(const Value& at, const std::string& message) {
  try {
    at.fail(message);
  } catch (const sim::ScenarioError& e) {
    return e.what();
  }
  return message;
}

void check_timeseries(const Scenario& s, const Value& root, double horizon_ps) {
  const TimeseriesConfig& ts = s.output.timeseries;
  if (!ts.enabled || s.wan || s.pccl || ts.interval_ps <= 0) return;
  const double intervals = std::ceil(horizon_ps / static_cast<double>(ts.interval_ps));
  // Links only when the intervals alone could break the limit: the count needs the fabric.
  if (intervals <= static_cast<double>(transport::Timeseries::kMaxRows)) return;
  const double links =
      ts.links == transport::LinkSelection::list
          ? static_cast<double>(ts.link_names.size())
          : static_cast<double>(
                transport::selected_links(topology::build_fabric(s.topology), ts).size());
  const double rows = links * intervals;
  if (rows <= static_cast<double>(transport::Timeseries::kMaxRows)) return;
  const std::optional<Value> interval = path_value(root, {"output", "timeseries", "interval"});
  (interval ? *interval : root)
      .fail("timeseries.csv would have at least " + count(rows) + " rows (" + count(links) +
            " links x " + count(intervals) + " intervals of " +
            sim::format_duration_ps(ts.interval_ps) + " over the at least " + human_ps(horizon_ps) +
            " the jobs take), over the limit of " +
            std::to_string(transport::Timeseries::kMaxRows) +
            "; use a longer interval or fewer links");
}

// Link changes the fault schedule holds until they fire, and the events
// they make.
double check_faults(const Scenario& s, const Value& root) {
  double changes = 0;
  double most = 0;
  std::size_t worst = 0;
  for (std::size_t i = 0; i < s.faults.size(); ++i) {
    const Fault& f = s.faults[i];
    double mine = 1;
    if (f.state == FaultState::flapping && f.period_ps > 0) {
      mine = 2 * std::ceil(static_cast<double>(f.until_ps - f.at_ps) /
                           static_cast<double>(f.period_ps));
    }
    changes += mine;
    if (mine > most) {
      most = mine;
      worst = i;
    }
  }
  if (changes <= kMaxLinkChanges) return changes;
  // The flapping link's period, else the fault, else the file the rows came from.
  const auto where = [&]() -> Value {
    if (auto faults = root.child("faults")) {
      const std::vector<Value> items = faults->to_list();
      if (worst < items.size()) {
        if (auto period = items[worst].child("period"); period && most > 1) return *period;
        return items[worst];
      }
    }
    if (auto file = root.child("faults_file")) return *file;
    return root;
  };
  where().fail("the faults change links " + count(changes) + " times (a flapping link twice a " +
               "period; this one " + count(most) + " times), over the limit of " +
               count(kMaxLinkChanges) + " (about " +
               std::to_string(static_cast<int>(kBytesPerLinkChange)) +
               " bytes each until it fires); use a longer period or an earlier until");
}

}  // namespace

double fabric_links(const Scenario& s) {
  if (s.wan) {
    double hosts = 0;
    for (const topology::WanSite& site : s.wan->sites) hosts += site.hosts;
    return 2 * (hosts + static_cast<double>(s.wan->links.size()));
  }
  const topology::FabricConfig& t = s.topology;
  if (t.kind == topology::FabricKind::file) {
    return t.file ? 2 * static_cast<double>(t.file->cables.size()) : 0;
  }
  const double nics = static_cast<double>(t.host_count()) * t.nic_ports;
  const double leaf_up = static_cast<double>(t.leaves) * t.uplinks_per_leaf();
  const double switch_cables =
      t.kind == topology::FabricKind::clos3
          ? leaf_up + static_cast<double>(t.pods) * t.aggs_per_pod * t.cores_per_agg()
          : leaf_up * t.parallel_links;
  return 2 * (nics + switch_cables);
}

std::vector<CostWarning> check_cost(const Scenario& s, const Value& root) {
  std::vector<CostWarning> warnings;
  double horizon = 0;
  double events = check_faults(s, root);
  double most_events = 0;
  double memory = 0;
  std::optional<Value> events_at;
  std::optional<Value> memory_at;
  for (std::size_t j = 0; j < s.jobs.size(); ++j) {
    const WorkloadConfig& w = s.jobs[j];
    const JobNeed need = job_need(s, w);
    if (need.end_ps >= kClockPs) {
      job_key(root, j, need.key)
          .fail("job " + w.name + " needs at least " + human_ps(need.end_ps) +
                " of simulated time at these rates (" + need.why + "); the clock holds " +
                human_ps(kClockPs) + " (2^63 ps): " + human_ps(need.end_ps - kClockPs) + " over, " +
                ratio(need.end_ps / kClockPs) + " times as long");
    }
    horizon = std::max(horizon, need.end_ps);
    if (s.recovery) continue;  // a recovery run fast-forwards most iterations
    events += need.events;
    if (need.events > most_events) {
      most_events = need.events;
      place(events_at, job_key(root, j, need.events_key));
    }
    if (need.memory_bytes > memory) {
      memory = need.memory_bytes;
      place(memory_at, job_key(root, j, "hosts"));
    }
  }
  check_timeseries(s, root, horizon);
  const double links = fabric_links(s);
  const double fabric_memory = kBytesPerFabricLink * links;
  const double flows = memory / kBytesPerFlow;
  memory += fabric_memory;
  // The loader caps hosts and cables, so the fabric alone stays within the
  // bounds: the flows are what a user can cut.
  const std::string needs = "the fabric (" + count(links) + " links) and the flows that run at " +
                            "once (" + count(flows) + ") need about " + gib(memory) + " (" +
                            gib(fabric_memory) + " for the fabric)";
  if (memory > kMaxBytes) {
    (memory_at ? *memory_at : root)
        .fail(needs + ", over the limit of " + gib(kMaxBytes) + "; use fewer ranks");
  }
  if (memory > kWarnBytes) {
    warnings.push_back({located(memory_at ? *memory_at : root, needs), memory > kExtremeBytes});
  }
  if (s.pccl && s.pccl->churn_interval_max_ps > 0) {
    const pccl::PcclConfig& c = *s.pccl;
    const double mean =
        0.5 * static_cast<double>(c.churn_interval_min_ps + c.churn_interval_max_ps);
    const double churn = static_cast<double>(c.duration_ps) / std::max(1.0, mean) * c.max_peers *
                         kEventsPerChurnPerPeer;
    events += churn;
    if (churn > most_events) {
      most_events = churn;
      place(events_at, path_value(root, {"pccl", "churn", "interval", "min"}));
    }
  }
  if (events > kWarnEvents) {
    warnings.push_back({located(events_at ? *events_at : root,
                                "about " + count(events) +
                                    " events: at a few million events a second this run takes " +
                                    (events > kExtremeEvents ? "days or more" : "minutes or more")),
                        events > kExtremeEvents});
  }
  if (s.transport.model == transport::Model::packet && !s.jobs.empty()) {
    const transport::PacketConfig& p = s.transport.packet;
    const topology::FabricConfig& t = s.topology;
    const double packet_ps = static_cast<double>(
        sim::serialisation_ps(std::uint64_t{p.mtu_bytes} + p.header_bytes, t.host_link.rate_gbps));
    // Hosts on one leaf: two hops each way.
    const double rtt = 4.0 * static_cast<double>(t.host_link.latency_ps) + 2 * packet_ps;
    if (static_cast<double>(p.rto_ps) < rtt) {
      if (auto rto = path_value(root, {"transport", "packet", "rto"})) {
        warnings.push_back(
            {located(*rto, "a timeout of " + sim::format_duration_ps(p.rto_ps) +
                               " is shorter than the shortest round trip (" + human_ps(rtt) +
                               "): every packet is sent again before its ack can arrive, and "
                               "the run crawls"),
             true});
      }
    }
    if (p.buffer_bytes < 2 * (std::uint64_t{p.mtu_bytes} + p.header_bytes)) {
      if (auto buffer = path_value(root, {"transport", "packet", "buffer_bytes"})) {
        warnings.push_back(
            {located(*buffer, "a buffer of " + sim::format_bytes(p.buffer_bytes) +
                                  " holds fewer than two packets: most packets are dropped and "
                                  "sent again"),
             false});
      }
    }
  }
  return warnings;
}

std::string longest_job(const Scenario& s) {
  std::string out;
  double longest = -1;
  for (const WorkloadConfig& w : s.jobs) {
    const JobNeed need = job_need(s, w);
    if (need.end_ps > longest) {
      longest = need.end_ps;
      out = "job " + w.name + " needs at least " + human_ps(need.end_ps) + " (" + need.why +
            "; its key " + std::string(need.key) + ")";
    }
  }
  return out;
}

}  // namespace spinel::scenario
