#include "tools/spinel/faults.hpp"

#include <algorithm>
#include <string>

#include "sim/rng.hpp"

namespace spinel::tools {

namespace {

topology::HostId host_id(const scenario::Fault& fault) {
  return static_cast<topology::HostId>(std::stoul(fault.host.substr(1)));  // "h12"; checked
}

}  // namespace

std::optional<RankOnHost> rank_on_host(const std::vector<std::vector<topology::HostId>>& placed,
                                       topology::HostId host) {
  for (std::size_t j = 0; j < placed.size(); ++j) {
    for (std::size_t r = 0; r < placed[j].size(); ++r) {
      if (placed[j][r] == host) {
        return RankOnHost{static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(r)};
      }
    }
  }
  return std::nullopt;
}

std::vector<scenario::Fault> run_faults(const scenario::Scenario& scenario,
                                        const std::vector<std::vector<topology::HostId>>& placed) {
  std::vector<scenario::Fault> faults = scenario.faults;
  const scenario::RandomFault& random = scenario.random_fault;
  if (!random.enabled) return faults;
  sim::Rng rng(scenario.seed, "random_fault");
  const std::vector<topology::HostId>& hosts = placed.at(0);
  const topology::HostId host = hosts[rng.below(hosts.size())];
  scenario::Fault f;
  f.at_ps =
      random.from_ps +
      static_cast<sim::Time>(rng.below(static_cast<std::uint64_t>(random.to_ps - random.from_ps)));
  const topology::LeafSpineConfig& t = scenario.topology;
  const std::string leaf = "leaf" + std::to_string(host / t.hosts_per_leaf);
  const std::string uplink =
      leaf + ">spine" + std::to_string(rng.below(t.spines)) + (t.parallel_links > 1 ? "#0" : "");
  switch (random.kind) {
    case scenario::RandomFaultKind::straggler:
      f.host = "h" + std::to_string(host);
      f.state = scenario::FaultState::slow;
      f.factor = random.factor;
      break;
    case scenario::RandomFaultKind::hang:
      f.host = "h" + std::to_string(host);
      f.state = scenario::FaultState::hung;
      break;
    case scenario::RandomFaultKind::nic_degraded:
      f.link = "h" + std::to_string(host) + ">" + leaf;
      f.state = scenario::FaultState::degraded;
      f.rate_gbps = t.host_link.rate_gbps * random.rate_fraction;
      break;
    case scenario::RandomFaultKind::uplink_degraded:
      f.link = uplink;
      f.state = scenario::FaultState::degraded;
      f.rate_gbps = t.spine_link.rate_gbps * random.rate_fraction;
      break;
    case scenario::RandomFaultKind::uplink_down:
      f.link = uplink;
      f.state = scenario::FaultState::down;
      break;
    case scenario::RandomFaultKind::nic_down:
      f.host = "h" + std::to_string(host);
      f.state = scenario::FaultState::nic_down;
      break;
  }
  faults.push_back(std::move(f));
  return faults;
}

void schedule_link_faults(const std::vector<scenario::Fault>& faults,
                          const topology::Topology& topology, transport::FlowModel& model,
                          transport::LinkFaults& link_faults) {
  if (std::none_of(faults.begin(), faults.end(),
                   [](const scenario::Fault& f) { return f.acts_on_links(); })) {
    return;
  }
  // Spray trunks assume equal members, which faults break.
  model.set_spray_trunks(false);
  const auto by_name = topology.links_by_name();
  const auto change = [&](sim::Time at, topology::LinkId l, double gbps) {
    link_faults.add(at, l, gbps);  // at 0: now, before connections open
  };
  for (const scenario::Fault& fault : faults) {
    if (fault.state == scenario::FaultState::nic_down) {
      // A dead NIC: its link down both ways (connections through it stall).
      const topology::HostId h = host_id(fault);
      change(fault.at_ps, topology.host_uplink(h), 0.0);
      change(fault.at_ps, topology.host_downlink(h), 0.0);
      continue;
    }
    if (fault.on_host()) continue;
    const topology::LinkId l = by_name.at(fault.link);  // the loader checked the name
    const double up = topology.link(l).rate_gbps;
    switch (fault.state) {
      case scenario::FaultState::down:
        change(fault.at_ps, l, 0.0);
        break;
      case scenario::FaultState::degraded:
        change(fault.at_ps, l, fault.rate_gbps);
        break;
      case scenario::FaultState::up:
        change(fault.at_ps, l, up);
        break;
      case scenario::FaultState::flapping:
        // Down for the first half of each period, up for the second; up at the end.
        for (sim::Time t = fault.at_ps; t < fault.until_ps; t += fault.period_ps) {
          change(t, l, 0.0);
          change(std::min(t + fault.period_ps / 2, fault.until_ps), l, up);
        }
        break;
      case scenario::FaultState::slow:
      case scenario::FaultState::hung:
      case scenario::FaultState::nic_down:
        break;
    }
  }
}

bool apply_host_faults(const std::vector<scenario::Fault>& faults,
                       const std::vector<std::vector<topology::HostId>>& placed,
                       const std::vector<std::unique_ptr<workloads::ComputeModel>>& computes) {
  bool hangs = false;
  for (const scenario::Fault& fault : faults) {
    if (fault.acts_on_links()) continue;
    const auto where = rank_on_host(placed, host_id(fault));
    if (!where) continue;
    workloads::ComputeModel& compute = *computes.at(where->job);
    if (fault.state == scenario::FaultState::hung) {
      compute.hang_from(where->rank, fault.at_ps);
      hangs = true;
    } else {
      compute.slow_from(where->rank, fault.at_ps, fault.factor);
    }
  }
  return hangs;
}

void write_faults_csv(sim::Recorder& recorder, const scenario::Scenario& scenario,
                      const std::vector<scenario::Fault>& faults,
                      const std::vector<std::vector<topology::HostId>>& placed) {
  if (!recorder.enabled()) return;
  sim::CsvTable* csv =
      recorder.table("faults.csv", {"fault", "at_ps", "element", "state", "rate_gbps", "factor",
                                    "period_ps", "until_ps", "job", "rank"});
  // Columns that do not apply to a fault's state are left empty.
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const scenario::Fault& f = faults[i];
    csv->cell(static_cast<std::uint64_t>(i)).cell(f.at_ps);
    csv->cell(f.on_host() ? f.host : f.link).cell(scenario::to_string(f.state));
    if (f.state == scenario::FaultState::degraded) {
      csv->cell(f.rate_gbps);
    } else {
      csv->cell("");
    }
    if (f.state == scenario::FaultState::slow) {
      csv->cell(f.factor);
    } else {
      csv->cell("");
    }
    if (f.state == scenario::FaultState::flapping) {
      csv->cell(f.period_ps).cell(f.until_ps);
    } else {
      csv->cell("").cell("");
    }
    const auto where = f.on_host() ? rank_on_host(placed, host_id(f)) : std::nullopt;
    if (where) {
      csv->cell(scenario.jobs.at(where->job).name).cell(where->rank);
    } else {
      csv->cell("").cell("");
    }
    csv->end_row();
  }
}

}  // namespace spinel::tools
