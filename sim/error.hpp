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

// A simulated time past the clock's range (Time's 2^63 ps, about 106 days):
// the scenario asks for more than the clock holds. Thrown the moment a time
// would overflow; the API layer adds which scenario keys ask for so long.
class TimeOverflow : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace spinel::sim
