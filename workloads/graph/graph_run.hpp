#pragma once
// Runs a workload graph (workloads/graph/program.hpp) on a transport, at flow
// or packet level, by the execution model described there. Collectives run on
// CollectiveRun, one per (communicator, kind, size) in the program, each on
// its own connections; point-to-point transfers go on one connection per
// (src, dst) pair, or over NVLink inside a server.
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/transport.hpp"
#include "workloads/collective.hpp"
#include "workloads/collectives.hpp"
#include "workloads/compute_speed.hpp"
#include "workloads/graph/program.hpp"
#include "workloads/rank_gate.hpp"
#include "workloads/step_observer.hpp"
#include "workloads/stream_monitor.hpp"

namespace spinel::workloads::graph {

// Hears each training iteration of a program end (every rank's ops of it
// done), in order; not in the gated executor.
class IterationListener {
 public:
  virtual ~IterationListener() = default;
  virtual void iteration_done(std::uint32_t iteration, sim::Time at) = 0;
};

struct GraphOptions {
  std::uint32_t job = 0;       // for results only
  std::uint32_t first_id = 0;  // collective id of the first collective; ids are consecutive
  // Multi-GPU servers: the server of each job rank (empty: a server each), and
  // the NVLink-like path between GPUs of a server.
  std::vector<std::uint32_t> server_of_rank;
  ServerShape shape;
  // Every compute op takes its duration times this (a faster GPU: below 1).
  double compute_scale = 1;
  // The gated executor, for programs of one communicator whose ranks
  // alternate chains of compute with collectives (the collective job's
  // generator, graph/classic.hpp): a compute op schedules no event of its
  // own; its end is worked out when the collective it feeds opens, and the
  // collective lets the rank in then (CollectiveRun's RankGate), as the
  // collective job's compute model always did. The same times as the
  // event-driven executor (a chain of compute ops ends as one kernel of
  // their summed work would), with its events, so that those jobs' results
  // are what they were. It also runs Program::iteration_gap_ps, and keeps
  // the collective job's ideal time (the fabric's, even inside one server).
  bool gated = false;
};

// When one op ran: start is when it became ready (a compute op's start is
// when it got its GPU), end when it was done. Unstarted ops: kForever both.
struct OpTiming {
  sim::Time start_ps = sim::kForever;
  sim::Time end_ps = sim::kForever;
};

class GraphRun final : public sim::EventHandler {
 public:
  // hosts[r] is the host of job rank r. The program must be valid
  // (graph::validate); it is shared, not copied.
  GraphRun(sim::Simulator& sim, transport::Transport& transport, const topology::Topology& topology,
           topology::Routing& routing, std::vector<topology::HostId> hosts,
           std::shared_ptr<const Program> program, GraphOptions options);
  ~GraphRun() override;
  GraphRun(const GraphRun&) = delete;
  GraphRun& operator=(const GraphRun&) = delete;

  void start(sim::Time at);
  void handle(const sim::Event& event) override;

  [[nodiscard]] bool finished() const { return done_ == timing_.size(); }
  [[nodiscard]] std::size_t ops_done() const { return done_; }
  [[nodiscard]] std::size_t op_count() const { return timing_.size(); }
  [[nodiscard]] const Program& program() const { return *program_; }
  [[nodiscard]] const std::vector<topology::HostId>& hosts() const { return hosts_; }
  // Op i of rank r.
  [[nodiscard]] const OpTiming& timing(std::uint32_t rank, std::uint32_t op) const {
    return timing_[offset_[rank] + op];
  }
  // When op i of rank r had something to wait for on the network: a
  // receive's matching send started (before that, the rank waits for the
  // sender's own work, not for communication); any other op's start.
  [[nodiscard]] sim::Time busy_from_ps(std::uint32_t rank, std::uint32_t op) const;
  // Every completed collective, by collective id.
  [[nodiscard]] std::vector<CollectiveResult> collective_results() const;
  // The communicator of collective `collective_id` (one of this run's).
  [[nodiscard]] std::uint32_t communicator_of(std::uint32_t collective_id) const;
  // The collectives' executors, one per (communicator, kind, size).
  [[nodiscard]] std::size_t channels() const { return channels_.size(); }
  [[nodiscard]] const CollectiveRun& channel(std::size_t c) const { return *channels_[c]->run; }
  // When the first op started and the last one ended.
  [[nodiscard]] sim::Time start_ps() const { return start_ps_; }
  [[nodiscard]] sim::Time end_ps() const { return end_ps_; }
  // What holds an unfinished run: the ops that started but cannot finish (a
  // collective some member never reaches, a receive whose send never comes),
  // by rank, at most `limit` of them. Empty when finished.
  [[nodiscard]] std::string blocked(std::size_t limit = 8) const;
  void set_observer(StepObserver* observer);
  // Tells `monitor` what the collective library logs: communicator c's
  // collectives as stream streams[c] (numbered in the order its members
  // call them; kNoStream: not watched), the point-to-point transfers over
  // the fabric as stream `point_to_point`, and when each rank computes
  // (under the job's number, GraphOptions::job; not in the gated executor).
  void set_monitor(CollectiveMonitor& monitor, const std::vector<std::uint32_t>& streams,
                   std::uint32_t point_to_point);
  static constexpr std::uint32_t kNoStream = ~0u;
  void set_iteration_listener(IterationListener* listener);
  // The collectives communicator c runs per member (0 for a communicator of
  // one rank, which sends nothing).
  [[nodiscard]] std::uint32_t calls(std::uint32_t c) const { return calls_[c]; }
  // The closed-form time of channel c's collective (CollectiveResult::ideal_ps).
  [[nodiscard]] sim::Time channel_ideal_ps(std::size_t c) const { return channels_[c]->ideal_ps; }
  // Host faults on the job's ranks (before the run): see ComputeSpeed.
  [[nodiscard]] ComputeSpeed& speed() { return speed_; }
  // How many collectives the run holds (their ids: first_id onwards).
  [[nodiscard]] std::uint32_t collective_count() const { return collective_count_; }

