#include "workloads/pccl/connection.hpp"

namespace spinel::pccl {

Connection::Connection(tcp::socket socket, std::size_t max_frame_bytes)
    : socket_(std::move(socket)), decoder_(max_frame_bytes) {}

std::shared_ptr<Connection> Connection::accepted(tcp::socket socket, std::size_t max_frame_bytes) {
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);  // control messages are small and latency-bound
  return std::make_shared<Connection>(std::move(socket), max_frame_bytes);
}

std::shared_ptr<Connection> Connection::connect(asio::io_context& io, const tcp::endpoint& endpoint,
                                                std::size_t max_frame_bytes) {
  auto c = std::make_shared<Connection>(tcp::socket(io), max_frame_bytes);
  c->connecting_ = true;
  c->socket_.async_connect(endpoint, [c](const boost::system::error_code& ec) {
    if (c->closed_) return;
    c->connecting_ = false;
    if (ec) {
      c->fail("connect: " + ec.message());
      return;
    }
    boost::system::error_code ignored;
    c->socket_.set_option(tcp::no_delay(true), ignored);
    c->read();
    c->flush();
  });
  return c;
}

void Connection::start(Handlers handlers) {
  handlers_ = std::move(handlers);
  if (!connecting_) read();
}

void Connection::send(const Message& message) {
  if (closed_ || closing_) return;
  encode_into(message, queued_);
  flush();
}

void Connection::send(const DriverFrame& frame) {
  if (closed_ || closing_) return;
  encode_into(frame, queued_);
  flush();
}

void Connection::close(bool abort) {
  if (closed_) return;
  handlers_ = {};
  if (abort) {
    boost::system::error_code ec;
    socket_.set_option(tcp::socket::linger(true, 0), ec);
    shut();
    return;
  }
  closing_ = true;
  if (!writing_ && !connecting_) shut();
}

void Connection::shut() {
  closed_ = true;
  queued_.clear();
  boost::system::error_code ec;
  socket_.close(ec);
}

void Connection::fail(const std::string& why) {
  if (closed_) return;
  Handlers h = std::move(handlers_);
  handlers_ = {};
  shut();
  if (h.closed) h.closed(*this, why);
}

void Connection::read() {
  socket_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](
                                                          const boost::system::error_code& ec,
                                                          std::size_t n) {
    if (self->closed_) return;
    if (ec) {
      if (ec == asio::error::eof) {
        self->fail(self->decoder_.buffered() > 0 ? "closed inside a frame (truncated)" : "closed");
      } else {
        self->fail(ec.message());
      }
      return;
    }
    self->decoder_.feed(std::span<const std::uint8_t>(self->read_buffer_.data(), n));
    while (auto frame = self->decoder_.next()) {
      if (self->handlers_.frame) self->handlers_.frame(*self, std::move(*frame));
      if (self->closed_ || self->closing_) return;
    }
    if (self->decoder_.failed()) {
      self->fail("malformed: " + self->decoder_.error());
      return;
    }
    self->read();
  });
}

void Connection::flush() {
  if (closed_ || connecting_ || writing_) return;
  if (queued_.empty()) {
    if (closing_) shut();
    return;
  }
  writing_ = true;
  in_flight_.swap(queued_);
  queued_.clear();
  asio::async_write(socket_, asio::buffer(in_flight_),
                    [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                      self->writing_ = false;
                      self->in_flight_.clear();
                      if (self->closed_) return;
                      if (ec) {
                        self->fail(ec.message());
                        return;
                      }
                      self->flush();
                    });
}

}  // namespace spinel::pccl
