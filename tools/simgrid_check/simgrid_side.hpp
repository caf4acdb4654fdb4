#pragma once
// Replays a collective's Schedule on SimGrid (S4U) over an exported Platform,
// with SimGrid's plain max-min network model. The only file that sees SimGrid.
#include <string>
#include <vector>

#include "tools/simgrid_check/platform.hpp"

namespace spinel::simgrid_check {

// Where the path latency is paid.
enum class LatencyMode {
  // On SimGrid's links: a comm waits its route's latency, then shares
  // bandwidth. CM02 weighs each comm's share by 1 / its route latency, so
  // this is plain max-min only when every route has the same latency.
  links,
  // SimGrid's links have no latency (every share weighs the same: plain
  // max-min) and the replay delivers each transfer one route latency after
  // SimGrid has carried its last byte: spinel's definition of delivery.
  delivery,
};

struct SimGridOptions {
  LatencyMode latency = LatencyMode::links;
  // Multiplies every link's rate, to show that the comparison can fail.
  double capacity_scale = 1.0;
  // More --cfg=... / --log=... arguments, after (so overriding) ours.
  std::vector<std::string> extra_args;
};

// The SimGrid library's version, "3.32" or "3.32.1".
std::string simgrid_version();

// The configuration we give SimGrid, as --cfg/--log arguments.
std::vector<std::string> simgrid_arguments();

// Runs SimGrid once. SimGrid's engine is a process-wide singleton: call this
// at most once per process.
Outcome run_simgrid(const Platform& platform, const Replay& replay, const SimGridOptions& options);

}  // namespace spinel::simgrid_check
