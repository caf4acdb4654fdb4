#include "workloads/pccl/tcp_master.hpp"

namespace spinel::pccl {

TcpMaster::TcpMaster(asio::io_context& io, const TcpMasterOptions& options, TcpClock clock)
    : io_(io), options_(options), clock_(clock), acceptor_(io), master_(options.master) {}

void TcpMaster::log(const std::string& text) const {
  if (on_log) on_log(text);
}

void TcpMaster::start() {
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), options_.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  accept();
  apply(master_.start(clock_.now_ps()));
}

void TcpMaster::stop() {
  stopped_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (auto& [c, conn] : unnamed_) conn->close(true);
  for (auto& [id, client] : clients_) client.connection->close(false);
  unnamed_.clear();
  names_.clear();
  clients_.clear();
}

void TcpMaster::accept() {
  acceptor_.async_accept(
      [weak = weak_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
        auto self = weak.lock();
        if (!self || self->stopped_) return;
        if (!ec) {
          auto c = Connection::accepted(std::move(socket), self->options_.max_frame_bytes);
          self->unnamed_[c.get()] = c;
          c->start({[weak](Connection& conn, Frame&& f) {
                      if (auto s = weak.lock()) s->on_frame(conn, std::move(f));
                    },
                    [weak](Connection& conn, const std::string& why) {
                      if (auto s = weak.lock()) s->on_closed(conn, why);
                    }});
          // A connection that never says Hello is dropped, not kept forever.
          auto timer = std::make_shared<asio::steady_timer>(self->io_);
          timer->expires_after(std::chrono::nanoseconds(self->options_.hello_timeout_ps / 1000));
          timer->async_wait([weak, timer, key = c.get()](const boost::system::error_code&) {
            auto s = weak.lock();
            if (!s) return;
            auto it = s->unnamed_.find(key);
            if (it == s->unnamed_.end()) return;
            s->log("dropped a connection that sent no hello");
            it->second->close(true);
            s->unnamed_.erase(it);
          });
        }
        self->accept();
      });
}

void TcpMaster::on_frame(Connection& c, Frame&& frame) {
  const sim::Time now = clock_.now_ps();
  auto named = names_.find(&c);
  if (named == names_.end()) {
    auto it = unnamed_.find(&c);
    if (it == unnamed_.end()) return;
    std::shared_ptr<Connection> conn = it->second;
    unnamed_.erase(it);
    const auto* d = std::get_if<DriverFrame>(&frame);
    const auto* hello = d != nullptr ? std::get_if<Hello>(d) : nullptr;
    if (hello == nullptr || hello->role != HelloRole::control) {
      ++malformed_drops_;
      log("dropped a connection whose first frame is not a peer's hello");
      conn->close(true);
      return;
    }
    const PeerId id = next_id_++;
    names_[&c] = id;
    clients_[id] = {conn, hello->listen_port};
    log("peer " + std::to_string(id) + " connected (ring port " +
        std::to_string(hello->listen_port) + ")");
    conn->send(DriverFrame(Welcome{id, options_.group}));
    return;
  }
  const PeerId id = named->second;
  if (auto* m = std::get_if<Message>(&frame)) {
    apply(master_.on_message(now, id, *m));
    return;
  }
  // A named peer sends only protocol messages.
  ++malformed_drops_;
  log("peer " + std::to_string(id) + " dropped: a driver frame after its hello");
  c.close(true);
  on_closed(c, "");
}

void TcpMaster::on_closed(Connection& c, const std::string& why) {
  if (unnamed_.erase(&c) != 0) {
    if (why.rfind("malformed", 0) == 0) {
      ++malformed_drops_;
      log("dropped an unnamed connection: " + why);
    }
    return;
  }
  auto named = names_.find(&c);
  if (named == names_.end()) return;
  const PeerId id = named->second;
  names_.erase(named);
  clients_.erase(id);
  if (why.rfind("malformed", 0) == 0) {
    ++malformed_drops_;
    log("peer " + std::to_string(id) + " dropped: " + why);
  } else if (!why.empty() && why != "closed") {
    log("peer " + std::to_string(id) + " disconnected: " + why);
  }
  apply(master_.on_disconnect(clock_.now_ps(), id));
}

void TcpMaster::apply(Output&& out) {
  if (stopped_) return;
  for (Send& s : out.sends) {
    auto it = clients_.find(s.to);
    if (it == clients_.end()) continue;  // gone; its departure is on its way to the Master
    if (const auto* topo = std::get_if<Topology>(&s.message)) {
      Directory directory;
      for (PeerId p : topo->ring) {
        auto c = clients_.find(p);
        if (c != clients_.end()) directory.ports.emplace_back(p, c->second.listen_port);
      }
      it->second.connection->send(DriverFrame(std::move(directory)));
    }
    it->second.connection->send(s.message);
  }
  for (PeerId d : out.disconnects) {
    auto it = clients_.find(d);
    if (it == clients_.end()) continue;
    log("peer " + std::to_string(d) + " dropped: silent past the keepalive timeout");
    names_.erase(it->second.connection.get());
    it->second.connection->close(true);
    clients_.erase(it);
  }
  for (const Timer& t : out.timers) {
    auto timer = std::make_shared<asio::steady_timer>(io_, clock_.at(t.at_ps));
    timer->async_wait(
        [weak = weak_from_this(), timer, kind = t.kind](const boost::system::error_code&) {
          auto s = weak.lock();
          if (!s || s->stopped_) return;
          s->apply(s->master_.on_timer(s->clock_.now_ps(), kind));
        });
  }
  for (const Notice& n : out.notices) {
    if (on_notice) on_notice(n);
  }
}

}  // namespace spinel::pccl
