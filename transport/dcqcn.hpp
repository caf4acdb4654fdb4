#pragma once
// DCQCN's reaction point (Zhu et al., "Congestion Control for Large-Scale
// RDMA Deployments", SIGCOMM 2015): a sender paced at a current rate Rc,
// with a target rate Rt and an estimate alpha of congestion.
//  - A CNP: Rt = Rc, Rc *= 1 - alpha/2, alpha = (1-g) alpha + g; the
//    increase counters restart.
//  - alpha decays, alpha = (1-g) alpha, every K without a CNP.
//  - Increase events come from a timer (every T) and a byte counter (every
//    B bytes sent); with i timer and j byte events since the last cut:
//    fast recovery (max(i, j) < F): Rc = (Rt + Rc) / 2;
//    hyper increase (min(i, j) > F): Rt += R_HAI, then the same;
//    additive increase (otherwise): Rt += R_AI, then the same.
// Timers are evaluated lazily: the engine calls catch_up() before it acts on
// the state, and wakes a paced QP at the next increase if that comes first.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "sim/time.hpp"
#include "transport/packet_config.hpp"

namespace spinel::transport {

struct DcqcnRate {
  double rate_gbps = 0;    // Rc: the pace
  double target_gbps = 0;  // Rt
  double line_gbps = 0;    // the NIC's rate: Rc and Rt never exceed it
  double alpha = 1.0;
  sim::Time alpha_at = 0;                      // alpha is current as of this time
  sim::Time next_increase_ps = sim::kForever;  // the timer's next event (none at line rate)
  std::uint64_t bytes = 0;                     // towards the byte counter's next event
  std::uint32_t timer_events = 0;              // i
  std::uint32_t byte_events = 0;               // j
  sim::Time last_send_ps = 0;                  // the last packet's start
  std::uint32_t last_wire_bytes = 0;           // and its size on the wire
  sim::Time last_cnp_ps = 0;                   // receiver side: the last CNP this QP sent
  bool cnp_sent = false;                       // (if any)
};

class Dcqcn {
 public:
  explicit Dcqcn(const DcqcnConfig& config) : c_(config) {}

  void start(DcqcnRate& r, double line_gbps) const {
    r.line_gbps = line_gbps;
    r.rate_gbps = line_gbps;
    r.target_gbps = line_gbps;
  }

  // When the next packet may start: the last one's size at the current rate
  // after it started (no gate at line rate: the NIC's own pace).
  [[nodiscard]] sim::Time next_send_ps(const DcqcnRate& r) const {
    if (r.rate_gbps >= r.line_gbps) return r.last_send_ps;
    return r.last_send_ps + static_cast<sim::Time>(std::ceil(
                                static_cast<double>(r.last_wire_bytes) * 8000.0 / r.rate_gbps));
  }

  // The increase timer's events due by `now`.
  void catch_up(DcqcnRate& r, sim::Time now) const {
    while (r.next_increase_ps <= now) {
      const sim::Time at = r.next_increase_ps;
      ++r.timer_events;
      increase(r);
      r.next_increase_ps = at_line(r) ? sim::kForever : at + c_.increase_timer_ps;
    }
  }

  void on_sent(DcqcnRate& r, std::uint32_t wire_bytes, sim::Time now) const {
    r.last_send_ps = now;
    r.last_wire_bytes = wire_bytes;
    if (at_line(r)) return;
    r.bytes += wire_bytes;
    while (r.bytes >= c_.byte_counter_bytes) {
      r.bytes -= c_.byte_counter_bytes;
      ++r.byte_events;
      increase(r);
    }
  }

  void on_cnp(DcqcnRate& r, sim::Time now) const {
    catch_up(r, now);
    // alpha's periods without a CNP since it was last brought up to date.
    const sim::Time periods = (now - r.alpha_at) / c_.alpha_timer_ps;
    r.alpha *= std::pow(1 - c_.g, static_cast<double>(periods));
    r.target_gbps = r.rate_gbps;
    r.rate_gbps = std::max(c_.min_gbps, r.rate_gbps * (1 - r.alpha / 2));
    r.alpha = (1 - c_.g) * r.alpha + c_.g;
    r.alpha_at = now;
    r.bytes = 0;
    r.timer_events = 0;
    r.byte_events = 0;
    r.next_increase_ps = now + c_.increase_timer_ps;
  }

  // The receiver: a CNP for a marked packet, at most one per interval per QP.
  [[nodiscard]] bool should_notify(DcqcnRate& r, sim::Time now) const {
    if (r.cnp_sent && now - r.last_cnp_ps < c_.cnp_interval_ps) return false;
    r.cnp_sent = true;
    r.last_cnp_ps = now;
    return true;
  }

 private:
  [[nodiscard]] static bool at_line(const DcqcnRate& r) {
    return r.rate_gbps >= r.line_gbps && r.target_gbps >= r.line_gbps;
  }
  void increase(DcqcnRate& r) const {
    const std::uint32_t f = c_.fast_recovery_steps;
    const std::uint32_t most = std::max(r.timer_events, r.byte_events);
    const std::uint32_t least = std::min(r.timer_events, r.byte_events);
    if (most >= f) r.target_gbps += least > f ? c_.hai_gbps : c_.ai_gbps;
    r.target_gbps = std::min(r.target_gbps, r.line_gbps);
    r.rate_gbps = std::min((r.target_gbps + r.rate_gbps) / 2, r.line_gbps);
  }

  DcqcnConfig c_;
};

}  // namespace spinel::transport
