#pragma once
// The scenario's faults, put in place for one run: link changes on the flow
// model, host faults on the compute models of the jobs whose ranks they hit,
// and faults.csv, the truth that a detector is scored against.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/recorder.hpp"
#include "sim/rng.hpp"
#include "tools/scenario/scenario.hpp"
#include "topology/topology.hpp"
#include "transport/flow_model.hpp"
#include "transport/link_faults.hpp"
#include "workloads/compute.hpp"

namespace spinel::tools {

// Which rank of which job runs on a host, if any.
struct RankOnHost {
  std::uint32_t job = 0;
  std::uint32_t rank = 0;
};
std::optional<RankOnHost> rank_on_host(const std::vector<std::vector<topology::HostId>>& placed,
                                       topology::HostId host);

// The fault of `kind` at a GPU's host: the host itself, its NIC link (or
// port), or uplink `uplink` of its leaf (to that spine, or agg of its pod); at `at`.
scenario::Fault fault_of_kind(scenario::RandomFaultKind kind, double factor, double rate_fraction,
                              topology::HostId host, std::uint32_t uplink, std::uint32_t port,
                              sim::Time at, const topology::FabricConfig& t);
// The NIC port a kind needs drawn (nic_port_down), else 0 without a draw.
std::uint32_t draw_port(scenario::RandomFaultKind kind, sim::Rng& rng,
                        const topology::FabricConfig& t);

// The run's faults: the scenario's, then its random_fault drawn (stream
// "random_fault": a rank of the first job uniformly, the time uniformly in
// [from, to), which of its leaf's uplinks uniformly).
std::vector<scenario::Fault> run_faults(const scenario::Scenario& scenario,
                                        const std::vector<std::vector<topology::HostId>>& placed);

// The host a host fault names (hN).
topology::HostId fault_host(const scenario::Fault& fault);

// What a fault does to links: each change at its time, of one link or of
// several at once (a flapping link becomes its downs and ups, a dead NIC
// both directions of its link, a dead switch all of its links).
struct LinkChange {
  sim::Time at_ps = 0;
  std::vector<topology::LinkId> links;
  double gbps = 0;  // 0 = down
};
std::vector<LinkChange> link_changes(
    const scenario::Fault& fault, const topology::Topology& topology,
    const std::unordered_map<std::string, topology::LinkId>& links);

// Link faults: those at time 0 change the model now (before any connection
// is opened, so routes and plans avoid them from the start), later ones
// are events; a flapping link becomes its downs and ups. Call before the
// jobs connect. Turns spray trunks off when there is any link fault.
void schedule_link_faults(const std::vector<scenario::Fault>& faults,
                          const topology::Topology& topology, transport::FlowModel& model,
                          transport::LinkFaults& link_faults);

// Host faults, on the compute model of the job that has a rank there (a
// host without a rank has nothing to slow down). Returns whether some
// rank hangs: its job may then never finish.
bool apply_host_faults(const std::vector<scenario::Fault>& faults,
                       const std::vector<std::vector<topology::HostId>>& placed,
                       const std::vector<std::unique_ptr<workloads::ComputeModel>>& computes);

// faults.csv: one row per fault of the run, in order.
void write_faults_csv(sim::Recorder& recorder, const scenario::Scenario& scenario,
                      const std::vector<scenario::Fault>& faults,
                      const std::vector<std::vector<topology::HostId>>& placed);

}  // namespace spinel::tools
