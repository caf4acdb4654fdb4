// Fuzz target: Chakra traces (workloads/chakra/). The input is a trace's
// rank files one after the other, split at kRankSeparator (up to 16 ranks),
// written as PREFIX.<rank>.et into a scratch folder of this process. Any
// bytes either read into a program (summarised and its critical path
// computed), or fail with a ChakraError naming the trace's files; anything
// else is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "workloads/chakra/chakra.hpp"

namespace chakra = spinel::workloads::chakra;
namespace fs = std::filesystem;

namespace {

// Also in tests/fuzz/dict/chakra.dict and the seed generator.
constexpr std::string_view kRankSeparator = "@@rank@@";
constexpr std::size_t kMaxRanks = 16;

// Made at the first input, removed at exit.
struct Scratch {
  fs::path dir;
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "spinel-fuzz-chakra-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    dir = tmpl;
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

const fs::path& scratch() {
  static const Scratch s;
  return s.dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static std::size_t written = 0;  // rank files the last input left
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string prefix = (scratch() / "t").string();
  std::size_t ranks = 0;
  for (std::size_t at = 0; ranks < kMaxRanks; ++ranks) {
    const std::size_t end = std::min(input.find(kRankSeparator, at), input.size());
    std::ofstream(prefix + "." + std::to_string(ranks) + ".et", std::ios::binary)
        .write(input.data() + at, static_cast<std::streamsize>(end - at));
    if (end == input.size()) {
      ++ranks;
      break;
    }
    at = end + kRankSeparator.size();
  }
  for (std::size_t r = ranks; r < written; ++r)
    fs::remove(prefix + "." + std::to_string(r) + ".et");
  written = ranks;
  try {
    const chakra::Trace trace = chakra::read_trace(prefix);
    (void)chakra::critical_path_compute(trace.program);
    std::ostringstream summary;
    chakra::write_summary(summary, prefix, trace);
  } catch (const chakra::ChakraError& e) {
    if (!std::string(e.what()).starts_with(prefix)) {
      std::fprintf(stderr, "fuzz_chakra: an error without the trace's path: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}
