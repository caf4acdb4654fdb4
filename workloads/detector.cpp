#include "workloads/detector.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

#include "sim/error.hpp"

namespace spinel::workloads {

namespace {

template <typename T>
T median_of(std::vector<T> values) {
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

std::string host_name(topology::HostId h) {
  return "h" + std::to_string(h);
}

double ms(sim::Time ps) {
  return static_cast<double>(ps) / 1e9;
}

// The host that two or more connections (src, dst ranks) all have at one
// end: the part a set of slow or stuck connections points at, if any.
std::optional<topology::HostId> shared_host(
    const std::vector<topology::HostId>& hosts,
    const std::vector<std::pair<std::uint32_t, std::uint32_t>>& connections) {
  if (connections.size() < 2) return std::nullopt;
  std::map<topology::HostId, std::size_t> ends;
  for (const auto& [src, dst] : connections) {
    ++ends[hosts[src]];
    if (hosts[dst] != hosts[src]) ++ends[hosts[dst]];
  }
  for (const auto& [host, count] : ends) {
    if (count == connections.size()) return host;
  }
  return std::nullopt;
}

Detection about_host(sim::Time at, AnomalyClass anomaly, topology::HostId host) {
  Detection d;
  d.at_ps = at;
  d.anomaly = anomaly;
  d.src_host = d.dst_host = host;
  return d;
}

}  // namespace

// How many ranks called the open collective, and when the last of them did.
std::pair<std::size_t, sim::Time> Detector::entries(const Job& job) {
  sim::Time last_entry = 0;
  std::size_t entered = 0;
  for (const sim::Time t : job.entered_ps) {
    if (t == sim::kForever) continue;
    ++entered;
    last_entry = std::max(last_entry, t);
  }
  return {entered, last_entry};
}

std::string_view to_string(AnomalyClass c) {
  switch (c) {
    case AnomalyClass::communication_hang:
      return "communication_hang";
    case AnomalyClass::non_communication_hang:
      return "non_communication_hang";
    case AnomalyClass::communication_slow:
      return "communication_slow";
    case AnomalyClass::non_communication_slow:
      return "non_communication_slow";
    case AnomalyClass::job_hang:
      return "job_hang";
    case AnomalyClass::job_slow:
      return "job_slow";
  }
  return "communication_hang";
}

Detector::Detector(sim::Simulator& sim, const DetectorConfig& config)
    : sim_(sim), config_(config), wake_(sim, sim.add_handler(*this)) {
  if (config_.hang_timeout_ps < 8 || config_.slow_factor <= 1.0 || config_.window == 0) {
    throw sim::InternalError("detector: bad configuration");
  }
}

std::uint32_t Detector::watch(std::uint32_t job_id, std::vector<topology::HostId> hosts,
                              std::uint32_t buckets, std::vector<std::uint32_t> job_ranks) {
  Job job;
  job.job = job_id;
  job.slow_iterations.assign(hosts.size(), 0);
  job.lateness_ps.assign(hosts.size(), 0);
  job.entered_ps.assign(hosts.size(), sim::kForever);
  if (!job_ranks.empty()) {
    if (job_ranks.size() != hosts.size()) throw sim::InternalError("detector: a rank per host");
    job.busy_at_open_ps.assign(hosts.size(), 0);
    job.late_ps.assign(hosts.size(), 0);
  }
  job.hosts = std::move(hosts);
  job.job_ranks = std::move(job_ranks);
  job.buckets = std::max<std::uint32_t>(buckets, 1);
  jobs_.push_back(std::move(job));
  return static_cast<std::uint32_t>(jobs_.size() - 1);
}

std::uint32_t Detector::watch_point_to_point(std::uint32_t job_id,
                                             std::vector<topology::HostId> hosts) {
  const std::uint32_t id = watch(job_id, std::move(hosts), 1);
  jobs_[id].point_to_point = true;
  return id;
}

void Detector::watch_compute(std::uint32_t job_id, std::uint32_t ranks) {
  Compute& c = compute_[job_id];
  c.busy_ps.assign(ranks, 0);
  c.since_ps.assign(ranks, sim::kForever);
}

void Detector::compute_started(std::uint32_t job_id, std::uint32_t rank, sim::Time at) {
  compute_.at(job_id).since_ps.at(rank) = at;
  // A compute that never ends makes its rank the suspect of a collective
  // the others called: check then (no sooner than any deadline it sets).
  wake_.at(at + config_.hang_timeout_ps);
}

void Detector::compute_ended(std::uint32_t job_id, std::uint32_t rank, sim::Time at) {
  Compute& c = compute_.at(job_id);
  c.busy_ps.at(rank) += at - c.since_ps.at(rank);
  c.since_ps[rank] = sim::kForever;
}

void Detector::collective_opened(std::uint32_t id, std::uint32_t index, std::uint32_t /*bucket*/,
                                 sim::Time at) {
  Job& job = jobs_.at(id);
  job.index = index;
  job.open_ps = at;
  std::fill(job.entered_ps.begin(), job.entered_ps.end(), sim::kForever);
  job.active = true;
  if (!job.job_ranks.empty()) {
    const Compute& c = compute_.at(job.job);
    for (std::size_t r = 0; r < job.hosts.size(); ++r)
      job.busy_at_open_ps[r] = c.busy_at(job.job_ranks[r], at);
  }
  wake_.at(at + config_.hang_timeout_ps);
}

void Detector::rank_entered(std::uint32_t id, std::uint32_t /*index*/, std::uint32_t rank,
                            sim::Time at) {
  Job& job = jobs_.at(id);
  job.entered_ps.at(rank) = at;
  if (!job.job_ranks.empty()) {
    job.late_ps[rank] =
        compute_.at(job.job).busy_at(job.job_ranks[rank], at) - job.busy_at_open_ps[rank];
  }
  job.last_progress_ps = std::max(job.last_progress_ps, at);
  wake_.at(at + config_.hang_timeout_ps);  // no sooner than any deadline this entry sets
}

void Detector::transfer_started(const TransferStat& t) {
  Job& job = jobs_.at(t.job);
  if (job.point_to_point) {
    job.in_flight.emplace(t.connection, t);  // after those queued on it
    wake_.at(t.start_ps + config_.hang_timeout_ps);
    return;
  }
  job.in_flight.erase(t.connection);
  job.in_flight.emplace(t.connection, t);
}

void Detector::transfer_done(std::uint32_t id, transport::ConnectionId connection, sim::Time at) {
  Job& job = jobs_.at(id);
  job.last_progress_ps = std::max(job.last_progress_ps, at);
  const auto it = job.in_flight.lower_bound(connection);  // the oldest on it
  if (it == job.in_flight.end() || it->first != connection) {
    throw sim::InternalError("detector: a delivery never started");
  }
  if (job.point_to_point) {
    job.in_flight.erase(it);
    return;
  }
  const TransferStat& t = it->second;
  ConnectionHistory& c = job.connections[connection];
  c.src = t.src;
  c.dst = t.dst;
  if (at > t.start_ps) {
    c.best_rate =
        std::max(c.best_rate, static_cast<double>(t.bytes) / static_cast<double>(at - t.start_ps));
  }
  job.in_flight.erase(it);
}

void Detector::collective_done(std::uint32_t id, std::uint32_t index, sim::Time at, bool last) {
  Job& job = jobs_.at(id);
  job.active = false;
  for (std::size_t r = 0; r < job.hosts.size(); ++r) {
    job.lateness_ps[r] += job.job_ranks.empty() ? job.entered_ps[r] - job.open_ps : job.late_ps[r];
  }
  if (index % job.buckets == job.buckets - 1) check_compute(job, id, at);
  check_connections(job, id, at);
  job.finished = last;
}

// How late each rank called the iteration's collectives, summed: its first
// bucket waits for its compute to get that far, and a straggler is late for
// the later ones too, while the others are ready before they open.
void Detector::check_compute(Job& job, std::uint32_t id, sim::Time at) {
  const std::size_t n = job.hosts.size();
  const sim::Time median = median_of(job.lateness_ps);
  for (std::size_t r = 0; r < n; ++r) {
    const sim::Time late = job.lateness_ps[r];
    const bool slow =
        median > 0 && static_cast<double>(late) > config_.slow_factor * static_cast<double>(median);
    job.slow_iterations[r] = slow ? job.slow_iterations[r] + 1 : 0;
    if (job.slow_iterations[r] < config_.window) continue;
    Detection d = about_host(at, AnomalyClass::non_communication_slow, job.hosts[r]);
    char text[240];
    if (job.job_ranks.empty()) {
      std::snprintf(text, sizeof text,
                    "rank %zu called the iteration's collectives %.3f ms late in all, the median "
                    "rank %.3f ms, %u iterations running",
                    r, ms(late), ms(median), job.slow_iterations[r]);
    } else {
      std::snprintf(text, sizeof text,
                    "rank %u computed %.3f ms between the openings of the iteration's collectives "
                    "on its communicator and its calls, the median member %.3f ms, %u iterations "
                    "running",
                    job.job_ranks[r], ms(late), ms(median), job.slow_iterations[r]);
    }
    d.evidence = text;
    raise(job, id, std::move(d));
  }
  std::fill(job.lateness_ps.begin(), job.lateness_ps.end(), 0);
}

void Detector::check_connections(Job& job, std::uint32_t id, sim::Time at) {
  // This collective's connections that have been slow for a window.
  std::vector<const ConnectionHistory*> slow;
  std::vector<transport::ConnectionId> slow_ids;
  for (auto& [connection, c] : job.connections) {
    if (c.best_rate == 0) continue;
    const double rate = c.best_rate;
    c.last_rate = rate;
    c.best_rate = 0;
    if (c.baseline == 0) {
      // The slowest of the first `window` iterations: ECMP collisions come
      // and go as ranks drift, and a healthy connection may meet them.
      c.first_rates.push_back(rate);
      if (c.first_rates.size() == std::size_t{config_.window} * job.buckets) {
        c.baseline = *std::min_element(c.first_rates.begin(), c.first_rates.end());
      }
      continue;
    }
    c.slow_run = rate * config_.slow_factor < c.baseline ? c.slow_run + 1 : 0;
    if (c.slow_run >= config_.window) {
      slow.push_back(&c);
      slow_ids.push_back(connection);
    }
  }
  if (slow.empty()) return;
  Detection d;
  d.at_ps = at;
  d.anomaly = AnomalyClass::communication_slow;
  // Two or more slow connections with one host in common point at it (its
  // NIC or link); otherwise the slowest connection is the suspect.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  for (const ConnectionHistory* c : slow) pairs.emplace_back(c->src, c->dst);
  const std::optional<topology::HostId> common = shared_host(job.hosts, pairs);
  std::size_t worst = 0;  // the lowest rate against its baseline
  for (std::size_t i = 1; i < slow.size(); ++i) {
    if (slow[i]->last_rate / slow[i]->baseline < slow[worst]->last_rate / slow[worst]->baseline) {
      worst = i;
    }
  }
  char text[200];
  if (common) {
    d.src_host = d.dst_host = *common;
    std::snprintf(text, sizeof text,
                  "%zu connections under 1/%.2f of their baseline rate for %u collectives, all "
                  "through %s",
                  slow.size(), config_.slow_factor, config_.window, host_name(*common).c_str());
  } else {
    const ConnectionHistory& c = *slow[worst];
    d.connection_suspect = true;
    d.src_host = job.hosts[c.src];
    d.dst_host = job.hosts[c.dst];
    d.connection = slow_ids[worst];
    std::snprintf(text, sizeof text,
                  "%zu connection(s) under 1/%.2f of their baseline rate for %u collectives; "
                  "this one at %.1f Gb/s, its baseline %.1f Gb/s",
                  slow.size(), config_.slow_factor, config_.window, c.last_rate * 8000.0,
                  c.baseline * 8000.0);
  }
  d.evidence = text;
  raise(job, id, std::move(d));
}

// Hang checks fire at the exact deadlines (the last call or delivery plus
// hang_timeout), not on a polling grid, so a detection's time depends only
// on the job's own history: shifted in time, a run detects at shifted times.
void Detector::handle(const sim::Event& event) {
  if (!wake_.fired(event)) return;  // superseded by an earlier check
  const sim::Time next = check_hangs(sim_.now());
  if (next != sim::kForever) wake_.at(next);
}

// Hangs: ranks that have not called a collective the others called
// hang_timeout ago, or a collective every rank called with nothing
// delivered for hang_timeout. Returns the next deadline (kForever: none).
sim::Time Detector::check_hangs(sim::Time now) {
  sim::Time next = sim::kForever;
  for (std::uint32_t id = 0; id < jobs_.size(); ++id) {
    Job& job = jobs_[id];
    if (job.point_to_point && !job.hung && !job.in_flight.empty()) {
      next = std::min(next, check_stuck(job, id, now));
      continue;
    }
    if (!job.active || job.hung || job.finished) continue;
    const auto [entered, last_entry] = entries(job);
    if (entered == job.hosts.size()) {
      next = std::min(next, check_stuck(job, id, now));
      continue;
    }
    if (entered == 0) continue;
    if (!job.job_ranks.empty()) {
      next = std::min(next, check_uncalled(job, id, now));
      continue;
    }
    if (now - last_entry < config_.hang_timeout_ps) {
      next = std::min(next, last_entry + config_.hang_timeout_ps);
      continue;
    }
    for (std::size_t r = 0; r < job.hosts.size(); ++r) {
      if (job.entered_ps[r] != sim::kForever) continue;
      Detection d = about_host(now, AnomalyClass::non_communication_hang, job.hosts[r]);
      char text[200];
      std::snprintf(text, sizeof text,
                    "%zu of %zu ranks called the collective; rank %zu has not, %.3f ms after the "
                    "last of them",
                    entered, job.hosts.size(), r, ms(now - last_entry));
      d.evidence = text;
      raise(job, id, std::move(d));
    }
    job.hung = true;
  }
  return next;
}

// A program's collective that some members called and others have not:
// those whose GPU has computed since the last call, for hang_timeout, hang.
// Returns the next deadline.
sim::Time Detector::check_uncalled(Job& job, std::uint32_t id, sim::Time now) {
  const Compute& c = compute_.at(job.job);
  const auto [entered, last_entry] = entries(job);
  sim::Time next = sim::kForever;
  bool hung = false;
  for (std::size_t r = 0; r < job.hosts.size(); ++r) {
    if (job.entered_ps[r] != sim::kForever) continue;
    const sim::Time since = c.since_ps[job.job_ranks[r]];
    if (since == sim::kForever) continue;  // idle: it waits for something else
    const sim::Time due = std::max(last_entry, since) + config_.hang_timeout_ps;
    if (now < due) {
      next = std::min(next, due);
      continue;
    }
    Detection d = about_host(now, AnomalyClass::non_communication_hang, job.hosts[r]);
    char text[240];
    std::snprintf(text, sizeof text,
                  "%zu of %zu members called the collective; rank %u has not, its GPU busy for "
                  "%.3f ms, %.3f ms after the last of them",
                  entered, job.hosts.size(), job.job_ranks[r], ms(now - since),
                  ms(now - last_entry));
    d.evidence = text;
    raise(job, id, std::move(d));
    hung = true;
  }
  if (!hung) return next;
  job.hung = true;
  return sim::kForever;
}

bool Detector::quiescent() const {
  for (const Job& job : jobs_) {
    if (job.hung) return false;
    for (const std::uint32_t run : job.slow_iterations) {
      if (run != 0) return false;
    }
    for (const auto& [connection, c] : job.connections) {
      if (c.baseline == 0 || (c.slow_run != 0 && c.slow_run < config_.window)) return false;
    }
  }
  return true;
}

// Every rank called the collective: a hang now is the network's. The
// transfers outstanding since before the silence began are the stuck ones.
sim::Time Detector::check_stuck(Job& job, std::uint32_t id, sim::Time now) {
  if (job.in_flight.empty()) return sim::kForever;
  if (now - job.last_progress_ps < config_.hang_timeout_ps) {
    return job.last_progress_ps + config_.hang_timeout_ps;
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>> stuck;  // (src, dst) ranks
  transport::ConnectionId first = 0;
  sim::Time youngest_due = sim::kForever;  // a transfer started after the silence began
  for (const auto& [connection, t] : job.in_flight) {
    if (now - t.start_ps < config_.hang_timeout_ps) {
      youngest_due = std::min(youngest_due, t.start_ps + config_.hang_timeout_ps);
      continue;
    }
    if (stuck.empty()) first = connection;
    stuck.emplace_back(t.src, t.dst);
  }
  if (stuck.empty()) return youngest_due;
  const std::optional<topology::HostId> common = shared_host(job.hosts, stuck);
  char text[200];
  if (job.point_to_point) {
    std::snprintf(text, sizeof text,
                  "point to point: nothing delivered for %.3f ms; %zu connection(s) stuck",
                  ms(now - job.last_progress_ps), stuck.size());
  } else {
    std::snprintf(text, sizeof text,
                  "all %zu ranks called the collective; nothing delivered for %.3f ms; %zu "
                  "connection(s) stuck",
                  job.hosts.size(), ms(now - job.last_progress_ps), stuck.size());
  }
  Detection d;
  if (common) {
    d = about_host(now, AnomalyClass::communication_hang, *common);
  } else {
    d = about_host(now, AnomalyClass::communication_hang, job.hosts[stuck.front().first]);
    d.connection_suspect = true;
    d.dst_host = job.hosts[stuck.front().second];
    d.connection = first;
  }
  d.evidence = text;
  raise(job, id, std::move(d));
  job.hung = true;
  return sim::kForever;
}

void Detector::raise(Job& job, std::uint32_t /*stream*/, Detection d) {
  std::string key(to_string(d.anomaly));
  key += " " + host_name(d.src_host);
  if (d.connection_suspect) key += ">" + host_name(d.dst_host);
  std::vector<std::string>& raised = raised_[job.job];
  if (std::find(raised.begin(), raised.end(), key) != raised.end()) return;
  raised.push_back(std::move(key));
  d.job = job.job;
  // A hang stops the job: every communicator of it is stuck now, each would
  // raise its own hang about the same fault.
  if (d.anomaly == AnomalyClass::communication_hang ||
      d.anomaly == AnomalyClass::non_communication_hang) {
    for (Job& stream : jobs_) {
      if (stream.job == job.job) stream.hung = true;
    }
  }
  detections_.push_back(std::move(d));
  if (stop_on_alarm_) sim_.stop();
}

}  // namespace spinel::workloads