 private:
  enum Tag : std::uint32_t { kStart = 0, kComputeDone = 1, kDelivered = 2, kNotBefore = 3 };
  // One CollectiveRun and the instances of it each member takes part in.
  struct Channel final : RankGate, CollectiveDoneListener {
    GraphRun* owner = nullptr;
    std::uint32_t communicator = 0;
    std::uint32_t instances = 0;
    std::uint32_t first_id = 0;
    // ops[j * members + m]: the global op of member m in instance j.
    std::vector<std::uint32_t> ops;
    std::uint32_t members = 0;
    std::int64_t open = -1;  // the instance open now, or -1
    sim::Time ideal_ps = 0;
    std::unique_ptr<CollectiveRun> run;
    // Instance j is its communicator's call call_of[j] (as the library numbers them).
    std::vector<std::uint32_t> call_of;
    std::unique_ptr<StreamMonitor> monitor;
    sim::Time ready_at(std::uint32_t rank, std::uint32_t index, sim::Time open_ps) override;
    void collective_done(const CollectiveRun& done, std::uint32_t index) override;
  };
  // Where a collective op runs: its channel, instance and member.
  struct CollectiveSlot {
    std::uint32_t channel = 0;
    std::uint32_t instance = 0;
    std::uint32_t member = 0;
  };

  void build_dependencies();
  void build_channels(const topology::Topology& topology, topology::Routing& routing);
  void build_point_to_point();
  void check_gated() const;
  // Gated executor: when op g (a collective) is ready, working out the ends
  // of the compute ops it waits for; sim::kForever if a hung rank never gets there.
  [[nodiscard]] sim::Time gated_ready_ps(std::uint32_t g);
  [[nodiscard]] sim::Time gated_compute_end_ps(std::uint32_t g);
  void ready(std::uint32_t op);
  void complete(std::uint32_t op);
  void start_compute(std::uint32_t rank);
  void send(std::uint32_t op);
  [[nodiscard]] std::uint32_t rank_of(std::uint32_t op) const;
  [[nodiscard]] const Op& op_at(std::uint32_t op) const;
  [[nodiscard]] bool same_server(std::uint32_t a, std::uint32_t b) const {
    return !options_.server_of_rank.empty() &&
           options_.server_of_rank[a] == options_.server_of_rank[b];
  }

  sim::Simulator& sim_;
  transport::Transport& transport_;
  sim::HandlerId self_;
  std::vector<topology::HostId> hosts_;
  std::shared_ptr<const Program> program_;
  GraphOptions options_;

  std::vector<std::uint32_t> offset_;  // per rank, its first global op; then the total
  std::vector<OpTiming> timing_;
  std::vector<std::uint32_t> pending_;  // dependencies not done yet, per op
  // Who waits on each op (program dependencies, plus each collective's
  // predecessor on its communicator), in compressed rows.
  std::vector<std::uint32_t> next_begin_;
  std::vector<std::uint32_t> next_;
  std::vector<CollectiveSlot> slot_;                 // per op; collectives only
  std::vector<std::uint32_t> partner_;               // send -> its receive, receive -> its send
  std::vector<std::uint8_t> arrived_;                // a receive's data is in
  std::vector<transport::ConnectionId> connection_;  // per send: its pair's connection
  std::vector<std::unique_ptr<Channel>> channels_;
  std::vector<std::uint32_t> calls_;  // per communicator
  CollectiveMonitor* monitor_ = nullptr;
  IterationListener* iteration_listener_ = nullptr;
  std::vector<std::uint32_t> iteration_left_;  // per iteration: its ops not done yet
  std::uint32_t next_iteration_ = 0;           // the first not done
  std::uint32_t point_to_point_stream_ = kNoStream;
  std::vector<std::deque<std::uint32_t>> compute_queue_;  // per rank
  std::vector<std::uint8_t> computing_;                   // per rank
  ComputeSpeed speed_;
  // Gated executor, per compute op: when its chain of back-to-back compute
  // ops started and the work of the chain up to it (scaled).
  std::vector<sim::Time> chain_start_ps_;
  std::vector<sim::Time> chain_work_ps_;
  std::uint32_t collective_count_ = 0;
  std::size_t done_ = 0;
  sim::Time start_ps_ = sim::kForever;
  sim::Time end_ps_ = 0;
};

}  // namespace spinel::workloads::graph
