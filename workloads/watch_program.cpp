#include "workloads/watch_program.hpp"

#include <utility>
#include <vector>

namespace spinel::workloads {

void watch_program(Detector& detector, graph::GraphRun& run, std::uint32_t job) {
  const graph::Program& p = run.program();
  std::vector<std::uint32_t> streams(p.communicators.size(), graph::GraphRun::kNoStream);
  for (std::uint32_t c = 0; c < p.communicators.size(); ++c) {
    if (run.calls(c) == 0) continue;
    std::vector<topology::HostId> hosts;
    for (const std::uint32_t r : p.communicators[c].ranks) hosts.push_back(run.hosts()[r]);
    streams[c] = detector.watch(job, std::move(hosts), run.calls(c) / p.iterations,
                                p.communicators[c].ranks);
  }
  detector.watch_compute(job, p.rank_count());
  run.set_monitor(detector, streams, detector.watch_point_to_point(job, run.hosts()));
}

}  // namespace spinel::workloads
