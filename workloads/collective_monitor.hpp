#pragma once
// What a collective library can log about itself, as C4's detector hooks
// NCCL for: when each operation opens, when each rank calls it, each
// network transfer's connection, size, start and delivery, and when the
// operation completes. A detector that listens here sees nothing else: no
// fault, no link state, no route.
//
// `job` in these calls is the number of the stream of operations the
// listener watches: a job of one collective is one stream; a job of several
// communicators has one per communicator and one for its point-to-point
// transfers (see StreamMonitor), as a hooked library logs per communicator.
#include <cstdint>

#include "sim/time.hpp"
#include "topology/topology.hpp"
#include "transport/flow_model.hpp"

namespace spinel::workloads {

// One network transfer of a collective (NVLink transfers inside a server
// are not on the network and are not reported).
struct TransferStat {
  std::uint32_t job = 0;
  std::uint32_t index = 0;  // the job's collective number: iteration * buckets + bucket
  std::uint32_t src = 0;    // ranks
  std::uint32_t dst = 0;
  transport::ConnectionId connection = 0;
  std::uint64_t bytes = 0;
  sim::Time start_ps = 0;
  sim::Time end_ps = 0;  // delivered (0 until then)
};

class CollectiveMonitor {
 public:
  virtual ~CollectiveMonitor() = default;
  // The job's collective `index` opens (the previous one done, or the
  // job's start); `bucket` is its gradient bucket within the iteration.
  virtual void collective_opened(std::uint32_t job, std::uint32_t index, std::uint32_t bucket,
                                 sim::Time at) = 0;
  // A rank called the collective (its bucket was ready).
  virtual void rank_entered(std::uint32_t job, std::uint32_t index, std::uint32_t rank,
                            sim::Time at) = 0;
  // A transfer handed to the transport (end_ps is 0), and the delivery of
  // the one in flight on that connection: a connection carries one transfer
  // at a time, since a sender leaves a step only once its sends arrived.
  virtual void transfer_started(const TransferStat& transfer) = 0;
  virtual void transfer_done(std::uint32_t job, transport::ConnectionId connection,
                             sim::Time at) = 0;
  // Every rank finished the collective; `last` says it was the job's last.
  virtual void collective_done(std::uint32_t job, std::uint32_t index, sim::Time at, bool last) = 0;
  // A rank's GPU started / stopped computing (`job` is the job's number
  // here, `rank` its rank): what the hook sees as the rank's time between
  // its library calls that it spent working, not blocked in one. Only the
  // executor of programs reports it; a job of one collective does nothing
  // but compute between its calls.
  virtual void compute_started(std::uint32_t /*job*/, std::uint32_t /*rank*/, sim::Time /*at*/) {}
  virtual void compute_ended(std::uint32_t /*job*/, std::uint32_t /*rank*/, sim::Time /*at*/) {}
};

}  // namespace spinel::workloads
