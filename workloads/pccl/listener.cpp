#include "workloads/pccl/listener.hpp"

#include <algorithm>

namespace spinel::pccl {

namespace {
constexpr std::chrono::milliseconds kFirstBackoff{10};
constexpr std::chrono::milliseconds kLastBackoff{1000};
}  // namespace

Listener::Listener(asio::io_context& io, const ListenerOptions& options,
                   Connection::Handlers handlers)
    : io_(io), options_(options), handlers_(std::move(handlers)), acceptor_(io), retry_(io) {}

void Listener::log(const std::string& text) const {
  if (on_log) on_log(text);
}

void Listener::start() {
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), options_.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  accept();
}

void Listener::stop() {
  stopped_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  retry_.cancel();
  for (auto& [id, c] : pending_) c->close(true);
  pending_.clear();
}

std::shared_ptr<Connection> Listener::adopt(const Connection& c) {
  auto it = pending_.find(c.id());
  if (it == pending_.end()) return nullptr;
  std::shared_ptr<Connection> conn = std::move(it->second);
  pending_.erase(it);
  return conn;
}

void Listener::accept() {
  acceptor_.async_accept(
      [weak = weak_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
        if (auto self = weak.lock()) self->on_accept(ec, std::move(socket));
      });
}

void Listener::on_accept(const boost::system::error_code& ec, tcp::socket socket) {
  if (stopped_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors or buffers: retrying at once would fail at once.
    ++accept_errors_;
    backoff_ = std::min(kLastBackoff, backoff_.count() == 0 ? kFirstBackoff : backoff_ * 2);
    if (backoff_ == kFirstBackoff) {
      log("accept: " + ec.message() + "; retrying in " + std::to_string(backoff_.count()) +
          " ms, then backing off (admitted connections are still served)");
    }
    retry_.expires_after(backoff_);
    retry_.async_wait([weak = weak_from_this()](const boost::system::error_code& wait) {
      auto self = weak.lock();
      if (!wait && self && !self->stopped_) self->accept();
    });
    return;
  }
  if (backoff_.count() != 0) {
    log("accept works again after " + std::to_string(accept_errors_) + " failures so far");
    backoff_ = std::chrono::milliseconds{0};
  }
  auto c = Connection::accepted(std::move(socket), options_.connection);
  if (pending_.size() >= options_.max_pending) {
    ++refused_;
    log("refused a connection: " + std::to_string(pending_.size()) +
        " are already waiting to introduce themselves");
    c->close(true);
  } else {
    pending_[c->id()] = c;
    c->start(handlers_);
    // A connection that never introduces itself is dropped, not kept forever.
    auto timer = std::make_shared<asio::steady_timer>(io_);
    timer->expires_after(std::chrono::nanoseconds(options_.hello_timeout_ps / 1000));
    timer->async_wait(
        [weak = weak_from_this(), timer, id = c->id()](const boost::system::error_code&) {
          auto self = weak.lock();
          if (!self) return;
          auto it = self->pending_.find(id);
          if (it == self->pending_.end()) return;
          self->log("dropped a connection that did not introduce itself in time");
          it->second->close(true);
          self->pending_.erase(it);
        });
  }
  accept();
}

}  // namespace spinel::pccl
