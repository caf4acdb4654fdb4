#pragma once
// A PCCL run as the scenario's `pccl:` section states it (already validated
// by the loader): the group, its data, its timeouts and its churn.
#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/time.hpp"
#include "workloads/pccl/loop.hpp"
#include "workloads/pccl/ring.hpp"

namespace spinel::pccl {

// Membership changes the driver injects. join: a new peer process starts and
// registers; leave: a peer leaves gracefully at its next step boundary;
// death: the process is killed (its connections close at once); stall: the
// process stops without closing anything (only the keepalive finds it).
enum class ChurnKind : std::uint8_t { join, leave, death, stall };
std::string_view to_string(ChurnKind kind);

struct ChurnEvent {
  sim::Time at_ps = 0;
  ChurnKind kind = ChurnKind::death;
  std::uint32_t peer = 0;  // leave, death, stall: which peer (ids count spawns from 0)
};

struct PcclConfig {
  std::uint32_t peers = 4;       // started at time 0
  std::uint32_t max_peers = 10;  // the churn process spawns no more live processes than this
  std::uint32_t floats = 256;    // real elements each peer reduces
  std::uint64_t size_bytes = 64ULL << 20;  // what one all-reduce moves per peer on the network
  std::uint32_t connections_per_neighbour = 1;
  // TCP window of each pooled connection: its rate is capped at window / RTT,
  // RTT twice the path latency between the two peers' hosts. 0 = no cap.
  std::uint64_t window_bytes = 0;
  // The master's ring: by id (PCCL's default) or optimised from the
  // bandwidths it measures between peers (re-searched when membership changes).
  RingOrder ring_order = RingOrder::id;
  sim::Time step_compute_ps = sim::kSecond;  // one (inner) step
  TrainingLoop loop;
  sim::Time retry_backoff_ps = sim::kSecond;
  sim::Time duration_ps = 60 * sim::kSecond;
  sim::Time keepalive_interval_ps = 5 * sim::kSecond;
  sim::Time keepalive_timeout_ps = 30 * sim::kSecond;
  sim::Time control_latency_ps = 100 * sim::kMicrosecond;  // one way, master <-> peer
  // The churn process: every uniform(min, max) one event; a kill with
  // probability kill_probability (otherwise a join), its kind drawn by the
  // weights. max = 0: no process.
  sim::Time churn_interval_min_ps = 0;
  sim::Time churn_interval_max_ps = 0;
  double kill_probability = 0.4;
  double death_weight = 1.0;
  double stall_weight = 0.0;
  double leave_weight = 0.0;
  // Churn at rates (Poisson processes, in addition to the above): joins per
  // hour for the group, and per live peer per hour for the hits.
  double joins_per_hour = 0;
  double deaths_per_peer_hour = 0;
  double stalls_per_peer_hour = 0;
  double leaves_per_peer_hour = 0;
  std::vector<ChurnEvent> events;   // at fixed times, in time order
  sim::Time liveness_bound_ps = 0;  // 0: derived (liveness_bound below)
};

// How long a group of two or more healthy peers may go without a completed
// step after the last membership change: a stall is found after the
// keepalive timeout (checked every interval), then the abort, a retry after
// a back-off, a step's compute (all its inner steps), and 30 s of slack. With the hosts' link rate
// known, four times the time to send size_bytes at that rate is added for
// the ring itself (ring all-reduce sends under 2x size_bytes per peer; the
// other 2x covers hash collisions), so big all-reduces on slow links do not
// trip it. The driver passes the lower of the host rate and the slowest
// bandwidth probe between two hosts (slowest link, or the pool's windows
// over that pair's round trip).
inline sim::Time liveness_bound(const PcclConfig& c, double host_rate_gbps = 0) {
  if (c.liveness_bound_ps != 0) return c.liveness_bound_ps;
  const sim::Time ring_ps =
      host_rate_gbps > 0 ? 4 * sim::serialisation_ps(c.size_bytes, host_rate_gbps) : 0;
  return c.keepalive_timeout_ps + 2 * c.keepalive_interval_ps +
         3 * (c.step_compute_ps * c.loop.inner_steps + c.retry_backoff_ps) + 30 * sim::kSecond +
         ring_ps;
}

}  // namespace spinel::pccl
