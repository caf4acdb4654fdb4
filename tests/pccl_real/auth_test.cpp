// The shared-key handshake and the frames' tags (auth.hpp), and the decoder
// that checks them, without sockets.
#include "workloads/pccl/auth.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>

#include <fstream>

#include "workloads/pccl/real_wire.hpp"

namespace spinel::pccl {
namespace {

std::vector<std::uint8_t> frame_of(const Message& m) {
  std::vector<std::uint8_t> out;
  encode_into(m, out);
  return out;
}

TEST(Auth, ProofsMatchOnlyUnderTheSameKeyRoleAndNonces) {
  const auto key = SharedKey::random();
  const auto other = SharedKey::random();
  const Nonce c = random_nonce();
  const Nonce a = random_nonce();
  EXPECT_NE(c, a);
  const Tag proof = handshake_proof(*key, HandshakeRole::connector, c, a);
  EXPECT_TRUE(same_tag(proof, handshake_proof(*key, HandshakeRole::connector, c, a)));
  // Another key, the other role (a reflected proof), other nonces (a replay).
  EXPECT_FALSE(same_tag(proof, handshake_proof(*other, HandshakeRole::connector, c, a)));
  EXPECT_FALSE(same_tag(proof, handshake_proof(*key, HandshakeRole::acceptor, c, a)));
  EXPECT_FALSE(same_tag(proof, handshake_proof(*key, HandshakeRole::connector, c, random_nonce())));
}

TEST(Auth, HmacIsOpenSslsHmacSha256) {
  // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
  const std::string jefe = "Jefe";
  const auto key = std::make_shared<SharedKey>(std::vector<std::uint8_t>(jefe.begin(), jefe.end()));
  const Tag t = key->mac("what do ya want for nothing?", {});
  const std::uint8_t expected[] = {0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
                                   0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
                                   0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
  EXPECT_TRUE(same_tag(t, expected));
}

TEST(Auth, FramesCheckOnlyInOrderInTheirDirectionUnaltered) {
  const auto key = SharedKey::random();
  const Nonce c = random_nonce();
  const Nonce a = random_nonce();
  FrameMac send(*key, HandshakeRole::connector, c, a);
  FrameMac receive(*key, HandshakeRole::connector, c, a);
  FrameMac reflected(*key, HandshakeRole::acceptor, c, a);
  FrameMac other_connection(*key, HandshakeRole::connector, c, random_nonce());
  const auto f1 = frame_of(Message(VoteCollective{1}));
  const auto f2 = frame_of(Message(VoteCollective{2}));
  const Tag t1 = send.tag(f1);
  const Tag t2 = send.tag(f2);
  EXPECT_FALSE(reflected.verify(f1, t1));
  EXPECT_FALSE(other_connection.verify(f1, t1));
  EXPECT_FALSE(receive.verify(f2, t2));  // reordered: f2 is not the first frame
  auto altered = f1;
  altered.back() ^= 1;
  EXPECT_FALSE(receive.verify(altered, t1));
  EXPECT_TRUE(receive.verify(f1, t1));
  EXPECT_FALSE(receive.verify(f1, t1));  // replayed
  EXPECT_TRUE(receive.verify(f2, t2));
}

TEST(Auth, TheDecoderChecksEachFramesTagBeforeDecodingIt) {
  const auto key = SharedKey::random();
  const Nonce c = random_nonce();
  const Nonce a = random_nonce();
  FrameMac send(*key, HandshakeRole::acceptor, c, a);
  std::vector<std::uint8_t> stream;
  for (std::uint64_t op : {5, 6}) {
    const auto f = frame_of(Message(VoteCollective{op}));
    const Tag t = send.tag(f);
    stream.insert(stream.end(), f.begin(), f.end());
    stream.insert(stream.end(), t.begin(), t.end());
  }
  {
    ConnectionDecoder d;
    d.require_mac(FrameMac(*key, HandshakeRole::acceptor, c, a));
    for (std::uint8_t b : stream) d.feed(std::span<const std::uint8_t>(&b, 1));
    EXPECT_EQ(std::get<VoteCollective>(std::get<Message>(*d.next())).op, 5U);
    EXPECT_EQ(std::get<VoteCollective>(std::get<Message>(*d.next())).op, 6U);
    EXPECT_FALSE(d.failed());
  }
  // One bit changed in the second frame: the first decodes, the second fails the stream.
  stream[stream.size() / 2 + 12] ^= 0x10;
  ConnectionDecoder d;
  d.require_mac(FrameMac(*key, HandshakeRole::acceptor, c, a));
  d.feed(stream);
  EXPECT_TRUE(d.next().has_value());
  EXPECT_FALSE(d.next().has_value());
  EXPECT_TRUE(d.failed());
  EXPECT_TRUE(d.unauthenticated());
}

TEST(Auth, KeysAreTrimmedAndNeverTooShort) {
  const auto ok = SharedKey::from_text("  0123456789abcdef\n", "a test");
  ASSERT_TRUE(ok.key) << ok.error;
  const auto same = SharedKey::from_text("0123456789abcdef", "a test");
  const Nonce n{};
  EXPECT_TRUE(same_tag(handshake_proof(*ok.key, HandshakeRole::connector, n, n),
                       handshake_proof(*same.key, HandshakeRole::connector, n, n)));
  const auto short_key = SharedKey::from_text("0123456789abcde\n", "a test");
  EXPECT_FALSE(short_key.key);
  EXPECT_NE(short_key.error.find("the key in a test has 15 bytes; it needs at least 16"),
            std::string::npos)
      << short_key.error;
}

TEST(Auth, KeyFilesMustBePrivate) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("spinel_auth_test_" + std::to_string(::getpid()) + ".key");
  std::ofstream(path) << "0123456789abcdef0123456789abcdef\n";
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write |
                                         std::filesystem::perms::group_read);
  EXPECT_FALSE(SharedKey::from_file(path.string()).key);
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto loaded = SharedKey::from_file(path.string());
  EXPECT_TRUE(loaded.key) << loaded.error;
  std::filesystem::remove(path);
  EXPECT_NE(SharedKey::from_file(path.string()).error.find("cannot read the key file"),
            std::string::npos);
}

}  // namespace
}  // namespace spinel::pccl
