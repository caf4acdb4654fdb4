#pragma once
// `spinel sweep` and `spinel merge`: argument parsing, progress on stderr,
// the summary line; the work is in tools/sweep.
#include <string>
#include <string_view>
#include <vector>

namespace spinel::tools {

// The text of `spinel sweep --help` (also `spinel help sweep`, `spinel merge --help`).
std::string sweep_help();

int cmd_sweep(const std::vector<std::string>& args);
int cmd_merge(const std::vector<std::string>& args);

}  // namespace spinel::tools
