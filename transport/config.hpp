#pragma once
#include <cstdint>
#include <string_view>

namespace spinel::transport {

enum class Model { flow };

// How a flow's bytes are put on the equal-cost paths between its endpoints.
enum class PathPolicy {
  ecmp,   // a seeded hash of the flow's 5-tuple picks one path for all its bytes
  spray,  // ideal packet spraying: bytes spread evenly over every path, as a fluid
};

struct TransportConfig {
  Model model = Model::flow;
  PathPolicy policy = PathPolicy::ecmp;
};

constexpr std::string_view to_string(Model m) {
  switch (m) {
    case Model::flow:
      return "flow";
  }
  return "?";
}

constexpr std::string_view to_string(PathPolicy p) {
  switch (p) {
    case PathPolicy::ecmp:
      return "ecmp";
    case PathPolicy::spray:
      return "spray";
  }
  return "?";
}

}  // namespace spinel::transport
