#include "workloads/recovery/world.hpp"

#include <algorithm>
#include <string_view>

#include "transport/link_changes.hpp"
#include "workloads/placement.hpp"

namespace spinel::recovery {

namespace {

std::uint32_t fabric_units(const topology::Servers& servers, const topology::Topology& topology) {
  return servers.gpus_per_server() > 1 ? servers.count() : topology.host_count();
}

}  // namespace

World::World(const workloads::TrainingConfig& c, const std::vector<FaultRate>& process,
             const RecoveryConfig& r)
    : config(c),
      job(c.jobs.at(0)),
      recovery(r),
      topology(topology::build_fabric(c.topology)),
      routing(topology),
      servers(c.topology),
      links(topology.links_by_name()),
      crew(servers, job.placement,
           workloads::place_jobs(c.jobs, fabric_units(servers, topology), c.seed).at(0),
           fabric_units(servers, topology)),
      process_(process, c.topology, c.seed, crew.ranks()) {
  link_gbps.resize(topology.link_count());
  for (topology::LinkId l = 0; l < topology.link_count(); ++l)
    link_gbps[l] = topology.link(l).rate_gbps;
  for (const transport::Fault& f : c.faults) add_fault(f, "scheduled", false);
  if (process_.active()) schedule_arrival(0);
}

std::optional<topology::HostId> World::host_hit(const transport::Fault& f) const {
  if (f.on_host()) return transport::fault_host(f);
  // A NIC link is named hN>leafL or leafL>hN.
  const std::size_t arrow = f.link.find('>');
  for (const std::string_view end :
       {std::string_view(f.link).substr(0, arrow), std::string_view(f.link).substr(arrow + 1)}) {
    if (end.size() > 1 && end[0] == 'h') {
      return static_cast<topology::HostId>(std::stoul(std::string(end.substr(1))));
    }
  }
  return std::nullopt;
}

bool World::links_changed() const {
  for (topology::LinkId l = 0; l < topology.link_count(); ++l) {
    if (link_gbps[l] != topology.link(l).rate_gbps) return true;
  }
  return false;
}

void World::add_fault(const transport::Fault& f, std::string kind, bool repaired) {
  const std::size_t index = faults.size();
  FaultRecord record;
  record.fault = f;
  record.kind = std::move(kind);
  faults.push_back(std::move(record));
  if (f.acts_on_links()) {
    for (const transport::LinkChange& c : transport::link_changes(f, topology, links)) {
      calendar.push(c.at_ps, Action{Action::link_change, index, c.links, c.gbps});
    }
  } else {
    calendar.push(f.at_ps, Action{Action::host_fault, index, {}, 0});
  }
  if (repaired) calendar.push(f.at_ps + recovery.repair_ps, Action{Action::repair, index, {}, 0});
}

void World::schedule_arrival(sim::Time after) {
  calendar.push(process_.next_arrival(after), Action{Action::arrival, 0, {}, 0});
}

void World::land(ActionKey key) {
  const Action a = calendar.take(key);
  switch (a.type) {
    case Action::arrival: {
      FailureProcess::Drawn drawn = process_.draw(key.first, crew.ranks());
      add_fault(drawn.fault, std::move(drawn.kind), drawn.repaired);
      schedule_arrival(key.first);
      break;
    }
    case Action::link_change:
      if (faults[a.fault].cleared_ps > key.first) {
        for (const topology::LinkId l : a.links) link_gbps[l] = a.gbps;
      }
      break;
    case Action::repair:
      repair(a.fault, key.first, "repaired");
      break;
    case Action::host_fault:
      break;  // a host fault is its record: active from its time until cleared
  }
}

void World::land_until(sim::Time t) {
  while (!calendar.empty() && calendar.first().first.first <= t) land(calendar.first().first);
}

void World::repair(std::size_t index, sim::Time t, const char* by) {
  FaultRecord& f = faults[index];
  if (!active(f, t)) return;
  f.cleared_ps = t;
  f.cleared_by = by;
  if (!f.fault.acts_on_links()) return;
  for (const transport::LinkChange& c : transport::link_changes(f.fault, topology, links)) {
    for (const topology::LinkId l : c.links) link_gbps[l] = topology.link(l).rate_gbps;
  }
}

void World::isolate(std::uint32_t unit, sim::Time t, const char* by) {
  const std::vector<topology::HostId> hosts = crew.hosts_of(unit);
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const std::optional<topology::HostId> h = host_hit(faults[i].fault);
    if (h && std::find(hosts.begin(), hosts.end(), *h) != hosts.end()) repair(i, t, by);
  }
  crew.isolate(unit, t + recovery.repair_ps);
}

bool World::isolate_dead_nics(sim::Time t) {
  bool any = false;
  for (const topology::HostId h : crew.ranks()) {
    bool alive = false;  // some port works both ways
    for (std::uint32_t p = 0; p < topology.nic_ports(); ++p) {
      alive = alive || (link_gbps[topology.host_uplink(h, p)] > 0 &&
                        link_gbps[topology.host_downlink(h, p)] > 0);
    }
    if (alive) continue;
    const std::uint32_t unit = crew.unit_of(h);
    if (!crew.isolated(unit)) isolate(unit, t, "launch");
    any = true;
  }
  return any;
}

}  // namespace spinel::recovery
