#pragma once
// Runs a PCCL master and its peers on the simulated network: peers on hosts
// of a spinel fabric, ring chunks as flows of the flow model (one model
// connection per pooled connection), control messages after a fixed
// latency in send order, connection closes after the same latency, and the
// churn of the scenario (a seeded process and fixed events). The invariant
// checker sees every notice; a violation stops the run.
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "sim/rng.hpp"
#include "sim/simulator.hpp"
#include "transport/flow_model.hpp"
#include "workloads/pccl/checker.hpp"
#include "workloads/pccl/config.hpp"
#include "workloads/pccl/master.hpp"
#include "workloads/pccl/peer.hpp"

namespace spinel::pccl {

// One membership event, a row of churn.csv. event: spawn, leave_request,
// death, stall (the driver's doing) or admitted, departed, kicked (the
// master's view).
struct ChurnRecord {
  sim::Time at_ps = 0;
  std::string_view event;
  PeerId peer = 0;
  std::uint32_t host = 0;
  std::uint32_t world = 0;  // accepted peers at the master after the event
};

// One completed step (all-reduce), a row of steps.csv.
struct StepRecord {
  std::uint64_t op = 0;
  std::uint32_t attempts = 0;  // 1 + aborted attempts
  sim::Time start_ps = 0;      // the first attempt's start
  sim::Time end_ps = 0;
  std::uint32_t world = 0;  // participants of the successful attempt
  std::uint64_t bytes = 0;  // chunk bytes of the successful attempt
};

struct PcclResult {
  std::vector<ChurnRecord> churn;
  std::vector<StepRecord> steps;
  std::uint64_t aborted_attempts = 0;
  std::uint64_t aborted_bytes = 0;    // chunk bytes sent in attempts that were aborted
  std::uint64_t chunk_bytes = 0;      // all chunk bytes sent
  std::uint64_t cancelled_bytes = 0;  // chunk bytes stopped on the wire when a peer died
  std::uint64_t messages = 0;         // control messages
  std::uint64_t peers_spawned = 0;
  std::uint64_t deaths = 0, stalls = 0, leaves = 0, kicks = 0;
  // From each death or stall to the next completed step.
  std::vector<sim::Time> recovery_ps;
  std::uint64_t checks = 0;
  bool failed = false;
  std::string violation;
  sim::Time violation_at_ps = 0;
  sim::Time end_ps = 0;
};

class SimDriver final : public sim::EventHandler {
 public:
  // host_rate_gbps: the hosts' link rate, for the liveness bound (0: unknown).
  SimDriver(sim::Simulator& sim, transport::FlowModel& model, std::uint32_t hosts,
            const PcclConfig& config, std::uint64_t seed, double host_rate_gbps = 0);
  [[nodiscard]] sim::Time liveness_bound_ps() const { return liveness_bound_ps_; }
  // An invariant was violated: the driver stopped the simulator.
  [[nodiscard]] bool failed() const { return checker_.failed(); }
  ~SimDriver() override;
  SimDriver(const SimDriver&) = delete;
  SimDriver& operator=(const SimDriver&) = delete;

  // Starts the master, the first peers, the churn; then run the simulator
  // until config.duration_ps and call finish().
  void start();
  PcclResult finish();

  void handle(const sim::Event& event) override;

 private:
  enum Tag : std::uint32_t {
    kControl,
    kChunk,
    kTimer,
    kChurnTick,
    kFixedChurn,
    kLiveness,
    kRateTick
  };
  enum class Life : std::uint8_t { alive, stalled, dead };
  struct Slot {
    std::unique_ptr<Peer> peer;
    std::uint32_t host = 0;
    Life life = Life::alive;
    bool leaving = false;
  };
  struct Pending {
    PeerId from = 0;
    PeerId to = 0;
    bool disconnect = false;  // a connection close, not a message
    Message message;
  };

  PeerId spawn();
  // Rate churn by thinning: candidate events at the highest possible total
  // rate (every process slot live), each kept with its current share.
  [[nodiscard]] double max_rate_per_hour() const;
  void schedule_rate_tick();
  void rate_tick();
  void churn(ChurnKind kind, PeerId peer);
  void kill(PeerId peer, Life how);
  // Tells everyone connected to `peer` (and the master, unless it did this)
  // that its connections closed.
  void close_connections(PeerId peer, bool tell_master);
  void apply(PeerId self, Output&& out);
  void send_control(PeerId from, PeerId to, Message&& message, bool disconnect = false);
  void send_chunk(PeerId from, Send&& send);
  std::uint32_t store(Pending&& p);
  [[nodiscard]] bool usable(PeerId id) const {
    return id == kMaster || slots_[id].life == Life::alive;
  }
  void on_notice(const Notice& n);
  void record(std::string_view event, PeerId peer);
  std::size_t healthy() const;

  sim::Simulator& sim_;
  transport::FlowModel& model_;
  std::uint32_t hosts_;
  PcclConfig config_;
  std::uint64_t seed_;
  sim::Time liveness_bound_ps_;
  PeerConfig peer_config_;
  sim::HandlerId self_;
  sim::LaneId lane_;
  sim::Rng churn_rng_;
  sim::Rng rate_rng_;  // its own stream: adding rates does not shift the interval process
  Master master_;
  Checker checker_;
  std::vector<Slot> slots_;
  std::vector<Pending> pending_;
  std::vector<std::uint32_t> free_pending_;
  std::set<std::pair<PeerId, PeerId>> links_;  // open peer-to-peer connections (low, high)
  std::map<std::tuple<PeerId, PeerId, std::uint32_t>, transport::ConnectionId> connections_;
  std::map<std::pair<std::uint64_t, std::uint32_t>, std::uint64_t> attempt_bytes_;
  sim::Time step_start_ps_ = 0;
  std::vector<sim::Time> unrecovered_;  // deaths and stalls since the last completed step
  PcclResult result_;
};

}  // namespace spinel::pccl
