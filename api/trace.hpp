#pragma once
// trace.json: the run as a Chrome Trace Event file (opens in Perfetto and
// chrome://tracing). One process per host (pid = host id, named "h<id>")
// with a track of its collective steps (tid 0) and one of the flows it sent
// (tid 1), both as complete ("X") events; utilisation counters ("C") for its
// NIC links (h<id>>leafL, leafL>h<id>) in the host's process and for the
// leaf-spine links in a "fabric" process (pid = number of hosts). A graph
// job's ops (add_ops) go on more tracks of each rank's host: its compute
// (tid 2), then each communicator it uses and its point-to-point transfers
// of no group, a track each, named so.
//
// Events are held in memory and written sorted by time at the end; a trace is
// for small runs, and past kMaxEvents the run stops with an error.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/recorder.hpp"
#include "topology/topology.hpp"
#include "transport/flow_observer.hpp"
#include "workloads/graph/graph_run.hpp"
#include "workloads/step_observer.hpp"

namespace spinel::api {

// "12.345678": picoseconds as microseconds, exact (six decimals, from the integer).
std::string format_trace_us(sim::Time ps);

class Trace final : public transport::FlowObserver, public workloads::StepObserver {
 public:
  static constexpr std::size_t kMaxEvents = 1'000'000;

  explicit Trace(const topology::Topology& topology);

  void link_load(sim::Time now, topology::LinkId link, double bytes_per_ps) override;
  void flow_completed(sim::Time now, const transport::FlowRecord& flow) override;
  void step_finished(const workloads::StepRecord& step) override;

  // Every op of a finished graph run that started and ended.
  void add_ops(const workloads::graph::GraphRun& run);
  void write(sim::Recorder& recorder);

 private:
  enum class Kind : std::uint8_t { step, flow, counter, op };
  // One event, compact: what the JSON needs is rebuilt at write time.
  struct Event {
    sim::Time ts = 0;
    sim::Time dur = 0;
    Kind kind = Kind::step;
    std::uint32_t pid = 0;  // step, flow, op: host; counter: link id
    std::uint32_t a = 0;    // step: collective; flow: collective; op: tid
    std::uint32_t b = 0;    // step: step; flow: step; op: its name (names_)
    std::uint32_t c = 0;    // step: rank; flow: dst host; op: its OpKind
    std::uint64_t d = 0;    // flow, op: bytes; flow_id in `id`
    std::uint64_t id = 0;   // flow: flow_id; op: rank << 32 | op index
    double value = 0;       // counter: utilisation
  };
  static constexpr std::size_t kNone = ~std::size_t{0};

  void push(const Event& event);
  [[nodiscard]] std::uint32_t counter_pid(topology::LinkId link) const;

  const topology::Topology& topology_;
  std::vector<Event> events_;
  std::vector<std::size_t> last_counter_;  // per link, index in events_ of its last counter
  std::vector<std::string> names_;         // ops' names
  // Per host of a graph job's rank: its op tracks' names, from tid 2.
  std::map<topology::HostId, std::vector<std::string>> tracks_;
};

}  // namespace spinel::api
