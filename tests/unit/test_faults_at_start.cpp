// A link that is down from time 0 is the fabric's state before any
// connection opens: routes, split's plan and the congestion a run reports
// all see it.
#include <gtest/gtest.h>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"

namespace spinel {
namespace {

api::Results run(const std::string& policy, bool failed) {
  std::string yaml = R"(name: f
topology: {kind: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 4}
transport: {policy: )" +
                     policy + R"(}
workload: {collective: halving_doubling_allreduce, size_bytes: 16MB}
)";
  if (failed) {
    yaml +=
        "faults:\n  - {at: 0ns, link: leaf0>spine0, state: down}\n"
        "  - {at: 0ns, link: spine0>leaf0, state: down}\n";
  }
  return api::run(scenario::load_string(yaml, "f.yaml"), api::RunOptions{});
}

TEST(FaultsAtStart, CongestionAndPlansSeeTheFailedCable) {
  const auto healthy = run("spray", false).jobs[0].collectives.at(0);
  const auto spray = run("spray", true).jobs[0].collectives.at(0);
  // Leaf 0 keeps 3 of its 4 uplinks: spraying loads them 4/3 as much.
  EXPECT_NEAR(static_cast<double>(spray.max_congestion_ps),
              static_cast<double>(healthy.max_congestion_ps) * 4.0 / 3.0,
              static_cast<double>(healthy.max_congestion_ps) * 1e-6);
  // split re-splits 4 flows over the 3 surviving uplinks: spray's congestion.
  const auto split = run("split", true).jobs[0].collectives.at(0);
  EXPECT_NEAR(static_cast<double>(split.max_congestion_ps),
              static_cast<double>(spray.max_congestion_ps),
              static_cast<double>(spray.max_congestion_ps) * 1e-5);
  EXPECT_GE(split.duration_ps(), spray.duration_ps());
  const auto ecmp = run("ecmp", true).jobs[0].collectives.at(0);
  EXPECT_GE(ecmp.max_congestion_ps, spray.max_congestion_ps);
}

}  // namespace
}  // namespace spinel
