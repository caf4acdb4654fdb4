#pragma once
// What faults do to links, and a run's link faults put in place on the flow
// model (and, through LinkFaults, on the packet transport).
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/time.hpp"
#include "topology/topology.hpp"
#include "transport/fault.hpp"
#include "transport/flow_model.hpp"
#include "transport/link_faults.hpp"

namespace spinel::transport {

// What a fault does to links: each change at its time, of one link or of
// several at once (a flapping link becomes its downs and ups, a dead NIC
// both directions of its link, a dead switch all of its links).
struct LinkChange {
  sim::Time at_ps = 0;
  std::vector<topology::LinkId> links;
  double gbps = 0;  // 0 = down
};
std::vector<LinkChange> link_changes(
    const Fault& fault, const topology::Topology& topology,
    const std::unordered_map<std::string, topology::LinkId>& links);

// Link faults: those at time 0 change the model now (before any connection
// is opened, so routes and plans avoid them from the start), later ones
// are events; a flapping link becomes its downs and ups. Call before the
// jobs connect. Turns spray trunks off when there is any link fault.
void schedule_link_faults(const std::vector<Fault>& faults, const topology::Topology& topology,
                          FlowModel& model, LinkFaults& link_faults);

}  // namespace spinel::transport
