#pragma once
// Runs any Schedule (workloads/schedule.hpp) on a transport: the step model
// described there, for one or more iterations, with a compute gap between
// them. One connection per (phase, src, dst) pair, opened up front, phase by
// phase, with Transport::connect_group so that planners see each phase whole.
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "sim/simulator.hpp"
#include "topology/topology.hpp"
#include "transport/transport.hpp"
#include "workloads/schedule.hpp"
#include "workloads/step_observer.hpp"

namespace spinel::workloads {

struct CollectiveResult {
  std::uint32_t collective_id;
  std::uint32_t iteration;
  std::uint32_t ranks;
  std::uint64_t size_bytes;
  sim::Time start_ps;
  sim::Time end_ps;
  sim::Time ideal_ps;
  [[nodiscard]] sim::Time duration_ps() const { return end_ps - start_ps; }
};

struct CollectiveOptions {
  std::uint64_t size_bytes = 0;  // the collective's size, for results and bus bandwidth
  std::uint32_t iterations = 1;
  sim::Time compute_gap_ps = 0;  // idle time between iterations
  std::uint32_t first_id = 0;    // collective id of the first iteration; ids are consecutive
  sim::Time ideal_ps = 0;        // closed-form time on a non-blocking fabric, for results
};

class CollectiveRun final : public sim::EventHandler {
 public:
  // hosts[r] is the host of rank r. The schedule is shared, not copied.
  CollectiveRun(sim::Simulator& sim, transport::Transport& transport,
                std::vector<topology::HostId> hosts, std::shared_ptr<const Schedule> schedule,
                const CollectiveOptions& options);

  void start(sim::Time at);
  void handle(const sim::Event& event) override;

  [[nodiscard]] const std::vector<CollectiveResult>& results() const { return results_; }
  [[nodiscard]] bool finished() const { return results_.size() == options_.iterations; }
  [[nodiscard]] const Schedule& schedule() const { return *schedule_; }
  [[nodiscard]] const std::vector<topology::HostId>& hosts() const { return hosts_; }
  // The connection that carries src -> dst in `phase` (ranks).
  [[nodiscard]] transport::ConnectionId connection(std::uint32_t phase, std::uint32_t src,
                                                   std::uint32_t dst) const;
  // Tells `observer` (or nobody, with nullptr) of every finished step. Not owned.
  void set_observer(StepObserver* observer) { observer_ = observer; }

 private:
  // Implementation to follow; the members are private and may change.
  sim::Simulator& sim_;
  transport::Transport& transport_;
  sim::HandlerId self_;
  std::vector<topology::HostId> hosts_;
  std::shared_ptr<const Schedule> schedule_;
  CollectiveOptions options_;
  std::vector<CollectiveResult> results_;
  StepObserver* observer_ = nullptr;
};

}  // namespace spinel::workloads
