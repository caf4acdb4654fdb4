#pragma once
// A C4-style detector (Dong et al., "Boosting Large-scale Parallel Training
// Efficiency with C4"): training traffic is periodic and homogeneous, so the
// collective library's own statistics point at a faulty part. It listens as
// a CollectiveMonitor and sees only what a hooked library logs: when each
// rank calls each collective, and each transfer's connection, bytes, start
// and delivery. It raises
//  - non_communication_hang: the others called the collective, this rank
//    has not, for hang_timeout: suspect its host;
//  - non_communication_slow: this rank called the iteration's collectives
//    late (summed over them, from each one's opening) by over slow_factor
//    times the median rank, in `window` iterations running: suspect its
//    host;
//  - communication_slow: connections whose fastest transfer in a collective
//    (bytes / its time: what the path gives when nothing else shares it,
//    so that contention that comes and goes as ranks drift is not an alarm)
//    fell under 1 / slow_factor of their own baseline (the slowest of their
//    first `window` iterations), in `window` collectives running: suspect
//    the host they all share, if they do, or else the slowest connection.
//  - communication_hang: every rank called the collective, yet nothing was
//    delivered for hang_timeout: suspect the host that the stuck
//    connections (transfers outstanding for hang_timeout) share, or else
//    the stuck connection.
//
// It watches streams (CollectiveMonitor): a job of one collective is one; a
// job of several communicators (a program) is one per communicator that
// runs collectives, each watched on its own as above, and one of its
// point-to-point transfers, which raises communication_hang when transfers
// are outstanding and nothing of the stream was delivered for hang_timeout.
// On a program's streams a rank's lateness is the time its GPU computed
// between the collective's opening and its call (compute_started/ended),
// not the whole wait: a rank of a program is often late because it waited
// for another communicator or a pipeline stage, which is not its fault. For
// the same reason a rank that has not called a hung collective is a suspect
// only while its GPU has been busy since the others called it (a compute
// that never ends); an idle one waits for something else. An alarm is
// raised once per job (class and suspect), whichever stream finds it.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/earliest_wake.hpp"
#include "sim/simulator.hpp"
#include "topology/topology.hpp"
#include "workloads/collective_monitor.hpp"
#include "workloads/config.hpp"

namespace spinel::workloads {

enum class AnomalyClass {
  communication_hang,
  non_communication_hang,
  communication_slow,
  non_communication_slow,
  // What people watching the job notice (ManualDetector): it stopped, or
  // it slowed down; which part is at fault takes them a diagnosis.
  job_hang,
  job_slow
};
std::string_view to_string(AnomalyClass c);

struct Detection {
  sim::Time at_ps = 0;
  std::uint32_t job = 0;
  AnomalyClass anomaly = AnomalyClass::non_communication_slow;
  // The suspect: a host, or a connection from src_host to dst_host.
  bool connection_suspect = false;
  topology::HostId src_host = 0;  // the host, for a host suspect
  topology::HostId dst_host = 0;
  transport::ConnectionId connection = 0;
  std::string evidence;  // what the statistics showed, in words and numbers
};

class Detector final : public CollectiveMonitor, public sim::EventHandler {
 public:
  Detector(sim::Simulator& sim, const DetectorConfig& config);

  // A stream of job `job` to watch: the host of each of its ranks (what the
  // library knows of its ranks) and its collectives per iteration; with
  // `job_ranks` (a program's communicator: the job rank of each of its
  // ranks) lateness counts the ranks' compute (watch_compute). Returns the
  // stream's number, from 0 in the order added; call before the run.
  std::uint32_t watch(std::uint32_t job, std::vector<topology::HostId> hosts, std::uint32_t buckets,
                      std::vector<std::uint32_t> job_ranks = {});
  // A program's point-to-point transfers, between its ranks (hosts[r] the
  // host of job rank r).
  std::uint32_t watch_point_to_point(std::uint32_t job, std::vector<topology::HostId> hosts);
  // Hear when the `ranks` ranks of job `job` compute (compute_started/ended).
  void watch_compute(std::uint32_t job, std::uint32_t ranks);

