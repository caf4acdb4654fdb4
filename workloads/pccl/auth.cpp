#include "workloads/pccl/auth.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace spinel::pccl {

namespace {

using Parts = std::span<const std::span<const std::uint8_t>>;

}  // namespace

// OpenSSL's HMAC-SHA-256, keyed once: each mac() starts afresh under the key
// (no new context and no digest lookup per frame).
class Hmac {
 public:
  explicit Hmac(std::span<const std::uint8_t> key) {
    static EVP_MAC* const algorithm = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    ctx_ = algorithm != nullptr ? EVP_MAC_CTX_new(algorithm) : nullptr;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (ctx_ == nullptr || EVP_MAC_init(ctx_, key.data(), key.size(), params) != 1) {
      EVP_MAC_CTX_free(ctx_);
      throw std::runtime_error("OpenSSL: HMAC-SHA-256 is not available");
    }
  }
  ~Hmac() { EVP_MAC_CTX_free(ctx_); }  // which cleanses the key
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;

  // The parts, in order.
  Tag mac(Parts parts) {
    // A null key restarts under the key already set.
    bool ok = EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1;
    for (const auto& part : parts) ok = ok && EVP_MAC_update(ctx_, part.data(), part.size()) == 1;
    Tag out{};
    std::size_t length = 0;
    ok = ok && EVP_MAC_final(ctx_, out.data(), &length, out.size()) == 1 && length == out.size();
    if (!ok) throw std::runtime_error("OpenSSL: HMAC-SHA-256 failed");
    return out;
  }

 private:
  EVP_MAC_CTX* ctx_ = nullptr;
};

namespace {

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string_view label_of(HandshakeRole role, bool proof) {
  if (proof) {
    return role == HandshakeRole::connector ? "spinel-pccl-v1 connector proof"
                                            : "spinel-pccl-v1 acceptor proof";
  }
  return role == HandshakeRole::connector ? "spinel-pccl-v1 connector-to-acceptor frames"
                                          : "spinel-pccl-v1 acceptor-to-connector frames";
}

}  // namespace

SharedKey::SharedKey(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}

SharedKey::~SharedKey() {
  OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

SharedKey::Loaded SharedKey::from_text(std::string_view text, const std::string& where) {
  const auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  if (text.size() < kMinBytes) {
    return {nullptr, "the key in " + where + " has " + std::to_string(text.size()) +
                         " bytes; it needs at least " + std::to_string(kMinBytes) +
                         " (make one with: head -c 32 /dev/urandom | base64)"};
  }
  const auto bytes = bytes_of(text);
  return {std::make_shared<const SharedKey>(std::vector<std::uint8_t>(bytes.begin(), bytes.end())),
          ""};
}

SharedKey::Loaded SharedKey::from_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {nullptr, "cannot read the key file " + path};
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return {nullptr, "the key file " + path +
                         " is accessible to others than its owner; make it private with "
                         "chmod 600 " +
                         path};
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return {nullptr, "cannot read the key file " + path};
  std::string content = text.str();
  Loaded loaded = from_text(content, "the key file " + path);
  OPENSSL_cleanse(content.data(), content.size());
  return loaded;
}

std::shared_ptr<const SharedKey> SharedKey::random() {
  std::vector<std::uint8_t> bytes(32);
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("OpenSSL: no random bytes for a key");
  }
  return std::make_shared<const SharedKey>(std::move(bytes));
}

Tag SharedKey::mac(std::string_view label,
                   std::initializer_list<std::span<const std::uint8_t>> parts) const {
  // Labels are distinct constants and each part has a fixed length (nonces), so
  // the concatenation is unambiguous.
  std::vector<std::span<const std::uint8_t>> all{bytes_of(label)};
  all.insert(all.end(), parts.begin(), parts.end());
  return Hmac(bytes_).mac(all);
}

Nonce random_nonce() {
  Nonce n{};
  if (RAND_bytes(n.data(), static_cast<int>(n.size())) != 1) {
    throw std::runtime_error("OpenSSL: no random bytes for a nonce");
  }
  return n;
}

Tag handshake_proof(const SharedKey& key, HandshakeRole prover, const Nonce& connector,
                    const Nonce& acceptor) {
  return key.mac(label_of(prover, true), {connector, acceptor});
}

bool same_tag(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

FrameMac::FrameMac(const SharedKey& key, HandshakeRole sender, const Nonce& connector,
                   const Nonce& acceptor) {
  Tag session_key = key.mac(label_of(sender, false), {connector, acceptor});
  session_ = std::make_unique<Hmac>(session_key);
  OPENSSL_cleanse(session_key.data(), session_key.size());
}

FrameMac::~FrameMac() = default;
FrameMac::FrameMac(FrameMac&& other) noexcept = default;
FrameMac& FrameMac::operator=(FrameMac&& other) noexcept = default;

Tag FrameMac::compute(std::span<const std::uint8_t> frame) {
  std::array<std::uint8_t, 8> sequence{};
  for (std::size_t i = 0; i < sequence.size(); ++i) {
    sequence[i] = static_cast<std::uint8_t>(next_ >> (8 * i));
  }
  const std::span<const std::uint8_t> parts[] = {sequence, frame};
  return session_->mac(parts);
}

Tag FrameMac::tag(std::span<const std::uint8_t> frame) {
  const Tag t = compute(frame);
  ++next_;
  return t;
}

bool FrameMac::verify(std::span<const std::uint8_t> frame, std::span<const std::uint8_t> tag) {
  if (!same_tag(compute(frame), tag)) return false;
  ++next_;
  return true;
}

}  // namespace spinel::pccl
