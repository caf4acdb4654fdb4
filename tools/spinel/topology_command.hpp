#pragma once
// `spinel topology FILE --export graphml|dot [--out PATH]`: the scenario's
// fabric, built, written as a graph file that `topology: {kind: file}` reads.
#include <string>
#include <string_view>
#include <vector>

namespace spinel::tools {

// Returns the exit status.
int cmd_topology(const std::vector<std::string>& args);
std::string_view topology_help();

}  // namespace spinel::tools
