#include "workloads/pccl/tls.hpp"

#include <openssl/ssl.h>

#include <cstring>
#include <stdexcept>

namespace spinel::pccl {

namespace {

namespace ssl = boost::asio::ssl;

constexpr char kIdentity[] = "spinel-pccl-v1";

// The context and the pre-shared key its callbacks hand to OpenSSL, alive together.
struct TlsHolder {
  ssl::context context{ssl::context::tls};
  Tag psk{};
};

// Where the context keeps its holder (not app data: asio keeps its verify callback there).
int holder_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

const Tag& psk_of(SSL* connection) {
  return static_cast<const TlsHolder*>(
             SSL_CTX_get_ex_data(SSL_get_SSL_CTX(connection), holder_index()))
      ->psk;
}

unsigned int client_psk(SSL* connection, const char* /*hint*/, char* identity,
                        unsigned int max_identity_len, unsigned char* psk,
                        unsigned int max_psk_len) {
  if (max_identity_len < sizeof kIdentity || max_psk_len < kTagBytes) return 0;
  std::memcpy(identity, kIdentity, sizeof kIdentity);
  std::memcpy(psk, psk_of(connection).data(), kTagBytes);
  return kTagBytes;
}

unsigned int server_psk(SSL* connection, const char* identity, unsigned char* psk,
                        unsigned int max_psk_len) {
  if (identity == nullptr || std::strcmp(identity, kIdentity) != 0 || max_psk_len < kTagBytes) {
    return 0;
  }
  std::memcpy(psk, psk_of(connection).data(), kTagBytes);
  return kTagBytes;
}

}  // namespace

std::shared_ptr<ssl::context> make_tls_context(std::shared_ptr<const SharedKey> key) {
  auto holder = std::make_shared<TlsHolder>();
  // Its own label: the TLS key is not the key of the handshake or of the tags.
  holder->psk = key->mac("spinel-pccl-v1 tls psk", {});
  SSL_CTX* ctx = holder->context.native_handle();
  // TLS 1.3 only; OpenSSL hands these callbacks' keys to TLS 1.3 as external
  // pre-shared keys for SHA-256 cipher suites, with an (EC)DHE exchange.
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256") != 1) {
    throw std::runtime_error("OpenSSL: cannot configure TLS 1.3");
  }
  if (holder_index() < 0 || SSL_CTX_set_ex_data(ctx, holder_index(), holder.get()) != 1) {
    throw std::runtime_error("OpenSSL: cannot attach the key to the TLS context");
  }
  SSL_CTX_set_psk_client_callback(ctx, client_psk);
  SSL_CTX_set_psk_server_callback(ctx, server_psk);
  return {holder, &holder->context};
}

}  // namespace spinel::pccl
