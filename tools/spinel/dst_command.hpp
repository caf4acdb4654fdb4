#pragma once
// `spinel dst`: many seeds of a pccl scenario against the invariants.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spinel::tools {

// `spinel dst FILE --seeds N ...`; returns the exit status.
int cmd_dst(const std::vector<std::string>& args);
std::string_view dst_help();

// The scenario file's text with its seed set to `seed` (comments dropped):
// the reproducer `spinel dst` writes for a failing seed.
std::string with_seed(const std::string& yaml_text, std::uint64_t seed);

}  // namespace spinel::tools
