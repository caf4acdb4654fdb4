// spinel-docgen: the generated sections of docs/ (scenario keys, sweepable
// keys, output columns), from the tables the loader and the writers use.
//   spinel-docgen --write DOCS     rewrite every generated block under DOCS
//   spinel-docgen --list           the names of the blocks
//   spinel-docgen NAME...          print blocks (e.g. "columns flows")
// A separate program, not a spinel subcommand: it is a build tool.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tools/docgen/render.hpp"

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kUsage =
    "usage: spinel-docgen --write DOCS_DIR | --list | NAME...\n"
    "  --write DOCS_DIR  rewrite every <!-- generated: NAME --> block of the .md files under it\n"
    "  --list            the block names\n"
    "  NAME...           print those blocks (quote names with spaces: 'columns flows')\n";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Rewrites the markdown files under `dir` whose blocks changed; prints them.
int write_all(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw std::runtime_error(dir.string() + " is not a folder");
  std::vector<fs::path> pages;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".md") pages.push_back(entry.path());
  }
  std::sort(pages.begin(), pages.end());
  for (const fs::path& page : pages) {
    const std::string old_text = read(page);
    const std::string new_text = spinel::docgen::regenerate(old_text, page.string());
    if (new_text == old_text) continue;
    std::ofstream out(page, std::ios::binary | std::ios::trunc);
    out << new_text;
    if (!out) throw std::runtime_error("cannot write " + page.string());
    std::cout << "regenerated " << page.string() << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "-h" || args[0] == "--help") {
      std::cout << kUsage;
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "--write") {
      if (args.size() != 2) {
        std::cerr << kUsage;
        return 2;
      }
      return write_all(args[1]);
    }
    if (args[0] == "--list") {
      for (const std::string& name : spinel::docgen::block_names()) std::cout << name << "\n";
      return 0;
    }
    for (const std::string& name : args) {
      const auto block = spinel::docgen::render_block(name);
      if (!block) {
        std::cerr << "spinel-docgen: unknown block \"" << name << "\" (--list names them)\n";
        return 2;
      }
      std::cout << *block;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "spinel-docgen: " << e.what() << "\n";
    return 1;
  }
}
