#include "workloads/ring_allreduce.hpp"

#include <algorithm>

#include "sim/error.hpp"
#include "sim/rng.hpp"

namespace spinel::workloads {

sim::Time ring_allreduce_ideal_ps(std::uint32_t ranks, std::uint64_t size_bytes,
                                  double host_rate_gbps, sim::Time path_latency_ps) {
  const std::uint64_t largest_chunk = size_bytes / ranks + size_bytes % ranks;
  const sim::Time step = sim::serialisation_ps(largest_chunk, host_rate_gbps) + path_latency_ps;
  return 2 * static_cast<sim::Time>(ranks - 1) * step;
}

double ring_busbw_gbps(std::uint32_t ranks, std::uint64_t size_bytes, sim::Time duration_ps) {
  if (duration_ps <= 0) return 0;
  const double algbw = static_cast<double>(size_bytes) * 8000.0 / static_cast<double>(duration_ps);
  return algbw * 2.0 * (ranks - 1) / ranks;
}

RingAllReduce::RingAllReduce(sim::Simulator& sim, transport::Transport& transport,
                             const topology::Topology& topology, topology::Routing& routing,
                             std::vector<topology::HostId> ranks, std::uint64_t size_bytes,
                             std::uint32_t iterations, sim::Time compute_gap_ps,
                             std::uint32_t first_id)
    : sim_(sim),
      transport_(transport),
      self_(sim.add_handler(*this)),
      hosts_(std::move(ranks)),
      size_bytes_(size_bytes),
      n_(static_cast<std::uint32_t>(hosts_.size())),
      steps_(2 * (n_ - 1)),
      iterations_(iterations),
      compute_gap_ps_(compute_gap_ps),
      first_id_(first_id) {
  if (n_ < 2) throw sim::InternalError("a ring needs at least two ranks");
  // Every ring edge is one long-lived connection; its source port (the ECMP
  // entropy that varies per queue pair) is fixed for the collective's life.
  connection_.resize(n_);
  double slowest_nic = topology.link(topology.host_uplink(hosts_[0])).rate_gbps;
  sim::Time slowest_edge = 0;
  for (std::uint32_t r = 0; r < n_; ++r) {
    const topology::HostId src = hosts_[r];
    const topology::HostId dst = hosts_[(r + 1) % n_];
    const auto port =
        static_cast<std::uint16_t>(49152 + sim::mix64((std::uint64_t{first_id} << 32) | r) % 16384);
    connection_[r] = transport.connect(transport::ConnectionSpec{src, dst, port});
    slowest_nic = std::min(slowest_nic, topology.link(topology.host_uplink(src)).rate_gbps);
    const sim::Time latency = routing.max_path_latency_ps(routing.paths(src, dst));
    slowest_edge = std::max(slowest_edge, latency);
  }
  ideal_ps_ = ring_allreduce_ideal_ps(n_, size_bytes_, slowest_nic, slowest_edge);
  step_.assign(n_, 0);
  step_start_.assign(n_, 0);
  sends_done_.assign(n_, 0);
  recvs_done_.assign(n_, 0);
}

void RingAllReduce::start(sim::Time at) {
  sim_.schedule_at(at, self_, kStartIteration, 0);
}

std::uint64_t RingAllReduce::chunk_bytes(std::uint32_t chunk) const {
  return size_bytes_ / n_ + (chunk == n_ - 1 ? size_bytes_ % n_ : 0);
}

void RingAllReduce::begin_iteration() {
  iteration_start_ = sim_.now();
  ranks_finished_ = 0;
  std::fill(step_.begin(), step_.end(), 0u);
  std::fill(sends_done_.begin(), sends_done_.end(), 0u);
  std::fill(recvs_done_.begin(), recvs_done_.end(), 0u);
  for (std::uint32_t r = 0; r < n_; ++r) send(r, 0);
}

void RingAllReduce::send(std::uint32_t rank, std::uint32_t step) {
  // Reduce-scatter step k sends chunk (r - k) mod N; all-gather step j sends
  // chunk (r + 1 - j) mod N, the chunk this rank completed or just received.
  const std::uint32_t chunk =
      step < n_ - 1 ? (rank + n_ - step % n_) % n_ : (rank + 1 + n_ - (step - (n_ - 1)) % n_) % n_;
  transport::FlowSpec spec;
  spec.connection = connection_[rank];
  spec.size_bytes = chunk_bytes(chunk);
  spec.notify = self_;
  spec.notify_tag = kDelivered;
  spec.notify_payload = (std::uint64_t{step} << 32) | rank;
  spec.collective = first_id_ + static_cast<std::uint32_t>(results_.size());
  spec.step = step;
  step_start_[rank] = sim_.now();
  transport_.start_flow(spec);
}

void RingAllReduce::try_advance(std::uint32_t rank) {
  std::uint32_t& step = step_[rank];
  while (step < steps_ && sends_done_[rank] > step && recvs_done_[rank] > step) {
    if (observer_ != nullptr) {
      observer_->step_finished(StepRecord{first_id_ + static_cast<std::uint32_t>(results_.size()),
                                          rank, hosts_[rank], step, steps_, step_start_[rank],
                                          sim_.now()});
    }
    ++step;
    if (step < steps_) {
      send(rank, step);
    } else if (++ranks_finished_ == n_) {
      const auto iteration = static_cast<std::uint32_t>(results_.size());
      results_.push_back(CollectiveResult{first_id_ + iteration, iteration, n_, size_bytes_,
                                          iteration_start_, sim_.now(), ideal_ps_});
      if (results_.size() < iterations_) sim_.schedule_in(compute_gap_ps_, self_, kStartIteration);
    }
  }
}

void RingAllReduce::handle(const sim::Event& event) {
  if (event.tag == kStartIteration) {
    begin_iteration();
    return;
  }
  const auto sender = static_cast<std::uint32_t>(event.payload & 0xffffffffu);
  const auto step = static_cast<std::uint32_t>(event.payload >> 32);
  const std::uint32_t receiver = (sender + 1) % n_;
  if (sends_done_[sender] != step || recvs_done_[receiver] != step) {
    throw sim::InternalError("ring all-reduce: delivery out of step order");
  }
  ++sends_done_[sender];
  ++recvs_done_[receiver];
  try_advance(sender);
  try_advance(receiver);
}

}  // namespace spinel::workloads
