#include "tools/simgrid_check/spinel_side.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include "sim/error.hpp"
#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/transport.hpp"
#include "workloads/collective.hpp"
#include "workloads/collectives.hpp"
#include "workloads/placement.hpp"

namespace spinel::simgrid_check {

namespace {

constexpr double kPsPerSecond = 1e12;

std::uint64_t pair_key(topology::HostId src, topology::HostId dst) {
  return (std::uint64_t{src} << 32) | dst;
}

// Hears of every flow that sent its last byte; delivery is one connection
// latency later, as the flow model defines it.
class Deliveries final : public transport::FlowObserver {
 public:
  Deliveries(const std::vector<topology::HostId>& hosts,
             const std::unordered_map<std::uint64_t, sim::Time>& latency_ps)
      : latency_ps_(latency_ps) {
    for (std::uint32_t r = 0; r < hosts.size(); ++r) rank_of_[hosts[r]] = r;
  }
  void link_load(sim::Time, topology::LinkId, double) override {}
  void flow_completed(sim::Time now, const transport::FlowRecord& flow) override {
    const sim::Time delivered = now + latency_ps_.at(pair_key(flow.src_host, flow.dst_host));
    transfers.push_back(
        TransferTime{TransferKey{flow.collective, flow.step, rank_of_.at(flow.src_host),
                                 rank_of_.at(flow.dst_host)},
                     static_cast<double>(flow.start_ps) / kPsPerSecond,
                     static_cast<double>(delivered) / kPsPerSecond});
  }
  std::vector<TransferTime> transfers;

 private:
  const std::unordered_map<std::uint64_t, sim::Time>& latency_ps_;
  std::unordered_map<topology::HostId, std::uint32_t> rank_of_;
};

// Builds the Platform from the connections the collective opened.
class Exporter {
 public:
  Exporter(const topology::Topology& topology, const transport::FlowModel& model)
      : topology_(topology), model_(model) {
    platform_.hosts = topology.host_count();
  }

  void add(topology::HostId src, topology::HostId dst, transport::ConnectionId connection) {
    const std::vector<transport::Subflow> subflows = model_.connection_route(connection);
    const std::string pair = topology_.node_name(topology_.host_node(src)) + " -> " +
                             topology_.node_name(topology_.host_node(dst));
    if (subflows.size() != 1) {
      throw NotExpressible(pair + ": the connection has " + std::to_string(subflows.size()) +
                           " subflows; SimGrid gives a host pair one route");
    }
    const transport::Subflow& subflow = subflows.front();
    if (subflow.share != 1.0) {
      throw NotExpressible(pair + ": the connection carries a share of its bytes");
    }
    std::vector<std::uint32_t> links;
    sim::Time latency = 0;
    for (const transport::Hop& hop : subflow.hops) {
      if (hop.weight != 1.0) {
        throw NotExpressible(pair + ": link " + spinel_link_name(hop.link) +
                             " carries a weighted share of the flow (" +
                             std::to_string(hop.weight) + "); SimGrid comms load links fully");
      }
      links.push_back(platform_link(hop.link));
      latency += platform_.links[links.back()].latency_ps;
    }
    latency_ps_[pair_key(src, dst)] = subflow.latency_ps;
    const auto [it, inserted] = route_of_.try_emplace(pair_key(src, dst), platform_.routes.size());
    if (!inserted) {
      if (platform_.routes[it->second].links != links) {
        throw NotExpressible(pair +
                             ": two connections of this host pair take different routes "
                             "(in different phases); SimGrid gives a host pair one route");
      }
      return;
    }
    platform_.routes.push_back(PlatformRoute{src, dst, std::move(links), latency});
  }

  [[nodiscard]] Platform take() { return std::move(platform_); }
  [[nodiscard]] const std::unordered_map<std::uint64_t, sim::Time>& latency_ps() const {
    return latency_ps_;
  }

 private:
  [[nodiscard]] bool is_trunk(topology::LinkId l) const { return l >= topology_.link_count(); }

