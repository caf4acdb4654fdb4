#pragma once
// The generated sections of docs/: markdown tables made from the tables the
// loader and the writers use (api/scenario/key_table.cpp, tools/sweep/keys.cpp,
// api/output_columns.cpp, transport/output_columns.cpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spinel::docgen {

// Every block name the generator knows, e.g. "scenario-keys transport",
// "sweepable-keys", "columns flows".
std::vector<std::string> block_names();

// The markdown of one block, or nullopt for a name it does not know.
std::optional<std::string> render_block(std::string_view name);

// `text` with the content of every block marked
//   <!-- generated: NAME -->
//   ...
//   <!-- end generated -->
// replaced by render_block(NAME). Throws std::runtime_error naming the line
// of an unknown block or a block without its end.
std::string regenerate(std::string_view text, std::string_view file_name);

}  // namespace spinel::docgen
