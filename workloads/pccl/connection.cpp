#include "workloads/pccl/connection.hpp"

#include <atomic>
#include <stdexcept>

#include "workloads/pccl/tls.hpp"

namespace spinel::pccl {

namespace {

std::uint64_t next_connection_id() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

// What a failure during the handshake most likely means, for the log.
constexpr const char* kKeyHint = " before authenticating (do both ends hold the same key?)";

}  // namespace

bool DropCounts::count(const Ending& ending) {
  switch (ending.kind) {
    case Ending::Kind::malformed:
      ++malformed;
      return true;
    case Ending::Kind::unauthenticated:
      ++unauthenticated;
      return true;
    case Ending::Kind::over_limit:
      ++over_limit;
      return true;
    default:
      return false;
  }
}

DropCounts& DropCounts::operator+=(const DropCounts& other) {
  malformed += other.malformed;
  unauthenticated += other.unauthenticated;
  over_limit += other.over_limit;
  return *this;
}

ConnectionSettings connection_settings(std::shared_ptr<const SharedKey> key, bool tls,
                                       std::size_t budget_bytes) {
  if (tls && !key) throw std::invalid_argument("TLS needs the group's key");
  ConnectionSettings s;
  s.tls = tls ? make_tls_context(key) : nullptr;
  s.key = std::move(key);
  s.budget = std::make_shared<ByteBudget>(budget_bytes);
  return s;
}

ConnectionLimits control_limits() {
  return {64U << 10, 1U << 20};
}

ConnectionLimits ring_limits(const PeerConfig& group) {
  const std::size_t frame = std::size_t{kStateKeys} * group.floats * sizeof(float) + 4096;
  return {frame, 4 * frame};
}

Connection::Connection(tcp::socket socket, const ConnectionSettings& settings, HandshakeRole role)
    : socket_(std::move(socket)),
      tls_context_(settings.tls),
      key_(settings.key),
      budget_(settings.budget),
      role_(role),
      id_(next_connection_id()) {
  if (settings.tls) tls_.emplace(std::move(socket_), *settings.tls);
  if (key_) own_nonce_ = random_nonce();
  decoder_.set_max_frame_bytes(limits_.max_frame_bytes);
  over_budget_ = !charge();
}

Connection::~Connection() {
  if (budget_) budget_->give(held_bytes_);
}

std::shared_ptr<Connection> Connection::accepted(tcp::socket socket,
                                                 const ConnectionSettings& settings) {
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);  // control messages are small and latency-bound
  auto c = std::make_shared<Connection>(std::move(socket), settings, HandshakeRole::acceptor);
  c->connected_ = true;
  return c;
}

std::shared_ptr<Connection> Connection::connect(asio::io_context& io, const tcp::endpoint& endpoint,
                                                const ConnectionSettings& settings) {
  auto c = std::make_shared<Connection>(tcp::socket(io), settings, HandshakeRole::connector);
  c->socket().async_connect(endpoint, [c](const boost::system::error_code& ec) {
    if (c->closed_) return;
    if (ec) {
      c->fail(Ending::Kind::failed, "connect: " + ec.message());
      return;
    }
    boost::system::error_code ignored;
    c->socket().set_option(tcp::no_delay(true), ignored);
    c->connected_ = true;
    if (c->started_) c->begin();
  });
  return c;
}

void Connection::start(Handlers handlers) {
  handlers_ = std::move(handlers);
  started_ = true;
  if (over_budget_) {
    fail_soon(Ending::Kind::over_limit, "over the memory budget: no room for another connection");
    return;
  }
  if (connected_) begin();
}

void Connection::begin() {
  if (!tls_) {
    after_tls();
    return;
  }
  stage_ = Stage::tls;
  const auto side = role_ == HandshakeRole::connector ? asio::ssl::stream_base::client
                                                      : asio::ssl::stream_base::server;
  tls_->async_handshake(side, [self = shared_from_this()](const boost::system::error_code& ec) {
    if (self->closed_) return;
    if (ec) {
      // The other end gone (a killed peer) is no failed authentication.
      const bool gone = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
                        ec == asio::error::connection_reset;
      self->fail(gone ? Ending::Kind::failed : Ending::Kind::unauthenticated,
                 "TLS handshake: " + ec.message());
      return;
    }
    self->after_tls();
  });
}

