// Throughput of the pending-event set, in the classic "hold" model: a queue
// holding Q pending events; each step pops the earliest and pushes one at a
// random later time, so the size stays Q. items_per_second = events/s.
//
// Target: >= 20 M events/s on one core at the pending-set sizes spinel's runs
// keep (an 8,192-host ring all-reduce holds about 3.5k events when every flow
// completion is an event, a handful since the flow model keeps completions in
// its own DeadlineHeap), both for the bare queue and through sim::Simulator
// (virtual dispatch and the schedule check included). At 64k and 1M pending
// events the heap outgrows the caches; those rows show how it degrades.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "sim/event_queue.hpp"
#include "sim/rng.hpp"
#include "sim/simulator.hpp"

namespace {

using spinel::sim::Event;
using spinel::sim::EventQueue;
using spinel::sim::Rng;
using spinel::sim::Simulator;
using spinel::sim::Time;

// Mean gap between an event's pop and the time of the event it pushes; the
// increments are uniform in [1, 2 * kMeanHold].
constexpr std::uint64_t kMeanHold = 1'000'000;

void BM_EventQueueHold(benchmark::State& state) {
  const auto q = static_cast<std::size_t>(state.range(0));
  Rng rng(42, "bench-event-queue");
  EventQueue queue;
  queue.reserve(q + 1);
  for (std::size_t i = 0; i < q; ++i) {
    queue.push(static_cast<Time>(rng.below(2 * kMeanHold)), 0, 0, i);
  }
  for (auto _ : state) {
    const Event e = queue.pop();
    queue.push(e.time + 1 + static_cast<Time>(rng.below(2 * kMeanHold)), e.handler, e.tag,
               e.payload);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pending"] = static_cast<double>(queue.size());
}

// A handler that reschedules itself at a random later time for every event it
// receives: the queue stays at Q pending events.
class Bouncer final : public spinel::sim::EventHandler {
 public:
  explicit Bouncer(Simulator& sim) : sim_(sim), id_(sim.add_handler(*this)) {}
  [[nodiscard]] spinel::sim::HandlerId id() const { return id_; }

  void handle(const Event& event) override {
    sim_.schedule_in(1 + static_cast<Time>(rng_.below(2 * kMeanHold)), id_, event.tag,
                     event.payload);
    if (budget_ > 0 && --budget_ == 0) sim_.stop();
  }
  void set_budget(std::uint64_t n) { budget_ = n; }

 private:
  Simulator& sim_;
  spinel::sim::HandlerId id_;
  Rng rng_{42, "bench-simulator"};
  std::uint64_t budget_ = 0;
};

void BM_SimulatorHold(benchmark::State& state) {
  const auto q = static_cast<std::size_t>(state.range(0));
  // Events per run() call: large enough that run()'s own overhead vanishes.
  constexpr std::uint64_t kBatch = 4096;
  Simulator sim;
  Bouncer bouncer(sim);
  Rng rng(7, "bench-simulator-fill");
  for (std::size_t i = 0; i < q; ++i) {
    sim.schedule_at(static_cast<Time>(rng.below(2 * kMeanHold)), bouncer.id(), 0, i);
  }
  std::uint64_t events = 0;
  for (auto _ : state) {
    bouncer.set_budget(kBatch);
    // stop() lets the events left at the same instant run, so count what ran.
    events += sim.run();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
  state.counters["pending"] = static_cast<double>(sim.pending());
}

}  // namespace

BENCHMARK(BM_EventQueueHold)->Arg(1 << 10)->Arg(1 << 12)->Arg(1 << 16)->Arg(1 << 20);
BENCHMARK(BM_SimulatorHold)->Arg(1 << 10)->Arg(1 << 12)->Arg(1 << 16)->Arg(1 << 20);
