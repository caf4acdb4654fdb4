// Fuzz target: flow list files (workloads/flows/): a CSV flow list, or with
// SPINEL_FUZZ_CONNECTION_MATRIX an htsim connection matrix. Any bytes
// either give a list that checks and becomes a program, or fail with a
// FlowFileError located at FILE:LINE; anything else is a finding.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "workloads/flows/flow_files.hpp"
#include "workloads/flows/flow_list.hpp"

namespace flows = spinel::workloads::flows;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
#ifdef SPINEL_FUZZ_CONNECTION_MATRIX
  static const std::string source = "fuzz.cm";
#else
  static const std::string source = "fuzz.csv";
#endif
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
#ifdef SPINEL_FUZZ_CONNECTION_MATRIX
    flows::MatrixOptions options;
    options.default_size_bytes = 1 << 20;
    const flows::FlowList list = flows::parse_connection_matrix(text, source, options);
#else
    const flows::FlowList list = flows::parse_csv(text, source);
#endif
    // A job as large as the file asks (htsim's Nodes), else 64 ranks.
    const std::uint32_t ranks = std::clamp<std::uint32_t>(list.nodes, 64, 4096);
    flows::check(list, ranks);
    (void)flows::make_program(list, ranks);
  } catch (const flows::FlowFileError& e) {
    if (!std::string(e.what()).starts_with(source + ":")) {
      std::fprintf(stderr, "fuzz_flows: an error without FILE: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}
