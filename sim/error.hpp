#pragma once
// Error types. ScenarioError is for users (bad input: it names file, line,
// column and key path); InternalError is for broken invariants (a bug).
#include <stdexcept>
#include <string>

namespace spinel::sim {

class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace spinel::sim
