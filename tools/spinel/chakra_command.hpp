#pragma once
// `spinel chakra-info PATH_PREFIX [--replicate N] [--dimensions A,B,..]`:
// what a Chakra trace holds, as a scenario's `workload: {chakra: ...}`
// would read it.
#include <string>
#include <string_view>
#include <vector>

namespace spinel::tools {

// Returns the exit status.
int cmd_chakra_info(const std::vector<std::string>& args);
std::string_view chakra_info_help();

}  // namespace spinel::tools