void Connection::after_tls() {
  if (key_) {
    stage_ = Stage::authenticating;
    encode_into(DriverFrame(Challenge{kHandshakeVersion, own_nonce_}), queued_);
  } else {
    stage_ = Stage::open;
  }
  read();
  flush();
}

const Nonce& Connection::connector_nonce() const {
  return role_ == HandshakeRole::connector ? own_nonce_ : *their_nonce_;
}

const Nonce& Connection::acceptor_nonce() const {
  return role_ == HandshakeRole::acceptor ? own_nonce_ : *their_nonce_;
}

bool Connection::on_handshake_frame(const Frame& frame) {
  const auto* driver = std::get_if<DriverFrame>(&frame);
  if (!their_nonce_) {
    const auto* challenge = driver != nullptr ? std::get_if<Challenge>(driver) : nullptr;
    if (challenge == nullptr) {
      fail(Ending::Kind::unauthenticated,
           "the first frame is not a challenge (is the other end without the key?)");
      return false;
    }
    if (challenge->version != kHandshakeVersion) {
      fail(Ending::Kind::unauthenticated, "handshake version " +
                                              std::to_string(challenge->version) + ", not " +
                                              std::to_string(kHandshakeVersion));
      return false;
    }
    their_nonce_ = challenge->nonce;
    encode_into(
        DriverFrame(Proof{handshake_proof(*key_, role_, connector_nonce(), acceptor_nonce())}),
        queued_);
    flush();
    return true;
  }
  const auto* proof = driver != nullptr ? std::get_if<Proof>(driver) : nullptr;
  const HandshakeRole other =
      role_ == HandshakeRole::connector ? HandshakeRole::acceptor : HandshakeRole::connector;
  if (proof == nullptr ||
      !same_tag(proof->proof, handshake_proof(*key_, other, connector_nonce(), acceptor_nonce()))) {
    fail(Ending::Kind::unauthenticated,
         proof == nullptr ? "the second frame is not a proof"
                          : "the proof does not check: the other end holds another key");
    return false;
  }
  stage_ = Stage::open;
  decoder_.require_mac(FrameMac(*key_, other, connector_nonce(), acceptor_nonce()));
  decoder_.set_max_frame_bytes(limits_.max_frame_bytes);
  sender_.emplace(*key_, role_, connector_nonce(), acceptor_nonce());
  // What the owner sent meanwhile, tagged now that there are session keys.
  std::size_t begin = 0;
  for (const std::size_t end : pending_ends_) {
    const std::size_t start = queued_.size();
    queued_.insert(queued_.end(), pending_.begin() + static_cast<std::ptrdiff_t>(begin),
                   pending_.begin() + static_cast<std::ptrdiff_t>(end));
    seal_from(start);
    begin = end;
  }
  pending_ = {};
  pending_ends_.clear();
  flush();
  return !closed_;
}

void Connection::seal_from(std::size_t start) {
  if (!sender_) return;
  const Tag tag = sender_->tag(std::span<const std::uint8_t>(queued_).subspan(start));
  queued_.insert(queued_.end(), tag.begin(), tag.end());
}

template <typename T>
void Connection::enqueue(const T& frame) {
  if (closed_ || closing_) return;
  if (key_ && stage_ != Stage::open) {
    encode_into(frame, pending_);
    pending_ends_.push_back(pending_.size());
  } else {
    const std::size_t start = queued_.size();
    encode_into(frame, queued_);
    seal_from(start);
  }
  const std::size_t unsent = pending_.size() + queued_.size() + in_flight_.size();
  if (unsent > limits_.max_queued_bytes) {
    fail_soon(Ending::Kind::over_limit,
              std::to_string(unsent) + " bytes waiting to be sent (limit " +
                  std::to_string(limits_.max_queued_bytes) + "): the other end does not read");
    return;
  }
  if (!charge()) {
    fail_soon(Ending::Kind::over_limit, "over the memory budget while sending");
    return;
  }
  flush();
}

void Connection::send(const Message& message) {
  enqueue(message);
}

void Connection::send(const DriverFrame& frame) {
  enqueue(frame);
}

void Connection::set_limits(const ConnectionLimits& limits) {
  limits_ = limits;
  if (!key_ || stage_ == Stage::open) decoder_.set_max_frame_bytes(limits_.max_frame_bytes);
}

