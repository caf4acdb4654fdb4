// Fuzz target: PCCL's wire decoders (workloads/pccl/wire.hpp's StreamDecoder
// and real_wire.hpp's ConnectionDecoder, which also reads the real mode's
// own frames). The first byte picks how the rest is split into feeds (1 to
// 256 bytes each), as TCP may split it. Any bytes give whole frames, then
// either a failed stream or an unfinished frame waiting for more; a
// frame decoded encodes back to exactly its bytes. Anything else is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "workloads/pccl/real_wire.hpp"
#include "workloads/pccl/wire.hpp"

namespace pccl = spinel::pccl;

namespace {

// Small enough that frames near the limit are found; real mode's is larger.
constexpr std::size_t kMaxFrameBytes = 1 << 16;

void expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_pccl_wire: %s\n", what);
    std::abort();
  }
}

// Feeds `bytes` in steps to `decoder`, encoding every frame it gives into
// `out`; returns whether the stream failed.
template <typename Decoder>
bool decode_all(Decoder& decoder, std::span<const std::uint8_t> bytes, std::size_t step,
                std::vector<std::uint8_t>& out) {
  for (std::size_t at = 0; at < bytes.size(); at += step) {
    decoder.feed(bytes.subspan(at, std::min(step, bytes.size() - at)));
    while (auto frame = decoder.next()) {
      std::visit([&](const auto& f) { pccl::encode_into(f, out); }, *frame);
    }
    if (decoder.failed()) return true;
  }
  return false;
}

// What was decoded is the input's beginning, byte for byte; a stream that
// did not fail holds the rest, unfinished.
template <typename Decoder>
void check(const Decoder& decoder, bool failed, std::span<const std::uint8_t> bytes,
           const std::vector<std::uint8_t>& encoded) {
  expect(encoded.size() <= bytes.size(), "decoded more frames than bytes");
  expect(std::equal(encoded.begin(), encoded.end(), bytes.begin()),
         "a decoded frame does not encode back to its bytes");
  if (failed) {
    expect(!decoder.error().empty(), "a failed stream without an error");
  } else {
    expect(encoded.size() + decoder.buffered() == bytes.size(),
           "bytes neither decoded nor waiting");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = std::size_t{data[0]} + 1;
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);

  pccl::StreamDecoder protocol(kMaxFrameBytes);
  std::vector<std::uint8_t> encoded;
  // A StreamDecoder's next() gives a Message; wrap it for decode_all's visit.
  struct Wrapped {
    pccl::StreamDecoder& d;
    void feed(std::span<const std::uint8_t> b) { d.feed(b); }
    std::optional<std::variant<pccl::Message>> next() {
      if (auto m = d.next()) return std::variant<pccl::Message>(std::move(*m));
      return std::nullopt;
    }
    [[nodiscard]] bool failed() const { return d.failed(); }
    [[nodiscard]] const std::string& error() const { return d.error(); }
    [[nodiscard]] std::size_t buffered() const { return d.buffered(); }
  } wrapped{protocol};
  check(wrapped, decode_all(wrapped, bytes, step, encoded), bytes, encoded);

  pccl::ConnectionDecoder connection(kMaxFrameBytes);
  encoded.clear();
  check(connection, decode_all(connection, bytes, step, encoded), bytes, encoded);
  return 0;
}