  void collective_opened(std::uint32_t job, std::uint32_t index, std::uint32_t bucket,
                         sim::Time at) override;
  void rank_entered(std::uint32_t job, std::uint32_t index, std::uint32_t rank,
                    sim::Time at) override;
  void transfer_started(const TransferStat& transfer) override;
  void transfer_done(std::uint32_t job, transport::ConnectionId connection, sim::Time at) override;
  void collective_done(std::uint32_t job, std::uint32_t index, sim::Time at, bool last) override;
  void compute_started(std::uint32_t job, std::uint32_t rank, sim::Time at) override;
  void compute_ended(std::uint32_t job, std::uint32_t rank, sim::Time at) override;
  void handle(const sim::Event& event) override;

  [[nodiscard]] const std::vector<Detection>& detections() const { return detections_; }
  // Nothing building up: every connection has its baseline and none, nor
  // any rank, is on a slow run, and no hang was raised. Healthy iterations
  // that repeat exactly then leave the detector as it is (see
  // api/recovery.hpp: fast-forward).
  [[nodiscard]] bool quiescent() const;
  // Stop the simulator at the first alarm (a driver that acts on it).
  void stop_on_alarm(bool stop) { stop_on_alarm_ = stop; }

 private:
  // A connection's history: its baseline rate, the current collective's
  // fastest transfer, and how many collectives running it was slow.
  struct ConnectionHistory {
    std::uint32_t src = 0;
    std::uint32_t dst = 0;
    std::vector<double> first_rates;  // bytes per ps, until the baseline is set
    double baseline = 0;
    double last_rate = 0;  // in the last collective
    double best_rate = 0;  // this collective's fastest transfer, bytes per ps
    std::uint32_t slow_run = 0;
  };
  struct Job {
    std::uint32_t job = 0;  // the job it is a stream of
    std::vector<topology::HostId> hosts;
    // A program's communicator: the job rank of each of its ranks; its
    // lateness counts compute. Empty: a job of one collective.
    std::vector<std::uint32_t> job_ranks;
    bool point_to_point = false;             // a program's transfers, no collectives
    std::vector<sim::Time> busy_at_open_ps;  // per rank: its compute so far at the opening
    std::vector<sim::Time> late_ps;          // per rank: this collective's lateness
    std::uint32_t buckets = 1;
    std::uint32_t index = 0;  // the collective open now
    sim::Time open_ps = 0;
    std::vector<sim::Time> entered_ps;  // this collective; kForever = not yet
    bool active = false;                // a collective is open
    bool finished = false;
    bool hung = false;                   // a hang was raised: the job is stuck, stop watching
    std::vector<sim::Time> lateness_ps;  // per rank, this iteration so far
    std::vector<std::uint32_t> slow_iterations;  // per rank, in a row
    std::map<transport::ConnectionId, ConnectionHistory> connections;
    // The transfers in flight on each connection, until delivered: one at a
    // time on a collective's, in order on a point-to-point one.
    std::multimap<transport::ConnectionId, TransferStat> in_flight;
    sim::Time last_progress_ps = 0;  // the latest call or delivery
  };
  // A program's ranks' compute: the time each has computed, and since when
  // it computes now (kForever: idle).
  struct Compute {
    std::vector<sim::Time> busy_ps;
    std::vector<sim::Time> since_ps;
    [[nodiscard]] sim::Time busy_at(std::uint32_t rank, sim::Time at) const {
      return busy_ps[rank] + (since_ps[rank] == sim::kForever ? 0 : at - since_ps[rank]);
    }
  };

  void check_compute(Job& job, std::uint32_t id, sim::Time at);
  void check_connections(Job& job, std::uint32_t id, sim::Time at);
  sim::Time check_stuck(Job& job, std::uint32_t id, sim::Time now);
  sim::Time check_uncalled(Job& job, std::uint32_t id, sim::Time now);
  static std::pair<std::size_t, sim::Time> entries(const Job& job);
  sim::Time check_hangs(sim::Time now);
  void raise(Job& job, std::uint32_t id, Detection d);

  sim::Simulator& sim_;
  DetectorConfig config_;
  sim::EarliestWake wake_;                                    // the next hang check
  std::vector<Job> jobs_;                                     // the streams
  std::map<std::uint32_t, Compute> compute_;                  // by job
  std::map<std::uint32_t, std::vector<std::string>> raised_;  // by job: "class suspect", once each
  std::vector<Detection> detections_;
  bool stop_on_alarm_ = false;
};

}  // namespace spinel::workloads
