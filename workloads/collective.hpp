#pragma once
// Runs any Schedule (workloads/schedule.hpp) on a transport: the step model
// described there, for one or more iterations, with a compute gap between
// them. One connection per (phase, src, dst) pair, opened up front, phase by
// phase, with Transport::connect_group so that planners see each phase whole.
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "sim/simulator.hpp"
#include "topology/topology.hpp"
#include "transport/transport.hpp"
#include "workloads/collective_monitor.hpp"
#include "workloads/config.hpp"
#include "workloads/rank_gate.hpp"
#include "workloads/schedule.hpp"
#include "workloads/step_observer.hpp"

namespace spinel::workloads {

struct CollectiveResult {
  std::uint32_t collective_id = 0;
  std::uint32_t job = 0;
  Collective collective = Collective::ring_allreduce;
  std::uint32_t iteration = 0;
  std::uint32_t bucket = 0;  // of the iteration's gradient (CollectiveOptions::buckets)
  std::uint32_t ranks = 0;
  std::uint64_t size_bytes = 0;
  sim::Time start_ps = 0;  // when the last rank entered it
  sim::Time end_ps = 0;
  sim::Time ideal_ps = 0;
  // The largest phase congestion (see CollectiveRun::phase_congestion_ps),
  // and their sum over the steps: no step can end sooner than its busiest
  // link carries its bytes, so the sum bounds the time from below.
  sim::Time max_congestion_ps = 0;
  sim::Time congestion_bound_ps = 0;
  std::uint32_t max_queue_pairs_per_host = 0;
  // Graph jobs: the communicator it ran on (an index into the program's);
  // a collective job has one, its whole group.
  std::uint32_t communicator = 0;
  [[nodiscard]] sim::Time duration_ps() const { return end_ps - start_ps; }
};

struct CollectiveOptions {
  Collective collective = Collective::ring_allreduce;  // for results only
  std::uint32_t job = 0;                               // for results only
  std::uint64_t size_bytes = 0;  // the collective's size, for results and bus bandwidth
  std::uint32_t iterations = 1;
  // Collectives per iteration: a training job all-reduces its gradient in
  // buckets, one collective each. The run has iterations * buckets collectives.
  std::uint32_t buckets = 1;
  sim::Time compute_gap_ps = 0;  // idle time between iterations (after the last bucket)
  std::uint32_t first_id = 0;    // collective id of the first iteration; ids are consecutive
  sim::Time ideal_ps = 0;        // closed-form time on a non-blocking fabric, for results
  // Servers of several GPUs: the server of each rank (empty: every rank on
  // a server of its own). Transfers between ranks of one server take the
  // NVLink-like path: size / rate + latency each, not shared (each GPU sends
  // to one peer at a time in the collectives that use it) and not through
  // the transport.
  std::vector<std::uint32_t> server_of_rank;
  double nvlink_gbps = 0;
  sim::Time nvlink_latency_ps = 0;
};

class CollectiveRun;

// Hears each collective of a run complete, as the run's owner needs to (the
// workload graph's executor marks the op done for every member). Not a
// statistics hook: that is CollectiveMonitor.
class CollectiveDoneListener {
 public:
  virtual ~CollectiveDoneListener() = default;
  // The run's collective `index` (see CollectiveRun::results) completed now.
  virtual void collective_done(const CollectiveRun& run, std::uint32_t index) = 0;
};

class CollectiveRun final : public sim::EventHandler {
 public:
  // hosts[r] is the host of rank r. The schedule is shared, not copied.
  CollectiveRun(sim::Simulator& sim, transport::Transport& transport,
                std::vector<topology::HostId> hosts, std::shared_ptr<const Schedule> schedule,
                const CollectiveOptions& options);

  void start(sim::Time at);
  void handle(const sim::Event& event) override;

  [[nodiscard]] const std::vector<CollectiveResult>& results() const { return results_; }
  [[nodiscard]] bool finished() const { return results_.size() == collectives(); }
  // Collectives in the whole run: iterations * buckets.
  [[nodiscard]] std::size_t collectives() const {
    return std::size_t{options_.iterations} * options_.buckets;
  }
  [[nodiscard]] const Schedule& schedule() const { return *schedule_; }
  [[nodiscard]] const std::vector<topology::HostId>& hosts() const { return hosts_; }
  // The connection that carries src -> dst in `phase` (ranks).
  [[nodiscard]] transport::ConnectionId connection(std::uint32_t phase, std::uint32_t src,
                                                   std::uint32_t dst) const;
  // Per phase, the maximum congestion of the phase's pairs all sending their
  // largest transfer at once: max over links of bytes / capacity, by the
  // routes the transport gave the connections.
  [[nodiscard]] const std::vector<sim::Time>& phase_congestion_ps() const {
    return phase_congestion_ps_;
  }
  // Tells `observer` (or nobody, with nullptr) of every finished step. Not owned.
  void set_observer(StepObserver* observer) { observer_ = observer; }
  // Lets `gate` hold ranks back at the start of each iteration (see
  // RankGate). Not owned; nullptr (the default) lets every rank in at once.
  void set_gate(RankGate* gate) { gate_ = gate; }
  // Tells `monitor` (or nobody, with nullptr) what the collective library
  // would log (see CollectiveMonitor). Not owned.
  void set_monitor(CollectiveMonitor* monitor) { monitor_ = monitor; }
  // Tells `listener` (or nobody) as each collective completes. Not owned.
  void set_done_listener(CollectiveDoneListener* listener) { done_ = listener; }
  // Lets `rank` into the open collective now, after its gate said
  // sim::kForever (its owner did not know when it would be ready). Only for
  // a rank not yet in.
  void admit(std::uint32_t rank) { enter_rank(rank); }
  // The index of the collective open now (results().size() while one runs).
  [[nodiscard]] std::uint32_t open_index() const {
    return static_cast<std::uint32_t>(results_.size());
  }
  // When each rank entered the current (or last) iteration.
  [[nodiscard]] const std::vector<sim::Time>& entered_ps() const { return entered_ps_; }

