#include "workloads/pccl/tcp_peer.hpp"

namespace spinel::pccl {

std::size_t peer_budget_bytes(const PeerConfig& group) {
  return (16U << 20) + 8 * ring_limits(group).max_frame_bytes;
}

TcpPeer::TcpPeer(asio::io_context& io, const TcpPeerOptions& options, TcpClock clock)
    : io_(io),
      options_(options),
      clock_(clock),
      settings_(connection_settings(options.key, options.tls, 16U << 20)) {}

void TcpPeer::log(const std::string& text) const {
  if (on_log) on_log(text);
}

std::function<void(Connection&, Frame&&)> TcpPeer::frame_handler() {
  return [weak = weak_from_this()](Connection& c, Frame&& f) {
    if (auto s = weak.lock()) s->on_ring_frame(c, std::move(f));
  };
}

std::function<void(Connection&, const Ending&)> TcpPeer::closed_handler() {
  return [weak = weak_from_this()](Connection& c, const Ending& ending) {
    if (auto s = weak.lock()) s->on_ring_closed(c, ending);
  };
}

void TcpPeer::start() {
  ListenerOptions lo;
  lo.port = options_.listen_port;
  lo.hello_timeout_ps = options_.hello_timeout_ps;
  lo.max_pending = options_.max_pending;
  lo.connection = settings_;
  listener_ =
      std::make_shared<Listener>(io_, lo, Connection::Handlers{frame_handler(), closed_handler()});
  listener_->on_log = [weak = weak_from_this()](const std::string& text) {
    if (auto s = weak.lock()) s->log(text);
  };
  listener_->start();
  listen_port_ = listener_->port();
  master_ = Connection::connect(io_, options_.master, settings_);
  master_->set_limits(control_limits());
  master_->send(DriverFrame(Hello{HelloRole::control, listen_port_, 0, 0}));
  master_->start({[weak = weak_from_this()](Connection&, Frame&& f) {
                    if (auto s = weak.lock()) s->on_master_frame(std::move(f));
                  },
                  [weak = weak_from_this()](Connection&, const Ending& ending) {
                    auto s = weak.lock();
                    if (!s || s->deaf()) return;
                    if (s->peer_) s->peer_->on_disconnect(s->clock_.now_ps(), kMaster);
                    s->drops_.count(ending);
                    s->shut_down(false);
                    if (s->on_exit) s->on_exit("lost the master: " + ending.why);
                  }});
}

void TcpPeer::kill() {
  if (dead_) return;
  shut_down(true);
}

void TcpPeer::stall() {
  if (!dead_) stalled_ = true;
}

void TcpPeer::leave() {
  if (dead_) return;
  if (peer_) {
    peer_->request_leave();
    return;
  }
  shut_down(false);
  if (on_exit) on_exit("left before it was welcomed");
}

void TcpPeer::shut_down(bool abort) {
  dead_ = true;
  if (listener_) listener_->stop();
  if (master_) master_->close(abort);
  for (auto& [id, link] : links_) {
    for (auto* pool : {&link.out, &link.in}) {
      for (auto& c : *pool) {
        if (c) c->close(abort);
      }
    }
  }
  names_.clear();
  links_.clear();
}

void TcpPeer::on_master_frame(Frame&& frame) {
  if (deaf()) return;
  const sim::Time now = clock_.now_ps();
  if (auto* m = std::get_if<Message>(&frame)) {
    if (peer_) {
      apply(peer_->on_message(now, kMaster, *m));
      return;
    }
  } else {
    auto& d = std::get<DriverFrame>(frame);
    if (auto* w = std::get_if<Welcome>(&d); w != nullptr && !peer_) {
      peer_ = std::make_shared<Peer>(w->id, w->config);
      pool_ = w->config.connections_per_neighbour;
      ring_limits_ = ring_limits(w->config);
      settings_.budget->set_limit(peer_budget_bytes(w->config));
      if (on_welcome) on_welcome(*peer_);
      apply(peer_->start(now));
      return;
    }
    if (auto* dir = std::get_if<Directory>(&d); dir != nullptr && peer_) {
      directory_.clear();
      for (const auto& [id, port] : dir->ports) directory_[id] = port;
      return;
    }
  }
  const auto* d = std::get_if<DriverFrame>(&frame);
  const bool challenged = d != nullptr && std::holds_alternative<Challenge>(*d);
  log(challenged ? "the master asks for the group's key; this peer has none"
                 : "the master sent a frame out of order; leaving");
  shut_down(true);
  if (on_exit) {
    on_exit(challenged ? "the master requires the group's key (--key-file or SPINEL_PCCL_KEY)"
                       : "the master broke the protocol");
  }
}

bool TcpPeer::valid_ring_hello(const Hello& hello) const {
  // Only a peer of the ring the master announced last, at the port it gave
  // the master, to this peer (a dead peer's port may since belong to a
  // newcomer), into a slot of the pool.
  const auto listed = directory_.find(hello.peer);
  return hello.role == HelloRole::ring && peer_ && hello.peer != peer_->id() &&
         listed != directory_.end() && listed->second == hello.listen_port &&
         hello.connection < pool_ && hello.target == peer_->id();
}

void TcpPeer::on_ring_frame(Connection& c, Frame&& frame) {
  if (deaf()) return;
  auto named = names_.find(c.id());
  if (named == names_.end()) {
    std::shared_ptr<Connection> conn = listener_->adopt(c);
    if (!conn) return;
    const auto* d = std::get_if<DriverFrame>(&frame);
    const auto* hello = d != nullptr ? std::get_if<Hello>(d) : nullptr;
    if (hello == nullptr || !valid_ring_hello(*hello)) {
      ++drops_.malformed;
      log("dropped a ring connection whose first frame is not a hello from a peer of the ring");
      conn->close(true);
      return;
    }
    Link& link = links_[hello->peer];
    link.in.resize(pool_);
    if (auto& old = link.in[hello->connection]; old) {
      names_.erase(old->id());
      old->close(true);
    }
    conn->set_limits(ring_limits_);
    link.in[hello->connection] = conn;
    names_[c.id()] = hello->peer;
    return;
  }
  const PeerId from = named->second;
  if (auto* m = std::get_if<Message>(&frame)) {
    apply(peer_->on_message(clock_.now_ps(), from, *m));
    return;
  }
  drop_link(from, {Ending::Kind::malformed, "a driver frame after the hello"});
}

void TcpPeer::on_ring_closed(Connection& c, const Ending& ending) {
  if (deaf()) return;
  if (listener_->forget(c)) {
    if (drops_.count(ending)) log("dropped a ring connection before its hello: " + ending.why);
    return;
  }
  auto named = names_.find(c.id());
  if (named == names_.end()) return;
  drop_link(named->second, ending);
}

void TcpPeer::drop_link(PeerId other, const Ending& ending) {
  auto it = links_.find(other);
  if (it == links_.end()) return;
  for (auto* pool : {&it->second.out, &it->second.in}) {
    for (auto& c : *pool) {
      if (!c) continue;
      names_.erase(c->id());
      c->close(true);
    }
  }
  links_.erase(it);
  ++links_dropped_;
  if (drops_.count(ending)) {
    log("dropped the link to peer " + std::to_string(other) + ": " + ending.why);
  }
  apply(peer_->on_disconnect(clock_.now_ps(), other));
}

void TcpPeer::open_pool(PeerId other) {
  auto port = directory_.find(other);
  if (port == directory_.end()) {
    // Nobody told us where it listens: as good as a refused connection.
    asio::post(io_, [weak = weak_from_this(), other] {
      auto s = weak.lock();
      if (s && !s->deaf()) s->apply(s->peer_->on_disconnect(s->clock_.now_ps(), other));
    });
    return;
  }
  Link& link = links_[other];
  link.out.resize(pool_);
  link.in.resize(pool_);
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port->second);
  for (std::uint32_t i = 0; i < pool_; ++i) {
    if (link.out[i] && link.out[i]->open()) continue;
    auto c = Connection::connect(io_, endpoint, settings_);
    c->set_limits(ring_limits_);
    c->send(DriverFrame(Hello{HelloRole::ring, listen_port_, peer_->id(), i, other}));
    c->start({frame_handler(), closed_handler()});
    names_[c->id()] = other;
    link.out[i] = std::move(c);
  }
}

