#pragma once
// Hooks the detector onto a job with a program, as a library hooked per
// communicator logs it: one stream per communicator that runs collectives,
// one of the point-to-point transfers, and the ranks' compute.
#include <cstdint>

#include "workloads/detector.hpp"
#include "workloads/graph/graph_run.hpp"

namespace spinel::workloads {

// `run` is job `job`'s graph; call before the run starts.
void watch_program(Detector& detector, graph::GraphRun& run, std::uint32_t job);

}  // namespace spinel::workloads
