#pragma once
// Ring all-reduce: reduce-scatter then all-gather, N-1 steps each. In step k
// rank r sends one chunk (about S/N bytes) to rank r+1; rank r enters step k+1
// once its step-k send and its step-k receive are both delivered. Chunks are
// S/N bytes with the remainder on the last chunk, as NCCL and PCCL cut them.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/transport.hpp"
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

// 2(N-1) * (largest chunk / B + L): the time on a fabric that never slows a
// flow below the host link rate B, with L the path latency of the slowest
// ring edge.
sim::Time ring_allreduce_ideal_ps(std::uint32_t ranks, std::uint64_t size_bytes,
                                  double host_rate_gbps, sim::Time path_latency_ps);

// NCCL's bus bandwidth: algorithm bandwidth S/t times 2(N-1)/N.
double ring_busbw_gbps(std::uint32_t ranks, std::uint64_t size_bytes, sim::Time duration_ps);

class RingAllReduce final : public sim::EventHandler {
 public:
  RingAllReduce(sim::Simulator& sim, transport::Transport& transport,
                const topology::Topology& topology, topology::Routing& routing,
                std::vector<topology::HostId> ranks, std::uint64_t size_bytes,
                std::uint32_t iterations, sim::Time compute_gap_ps, std::uint32_t first_id);

  void start(sim::Time at);
  void handle(const sim::Event& event) override;

  [[nodiscard]] const std::vector<CollectiveResult>& results() const { return results_; }
  [[nodiscard]] bool finished() const { return results_.size() == iterations_; }
  [[nodiscard]] sim::Time ideal_ps() const { return ideal_ps_; }
  [[nodiscard]] std::uint32_t steps() const { return steps_; }
  // Tells `observer` (or nobody, with nullptr) of every finished step. Not owned.
  void set_observer(StepObserver* observer) { observer_ = observer; }

 private:
  enum Tag : std::uint32_t { kDelivered = 0, kStartIteration = 1 };

  void begin_iteration();
  void send(std::uint32_t rank, std::uint32_t step);
  void try_advance(std::uint32_t rank);
  [[nodiscard]] std::uint64_t chunk_bytes(std::uint32_t chunk) const;

  sim::Simulator& sim_;
  transport::Transport& transport_;
  sim::HandlerId self_;
  std::vector<topology::HostId> hosts_;
  std::vector<transport::ConnectionId> connection_;  // one queue pair per ring edge, r -> r+1
  std::uint64_t size_bytes_;
  std::uint32_t n_;
  std::uint32_t steps_;
  std::uint32_t iterations_;
  sim::Time compute_gap_ps_;
  std::uint32_t first_id_;
  sim::Time ideal_ps_;

  std::vector<std::uint32_t> step_;        // step each rank is in
  std::vector<sim::Time> step_start_;      // when each rank entered it
  std::vector<std::uint32_t> sends_done_;  // per rank, in this iteration
  std::vector<std::uint32_t> recvs_done_;
  std::uint32_t ranks_finished_ = 0;
  sim::Time iteration_start_ = 0;
  std::vector<CollectiveResult> results_;
  StepObserver* observer_ = nullptr;
};

}  // namespace spinel::workloads
