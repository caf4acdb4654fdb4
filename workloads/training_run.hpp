#pragma once
// A run of training jobs on a leaf-spine fabric: the fabric and its routes,
// the transport (flow or packet level), the jobs on disjoint hosts with
// their compute, the faults put in place (links in transport, hosts on the
// jobs' compute) and the C4-style detector listening to the jobs'
// collective library. The library API (api/run.hpp) builds one from a
// scenario, attaches its observers, runs it and reads the results.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "sim/progress.hpp"
#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/fault.hpp"
#include "transport/flow_model.hpp"
#include "transport/flow_observers.hpp"
#include "transport/link_faults.hpp"
#include "transport/packet_model.hpp"
#include "transport/packet_transport.hpp"
#include "transport/transport.hpp"
#include "workloads/collective.hpp"
#include "workloads/compute.hpp"
#include "workloads/detector.hpp"
#include "workloads/graph/graph_run.hpp"
#include "workloads/step_observer.hpp"
#include "workloads/stream_monitor.hpp"
#include "workloads/training_config.hpp"

namespace spinel::workloads {

class TrainingRun {
 public:
  // Builds everything and starts the jobs (nothing has run yet). The
  // transport records flows.csv into `recorder` when `record_flows`, and
  // links.csv (ports.csv at packet level) at finish().
  TrainingRun(const TrainingConfig& config, sim::Recorder& recorder, bool record_flows);
  TrainingRun(const TrainingRun&) = delete;
  TrainingRun& operator=(const TrainingRun&) = delete;

  // Observers, before run(): each hears every report, in the order added.
  void add_flow_observer(transport::FlowObserver& observer) { flow_observers_.add(observer); }
  void add_step_observer(StepObserver& observer) { step_observers_.add(observer); }
  // Packet level: every port's queue and bytes per interval (ports of `links`).
  void record_port_series(sim::Time interval_ps, const std::vector<topology::LinkId>& links);

  // Runs until nothing else can happen. With `progress`, the run goes in
  // slices of simulated time (an eighth of the longest job's ideal
  // iteration) and reports after each: the same events either way.
  void run(const sim::ProgressCallback& progress);
  // The transport's own files: flows.csv and links.csv (flow level) or its
  // packet-level files, into the recorder given at construction.
  void finish();

  [[nodiscard]] bool packet_level() const { return engine_.has_value(); }
  [[nodiscard]] const topology::Topology& topology() const { return topology_; }
  [[nodiscard]] const transport::FlowModel& model() const { return model_; }
  [[nodiscard]] std::size_t jobs() const { return jobs_.size(); }
  // Whether job j is a job of one collective (collective, compute, buckets),
  // not a program of its own.
  [[nodiscard]] bool collective_job(std::size_t j) const { return classic_[j] != 0; }
  // A collective job's collectives (its graph's one channel).
  [[nodiscard]] const CollectiveRun& job(std::size_t j) const;
  // The workload graph job j runs as (nullptr: a collective job too large
  // for its graph, on CollectiveRun alone).
  [[nodiscard]] const graph::GraphRun* graph(std::size_t j) const { return graphs_[j].get(); }
  // Job j's training iterations (compute, then exposed communication).
  [[nodiscard]] std::vector<IterationRecord> iterations(std::size_t j) const;
  // Per job, the host of each rank.
  [[nodiscard]] const std::vector<std::vector<topology::HostId>>& placement() const {
    return placed_;
  }
  // The run's faults: the scheduled ones, then the random one drawn.
  [[nodiscard]] const std::vector<transport::Fault>& faults() const { return faults_; }
  [[nodiscard]] const Detector* detector() const { return detector_ ? &*detector_ : nullptr; }
  [[nodiscard]] transport::FlowTotals flow_totals() const;
  [[nodiscard]] std::optional<transport::PacketTotals> packet_totals() const;
  [[nodiscard]] std::uint64_t events() const { return sim_.events_dispatched(); }
  [[nodiscard]] sim::Time now() const { return sim_.now(); }
  // When the run's work ended: the simulator's end at flow level; at packet
  // level the last delivery that ended a collective or op (not a later ACK
  // or an idle retransmission timer).
  [[nodiscard]] sim::Time end_ps() const;

 private:
  void place_jobs();
  void start_jobs();
  void start_graph(std::size_t j, std::uint32_t& next_id);
  void start_classic(std::size_t j, std::uint32_t& next_id);
  void start_collective(std::size_t j, std::uint32_t& next_id);
  void attach_detector();
  [[nodiscard]] std::optional<double> fraction_done() const;
  // A job with a hung rank, or a connection stalled on a lost link, stops
  // there; any other job that did not finish is a bug.
  void check_finished() const;

  const TrainingConfig config_;
  const topology::Topology topology_;
  topology::Routing routing_;
  sim::Simulator sim_;
  transport::FlowModel model_;
  transport::FlowTransport flow_transport_;
  std::optional<transport::PacketModel> engine_;
  std::optional<transport::PacketTransport> packet_transport_;
  transport::Transport* transport_ = &flow_transport_;
  std::optional<transport::LinkFaults> link_faults_;  // made after the jobs are placed
  sim::Recorder& recorder_;
  std::vector<std::vector<topology::HostId>> placed_;
  std::vector<transport::Fault> faults_;
  // Per job, one of: a graph (a program's, or a collective job's from its
  // generator), or a collective job on CollectiveRun and its compute model.
  std::vector<std::unique_ptr<CollectiveRun>> jobs_;
  std::vector<std::unique_ptr<graph::GraphRun>> graphs_;
  std::vector<std::unique_ptr<ComputeModel>> computes_;  // one per job: its gate
  std::vector<std::uint8_t> classic_;                    // per job: a collective job
  sim::Time longest_ideal_ps_ = 0;
  bool hangs_ = false;
  std::optional<Detector> detector_;
  std::vector<std::unique_ptr<StreamMonitor>> stream_monitors_;  // jobs on CollectiveRun alone
  transport::FlowObservers flow_observers_;
  StepObservers step_observers_;
};

}  // namespace spinel::workloads
