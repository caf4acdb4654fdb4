#include "workloads/pccl/loopback_group.hpp"

#include <algorithm>

namespace spinel::pccl {

LoopbackOptions loopback_defaults() {
  LoopbackOptions o;
  o.group.floats = 4096;
  o.group.size_bytes = 4096 * sizeof(float);
  o.group.connections_per_neighbour = 2;
  o.group.step_compute_ps = 5 * sim::kMillisecond;
  o.group.retry_backoff_ps = 50 * sim::kMillisecond;
  o.group.keepalive_interval_ps = 500 * sim::kMillisecond;
  o.liveness_bound_ps = 8 * sim::kSecond;
  o.key = SharedKey::random();
  return o;
}

LoopbackGroup::LoopbackGroup(asio::io_context& io, const LoopbackOptions& options)
    : io_(io), options_(options), rng_(options.seed, "pccl.real_churn") {
  options_.group.seed = options.seed;
}

LoopbackGroup::~LoopbackGroup() {
  if (master_) master_->stop();
  for (auto& p : peers_) p->kill();
  for (auto& p : attackers_) p->kill();
}

void LoopbackGroup::after(sim::Time wait_ps, std::function<void()> then) {
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::nanoseconds(wait_ps / 1000));
  timer->async_wait([timer, weak = std::weak_ptr<bool>(alive_),
                     then = std::move(then)](const boost::system::error_code& ec) {
    if (!ec && !weak.expired()) then();
  });
}

void LoopbackGroup::start() {
  TcpMasterOptions mo;
  mo.master = options_.master;
  mo.group = options_.group;
  mo.key = options_.key;
  mo.tls = options_.tls;
  master_ = std::make_shared<TcpMaster>(io_, mo, clock_);
  master_->on_notice = [this](const Notice& n) { on_notice(n); };
  master_->on_log = [this](const std::string& text) {
    if (on_log) on_log("master: " + text);
  };
  checker_.emplace(
      master_->master(),
      [this](PeerId id) -> const Peer* {
        auto it = by_id_.find(id);
        return it == by_id_.end() ? nullptr : it->second.get();
      },
      options_.liveness_bound_ps);
  master_->start();
  for (std::uint32_t i = 0; i < options_.peers; ++i) spawn(options_.key);
  if (options_.churn_interval_max_ps > 0) {
    const auto span =
        static_cast<std::uint64_t>(options_.churn_interval_max_ps - options_.churn_interval_min_ps);
    after(options_.churn_interval_min_ps + static_cast<sim::Time>(rng_.below(span + 1)),
          [this] { churn_tick(); });
  }
  after(options_.liveness_bound_ps / 8, [this] { liveness_tick(); });
  after(options_.duration_ps, [this] {
    stopped_ = true;
    io_.stop();
  });
}

std::vector<LoopbackGroup::PeerAddress> LoopbackGroup::peers() const {
  std::vector<PeerAddress> out;
  for (const auto& p : peers_) {
    if (p->running() && p->peer()) out.push_back({p->peer()->id(), p->listen_port()});
  }
  return out;
}

LoopbackGroup::PeerAddress LoopbackGroup::some_peer() const {
  const auto all = peers();
  return all.empty() ? PeerAddress{} : all.front();
}

std::size_t LoopbackGroup::live() const {
  return static_cast<std::size_t>(std::count_if(
      peers_.begin(), peers_.end(), [](const auto& p) { return p->running() && !p->stalled(); }));
}

std::shared_ptr<TcpPeer> LoopbackGroup::add_attacker(Tamper tamper,
                                                     std::shared_ptr<const SharedKey> key) {
  TcpPeerOptions po;
  po.master = tcp::endpoint(asio::ip::address_v4::loopback(), master_->port());
  po.key = std::move(key);
  po.tls = options_.tls && po.key;
  auto p = std::make_shared<TcpPeer>(io_, po, clock_);
  TcpPeer* raw = p.get();
  p->tamper = std::move(tamper);
  p->on_welcome = [this, raw](const Peer& peer) { by_id_[peer.id()] = raw->peer(); };
  p->on_notice = [this](const Notice& n) { on_notice(n); };
  p->on_log = [this](const std::string& text) {
    if (on_log) on_log("attacker: " + text);
  };
  attackers_.push_back(p);
  p->start();
  return p;
}

