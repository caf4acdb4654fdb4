#pragma once
// Authentication of the real mode's connections with a key that the master
// and its peers share. All cryptography is OpenSSL's HMAC-SHA-256; nothing
// here is hand-written beyond which bytes go into it:
//  - every connection opens with a mutual challenge-response: each end
//    sends a fresh random nonce, then proves that it holds the key with
//    proof(role) = HMAC(key, role label | connector nonce | acceptor nonce);
//    the roles have distinct labels, so a proof cannot be reflected back;
//  - from then on every frame is followed by a tag, HMAC(session key of its
//    direction, sequence number | frame), the session keys being
//    HMAC(key, direction label | both nonces). A frame that was altered,
//    dropped, replayed, reordered, reflected or carried over from another
//    connection fails its tag.
// The key never travels; what travels proves possession of it.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace spinel::pccl {

inline constexpr std::size_t kNonceBytes = 32;
inline constexpr std::size_t kTagBytes = 32;
using Nonce = std::array<std::uint8_t, kNonceBytes>;
using Tag = std::array<std::uint8_t, kTagBytes>;

// The environment variable that may hold the key itself (a file is the other way).
inline constexpr const char* kKeyEnvironmentVariable = "SPINEL_PCCL_KEY";

class SharedKey {
 public:
  static constexpr std::size_t kMinBytes = 16;

  // The key's bytes: its text less surrounding whitespace (a key file that
  // ends in a newline is the same key as the variable without one). Errors
  // say where the key came from and what is wrong with it.
  struct Loaded {
    std::shared_ptr<const SharedKey> key;
    std::string error;
  };
  static Loaded from_text(std::string_view text, const std::string& where);
  // Refuses a file that others than its owner may read, as ssh does.
  static Loaded from_file(const std::string& path);
  // 32 random bytes (pccl-local and the tests: one process holds the group).
  static std::shared_ptr<const SharedKey> random();

  explicit SharedKey(std::vector<std::uint8_t> bytes);
  ~SharedKey();
  SharedKey(const SharedKey&) = delete;
  SharedKey& operator=(const SharedKey&) = delete;

  // HMAC-SHA-256 under this key of `label` followed by the parts.
  [[nodiscard]] Tag mac(std::string_view label,
                        std::initializer_list<std::span<const std::uint8_t>> parts) const;

 private:
  std::vector<std::uint8_t> bytes_;
};

enum class HandshakeRole : std::uint8_t { connector, acceptor };

// A fresh nonce from OpenSSL's random generator.
Nonce random_nonce();
// What `prover` sends to show that it holds the key.
Tag handshake_proof(const SharedKey& key, HandshakeRole prover, const Nonce& connector,
                    const Nonce& acceptor);
// Compares in constant time.
bool same_tag(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// HMAC-SHA-256 under one key, keyed once (auth.cpp).
class Hmac;

// One direction of an authenticated connection: tags its frames in order
// (the sender) or checks them in order (the receiver).
class FrameMac {
 public:
  // The session key of the direction from `sender`.
  FrameMac(const SharedKey& key, HandshakeRole sender, const Nonce& connector,
           const Nonce& acceptor);
  ~FrameMac();
  FrameMac(FrameMac&& other) noexcept;
  FrameMac& operator=(FrameMac&& other) noexcept;
  FrameMac(const FrameMac&) = delete;
  FrameMac& operator=(const FrameMac&) = delete;

  // The next frame's tag.
  Tag tag(std::span<const std::uint8_t> frame);
  // Whether `tag` is the next frame's; the sequence advances only if so.
  bool verify(std::span<const std::uint8_t> frame, std::span<const std::uint8_t> tag);

 private:
  [[nodiscard]] Tag compute(std::span<const std::uint8_t> frame);
  std::unique_ptr<Hmac> session_;  // keyed with the direction's session key
  std::uint64_t next_ = 0;
};

}  // namespace spinel::pccl