  [[nodiscard]] std::string spinel_link_name(topology::LinkId l) const {
    if (!is_trunk(l)) return topology_.link_name(l);
    const std::vector<topology::LinkId>& members = model_.trunk_members(l);
    return "trunk" + std::to_string(l - topology_.link_count()) + "[" +
           topology_.link_name(members.front()) + " +" + std::to_string(members.size() - 1) + "]";
  }

  // A physical link keeps its rate and latency. A spray trunk stands for
  // members that always carry equal loads: their summed rate, and the
  // latency of the slowest (spinel delivers a sprayed flow by its slowest path).
  std::uint32_t platform_link(topology::LinkId l) {
    const auto [it, inserted] =
        index_of_.try_emplace(l, static_cast<std::uint32_t>(platform_.links.size()));
    if (!inserted) return it->second;
    PlatformLink link;
    link.name = spinel_link_name(l);
    if (!is_trunk(l)) {
      link.rate_gbps = topology_.link(l).rate_gbps;
      link.latency_ps = topology_.link(l).latency_ps;
    } else {
      for (topology::LinkId m : model_.trunk_members(l)) {
        link.rate_gbps += topology_.link(m).rate_gbps;
        link.latency_ps = std::max(link.latency_ps, topology_.link(m).latency_ps);
      }
    }
    platform_.links.push_back(std::move(link));
    return it->second;
  }

  const topology::Topology& topology_;
  const transport::FlowModel& model_;
  Platform platform_;
  std::unordered_map<topology::LinkId, std::uint32_t> index_of_;
  std::unordered_map<std::uint64_t, std::size_t> route_of_;
  std::unordered_map<std::uint64_t, sim::Time> latency_ps_;  // spinel's, per host pair
};

}  // namespace

SpinelRun run_spinel(const scenario::Scenario& scenario) {
  SpinelRun out;
  const topology::Topology topology = topology::build_fabric(scenario.topology);
  topology::Routing routing(topology);
  sim::Simulator sim;
  sim::Recorder recorder;  // records nothing: only the times matter here
  transport::FlowModel model(sim, topology, routing, scenario.transport, scenario.seed, recorder,
                             false);
  transport::FlowTransport transport(model);

  if (scenario.jobs.size() != 1) {
    throw NotExpressible("the scenario has " + std::to_string(scenario.jobs.size()) +
                         " jobs; the cross-check replays one");
  }
  const workloads::WorkloadConfig& job = scenario.jobs.front();
  out.hosts = workloads::place_jobs(scenario.jobs, topology.host_count(), scenario.seed).front();
  const auto ranks = static_cast<std::uint32_t>(out.hosts.size());
  out.schedule = workloads::make_schedule(job.collective, ranks, job.size_bytes);
  workloads::CollectiveOptions options;
  options.collective = job.collective;
  options.size_bytes = job.size_bytes;
  options.iterations = job.iterations;
  options.compute_gap_ps = job.compute_gap_ps;
  workloads::CollectiveRun run(sim, transport, out.hosts, out.schedule, options);

  // The connections are open now (the run opens them up front): export their
  // routes before the first flow.
  Exporter exporter(topology, model);
  std::vector<workloads::Transfer> pairs;
  for (std::uint32_t phase = 0; phase < out.schedule->phases(); ++phase) {
    pairs.clear();
    out.schedule->phase_pairs(phase, pairs);
    for (const workloads::Transfer& p : pairs) {
      exporter.add(out.hosts[p.src], out.hosts[p.dst], run.connection(phase, p.src, p.dst));
    }
  }

  Deliveries deliveries(out.hosts, exporter.latency_ps());
  model.set_observer(&deliveries);
  run.start(job.start_ps);
  sim.run();
  if (!run.finished()) {
    throw sim::InternalError("spinel ran out of events before the collective finished");
  }
  for (const workloads::CollectiveResult& r : run.results()) {
    out.outcome.iteration_end_s.push_back(static_cast<double>(r.end_ps) / kPsPerSecond);
  }
  out.outcome.transfers = std::move(deliveries.transfers);
  out.platform = exporter.take();
  out.fabric_links = static_cast<std::uint32_t>(topology.link_count());
  out.events = sim.events_dispatched();
  return out;
}

}  // namespace spinel::simgrid_check
