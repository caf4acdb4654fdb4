#pragma once
// Scores a detector against the truth: which fault each detection is about
// (and whether it points at the faulty element), each fault's detection
// latency, and the false alarms.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "topology/topology.hpp"
#include "transport/fault.hpp"
#include "transport/flow_model.hpp"
#include "workloads/detector.hpp"

namespace spinel::workloads {

struct DetectionMatch {
  std::optional<std::size_t> fault;  // the fault it is about; none = a false alarm
  bool localised = false;            // it names the faulty element
};

struct FaultDetection {
  bool detected = false;
  sim::Time detected_ps = 0;  // the first detection about it
  AnomalyClass anomaly = AnomalyClass::communication_hang;
  bool localised = false;  // that first detection names the faulty element
};

struct DetectionScore {
  std::vector<DetectionMatch> detections;  // one per detection
  std::vector<FaultDetection> faults;      // one per scenario fault (repairs never detected)
  std::uint64_t false_alarms = 0;
  // Over the faults that are not repairs: how many, found, and localised.
  std::uint64_t counted = 0;
  std::uint64_t detected = 0;
  std::uint64_t localised = 0;
};

// A detection is about the latest fault before it that it localises, or
// else the latest fault before it; with no fault before it, it is a false
// alarm. A host suspect localises a fault of that host or of its links; a
// connection suspect, a fault of either end host or of a link on its route.
// A repair (state: up) is not a fault.
DetectionScore score_detections(const std::vector<transport::Fault>& faults,
                                const topology::Topology& topology,
                                const transport::FlowModel& model,
                                const std::vector<Detection>& detections);

// Whether the detection names the faulty element: a host suspect, a fault
// of that host or of its links; a connection suspect, a fault of either end
// host or of a link on its route.
bool localises(const Detection& d, const transport::Fault& f, const topology::Topology& topology,
               const transport::FlowModel& model,
               const std::unordered_map<std::string, topology::LinkId>& links);

// "h5", or "h3>h4" for a connection.
std::string suspect_name(const Detection& d);

}  // namespace spinel::workloads
