#pragma once
// Puts one CollectiveRun's reports into a stream of a listener: a job of
// several communicators runs one CollectiveRun per (communicator, kind,
// size), each numbering its collectives from 0, while a hooked library logs
// per communicator, numbering the communicator's calls in the order its
// members make them. The stream's number replaces the job's, the
// communicator's call number the run's collective number.
#include <cstdint>
#include <utility>
#include <vector>

#include "workloads/collective_monitor.hpp"

namespace spinel::workloads {

class StreamMonitor final : public CollectiveMonitor {
 public:
  // The run's collective i is the stream's call call_of[i] (empty: call i);
  // the stream has `calls` calls in all.
  StreamMonitor(CollectiveMonitor& target, std::uint32_t stream, std::vector<std::uint32_t> call_of,
                std::uint32_t calls)
      : target_(target), stream_(stream), call_of_(std::move(call_of)), calls_(calls) {}

  void collective_opened(std::uint32_t /*job*/, std::uint32_t index, std::uint32_t bucket,
                         sim::Time at) override {
    target_.collective_opened(stream_, call(index), bucket, at);
  }
  void rank_entered(std::uint32_t /*job*/, std::uint32_t index, std::uint32_t rank,
                    sim::Time at) override {
    target_.rank_entered(stream_, call(index), rank, at);
  }
  void transfer_started(const TransferStat& transfer) override {
    TransferStat t = transfer;
    t.job = stream_;
    t.index = call(t.index);
    target_.transfer_started(t);
  }
  void transfer_done(std::uint32_t /*job*/, transport::ConnectionId connection,
                     sim::Time at) override {
    target_.transfer_done(stream_, connection, at);
  }
  void collective_done(std::uint32_t /*job*/, std::uint32_t index, sim::Time at,
                       bool /*last*/) override {
    const std::uint32_t c = call(index);
    target_.collective_done(stream_, c, at, c + 1 == calls_);
  }

 private:
  [[nodiscard]] std::uint32_t call(std::uint32_t index) const {
    return call_of_.empty() ? index : call_of_[index];
  }

  CollectiveMonitor& target_;
  std::uint32_t stream_;
  std::vector<std::uint32_t> call_of_;
  std::uint32_t calls_;
};

}  // namespace spinel::workloads
