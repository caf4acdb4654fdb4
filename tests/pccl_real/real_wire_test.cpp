// The real mode's driver frames and the decoder that splits a connection's
// bytes into them and protocol messages.
#include "workloads/pccl/real_wire.hpp"

#include <gtest/gtest.h>

namespace spinel::pccl {
namespace {

std::vector<std::uint8_t> bytes_of(const DriverFrame& f) {
  std::vector<std::uint8_t> out;
  encode_into(f, out);
  return out;
}

TEST(RealWire, DriverFramesAndMessagesShareOneStream) {
  Welcome w;
  w.id = 7;
  w.config.seed = 42;
  w.config.floats = 99;
  w.config.connections_per_neighbour = 3;
  w.config.loop = {50, true, Quantisation::int8, 10};
  std::vector<std::uint8_t> stream = bytes_of(Hello{HelloRole::ring, 4242, 5, 2, 9});
  encode_into(Message(VoteCollective{17}), stream);
  const auto welcome = bytes_of(w);
  stream.insert(stream.end(), welcome.begin(), welcome.end());
  const auto dir = bytes_of(Directory{{{1, 1000}, {2, 2000}}});
  stream.insert(stream.end(), dir.begin(), dir.end());

  ConnectionDecoder d;
  // Byte by byte: every frame waits for its last byte.
  std::vector<Frame> frames;
  for (std::uint8_t b : stream) {
    d.feed(std::span<const std::uint8_t>(&b, 1));
    while (auto f = d.next()) frames.push_back(std::move(*f));
  }
  ASSERT_FALSE(d.failed()) << d.error();
  ASSERT_EQ(frames.size(), 4U);
  const auto& hello = std::get<Hello>(std::get<DriverFrame>(frames[0]));
  EXPECT_EQ(hello.role, HelloRole::ring);
  EXPECT_EQ(hello.listen_port, 4242);
  EXPECT_EQ(hello.peer, 5U);
  EXPECT_EQ(hello.connection, 2U);
  EXPECT_EQ(hello.target, 9U);
  EXPECT_EQ(std::get<VoteCollective>(std::get<Message>(frames[1])).op, 17U);
  const auto& got = std::get<Welcome>(std::get<DriverFrame>(frames[2]));
  EXPECT_EQ(got.id, 7U);
  EXPECT_EQ(got.config.seed, 42U);
  EXPECT_EQ(got.config.floats, 99U);
  EXPECT_EQ(got.config.connections_per_neighbour, 3U);
  EXPECT_EQ(got.config.keepalive_interval_ps, w.config.keepalive_interval_ps);
  EXPECT_EQ(got.config.loop.inner_steps, 50U);
  EXPECT_TRUE(got.config.loop.async);
  EXPECT_EQ(got.config.loop.quantisation, Quantisation::int8);
  EXPECT_EQ(got.config.loop.concurrent_collectives, 10U);
  const auto& ports = std::get<Directory>(std::get<DriverFrame>(frames[3])).ports;
  ASSERT_EQ(ports.size(), 2U);
  EXPECT_EQ(ports[1].first, 2U);
  EXPECT_EQ(ports[1].second, 2000);
  EXPECT_EQ(d.buffered(), 0U);
}

TEST(RealWire, MalformedDriverFramesFailTheStream) {
  // A directory whose count claims more entries than the frame holds.
  auto forged = bytes_of(Directory{{{1, 1000}}});
  forged[5] = 0xff;
  forged[6] = 0xff;
  // A welcome with a pool of zero connections.
  Welcome w;
  w.config.connections_per_neighbour = 0;
  // Welcomes with no inner steps, no collectives or an unknown quantisation.
  Welcome no_inner;
  no_inner.config.loop.inner_steps = 0;
  Welcome no_collectives;
  no_collectives.config.loop.concurrent_collectives = 0;
  auto quantisation = bytes_of(Welcome{});
  quantisation[quantisation.size() - 5] = 3;
  // A hello with an unknown role, a frame one byte short of its fields.
  auto role = bytes_of(Hello{});
  role[5] = 9;
  auto shorter = bytes_of(Hello{});
  shorter.pop_back();
  shorter[0] = static_cast<std::uint8_t>(shorter[0] - 1);
  for (const auto& bad : {forged, bytes_of(w), bytes_of(no_inner), bytes_of(no_collectives),
                          quantisation, role, shorter}) {
    ConnectionDecoder d;
    d.feed(bad);
    EXPECT_FALSE(d.next().has_value());
    EXPECT_TRUE(d.failed());
  }
}

TEST(RealWire, ProtocolFramesAreCheckedByTheProtocolDecoder) {
  auto chunk = encode(Message(Chunk{1, 0, 0, 0, {1.0F, 2.0F}}));
  chunk[29] = 0x7f;  // the float count (after op, attempt, tag, step, part): far beyond the frame
  ConnectionDecoder d;
  d.feed(chunk);
  EXPECT_FALSE(d.next().has_value());
  EXPECT_TRUE(d.failed());
  ConnectionDecoder big(1024);
  const std::uint8_t oversize[] = {0x00, 0x00, 0x10, 0x00, 0x01};
  big.feed(oversize);
  EXPECT_FALSE(big.next().has_value());
  EXPECT_TRUE(big.failed());
  EXPECT_NE(big.error().find("frame length"), std::string::npos);
}

}  // namespace
}  // namespace spinel::pccl