 private:
  enum Tag : std::uint32_t { kDelivered = 0, kStartIteration = 1, kEnterRank = 2 };
  // A transfer in flight, named in the flow's 64-bit notify payload: no
  // table to keep, nothing to look up when it is delivered.
  struct InFlight {
    std::uint32_t src;
    std::uint32_t dst;
    std::uint32_t step;
  };
  static constexpr std::uint32_t kMaxRanks = 1u << 20;  // the most hosts a scenario may have
  static constexpr std::uint32_t kMaxSteps = 1u << 24;
  static std::uint64_t encode(std::uint32_t src, std::uint32_t dst, std::uint32_t step) {
    return (std::uint64_t{step} << 40) | (std::uint64_t{src} << 20) | dst;
  }
  static InFlight decode(std::uint64_t payload) {
    constexpr std::uint64_t kMask = kMaxRanks - 1;
    return InFlight{static_cast<std::uint32_t>((payload >> 20) & kMask),
                    static_cast<std::uint32_t>(payload & kMask),
                    static_cast<std::uint32_t>(payload >> 40)};
  }
  // Receipts for steps a rank has not reached yet: the next few inline (a
  // sender is rarely more than a step or two ahead), the rest in a map.
  static constexpr std::uint32_t kAhead = 4;
  // One cache line per rank: a delivery touches its sender's and receiver's.
  static constexpr std::uint32_t kNoPhase = ~std::uint32_t{0};
  struct alignas(64) RankState {
    std::uint32_t step = 0;
    std::uint32_t sends_pending = 0;   // of the current step
    std::uint32_t received = 0;        // of the current step
    std::uint32_t ahead[kAhead] = {};  // receipts for step + 1 + i, rotating with `step`
    sim::Time step_start = 0;
    bool entered = false;  // in the iteration (see RankGate); receipts wait until then
    // The connection this rank's last send used: a ring sends to one peer
    // for a whole phase, so most sends find theirs here, without a search.
    std::uint32_t sent_phase = kNoPhase;
    std::uint32_t sent_dst = 0;
    transport::ConnectionId sent_connection = 0;
  };
  static_assert(sizeof(RankState) == 64);

  // Whether a transfer stays inside one server (NVLink, not the transport).
  [[nodiscard]] bool over_nvlink(const Transfer& t) const {
    return !options_.server_of_rank.empty() &&
           options_.server_of_rank[t.src] == options_.server_of_rank[t.dst];
  }
  void open_connections();
  void begin_iteration();
  void enter_rank(std::uint32_t rank);
  void enter_step(std::uint32_t rank);
  void try_advance(std::uint32_t rank);
  void count_receipt(std::uint32_t rank, std::uint32_t step);
  void report_transfer(const InFlight& t);
  [[nodiscard]] std::uint32_t& ahead_slot(RankState& state, std::uint32_t step);

  sim::Simulator& sim_;
  transport::Transport& transport_;
  sim::HandlerId self_;
  std::vector<topology::HostId> hosts_;
  std::shared_ptr<const Schedule> schedule_;
  CollectiveOptions options_;
  std::uint32_t n_;
  std::uint32_t steps_;

  // Per phase, per source rank, its (dst, connection) pairs sorted by dst:
  // compressed rows, so that a send finds its connection without hashing.
  struct PhaseConnections {
    std::vector<std::uint32_t> row;  // n_ + 1 offsets into peers
    std::vector<std::pair<std::uint32_t, transport::ConnectionId>> peers;
  };
  std::vector<PhaseConnections> phases_;
  std::vector<sim::Time> phase_congestion_ps_;
  sim::Time max_congestion_ps_ = 0;
  sim::Time congestion_bound_ps_ = 0;
  std::uint32_t max_queue_pairs_per_host_ = 0;

  std::vector<RankState> ranks_;
  std::unordered_map<std::uint64_t, std::uint32_t> far_ahead_;  // (rank, step) -> receipts
  std::vector<Transfer> scratch_;
  std::uint32_t ranks_finished_ = 0;
  sim::Time iteration_start_ = 0;
  std::vector<CollectiveResult> results_;
  StepObserver* observer_ = nullptr;
  RankGate* gate_ = nullptr;
  CollectiveMonitor* monitor_ = nullptr;
  CollectiveDoneListener* done_ = nullptr;
  std::vector<sim::Time> entered_ps_;
};

}  // namespace spinel::workloads
