// The clock's end and progress reports: a time past 2^63 ps is a clear
// error the moment it is made, and a run with progress reports always
// advances (issue 20).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "sim/error.hpp"
#include "sim/simulator.hpp"
#include "sim/time.hpp"

namespace spinel {
namespace {

struct Counter final : sim::EventHandler {
  std::uint64_t seen = 0;
  void handle(const sim::Event&) override { ++seen; }
};

TEST(TimeOverflow, ScheduleInPastTheClockThrowsTimeOverflow) {
  sim::Simulator s;
  Counter c;
  const sim::HandlerId h = s.add_handler(c);
  s.schedule_at(sim::kForever - 10, h);
  s.run();
  try {
    s.schedule_in(11, h);
    FAIL() << "no overflow";
  } catch (const sim::TimeOverflow& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("simulated time overflow"), std::string::npos) << what;
    EXPECT_NE(what.find("past the end of the clock (2^63 ps, about 106 days)"), std::string::npos)
        << what;
  }
  EXPECT_NO_THROW(s.schedule_in(10, h));
}

TEST(TimeOverflow, AWrappedTimeIsAnOverflowNotAnEventInThePast) {
  sim::Simulator s;
  Counter c;
  const sim::HandlerId h = s.add_handler(c);
  EXPECT_THROW(s.schedule_at(-5, h), sim::TimeOverflow);
}

TEST(TimeOverflow, SerialisationPastTheClockSaturates) {
  EXPECT_EQ(sim::serialisation_ps(std::uint64_t{1} << 50, 1e-9), sim::kForever);
  EXPECT_EQ(sim::serialisation_ps(1000, 8.0), 1'000'000);
  EXPECT_THROW((void)sim::later(sim::kForever, 1), sim::TimeOverflow);
}

TEST(Progress, RunStopsAfterAnEventBudgetBetweenInstantsAndKnowsTheNextTime) {
  sim::Simulator s;
  Counter c;
  const sim::HandlerId h = s.add_handler(c);
  for (int i = 0; i < 3; ++i) s.schedule_at(5, h);  // one instant of three
  s.schedule_at(9, h);
  EXPECT_EQ(s.next_time(), 5);
  EXPECT_EQ(s.run(sim::kForever, 1), 3U);  // never cuts an instant
  EXPECT_EQ(s.next_time(), 9);
  EXPECT_EQ(s.run(sim::kForever, 1), 1U);
  EXPECT_EQ(s.next_time(), sim::kForever);
}

// A day of compute gap between iterations: a progress slice reaches at least
// the next event, so the run ends after a few dozen reports (slices of a few
// microseconds stepped through the gap ten billion times, and never reached
// an event near the clock's end).
TEST(Progress, ALongGapBetweenEventsDoesNotStallTheReports) {
  const scenario::Scenario s = scenario::load_string(
      "name: gap\n"
      "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 2}\n"
      "workload: {collective: ring_allreduce, size_bytes: 1MiB, iterations: 3, compute_gap: "
      "24h}\n"
      "output: {flows: false}\n",
      "gap.yaml");
  api::RunOptions options;
  std::uint64_t reports = 0;
  sim::Time last = 0;
  options.on_progress = [&](const sim::Progress& p) {
    ++reports;
    EXPECT_GE(p.now_ps, last);
    last = p.now_ps;
  };
  const api::Results r = api::run(s, options);
  EXPECT_LE(reports, 200U);
  EXPECT_GE(last, 2 * 24 * 3600 * sim::kSecond);
  EXPECT_EQ(r.jobs.at(0).collectives.size(), 3U);
}

}  // namespace
}  // namespace spinel