bool Connection::charge() {
  if (!budget_) return true;
  const std::size_t need = kReadBufferBytes + decoder_.held_bytes() + pending_.capacity() +
                           queued_.capacity() + in_flight_.capacity();
  if (need > held_bytes_ && !budget_->take(need - held_bytes_)) return false;
  if (need < held_bytes_) budget_->give(held_bytes_ - need);
  held_bytes_ = need;
  return true;
}

void Connection::close(bool abort) {
  if (closed_) return;
  handlers_ = {};
  if (abort) {
    boost::system::error_code ec;
    socket().set_option(tcp::socket::linger(true, 0), ec);
    shut();
    return;
  }
  closing_ = true;
  if (!writing_ && stage_ != Stage::connecting && stage_ != Stage::tls) shut();
}

void Connection::shut() {
  closed_ = true;
  queued_ = {};
  pending_ = {};
  boost::system::error_code ec;
  socket().close(ec);
  if (budget_) {
    // What stays allocated until the last handler lets go is small; count it
    // free now, so that closed connections never hold the budget.
    budget_->give(held_bytes_);
    held_bytes_ = 0;
  }
}

void Connection::fail(Ending::Kind kind, const std::string& why) {
  if (closed_) return;
  Handlers h = std::move(handlers_);
  handlers_ = {};
  const bool handshaking = key_ && stage_ != Stage::open;
  shut();
  if (h.closed)
    h.closed(*this,
             {kind, handshaking && kind != Ending::Kind::unauthenticated ? why + kKeyHint : why});
}

// From inside send(): the owner may be in the middle of a loop over its
// connections, so it hears of the end from the io_context, not reentrantly.
void Connection::fail_soon(Ending::Kind kind, const std::string& why) {
  if (closed_) return;
  Handlers h = std::move(handlers_);
  handlers_ = {};
  shut();
  asio::post(socket().get_executor(), [self = shared_from_this(), h = std::move(h), kind, why] {
    if (h.closed) h.closed(*self, {kind, why});
  });
}

void Connection::read() {
  auto handler = [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
    self->on_read(ec, n);
  };
  if (tls_) {
    tls_->async_read_some(asio::buffer(read_buffer_), std::move(handler));
  } else {
    socket_.async_read_some(asio::buffer(read_buffer_), std::move(handler));
  }
}

void Connection::on_read(const boost::system::error_code& ec, std::size_t n) {
  if (closed_) return;
  if (ec) {
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      if (decoder_.buffered() > 0) {
        fail(Ending::Kind::failed, "closed inside a frame (truncated)");
      } else {
        fail(Ending::Kind::closed, "closed");
      }
    } else {
      fail(Ending::Kind::failed, ec.message());
    }
    return;
  }
  decoder_.feed(std::span<const std::uint8_t>(read_buffer_.data(), n));
  if (!charge()) {
    fail(Ending::Kind::over_limit,
         "over the memory budget (" + std::to_string(budget_->used_bytes()) + " of " +
             std::to_string(budget_->limit_bytes()) + " bytes held by this process's connections)");
    return;
  }
  while (auto frame = decoder_.next()) {
    if (stage_ == Stage::authenticating) {
      if (!on_handshake_frame(*frame)) return;
      continue;
    }
    if (handlers_.frame) handlers_.frame(*this, std::move(*frame));
    if (closed_ || closing_) return;
  }
  if (decoder_.failed()) {
    const bool unauthenticated = decoder_.unauthenticated() || stage_ == Stage::authenticating;
    fail(unauthenticated ? Ending::Kind::unauthenticated : Ending::Kind::malformed,
         decoder_.error());
    return;
  }
  read();
}

void Connection::flush() {
  if (closed_ || writing_ || stage_ == Stage::connecting || stage_ == Stage::tls) return;
  if (queued_.empty()) {
    if (closing_) shut();
    return;
  }
  writing_ = true;
  in_flight_.swap(queued_);
  queued_.clear();
  auto handler = [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
    self->writing_ = false;
    self->in_flight_.clear();
    if (self->in_flight_.capacity() > (64U << 10)) self->in_flight_.shrink_to_fit();
    if (self->closed_) return;
    if (ec) {
      self->fail(Ending::Kind::failed, ec.message());
      return;
    }
    self->charge();  // only gives back
    self->flush();
  };
  if (tls_) {
    asio::async_write(*tls_, asio::buffer(in_flight_), std::move(handler));
  } else {
    asio::async_write(socket_, asio::buffer(in_flight_), std::move(handler));
  }
}

}  // namespace spinel::pccl
