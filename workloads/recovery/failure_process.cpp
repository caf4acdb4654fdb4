#include "workloads/recovery/failure_process.hpp"

#include <algorithm>

#include "topology/names.hpp"
#include "workloads/random_faults.hpp"

namespace spinel::recovery {

FailureProcess::FailureProcess(const std::vector<FaultRate>& rates,
                               const topology::FabricConfig& fabric, std::uint64_t seed,
                               const std::vector<topology::HostId>& ranks)
    : rates_(rates), fabric_(fabric), rng_(seed, "fault_process") {
  std::vector<std::uint32_t> leaves;
  for (const topology::HostId h : ranks) leaves.push_back(h / fabric.hosts_per_leaf);
  std::sort(leaves.begin(), leaves.end());
  leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
  for (const FaultRate& r : rates) {
    const double elements = workloads::on_uplink(r.kind)
                                ? static_cast<double>(leaves.size() * fabric.uplinks_per_leaf())
                                : static_cast<double>(ranks.size());
    kind_rate_.push_back(elements / (r.mtbf_hours * 3600.0 * 1e12));
    rate_ += kind_rate_.back();
  }
}

// Exponential inter-arrival times at the summed rate.
sim::Time FailureProcess::next_arrival(sim::Time after) {
  const double wait = rng_.exponential() / rate_;
  return after + static_cast<sim::Time>(wait) + 1;
}

FailureProcess::Drawn FailureProcess::draw(sim::Time at,
                                           const std::vector<topology::HostId>& ranks) {
  double pick = rng_.uniform() * rate_;
  std::size_t k = 0;
  while (k + 1 < kind_rate_.size() && pick >= kind_rate_[k]) pick -= kind_rate_[k++];
  const FaultRate& r = rates_[k];
  const topology::HostId host = ranks[rng_.below(ranks.size())];
  const auto uplink = static_cast<std::uint32_t>(rng_.below(fabric_.uplinks_per_leaf()));
  const std::uint32_t port = workloads::draw_port(r.kind, rng_, fabric_);
  return Drawn{
      workloads::fault_of_kind(r.kind, r.factor, r.rate_fraction, host, uplink, port, at, fabric_),
      std::string(workloads::to_string(r.kind)), workloads::on_uplink(r.kind)};
}

}  // namespace spinel::recovery
