#pragma once
// Optional TLS for the real mode's connections (Boost.Asio's SSL support on
// OpenSSL): TLS 1.3 keyed by the group's shared key (an external pre-shared
// key derived from it, with a fresh ephemeral key exchange per connection),
// so there are no certificates to make or distribute. It hides what travels
// (floats, ids, votes) from whoever watches the network; the handshake and
// tags of auth.hpp still run inside it.
// Boost 1.74's asio uses std::exchange without including <utility> (fixed in 1.75).
#include <utility>

#include <boost/asio/ssl.hpp>
#include <memory>

#include "workloads/pccl/auth.hpp"

namespace spinel::pccl {

// One context serves both ends of every connection of a process.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(std::shared_ptr<const SharedKey> key);

}  // namespace spinel::pccl
