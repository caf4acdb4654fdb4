#pragma once
// A sweep's point runner that runs each point as api::run does and counts
// them (copies share the count, as the runner's threads do): which points a
// sweep ran, resumed or skipped.
#include <atomic>
#include <memory>

#include "api/run.hpp"

namespace spinel::testing {

struct CountingRunner {
  std::shared_ptr<std::atomic<int>> runs = std::make_shared<std::atomic<int>>(0);
  api::Results operator()(const scenario::Scenario& s, const api::RunOptions& o) const {
    ++*runs;
    return api::run(s, o);
  }
};

}  // namespace spinel::testing
