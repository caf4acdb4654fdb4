#pragma once
// The commands' options, parsed by CLI11 (Debian's libcli11-dev). Each command
// keeps its own --help text, which teaches by example, and its own wording of
// errors; CLI11 matches the names ("--out DIR" and "--out=DIR", "-q"), counts
// the values and hands them to the converters below. A bad command line is
// the command's usage error: one line, exit status 2. Only options.cpp
// includes CLI11: its headers cost about 6 s of compiling per file.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/time.hpp"

namespace CLI {
class App;
}

namespace spinel::tools {

// Exit status of a bad command line, for every command.
inline constexpr int kUsageStatus = 2;

// Prints a usage error (the command's own wording) and returns kUsageStatus.
using UsageError = std::function<int(const std::string& message)>;

// Reads an option's value into its variable; returns what is wrong with the
// value (the whole message, "--shard takes I/N ...") or nullopt.
using Convert = std::function<std::optional<std::string>(const std::string& value)>;

// One command's options. An unknown option is reported before a second file,
// wherever they stand.
class Options {
 public:
  // `unknown_suffix` ends the unknown-option message ("unknown option '-x'
  // for run"; "" for the commands that never named themselves there).
  Options(std::string_view help, UsageError usage, std::string unknown_suffix);
  ~Options();
  Options(const Options&) = delete;
  Options& operator=(const Options&) = delete;

  // The command's one positional word; a second is a usage error: `two` +
  // " 'a' and 'b'" (`two`: "run takes one scenario file; got").
  void one_word(std::optional<std::string>& out, std::string two);
  // Every positional word (merge's folders).
  void words(std::vector<std::filesystem::path>& out);

  // "-q,--quiet": true when given.
  void flag(const std::string& names, bool& out);
  // "--out DIR": the value as it is, into a string, a path or an optional of them.
  template <typename T>
  void text(const std::string& names, T& out);
  // "--jobs N" with N in [min, max]; a bad value reads "--jobs takes `what`,
  // got 'x'" (`what` empty: integer_range(min, max)).
  void integer(const std::string& names, std::uint64_t& out, std::uint64_t min, std::uint64_t max,
               const std::string& what = "");
  void integer(const std::string& names, std::uint32_t& out, std::uint32_t min, std::uint32_t max,
               const std::string& what = "");
  void integer(const std::string& names, std::uint16_t& out, std::uint16_t min, std::uint16_t max,
               const std::string& what = "");
  // "--duration 2s": a duration with its unit (sim::parse_duration_ps), above
  // zero unless `allow_zero`.
  void duration(const std::string& names, sim::Time& out, bool allow_zero);
  // "--export graphml": one of `choices`, each with the value it sets.
  template <typename T>
  void choice(const std::string& names, T& out, std::vector<std::pair<std::string, T>> choices);
  // Any other value, read by `convert`.
  void value(const std::string& names, Convert convert);

  // Whether the option was on the command line (after parse).
  bool given(const std::string& name) const;

  // Parses `args` (the words after the command's name). nullopt: the command
  // goes on; otherwise its exit status: 0 after -h/--help printed the help,
  // kUsageStatus after the usage error.
  std::optional<int> parse(const std::vector<std::string>& args);

 private:
  std::unique_ptr<CLI::App> app_;
  std::string help_;
  UsageError usage_;
  std::string unknown_suffix_;
  std::vector<std::string> words_;
  std::optional<std::string>* one_ = nullptr;
  std::vector<std::filesystem::path>* all_ = nullptr;
  std::string two_;
};

// "an integer from 1 to 64": the wording of a range without a better name.
std::string integer_range(std::uint64_t min, std::uint64_t max);

// The name an option's messages use: its long form ("-j,--jobs" -> "--jobs").
std::string option_name(const std::string& names);

// What a choice option accepts: "graphml or dot", "none, fp16 or int8".
std::string one_of(const std::vector<std::string>& choices);

template <typename T>
void Options::text(const std::string& names, T& out) {
  value(names, [&out](const std::string& v) -> std::optional<std::string> {
    out = v;
    return std::nullopt;
  });
}

template <typename T>
void Options::choice(const std::string& names, T& out,
                     std::vector<std::pair<std::string, T>> choices) {
  value(names,
        [&out, choices = std::move(choices),
         name = option_name(names)](const std::string& v) -> std::optional<std::string> {
          std::vector<std::string> accepted;
          for (const auto& [word, choice_value] : choices) {
            if (word == v) {
              out = choice_value;
              return std::nullopt;
            }
            accepted.push_back(word);
          }
          return name + " takes " + one_of(accepted) + ", got '" + v + "'";
        });
}

}  // namespace spinel::tools
