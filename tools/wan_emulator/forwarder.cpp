#include "tools/wan_emulator/forwarder.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "tools/wan_emulator/netns.hpp"

namespace spinel::wan {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// One forwarded connection: `near` accepted, `far` opened to the target. A
// direction's end of stream is passed on as a half-close once its bytes are
// written; an error (a reset, as when a killed process's sockets close) closes
// both at once, so the other end sees the connection drop.
class Splice : public std::enable_shared_from_this<Splice> {
 public:
  Splice(tcp::socket near, tcp::socket far) : sockets_{std::move(near), std::move(far)} {}

  void start(const tcp::endpoint& target) {
    auto self = shared_from_this();
    sockets_[1].async_connect(target, [self](const boost::system::error_code& ec) {
      if (ec) return self->close();
      boost::system::error_code ignored;
      for (tcp::socket& s : self->sockets_) s.set_option(tcp::no_delay(true), ignored);
      self->pump(0);
      self->pump(1);
    });
  }

 private:
  void pump(int from) {
    auto self = shared_from_this();
    sockets_[from].async_read_some(
        asio::buffer(buffers_[from]),
        [self, from](const boost::system::error_code& ec, std::size_t n) {
          tcp::socket& to = self->sockets_[1 - from];
          if (ec == asio::error::eof) {
            boost::system::error_code ignored;
            to.shutdown(tcp::socket::shutdown_send, ignored);
            if (++self->ended_ == 2) self->close();
            return;
          }
          if (ec) return self->close();
          asio::async_write(to, asio::buffer(self->buffers_[from].data(), n),
                            [self, from](const boost::system::error_code& wec, std::size_t) {
                              if (wec) return self->close();
                              self->pump(from);
                            });
        });
  }

  void close() {
    boost::system::error_code ignored;
    for (tcp::socket& s : sockets_) {
      // Linger 0: a reset, as the process that went away would have sent.
      s.set_option(asio::socket_base::linger(true, 0), ignored);
      s.close(ignored);
    }
  }

  std::array<tcp::socket, 2> sockets_;
  std::array<std::array<char, 65536>, 2> buffers_{};
  int ended_ = 0;
};

// Accepted sockets inherit the listener's; outgoing ones get it before connecting.
void set_congestion_control(int fd, const std::string& name) {
  if (name.empty()) return;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name.data(),
                   static_cast<socklen_t>(name.size())) != 0) {
    throw std::runtime_error("congestion control " + name + ": " + std::strerror(errno));
  }
}

tcp::endpoint endpoint_of(std::uint32_t ipv4, std::uint16_t port) {
  return {asio::ip::address_v4(ipv4), port};
}

}  // namespace

Forwarder::Forwarder(asio::io_context& io, const ForwardSpec& spec,
                     const std::string& congestion_control)
    : io_(io), spec_(spec), congestion_control_(congestion_control), acceptor_(io) {
  const NetnsScope inside(spec.netns);
  const tcp::endpoint at = endpoint_of(spec.listen_ipv4, spec.listen_port);
  acceptor_.open(at.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  set_congestion_control(acceptor_.native_handle(), congestion_control_);
  acceptor_.bind(at);
  acceptor_.listen();
}

void Forwarder::accept() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket near) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      tcp::socket far(io_);
      {
        const NetnsScope inside(spec_.netns);  // the outgoing socket leaves from here too
        far.open(tcp::v4());
      }
      set_congestion_control(far.native_handle(), congestion_control_);  // checked at start
      std::make_shared<Splice>(std::move(near), std::move(far))
          ->start(endpoint_of(spec_.to_ipv4, spec_.to_port));
    }
    accept();
  });
}

}  // namespace spinel::wan
