#pragma once
// trace.json: the run as a Chrome Trace Event file (opens in Perfetto and
// chrome://tracing). One process per host (pid = host id, named "h<id>")
// with a track of its collective steps (tid 0) and one of the flows it sent
// (tid 1), both as complete ("X") events; utilisation counters ("C") for its
// NIC links (h<id>>leafL, leafL>h<id>) in the host's process and for the
// leaf-spine links in a "fabric" process (pid = number of hosts).
//
// Events are held in memory and written sorted by time at the end; a trace is
// for small runs, and past kMaxEvents the run stops with an error.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/recorder.hpp"
#include "topology/topology.hpp"
#include "transport/flow_observer.hpp"
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

  void write(sim::Recorder& recorder);

 private:
  enum class Kind : std::uint8_t { step, flow, counter };
  // One event, compact: what the JSON needs is rebuilt at write time.
  struct Event {
    sim::Time ts = 0;
    sim::Time dur = 0;
    Kind kind = Kind::step;
    std::uint32_t pid = 0;  // step, flow: host; counter: link id
    std::uint32_t a = 0;    // step: collective; flow: collective
    std::uint32_t b = 0;    // step: step; flow: step
    std::uint32_t c = 0;    // step: rank; flow: dst host
    std::uint64_t d = 0;    // flow: bytes; flow_id in `id`
    std::uint64_t id = 0;   // flow: flow_id
    double value = 0;       // counter: utilisation
  };
  static constexpr std::size_t kNone = ~std::size_t{0};

  void push(const Event& event);
  [[nodiscard]] std::uint32_t counter_pid(topology::LinkId link) const;

  const topology::Topology& topology_;
  std::vector<Event> events_;
  std::vector<std::size_t> last_counter_;  // per link, index in events_ of its last counter
};

}  // namespace spinel::api
