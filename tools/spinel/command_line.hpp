#pragma once
// How a command was called, as one line a shell would run again (run.json
// records it): words with spaces or quotes go in single quotes.
#include <string>
#include <string_view>
#include <vector>

namespace spinel::tools {

inline std::string command_line(std::string_view command, const std::vector<std::string>& args) {
  std::string line = "spinel ";
  line += command;
  for (const std::string& a : args) {
    line += ' ';
    const bool plain = !a.empty() && a.find_first_not_of(
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789-_./:=,+@%") == std::string::npos;
    if (plain) {
      line += a;
      continue;
    }
    line += '\'';
    for (const char c : a) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

}  // namespace spinel::tools
