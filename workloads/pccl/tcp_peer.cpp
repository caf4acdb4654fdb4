#include "workloads/pccl/tcp_peer.hpp"

namespace spinel::pccl {

namespace {
bool is_malformed(const std::string& why) {
  return why.rfind("malformed", 0) == 0;
}
}  // namespace

TcpPeer::TcpPeer(asio::io_context& io, const TcpPeerOptions& options, TcpClock clock)
    : io_(io), options_(options), clock_(clock), acceptor_(io) {}

void TcpPeer::log(const std::string& text) const {
  if (on_log) on_log(text);
}

std::function<void(Connection&, Frame&&)> TcpPeer::frame_handler() {
  return [weak = weak_from_this()](Connection& c, Frame&& f) {
    if (auto s = weak.lock()) s->on_ring_frame(c, std::move(f));
  };
}

std::function<void(Connection&, const std::string&)> TcpPeer::closed_handler() {
  return [weak = weak_from_this()](Connection& c, const std::string& why) {
    if (auto s = weak.lock()) s->on_ring_closed(c, why);
  };
}

void TcpPeer::start() {
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), options_.listen_port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  listen_port_ = acceptor_.local_endpoint().port();
  accept();
  master_ = Connection::connect(io_, options_.master, options_.max_frame_bytes);
  master_->send(DriverFrame(Hello{HelloRole::control, listen_port_, 0, 0}));
  master_->start({[weak = weak_from_this()](Connection&, Frame&& f) {
                    if (auto s = weak.lock()) s->on_master_frame(std::move(f));
                  },
                  [weak = weak_from_this()](Connection&, const std::string& why) {
                    auto s = weak.lock();
                    if (!s || s->deaf()) return;
                    if (s->peer_) s->peer_->on_disconnect(s->clock_.now_ps(), kMaster);
                    s->shut_down(false);
                    if (s->on_exit) s->on_exit("lost the master: " + why);
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
  boost::system::error_code ec;
  acceptor_.close(ec);
  if (master_) master_->close(abort);
  for (auto& [key, c] : unnamed_) c->close(abort);
  for (auto& [id, link] : links_) {
    for (auto& c : link.out) {
      if (c) c->close(abort);
    }
    for (auto& c : link.in) {
      if (c) c->close(abort);
    }
  }
  unnamed_.clear();
  names_.clear();
  links_.clear();
}

void TcpPeer::accept() {
  acceptor_.async_accept(
      [weak = weak_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
        auto self = weak.lock();
        if (!self || self->deaf()) return;
        if (!ec) {
          auto c = Connection::accepted(std::move(socket), self->options_.max_frame_bytes);
          self->unnamed_[c.get()] = c;
          c->start({self->frame_handler(), self->closed_handler()});
          auto timer = std::make_shared<asio::steady_timer>(self->io_);
          timer->expires_after(std::chrono::nanoseconds(self->options_.hello_timeout_ps / 1000));
          timer->async_wait([weak, timer, key = c.get()](const boost::system::error_code&) {
            auto s = weak.lock();
            if (!s) return;
            auto it = s->unnamed_.find(key);
            if (it == s->unnamed_.end()) return;
            s->log("dropped a ring connection that sent no hello");
            it->second->close(true);
            s->unnamed_.erase(it);
          });
        }
        self->accept();
      });
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
      if (on_welcome) on_welcome(*peer_);
      apply(peer_->start(now));
      return;
    }
    if (auto* dir = std::get_if<Directory>(&d); dir != nullptr && peer_) {
      for (const auto& [id, port] : dir->ports) ports_[id] = port;
      return;
    }
  }
  log("the master sent a frame out of order; leaving");
  shut_down(true);
  if (on_exit) on_exit("the master broke the protocol");
}

void TcpPeer::on_ring_frame(Connection& c, Frame&& frame) {
  if (deaf()) return;
  auto named = names_.find(&c);
  if (named == names_.end()) {
    auto it = unnamed_.find(&c);
    if (it == unnamed_.end()) return;
    std::shared_ptr<Connection> conn = it->second;
    unnamed_.erase(it);
    const auto* d = std::get_if<DriverFrame>(&frame);
    const auto* hello = d != nullptr ? std::get_if<Hello>(d) : nullptr;
    if (hello == nullptr || hello->role != HelloRole::ring || !peer_ ||
        hello->peer == peer_->id() || hello->peer == kMaster || hello->connection >= pool_ ||
        hello->target != peer_->id()) {
      // (A wrong target: the port belonged to a peer that died, and we reused it.)
      ++malformed_drops_;
      log("dropped a ring connection whose first frame is not a valid hello");
      conn->close(true);
      return;
    }
    Link& link = links_[hello->peer];
    link.in.resize(pool_);
    if (auto& old = link.in[hello->connection]; old) {
      names_.erase(old.get());
      old->close(true);
    }
    link.in[hello->connection] = conn;
    names_[&c] = hello->peer;
    return;
  }
  const PeerId from = named->second;
  if (auto* m = std::get_if<Message>(&frame)) {
    apply(peer_->on_message(clock_.now_ps(), from, *m));
    return;
  }
  drop_link(from, "malformed: a driver frame after the hello");
}

void TcpPeer::on_ring_closed(Connection& c, const std::string& why) {
  if (deaf()) return;
  if (unnamed_.erase(&c) != 0) {
    if (is_malformed(why)) {
      ++malformed_drops_;
      log("dropped an unnamed ring connection: " + why);
    }
    return;
  }
  auto named = names_.find(&c);
  if (named == names_.end()) return;
  drop_link(named->second, why);
}

void TcpPeer::drop_link(PeerId other, const std::string& why) {
  auto it = links_.find(other);
  if (it == links_.end()) return;
  for (auto* pool : {&it->second.out, &it->second.in}) {
    for (auto& c : *pool) {
      if (!c) continue;
      names_.erase(c.get());
      c->close(true);
    }
  }
  links_.erase(it);
  if (is_malformed(why)) {
    ++malformed_drops_;
    log("dropped the link to peer " + std::to_string(other) + ": " + why);
  }
  apply(peer_->on_disconnect(clock_.now_ps(), other));
}

void TcpPeer::open_pool(PeerId other) {
  auto port = ports_.find(other);
  if (port == ports_.end()) {
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
    auto c = Connection::connect(io_, endpoint, options_.max_frame_bytes);
    c->send(DriverFrame(Hello{HelloRole::ring, listen_port_, peer_->id(), i, other}));
    c->start({frame_handler(), closed_handler()});
    names_[c.get()] = other;
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

void TcpPeer::apply(Output&& out) {
  if (deaf()) return;
  for (PeerId c : out.connects) open_pool(c);
  for (Send& s : out.sends) {
    if (s.to == kMaster) {
      master_->send(s.message);
    } else if (Connection* c = pick(s.to, s.connection)) {
      c->send(s.message);
    }
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
