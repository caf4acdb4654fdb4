#include "workloads/detection_score.hpp"

#include <string>
#include <tuple>
#include <unordered_map>

#include "topology/names.hpp"

namespace spinel::workloads {

namespace {

// Whether `link` is a NIC link of host `h`, either way, any port.
bool host_link(const topology::Topology& topology, topology::LinkId link, topology::HostId h) {
  return topology.is_nic_link(h, link);
}

// Whether the connection's route crosses the link (spray trunks: any member).
bool on_route(const topology::Topology& topology, const transport::FlowModel& model,
              transport::ConnectionId connection, topology::LinkId link) {
  for (const transport::Subflow& s : model.connection_route(connection)) {
    for (const transport::Hop& hop : s.hops) {
      if (hop.link == link) return true;
      if (hop.link >= topology.link_count()) {
        for (const topology::LinkId m : model.trunk_members(hop.link)) {
          if (m == link) return true;
        }
      }
    }
  }
  return false;
}

}  // namespace

bool localises(const Detection& d, const transport::Fault& f, const topology::Topology& topology,
               const transport::FlowModel& model,
               const std::unordered_map<std::string, topology::LinkId>& links) {
  if (f.on_host())
    return f.host == topology::host_name(d.src_host) || f.host == topology::host_name(d.dst_host);
  if (f.on_switch() || f.on_plane()) {
    // A switch (or plane) is named by a suspect host attached to it, or by a
    // slow or stuck connection through any of its links.
    const std::vector<topology::LinkId> links_of =
        f.on_plane() ? topology.links_of_plane(*f.plane)
                     : topology.links_of(*topology.node_by_name(f.switch_name));
    for (const topology::LinkId l : links_of) {
      if (host_link(topology, l, d.src_host)) return true;
      if (d.connection_suspect &&
          (host_link(topology, l, d.dst_host) || on_route(topology, model, d.connection, l))) {
        return true;
      }
    }
    return false;
  }
  const topology::LinkId l = links.at(f.link);
  if (host_link(topology, l, d.src_host)) return true;
  return d.connection_suspect &&
         (host_link(topology, l, d.dst_host) || on_route(topology, model, d.connection, l));
}

std::string suspect_name(const Detection& d) {
  std::string name = topology::host_name(d.src_host);
  if (d.connection_suspect) name += ">" + topology::host_name(d.dst_host);
  return name;
}

DetectionScore score_detections(const std::vector<transport::Fault>& faults,
                                const topology::Topology& topology,
                                const transport::FlowModel& model,
                                const std::vector<Detection>& detections) {
  DetectionScore score;
  score.faults.resize(faults.size());
  const auto links = topology.links_by_name();
  for (const Detection& d : detections) {
    // A localised fault beats any that is not, then the later one wins.
    std::optional<std::tuple<bool, sim::Time, std::size_t>> best;
    for (std::size_t i = 0; i < faults.size(); ++i) {
      const transport::Fault& f = faults[i];
      if (f.state == transport::FaultState::up || f.at_ps > d.at_ps) continue;
      const auto key = std::tuple{localises(d, f, topology, model, links), f.at_ps, i};
      if (!best || key > *best) best = key;
    }
    DetectionMatch match;
    if (best) {
      match.fault = std::get<2>(*best);
      match.localised = std::get<0>(*best);
    }
    if (!match.fault) {
      ++score.false_alarms;
    } else if (FaultDetection& fd = score.faults[*match.fault]; !fd.detected) {
      fd.detected = true;
      fd.detected_ps = d.at_ps;
      fd.anomaly = d.anomaly;
      fd.localised = match.localised;
    }
    score.detections.push_back(match);
  }
  for (std::size_t i = 0; i < faults.size(); ++i) {
    if (faults[i].state == transport::FaultState::up) continue;
    ++score.counted;
    score.detected += score.faults[i].detected ? 1 : 0;
    score.localised += score.faults[i].localised ? 1 : 0;
  }
  return score;
}

}  // namespace spinel::workloads
