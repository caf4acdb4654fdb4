// Forwards TCP connections: listens on an address inside a namespace and, for
// every connection accepted there, opens one from the same namespace to the
// target and copies bytes both ways. The PCCL processes reach each other only
// on 127.0.0.1 (the real mode advertises ports, not addresses), so each site
// runs a forwarder per remote service on its loopback, and one from its WAN
// address to its own service: every pooled connection stays one TCP connection
// across the emulated WAN.
#pragma once

#include <utility>  // before Boost.Asio: its awaitable.hpp uses std::exchange

#include <boost/asio.hpp>
#include <cstdint>

#include "tools/wan_emulator/config.hpp"

namespace spinel::wan {

class Forwarder {
 public:
  // Listens at once; a `congestion_control` other than "" is set on every socket
  // (root may choose one the namespace does not allow), and an unknown one throws.
  Forwarder(boost::asio::io_context& io, const ForwardSpec& spec,
            const std::string& congestion_control);
  void start() { accept(); }

 private:
  void accept();

  boost::asio::io_context& io_;
  ForwardSpec spec_;
  std::string congestion_control_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace spinel::wan
