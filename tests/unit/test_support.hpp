#pragma once
// What several test files need: reading a whole file, a fresh scratch folder,
// the error a bad input gives, and running a command (the spinel binary) with
// its output captured.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/error.hpp"
#include "tests/unit/test_paths.hpp"

namespace spinel::testing {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The message of the ScenarioError that load(input) throws; a test failure
// (and "") if it loads without one.
template <class Load>
std::string error_of_loading(Load load, const std::string& input) {
  try {
    (void)load(input);
  } catch (const sim::ScenarioError& e) {
    return e.what();
  }
  ADD_FAILURE() << "loaded without error:\n" << input;
  return "";
}

#define EXPECT_STARTS_WITH(text, prefix)                                              \
  do {                                                                                \
    const std::string text_ = (text);                                                 \
    const std::string prefix_ = (prefix);                                             \
    EXPECT_EQ(text_.substr(0, prefix_.size()), prefix_) << "full message: " << text_; \
  } while (0)

// An empty folder under the temp directory, named `prefix + name + ".<pid>"`:
// each test file uses its own prefix, and the process id keeps the tests that
// CTest runs at once (one process each) apart even when two tests of a fixture
// use the same name.
inline std::filesystem::path scratch_folder(const std::string& prefix, const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / (prefix + name + "." + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

struct Result {
  int status;          // exit status, or -1 if the command did not exit normally
  std::string output;  // stdout and stderr together, unless the command redirects
};

// Runs `command` in a shell.
inline Result shell(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  Result r{-1, ""};
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs the spinel binary under test with these arguments.
inline Result spinel(const std::string& args) {
  return shell(std::string(SPINEL_BINARY) + " " + args);
}

}  // namespace spinel::testing
