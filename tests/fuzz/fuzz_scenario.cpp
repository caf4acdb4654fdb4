// Fuzz target: scenario text (api/scenario/). Any bytes either load, or
// fail with a ScenarioError located at SOURCE:LINE; anything else (a crash,
// a sanitizer report, another exception) is a finding. The source names a
// file in scenarios/, so that the flows, Chakra and fabric files the
// shipped scenarios name resolve as they do for those scenarios.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/scenario/scenario.hpp"
#include "sim/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string source = std::string(SPINEL_SOURCE_DIR) + "/scenarios/fuzz.yaml";
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const spinel::scenario::Scenario s = spinel::scenario::load_string(text, source);
    (void)spinel::scenario::host_count(s);
    (void)spinel::scenario::to_json(s);
    (void)spinel::scenario::output_dir(s);
  } catch (const spinel::sim::ScenarioError& e) {
    const std::string_view what = e.what();
    const bool located = what.starts_with(source + ":") && what.size() > source.size() + 1 &&
                         std::isdigit(static_cast<unsigned char>(what[source.size() + 1])) != 0;
    if (!located) {
      std::fprintf(stderr, "fuzz_scenario: an error without SOURCE:LINE: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}
