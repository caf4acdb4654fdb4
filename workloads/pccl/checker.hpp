#pragma once
// The invariants of fault-tolerant all-reduce, checked as the protocol runs
// (after every step, from the notices master and peers emit):
//  - every participant of a completed attempt holds bit-identical results,
//    equal to the ring reduction over exactly that attempt's participants;
//  - world size agrees: every participant ran with the master's ring size;
//  - exactly one abort per participant per aborted attempt (never two, and
//    a participant retries only after its one abort);
//  - no collective overlaps a topology update or a shared-state sync;
//  - after a sync every accepted peer holds the same shared state;
//  - liveness: with two or more live, non-stalled peers, a step completes
//    within a bound derived from the timeouts (see Checker::check_liveness).
// The first violation is kept with the time; the driver stops the run.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "sim/time.hpp"
#include "workloads/pccl/master.hpp"
#include "workloads/pccl/messages.hpp"
#include "workloads/pccl/peer.hpp"

namespace spinel::pccl {

class Checker {
 public:
  // `peer` finds a peer's state machine (dead ones too; nullptr if never).
  Checker(const Master& master, std::function<const Peer*(PeerId)> peer,
          sim::Time liveness_bound_ps)
      : master_(master), peer_(std::move(peer)), liveness_bound_ps_(liveness_bound_ps) {}

  void on_notice(sim::Time now, const Notice& notice);
  // Something that may hold progress back happened (a join, death, stall,
  // leave): the liveness clock restarts.
  void on_churn(sim::Time now) { progress_at_ = now; }
  // Called periodically with the number of live, non-stalled peers.
  void check_liveness(sim::Time now, std::size_t healthy_peers);

  [[nodiscard]] bool failed() const { return !violation_.empty(); }
  [[nodiscard]] const std::string& violation() const { return violation_; }
  [[nodiscard]] sim::Time violation_at() const { return violation_at_; }
  [[nodiscard]] std::uint64_t checks() const { return checks_; }

 private:
  void fail(sim::Time now, std::string what);
  void check_complete(sim::Time now, const Notice& n);

  const Master& master_;
  std::function<const Peer*(PeerId)> peer_;
  sim::Time liveness_bound_ps_;
  sim::Time progress_at_ = 0;
  bool collective_active_ = false;
  bool sync_active_ = false;
  std::uint64_t op_ = 0;
  std::uint32_t attempt_ = 0;
  std::vector<PeerId> participants_;
  std::vector<PeerId> aborted_participants_;  // of the last aborted attempt of op_
  std::map<std::tuple<PeerId, std::uint64_t, std::uint32_t>, std::uint64_t> aborts_;
  std::string violation_;
  sim::Time violation_at_ = 0;
  std::uint64_t checks_ = 0;
};

}  // namespace spinel::pccl
