#pragma once
// Runs a scenario's collective on spinel's flow model and exports what it
// used: the links its connections cross, their routes, and when each
// transfer was delivered.
#include <memory>
#include <stdexcept>
#include <vector>

#include "api/scenario/scenario.hpp"
#include "tools/simgrid_check/platform.hpp"

namespace spinel::simgrid_check {

// The scenario's routes cannot be given to SimGrid one fixed path per host
// pair (split or weighted subflows, or two routes for one pair).
class NotExpressible : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SpinelRun {
  Platform platform;
  std::shared_ptr<const workloads::Schedule> schedule;
  std::vector<topology::HostId> hosts;  // hosts[r] runs rank r
  Outcome outcome;
  std::uint32_t fabric_links = 0;  // directed links of the whole fabric
  std::uint64_t events = 0;
};

SpinelRun run_spinel(const scenario::Scenario& scenario);

}  // namespace spinel::simgrid_check