std::shared_ptr<TcpPeer> LoopbackGroup::spawn(std::shared_ptr<const SharedKey> key) {
  if (stopped_) return nullptr;
  TcpPeerOptions po;
  po.master = tcp::endpoint(asio::ip::address_v4::loopback(), master_->port());
  po.key = std::move(key);
  po.tls = options_.tls;
  auto p = std::make_shared<TcpPeer>(io_, po, clock_);
  TcpPeer* raw = p.get();
  p->on_welcome = [this, raw](const Peer& peer) { by_id_[peer.id()] = raw->peer(); };
  p->on_notice = [this](const Notice& n) { on_notice(n); };
  p->on_log = [this](const std::string& text) {
    if (on_log) on_log("peer: " + text);
  };
  peers_.push_back(p);
  ++result_.spawned;
  checker_->on_churn(clock_.now_ps());
  p->start();
  return p;
}

void LoopbackGroup::churn_tick() {
  if (stopped_) return;
  if (rng_.uniform() < options_.mid_collective_share) {
    kill_at_start_ = true;
  } else {
    kill_one();
  }
  const auto span =
      static_cast<std::uint64_t>(options_.churn_interval_max_ps - options_.churn_interval_min_ps);
  after(options_.churn_interval_min_ps + static_cast<sim::Time>(rng_.below(span + 1)),
        [this] { churn_tick(); });
}

void LoopbackGroup::hit(bool stall) {
  if (stopped_) return;
  std::vector<TcpPeer*> healthy;
  for (auto& p : peers_) {
    if (p->running() && !p->stalled()) healthy.push_back(p.get());
  }
  if (healthy.empty()) return;
  TcpPeer* victim = healthy[rng_.below(healthy.size())];
  stall = stall || rng_.uniform() < options_.stall_share;
  if (on_log) {
    on_log(std::string(stall ? "stall" : "kill") + " peer " +
           (victim->peer() ? std::to_string(victim->peer()->id()) : "(unnamed)"));
  }
  if (stall) {
    victim->stall();
    ++result_.stalls;
  } else {
    victim->kill();
    ++result_.kills;
  }
  checker_->on_churn(clock_.now_ps());
  if (options_.churn_interval_max_ps == 0) return;
  after(static_cast<sim::Time>(
            rng_.below(static_cast<std::uint64_t>(options_.churn_interval_max_ps) + 1)),
        [this] { spawn(options_.key); });
}

void LoopbackGroup::liveness_tick() {
  if (stopped_) return;
  checker_->check_liveness(clock_.now_ps(), live());
  if (checker_->failed()) {
    stopped_ = true;
    io_.stop();
    return;
  }
  after(options_.liveness_bound_ps / 8, [this] { liveness_tick(); });
}

void LoopbackGroup::on_notice(const Notice& n) {
  const sim::Time now = clock_.now_ps();
  checker_->on_notice(now, n);
  if (n.kind == NoticeKind::collective_abort) ++result_.aborted_attempts;
  if (n.kind == NoticeKind::kicked) ++result_.kicks;
  if (n.kind == NoticeKind::collective_start && kill_at_start_) {
    // Not inside the master's input: up to 0.5 ms after it, while the ring runs.
    kill_at_start_ = false;
    after(static_cast<sim::Time>(rng_.below(sim::kMillisecond / 2)), [this] { kill_one(); });
  }
  if (n.kind == NoticeKind::collective_complete) {
    result_.steps.push_back({n.op, n.attempt + 1, static_cast<std::uint32_t>(n.value), now});
    result_.longest_gap_ps = std::max(result_.longest_gap_ps, now - last_step_ps_);
    last_step_ps_ = now;
  }
  if (checker_->failed() && !stopped_) {
    stopped_ = true;
    io_.stop();
  }
}

LoopbackResult LoopbackGroup::finish() {
  if (checker_ && !checker_->failed()) checker_->check_liveness(clock_.now_ps(), live());
  DropCounts drops;
  if (master_) {
    drops += master_->drops();
    master_->stop();
  }
  for (auto& p : peers_) {
    drops += p->drops();
    if (p->peer()) result_.max_revision = std::max(result_.max_revision, p->peer()->revision());
    result_.links_dropped += p->links_dropped();
    p->kill();
  }
  for (auto& p : attackers_) p->kill();
  result_.malformed_drops = drops.malformed;
  result_.unauthenticated_drops = drops.unauthenticated;
  result_.over_limit_drops = drops.over_limit;
  if (checker_) {
    result_.checks = checker_->checks();
    result_.failed = checker_->failed();
    result_.violation = checker_->violation();
    result_.violation_at_ps = checker_->violation_at();
  }
  stopped_ = true;
  return result_;
}

}  // namespace spinel::pccl