Connection* TcpPeer::pick(PeerId other, std::uint32_t connection) {
  auto it = links_.find(other);
  if (it == links_.end()) {
    open_pool(other);
    it = links_.find(other);
    if (it == links_.end()) return nullptr;
  }
  const std::uint32_t i = connection % pool_;
  Link& link = it->second;
  // Its own pool first (it carries this peer's chunks to `other`); replies
  // to a peer that connected to us go back on that peer's connections.
  for (auto* pool : {&link.out, &link.in}) {
    if (i < pool->size() && (*pool)[i] && (*pool)[i]->open()) return (*pool)[i].get();
  }
  for (auto* pool : {&link.out, &link.in}) {
    for (auto& c : *pool) {
      if (c && c->open()) return c.get();
    }
  }
  return nullptr;
}

void TcpPeer::send(Send& s) {
  if (s.to == kMaster) {
    master_->send(s.message);
  } else if (Connection* c = pick(s.to, s.connection)) {
    c->send(s.message);
  }
}

void TcpPeer::apply(Output&& out) {
  if (deaf()) return;
  for (PeerId c : out.connects) open_pool(c);
  for (Send& s : out.sends) {
    if (!tamper) {
      send(s);
      continue;
    }
    std::vector<Send> extra;
    tamper(s, extra);
    send(s);
    for (Send& e : extra) send(e);
  }
  for (const Timer& t : out.timers) {
    auto timer = std::make_shared<asio::steady_timer>(io_, clock_.at(t.at_ps));
    timer->async_wait(
        [weak = weak_from_this(), timer, kind = t.kind](const boost::system::error_code&) {
          auto s = weak.lock();
          if (!s || s->deaf()) return;
          s->apply(s->peer_->on_timer(s->clock_.now_ps(), kind));
        });
  }
  for (const Notice& n : out.notices) {
    if (on_notice) on_notice(n);
  }
  for (PeerId d : out.disconnects) {
    if (d != kMaster) continue;
    // A graceful leave: the Leave already queued goes out before the FIN.
    shut_down(false);
    if (on_exit) on_exit("left the group");
    return;
  }
}

}  // namespace spinel::pccl
