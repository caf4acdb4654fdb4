#include "workloads/pccl/tcp_master.hpp"

namespace spinel::pccl {

TcpMaster::TcpMaster(asio::io_context& io, const TcpMasterOptions& options, TcpClock clock)
    : io_(io), options_(options), clock_(clock), master_(options.master) {}

void TcpMaster::log(const std::string& text) const {
  if (on_log) on_log(text);
}

void TcpMaster::start() {
  ListenerOptions lo;
  lo.port = options_.port;
  lo.hello_timeout_ps = options_.hello_timeout_ps;
  lo.max_pending = options_.max_pending;
  lo.connection = connection_settings(options_.key, options_.tls, options_.max_buffered_bytes);
  budget_ = lo.connection.budget;
  listener_ = std::make_shared<Listener>(
      io_, lo,
      Connection::Handlers{[weak = weak_from_this()](Connection& conn, Frame&& f) {
                             if (auto s = weak.lock()) s->on_frame(conn, std::move(f));
                           },
                           [weak = weak_from_this()](Connection& conn, const Ending& ending) {
                             if (auto s = weak.lock()) s->on_closed(conn, ending);
                           }});
  listener_->on_log = [weak = weak_from_this()](const std::string& text) {
    if (auto s = weak.lock()) s->log(text);
  };
  listener_->start();
  apply(master_.start(clock_.now_ps()));
}

void TcpMaster::stop() {
  stopped_ = true;
  if (listener_) listener_->stop();
  for (auto& [id, client] : clients_) client.connection->close(false);
  names_.clear();
  clients_.clear();
}

void TcpMaster::on_frame(Connection& c, Frame&& frame) {
  const sim::Time now = clock_.now_ps();
  auto named = names_.find(c.id());
  if (named == names_.end()) {
    std::shared_ptr<Connection> conn = listener_->adopt(c);
    if (!conn) return;
    const auto* d = std::get_if<DriverFrame>(&frame);
    const auto* hello = d != nullptr ? std::get_if<Hello>(d) : nullptr;
    if (hello == nullptr || hello->role != HelloRole::control) {
      ++drops_.malformed;
      const bool keyed = d != nullptr && std::holds_alternative<Challenge>(*d);
      log(keyed ? "dropped a connection that offers a key: this master runs without one"
                : "dropped a connection whose first frame is not a peer's hello");
      conn->close(true);
      return;
    }
    const PeerId id = next_id_++;
    names_[c.id()] = id;
    clients_[id] = {conn, hello->listen_port};
    conn->set_limits(control_limits());
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
  c.close(true);
  on_closed(c, {Ending::Kind::malformed, "a driver frame after its hello"});
}

void TcpMaster::on_closed(Connection& c, const Ending& ending) {
  const bool counted = drops_.count(ending);
  if (listener_->forget(c)) {
    if (counted) log("dropped a connection before its hello: " + ending.why);
    return;
  }
  auto named = names_.find(c.id());
  if (named == names_.end()) return;
  const PeerId id = named->second;
  names_.erase(named);
  clients_.erase(id);
  if (counted) {
    log("peer " + std::to_string(id) + " dropped: " + ending.why);
  } else if (ending.kind != Ending::Kind::closed) {
    log("peer " + std::to_string(id) + " disconnected: " + ending.why);
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
    names_.erase(it->second.connection->id());
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
