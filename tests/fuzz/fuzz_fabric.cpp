// Fuzz target: fabric files (topology/fabric_file.hpp), GraphML or, with
// SPINEL_FUZZ_DOT, Graphviz DOT. Any bytes either give a fabric that
// builds, or fail with a FabricFileError that starts with the file's path;
// anything else is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "topology/fabric_file.hpp"

namespace topology = spinel::topology;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
#ifdef SPINEL_FUZZ_DOT
  static const std::string path = "fuzz.dot";
  constexpr topology::GraphFormat format = topology::GraphFormat::dot;
#else
  static const std::string path = "fuzz.graphml";
  constexpr topology::GraphFormat format = topology::GraphFormat::graphml;
#endif
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const topology::FabricFile file = topology::parse_fabric(text, format, path);
    (void)topology::build_file_fabric(file);
  } catch (const topology::FabricFileError& e) {
    if (!std::string(e.what()).starts_with(path)) {
      std::fprintf(stderr, "fuzz_fabric: an error without the path: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}
