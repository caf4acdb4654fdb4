#include "workloads/pccl/sim_driver.hpp"

#include <algorithm>

#include "workloads/pccl/churn.hpp"

namespace spinel::pccl {

namespace {

// What a bandwidth probe between two hosts finds: the slowest link on the
// way, or what the pooled connections' windows allow over the round trip,
// whichever is lower.
double probe_gbps(const transport::FlowModel& model, const PcclConfig& config, std::uint32_t src,
                  std::uint32_t dst) {
  const double path_gbps = model.path_rate_gbps(src, dst);
  const sim::Time rtt_ps = 2 * model.path_latency_ps(src, dst);
  if (config.window_bytes == 0 || rtt_ps == 0) return path_gbps;
  const double pool_gbps = static_cast<double>(config.window_bytes) * 8000.0 /
                           static_cast<double>(rtt_ps) * config.connections_per_neighbour;
  return std::min(path_gbps, pool_gbps);
}

// The rate the ring can count on, for the liveness bound: the host link
// rate, or the slowest probe between two hosts if that is lower. Up to 256
// hosts every pair is probed; beyond, only from host 0 (a symmetric fabric).
double ring_rate_gbps(const transport::FlowModel& model, std::uint32_t hosts,
                      const PcclConfig& config, double host_rate_gbps) {
  if (host_rate_gbps <= 0) return host_rate_gbps;
  double rate = host_rate_gbps;
  const std::uint32_t sources = hosts <= 256 ? hosts : 1;
  for (std::uint32_t a = 0; a < sources; ++a) {
    for (std::uint32_t b = 0; b < hosts; ++b) {
      if (a != b) rate = std::min(rate, probe_gbps(model, config, a, b));
    }
  }
  return rate;
}

}  // namespace

SimDriver::SimDriver(sim::Simulator& sim, transport::FlowModel& model, std::uint32_t hosts,
                     const PcclConfig& config, std::uint64_t seed, double host_rate_gbps)
    : sim_(sim),
      model_(model),
      hosts_(hosts),
      config_(config),
      seed_(seed),
      liveness_bound_ps_(
          liveness_bound(config, ring_rate_gbps(model, hosts, config, host_rate_gbps))),
      self_(sim.add_handler(*this)),
      lane_(sim.add_lane()),
      churn_rng_(seed, "pccl.churn"),
      rate_rng_(seed, "pccl.churn_rates"),
      master_({config.keepalive_interval_ps, config.keepalive_timeout_ps, config.ring_order}),
      checker_(
          master_,
          [this](PeerId id) -> const Peer* {
            return id < slots_.size() ? slots_[id].peer.get() : nullptr;
          },
          liveness_bound_ps_) {
  master_.set_bandwidth_probe([this](PeerId from, PeerId to) {
    return probe_gbps(model_, config_, slots_[from].host, slots_[to].host);
  });
  peer_config_.seed = seed;
  peer_config_.floats = config.floats;
  peer_config_.size_bytes = config.size_bytes;
  peer_config_.connections_per_neighbour = config.connections_per_neighbour;
  peer_config_.step_compute_ps = config.step_compute_ps;
  peer_config_.loop = config.loop;
  peer_config_.retry_backoff_ps = config.retry_backoff_ps;
  peer_config_.keepalive_interval_ps = config.keepalive_interval_ps;
}

SimDriver::~SimDriver() = default;

void SimDriver::start() {
  apply(kMaster, master_.start(sim_.now()));
  for (std::uint32_t i = 0; i < config_.peers; ++i) spawn();
  if (config_.churn_interval_max_ps > 0) {
    const auto span =
        static_cast<std::uint64_t>(config_.churn_interval_max_ps - config_.churn_interval_min_ps);
    sim_.schedule_in(
        config_.churn_interval_min_ps + static_cast<sim::Time>(churn_rng_.below(span + 1)), self_,
        kChurnTick);
  }
  if (max_rate_per_hour() > 0) schedule_rate_tick();
  for (std::size_t i = 0; i < config_.events.size(); ++i) {
    sim_.schedule_at(config_.events[i].at_ps, self_, kFixedChurn, i);
  }
  sim_.schedule_in(liveness_bound_ps_ / 8, self_, kLiveness);
}

PeerId SimDriver::spawn() {
  const auto id = static_cast<PeerId>(slots_.size());
  Slot slot;
  slot.peer = std::make_unique<Peer>(id, peer_config_);
  slot.host = id % hosts_;
  slots_.push_back(std::move(slot));
  ++result_.peers_spawned;
  record("spawn", id);
  checker_.on_churn(sim_.now());
  apply(id, slots_[id].peer->start(sim_.now()));
  return id;
}

double SimDriver::max_rate_per_hour() const {
  const double per_peer =
      config_.deaths_per_peer_hour + config_.stalls_per_peer_hour + config_.leaves_per_peer_hour;
  return config_.joins_per_hour + per_peer * config_.max_peers;
}

void SimDriver::schedule_rate_tick() {
  const double mean_ps = 3600.0 * static_cast<double>(sim::kSecond) / max_rate_per_hour();
  const auto wait = static_cast<sim::Time>(exponential(rate_rng_) * mean_ps);
  sim_.schedule_in(std::max<sim::Time>(wait, 1), self_, kRateTick);
}

void SimDriver::rate_tick() {
  std::vector<PeerId> live;
  std::size_t processes = 0;
  for (PeerId id = 0; id < slots_.size(); ++id) {
    if (slots_[id].life != Life::dead) ++processes;
    if (slots_[id].life == Life::alive && !slots_[id].leaving) live.push_back(id);
  }
  const auto n = static_cast<double>(live.size());
  const double draw = rate_rng_.uniform() * max_rate_per_hour();
  double edge = config_.joins_per_hour;
  if (draw < edge) {
    if (processes < config_.max_peers) churn(ChurnKind::join, 0);
  } else if (!live.empty()) {
    const PeerId victim = live[rate_rng_.below(live.size())];
    if (draw < (edge += config_.deaths_per_peer_hour * n)) {
      churn(ChurnKind::death, victim);
    } else if (draw < (edge += config_.stalls_per_peer_hour * n)) {
      churn(ChurnKind::stall, victim);
    } else if (draw < edge + config_.leaves_per_peer_hour * n) {
      churn(ChurnKind::leave, victim);
    }
  }
  schedule_rate_tick();
}

std::size_t SimDriver::healthy() const {
  std::size_t n = 0;
  for (const Slot& s : slots_) n += s.life == Life::alive ? 1 : 0;
  return n;
}

void SimDriver::churn(ChurnKind kind, PeerId peer) {
  if (kind == ChurnKind::join) {
    spawn();
    return;
  }
  if (peer >= slots_.size() || slots_[peer].life != Life::alive) return;
  checker_.on_churn(sim_.now());
  switch (kind) {
    case ChurnKind::leave:
      slots_[peer].leaving = true;
      slots_[peer].peer->request_leave();
      ++result_.leaves;
      record("leave_request", peer);
      break;
    case ChurnKind::death:
      ++result_.deaths;
      record("death", peer);
      unrecovered_.push_back(sim_.now());
      kill(peer, Life::dead);
      break;
    case ChurnKind::stall:
      ++result_.stalls;
      record("stall", peer);
      unrecovered_.push_back(sim_.now());
      slots_[peer].life = Life::stalled;
      break;
    case ChurnKind::join:
      break;
  }
}

void SimDriver::kill(PeerId peer, Life how) {
  slots_[peer].life = how;
  close_connections(peer, true);
}

void SimDriver::close_connections(PeerId peer, bool tell_master) {
  // Its chunks on the wire stop with it (a reset connection), so survivors'
  // retries do not share links with a dead peer's traffic. (Their pending_
  // records are never delivered and stay allocated until the run ends.)
  std::vector<transport::ConnectionId> dead;
  for (const auto& [key, id] : connections_) {
    if (std::get<0>(key) == peer || std::get<1>(key) == peer) dead.push_back(id);
  }
  if (!dead.empty()) model_.cancel_flows(dead);
  for (auto it = links_.begin(); it != links_.end();) {
    if (it->first == peer || it->second == peer) {
      const PeerId other = it->first == peer ? it->second : it->first;
      send_control(peer, other, Message{}, true);
      it = links_.erase(it);
    } else {
      ++it;
    }
  }
  if (tell_master) send_control(peer, kMaster, Message{}, true);
}

std::uint32_t SimDriver::store(Pending&& p) {
  if (!free_pending_.empty()) {
    const std::uint32_t i = free_pending_.back();
    free_pending_.pop_back();
    pending_[i] = std::move(p);
    return i;
  }
  pending_.push_back(std::move(p));
  return static_cast<std::uint32_t>(pending_.size() - 1);
}

void SimDriver::send_control(PeerId from, PeerId to, Message&& message, bool disconnect) {
  ++result_.messages;
  const std::uint32_t i = store({from, to, disconnect, std::move(message)});
  // One fixed latency: times never decrease in send order, so a FIFO lane
  // keeps every connection's order (a close after the data sent before it).
  sim_.schedule_in_lane(lane_, sim_.now() + config_.control_latency_ps, self_, kControl, i);
}

void SimDriver::send_chunk(PeerId from, Send&& send) {
  const auto& chunk = std::get<Chunk>(send.message);
  attempt_bytes_[{chunk.op, chunk.attempt}] += send.bytes;
  result_.chunk_bytes += send.bytes;
  const auto key = std::make_tuple(from, send.to, send.connection);
  auto it = connections_.find(key);
  if (it == connections_.end()) {
    transport::ConnectionSpec spec;
    spec.src = slots_[from].host;
    spec.dst = slots_[send.to].host;
    // Every pooled connection is its own 5-tuple: ECMP may hash them apart.
    spec.src_port =
        static_cast<std::uint16_t>(sim::mix64((static_cast<std::uint64_t>(from) << 32) ^ send.to ^
                                              (static_cast<std::uint64_t>(send.connection) << 48)));
    spec.dst_port = 48148;
    // A TCP connection sends at most a window per round trip.
    const sim::Time rtt_ps = 2 * model_.path_latency_ps(spec.src, spec.dst);
    if (config_.window_bytes > 0 && rtt_ps > 0) {
      spec.max_rate_gbps =
          static_cast<double>(config_.window_bytes) * 8000.0 / static_cast<double>(rtt_ps);
    }
    it = connections_.emplace(key, model_.connect(spec)).first;
  }
  transport::FlowSpec flow;
  flow.connection = it->second;
  flow.size_bytes = std::max<std::uint64_t>(send.bytes, 1);
  flow.notify = self_;
  flow.notify_tag = kChunk;
  flow.notify_payload = store({from, send.to, false, std::move(send.message)});
  model_.start_flow(flow);
}

void SimDriver::apply(PeerId self, Output&& out) {
  for (PeerId c : out.connects) {
    if (c < slots_.size() && slots_[c].life != Life::dead) {
      links_.insert({std::min(self, c), std::max(self, c)});
    } else {
      send_control(c, self, Message{}, true);  // connecting to a dead process fails
    }
  }
  for (Send& s : out.sends) {
    if (std::holds_alternative<Chunk>(s.message)) {
      send_chunk(self, std::move(s));
    } else {
      send_control(self, s.to, std::move(s.message));
    }
  }
  for (const Timer& t : out.timers) {
    sim_.schedule_at(t.at_ps, self_, kTimer, (static_cast<std::uint64_t>(self) << 32) | t.kind);
  }
  for (PeerId d : out.disconnects) {
    if (self == kMaster) {
      // The master dropped a silent peer: as good as dead to everyone.
      if (d < slots_.size() && slots_[d].life != Life::dead) {
        slots_[d].life = Life::dead;
        close_connections(d, false);
      }
    } else if (d == kMaster) {
      slots_[self].life = Life::dead;  // graceful leave: the process exits
      close_connections(self, true);
    }
  }
  for (const Notice& n : out.notices) on_notice(n);
  if (checker_.failed()) sim_.stop();
}

void SimDriver::record(std::string_view event, PeerId peer) {
  result_.churn.push_back({sim_.now(), event, peer, peer < slots_.size() ? slots_[peer].host : 0,
                           static_cast<std::uint32_t>(master_.accepted().size())});
}

void SimDriver::on_notice(const Notice& n) {
  checker_.on_notice(sim_.now(), n);
  switch (n.kind) {
    case NoticeKind::admitted:
      record("admitted", n.peer);
      break;
    case NoticeKind::departed:
      record("departed", n.peer);
      break;
    case NoticeKind::kicked:
      ++result_.kicks;
      record("kicked", n.peer);
      break;
    case NoticeKind::collective_start:
      if (n.attempt == 0) step_start_ps_ = sim_.now();
      break;
    case NoticeKind::collective_abort: {
      ++result_.aborted_attempts;
      auto it = attempt_bytes_.find({n.op, n.attempt});
      if (it != attempt_bytes_.end()) {
        result_.aborted_bytes += it->second;
        attempt_bytes_.erase(it);
      }
      break;
    }
    case NoticeKind::collective_complete: {
      StepRecord step{
          n.op, n.attempt + 1, step_start_ps_, sim_.now(), static_cast<std::uint32_t>(n.value), 0};
      auto it = attempt_bytes_.find({n.op, n.attempt});
      if (it != attempt_bytes_.end()) {
        step.bytes = it->second;
        attempt_bytes_.erase(it);
      }
      result_.steps.push_back(step);
      for (sim::Time t : unrecovered_) result_.recovery_ps.push_back(sim_.now() - t);
      unrecovered_.clear();
      break;
    }
    default:
      break;
  }
}

void SimDriver::handle(const sim::Event& event) {
  const sim::Time now = sim_.now();
  switch (event.tag) {
    case kControl:
    case kChunk: {
      const auto i = static_cast<std::uint32_t>(event.payload);
      Pending p = std::move(pending_[i]);
      free_pending_.push_back(i);
      // A dead or stalled process hears nothing; a dead one's words in
      // flight are lost with it (a reset connection).
      if (!usable(p.to)) return;
      if (p.disconnect) {
        apply(p.to, p.to == kMaster ? master_.on_disconnect(now, p.from)
                                    : slots_[p.to].peer->on_disconnect(now, p.from));
        return;
      }
      if (p.from != kMaster && slots_[p.from].life == Life::dead && event.tag == kChunk) return;
      apply(p.to, p.to == kMaster ? master_.on_message(now, p.from, p.message)
                                  : slots_[p.to].peer->on_message(now, p.from, p.message));
      return;
    }
    case kTimer: {
      const auto who = static_cast<PeerId>(event.payload >> 32);
      const auto kind = static_cast<std::uint32_t>(event.payload & 0xffffffffU);
      if (!usable(who)) return;
      apply(who,
            who == kMaster ? master_.on_timer(now, kind) : slots_[who].peer->on_timer(now, kind));
      return;
    }
    case kChurnTick: {
      std::vector<PeerId> live;
      std::size_t processes = 0;
      for (PeerId id = 0; id < slots_.size(); ++id) {
        if (slots_[id].life != Life::dead) ++processes;
        if (slots_[id].life == Life::alive && !slots_[id].leaving) live.push_back(id);
      }
      const double draw = churn_rng_.uniform();
      if (live.size() < 2 || (processes < config_.max_peers && draw >= config_.kill_probability)) {
        if (processes < config_.max_peers) churn(ChurnKind::join, 0);
      } else {
        const PeerId victim = live[churn_rng_.below(live.size())];
        const double total = config_.death_weight + config_.stall_weight + config_.leave_weight;
        const double k = churn_rng_.uniform() * total;
        const ChurnKind kind = k < config_.death_weight                          ? ChurnKind::death
                               : k < config_.death_weight + config_.stall_weight ? ChurnKind::stall
                                                                                 : ChurnKind::leave;
        churn(kind, victim);
      }
      const auto span =
          static_cast<std::uint64_t>(config_.churn_interval_max_ps - config_.churn_interval_min_ps);
      sim_.schedule_in(
          config_.churn_interval_min_ps + static_cast<sim::Time>(churn_rng_.below(span + 1)), self_,
          kChurnTick);
      return;
    }
    case kFixedChurn: {
      const ChurnEvent& e = config_.events[event.payload];
      churn(e.kind, e.peer);
      return;
    }
    case kRateTick:
      rate_tick();
      return;
    case kLiveness:
      checker_.check_liveness(now, healthy());
      if (checker_.failed()) {
        sim_.stop();
        return;
      }
      sim_.schedule_in(liveness_bound_ps_ / 8, self_, kLiveness);
      return;
    default:
      return;
  }
}

PcclResult SimDriver::finish() {
  if (!checker_.failed()) checker_.check_liveness(sim_.now(), healthy());
  result_.checks = checker_.checks();
  result_.failed = checker_.failed();
  result_.violation = checker_.violation();
  result_.violation_at_ps = checker_.violation_at();
  result_.end_ps = sim_.now();
  result_.cancelled_bytes = model_.totals().bytes_cancelled;
  return std::move(result_);
}

}  // namespace spinel::pccl
