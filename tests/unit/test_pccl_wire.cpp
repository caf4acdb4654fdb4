// The PCCL wire format: every message survives a round trip, in any split
// of the byte stream; random, truncated and corrupted bytes never crash the
// decoder: it waits for more, or stops with an error.
#include <gtest/gtest.h>

#include <cstring>

#include "sim/rng.hpp"
#include "workloads/pccl/wire.hpp"

namespace spinel::pccl {
namespace {

std::vector<Message> samples() {
  return {Register{},
          VoteTopology{},
          VoteSync{7, {1, 2, 0xffffffffffffffffULL}},
          SyncDone{false},
          VoteCollective{42},
          CollectiveDone{42, 3},
          ReportAbort{42, 1},
          Leave{},
          Keepalive{},
          Topology{3, 99, {0, 5, 9}},
          SyncPlan{8, {11, 12}, {0}, 4},
          StartCollective{5, 2, {1, 2, 3}},
          AbortCollective{5, 2},
          CompleteCollective{5, 3},
          TooFewPeers{6},
          Chunk{5, 2, 3, 1, {1.5F, -0.0F, 3e-38F}},
          StateRequest{{0, 1}},
          StateReply{9, {{0, {1.0F, 2.0F}}, {1, {}}}}};
}

std::vector<std::uint8_t> all_frames() {
  std::vector<std::uint8_t> bytes;
  for (const Message& m : samples()) encode_into(m, bytes);
  return bytes;
}

TEST(PcclWire, EveryMessageRoundTripsInAnySplitOfTheStream) {
  const std::vector<Message> in = samples();
  ASSERT_EQ(in.size(), std::variant_size_v<Message>);  // one of each
  const std::vector<std::uint8_t> bytes = all_frames();
  for (std::size_t step : {1UL, 3UL, 7UL, 64UL, bytes.size()}) {
    StreamDecoder d;
    std::vector<Message> out;
    for (std::size_t at = 0; at < bytes.size(); at += step) {
      d.feed(std::span(bytes).subspan(at, std::min(step, bytes.size() - at)));
      while (auto m = d.next()) out.push_back(std::move(*m));
    }
    ASSERT_FALSE(d.failed()) << d.error();
    ASSERT_EQ(out.size(), in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
      // Byte-equal frames: floats (-0.0 among them) travel as their bits.
      EXPECT_EQ(encode(out[i]), encode(in[i])) << message_name(in[i]);
    }
    EXPECT_EQ(d.buffered(), 0U);
  }
}

TEST(PcclWire, TruncatedFramesWaitAndMalformedOnesStopTheStream) {
  const std::vector<std::uint8_t> frame = encode(StartCollective{5, 2, {1, 2, 3}});
  for (std::size_t n = 0; n < frame.size(); ++n) {
    StreamDecoder d;
    d.feed(std::span(frame).first(n));
    EXPECT_FALSE(d.next().has_value());
    EXPECT_FALSE(d.failed()) << n;
  }
  auto failure = [](std::vector<std::uint8_t> bytes) {
    StreamDecoder d(1024);
    d.feed(bytes);
    EXPECT_FALSE(d.next().has_value());
    EXPECT_TRUE(d.failed());
    EXPECT_FALSE(d.feed(bytes));
    return d.error();
  };
  std::vector<std::uint8_t> bad = frame;
  bad[4] = 200;  // type
  EXPECT_EQ(failure(bad), "unknown message type 200");
  bad = frame;
  bad[0] = static_cast<std::uint8_t>(bad[0] - 1);  // one byte short of its fields
  EXPECT_EQ(failure(bad).substr(0, 27), "malformed frame of type 11 ");
  EXPECT_EQ(failure({0, 0, 0, 0}), "frame length 0 outside 1..1024");
  EXPECT_EQ(failure({0xff, 0xff, 0xff, 0x7f}), "frame length 2147483647 outside 1..1024");
  // A forged count far beyond the frame is refused before anything is allocated.
  // (length 4, type 1, op 8, attempt 4, tag 4, step 4, part 4: the count at byte 29)
  bad = encode(Chunk{1, 0, 0, 0, {1.0F}});
  bad[29] = 0xff;
  bad[30] = 0xff;
  bad[31] = 0xff;
  EXPECT_EQ(failure(bad).substr(0, 26), "malformed frame of type 15");
}

TEST(PcclWire, RandomAndCorruptedBytesNeverCrash) {
  sim::Rng rng(1, "test.wire");
  const std::vector<std::uint8_t> valid = all_frames();
  std::size_t decoded = 0;
  std::size_t failed = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<std::uint8_t> bytes;
    if (round % 2 == 0) {
      bytes.resize(rng.below(200));
      for (auto& b : bytes) b = static_cast<std::uint8_t>(rng.next());
      // Small lengths, so that random frames are often complete.
      if (bytes.size() >= 4) {
        bytes[0] = static_cast<std::uint8_t>(rng.below(64));
        bytes[1] = bytes[2] = bytes[3] = 0;
      }
    } else {
      bytes = valid;
      for (std::uint64_t k = rng.below(4) + 1; k > 0; --k) {
        bytes[rng.below(bytes.size())] ^= static_cast<std::uint8_t>(1U << rng.below(8));
      }
      bytes.resize(rng.below(bytes.size() + 1));
    }
    StreamDecoder d(4096);
    std::size_t at = 0;
    while (at < bytes.size() && !d.failed()) {
      const std::size_t n = std::min<std::size_t>(rng.below(32) + 1, bytes.size() - at);
      d.feed(std::span(bytes).subspan(at, n));
      at += n;
      while (auto m = d.next()) {
        ++decoded;
        // Whatever decodes re-encodes to a frame that decodes the same.
        StreamDecoder again;
        again.feed(encode(*m));
        const auto m2 = again.next();
        ASSERT_TRUE(m2.has_value());
        EXPECT_EQ(encode(*m2), encode(*m));
      }
    }
    failed += d.failed() ? 1 : 0;
  }
  EXPECT_GT(decoded, 10000U);
  EXPECT_GT(failed, 1000U);
}

}  // namespace
}  // namespace spinel::pccl
