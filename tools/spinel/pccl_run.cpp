#include "tools/spinel/pccl_run.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "sim/recorder.hpp"
#include "sim/simulator.hpp"
#include "sim/units.hpp"
#include "tools/spinel/faults.hpp"
#include "tools/spinel/outputs.hpp"
#include "tools/spinel/run.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/flow_model.hpp"
#include "transport/link_faults.hpp"

namespace spinel::tools {

namespace {

sim::Json metrics_of(const pccl::PcclResult& r, sim::Time liveness_bound_ps) {
  sim::Json m = sim::Json::object();
  m["steps_completed"] = static_cast<std::uint64_t>(r.steps.size());
  m["aborted_attempts"] = r.aborted_attempts;
  m["aborted_bytes"] = r.aborted_bytes;
  m["chunk_bytes"] = r.chunk_bytes;
  m["cancelled_bytes"] = r.cancelled_bytes;
  m["control_messages"] = r.messages;
  m["peers_spawned"] = r.peers_spawned;
  m["deaths"] = r.deaths;
  m["stalls"] = r.stalls;
  m["leaves"] = r.leaves;
  m["kicks"] = r.kicks;
  const double hours = static_cast<double>(r.end_ps) / (3600.0 * sim::kSecond);
  m["steps_per_hour"] = hours > 0 ? static_cast<double>(r.steps.size()) / hours : 0.0;
  // A step's all-reduce, from its first attempt's start to its completion,
  // and the rate each peer sent at to its ring neighbour meanwhile.
  sim::Time step_sum_ps = 0;
  double edge_sum_gbps = 0;
  for (const pccl::StepRecord& s : r.steps) {
    const sim::Time ps = s.end_ps - s.start_ps;
    step_sum_ps += ps;
    if (ps > 0 && s.world > 0) {
      edge_sum_gbps += static_cast<double>(s.bytes) * 8000.0 / static_cast<double>(s.world) /
                       static_cast<double>(ps);
    }
  }
  const auto steps = static_cast<std::int64_t>(r.steps.size());
  // The longest stretch without a completed step (PCCL's stress test fails
  // at 5 minutes), counting from the start and up to the end of the run.
  sim::Time last_ps = 0;
  sim::Time gap_ps = 0;
  for (const pccl::StepRecord& s : r.steps) {
    gap_ps = std::max(gap_ps, s.end_ps - last_ps);
    last_ps = s.end_ps;
  }
  gap_ps = std::max(gap_ps, r.end_ps - last_ps);
  m["max_step_gap_ps"] = static_cast<std::int64_t>(gap_ps);
  m["step_mean_ps"] = steps > 0 ? step_sum_ps / steps : std::int64_t{0};
  m["edge_gbps"] = steps > 0 ? edge_sum_gbps / static_cast<double>(steps) : 0.0;
  // Recovery: from a death or stall to the next completed step.
  sim::Time sum = 0;
  sim::Time worst = 0;
  for (sim::Time t : r.recovery_ps) {
    sum += t;
    worst = std::max(worst, t);
  }
  m["recovery_count"] = static_cast<std::uint64_t>(r.recovery_ps.size());
  m["recovery_mean_ps"] = r.recovery_ps.empty()
                              ? std::int64_t{0}
                              : sum / static_cast<std::int64_t>(r.recovery_ps.size());
  m["recovery_max_ps"] = static_cast<std::int64_t>(worst);
  m["liveness_bound_ps"] = static_cast<std::int64_t>(liveness_bound_ps);
  m["invariant_checks"] = r.checks;
  m["violation"] = r.failed ? sim::Json(r.violation) : sim::Json(nullptr);
  m["violation_at_ps"] = static_cast<std::int64_t>(r.violation_at_ps);
  m["end_ps"] = static_cast<std::int64_t>(r.end_ps);
  return m;
}

// The slowest host link, for the liveness bound.
double host_rate_gbps(const scenario::Scenario& s) {
  if (!s.wan) return s.topology.host_link.rate_gbps;
  double rate = s.wan->sites.front().host_link.rate_gbps;
  for (const topology::WanSite& site : s.wan->sites)
    rate = std::min(rate, site.host_link.rate_gbps);
  return rate;
}

void write_tables(sim::Recorder& recorder, const pccl::PcclResult& r) {
  if (sim::CsvTable* t =
          recorder.table("churn.csv", {"time_ps", "event", "peer", "host", "world_size"})) {
    for (const pccl::ChurnRecord& c : r.churn) {
      t->cell(static_cast<std::int64_t>(c.at_ps))
          .cell(c.event)
          .cell(c.peer)
          .cell(c.host)
          .cell(c.world);
      t->end_row();
    }
  }
  if (sim::CsvTable* t = recorder.table("steps.csv", {"op", "attempts", "start_ps", "end_ps",
                                                      "duration_ps", "world_size", "bytes"})) {
    for (const pccl::StepRecord& s : r.steps) {
      t->cell(s.op).cell(s.attempts).cell(static_cast<std::int64_t>(s.start_ps));
      t->cell(static_cast<std::int64_t>(s.end_ps))
          .cell(static_cast<std::int64_t>(s.end_ps - s.start_ps));
      t->cell(s.world).cell(s.bytes);
      t->end_row();
    }
  }
}

}  // namespace

PcclRun run_pccl(const scenario::Scenario& scenario, const std::filesystem::path& out_dir) {
  const auto wall_start = std::chrono::steady_clock::now();
  const pccl::PcclConfig& config = *scenario.pccl;
  sim::Recorder recorder = out_dir.empty() ? sim::Recorder() : sim::Recorder(out_dir);
  const topology::Topology topology =
      scenario.wan ? topology::build_wan(*scenario.wan) : topology::build_fabric(scenario.topology);
  topology::Routing routing(topology);
  sim::Simulator sim;
  transport::FlowModel model(sim, topology, routing, scenario.transport, scenario.seed, recorder,
                             scenario.output.flows && recorder.enabled());
  // Link faults act on the network as in workload runs (the loader refuses
  // host faults here: peers have their own churn).
  transport::LinkFaults link_faults(sim, model);
  schedule_link_faults(scenario.faults, topology, model, link_faults);
  pccl::SimDriver driver(sim, model, topology.host_count(), config, scenario.seed,
                         host_rate_gbps(scenario));
  driver.start();
  PcclRun run;
  run.events = sim.run(config.duration_ps);
  run.result = driver.finish();
  run.metrics = metrics_of(run.result, driver.liveness_bound_ps());
  if (recorder.enabled()) {
    model.finish();
    write_tables(recorder, run.result);
    write_summary_json(recorder, scenario, run.metrics);
    recorder.flush();
  }
  run.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return run;
}

std::string with_seed(const std::string& yaml_text, std::uint64_t seed) {
  YAML::Node root = YAML::Load(yaml_text);
  root["seed"] = seed;
  YAML::Emitter emitter;
  emitter << root;
  return std::string("# Reproduces a failing seed found by spinel dst: spinel run THIS_FILE\n") +
         emitter.c_str() + "\n";
}

std::string_view dst_help() {
  return R"(spinel dst FILE [--seeds N] [--first-seed S] [--jobs J] [--out DIR] [--quiet]

Deterministic simulation testing of a `pccl:` scenario: runs it with seeds S, S+1, ...,
S+N-1 (default S = 1, N = 100), each a different random churn schedule, against the
invariants (bit-identical results, world size agreement, one abort per peer per aborted
attempt, no collective overlapping a topology update or sync, liveness). Seeds run on J
threads (default: all cores). Writes nothing while every seed passes; on a violation it
reports the lowest failing seed and writes DIR/failing_seed_<SEED>.yaml (default DIR:
out/<name>-dst), a scenario file that reproduces it with `spinel run`.

Exit status: 0 every seed passed, 1 a seed failed, 2 bad command line or bad scenario.
)";
}

int cmd_dst(const std::vector<std::string>& args) {
  std::optional<std::string> file;
  std::uint64_t seeds = 100;
  std::uint64_t first = 1;
  unsigned jobs = std::max(1U, std::thread::hardware_concurrency());
  std::optional<std::filesystem::path> out;
  bool quiet = false;
  auto usage = [](const std::string& m) {
    std::cerr << "spinel dst: " << m << "\n(see spinel dst --help)\n";
    return 2;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << dst_help();
      return 0;
    }
    if (a == "--quiet" || a == "-q") {
      quiet = true;
    } else if (a == "--seeds" || a == "--first-seed" || a == "--jobs" || a == "--out") {
      if (i + 1 >= args.size()) return usage(a + " needs a value");
      const std::string& v = args[++i];
      if (a == "--out") {
        out = v;
        continue;
      }
      std::uint64_t n = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc{} || p != v.data() + v.size() || (a != "--first-seed" && n == 0)) {
        return usage(a + " takes a positive integer, got '" + v + "'");
      }
      if (a == "--seeds") seeds = n;
      if (a == "--first-seed") first = n;
      if (a == "--jobs") jobs = static_cast<unsigned>(std::min<std::uint64_t>(n, 256));
    } else if (!a.empty() && a[0] == '-') {
      return usage("unknown option '" + a + "'");
    } else if (file) {
      return usage("dst takes one scenario file; got '" + *file + "' and '" + a + "'");
    } else {
      file = a;
    }
  }
  if (!file) return usage("dst needs a scenario file with a pccl section");
  scenario::Scenario base;
  std::string text;
  try {
    text = scenario::read_text(*file);
    base = scenario::load_string(text, *file);
  } catch (const sim::ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  if (!base.pccl) return usage(*file + " has no pccl section: dst tests the PCCL protocol");

  // Seeds are handed out in order; once a seed fails, no higher seed starts,
  // and the lowest failure is reported, so the answer does not depend on J.
  std::atomic<std::uint64_t> next{0};
  std::atomic<std::uint64_t> failed_at{seeds};
  std::atomic<std::uint64_t> done{0};
  std::atomic<std::uint64_t> steps{0};
  std::mutex mutex;
  std::vector<std::optional<PcclRun>> failures(seeds);
  const auto wall_start = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (;;) {
      const std::uint64_t i = next.fetch_add(1);
      if (i >= seeds || i > failed_at.load()) return;
      scenario::Scenario s = base;
      s.seed = first + i;
      PcclRun run = run_pccl(s, {});
      steps += run.result.steps.size();
      ++done;
      if (run.result.failed) {
        std::lock_guard lock(mutex);
        failures[i] = std::move(run);
        std::uint64_t cur = failed_at.load();
        while (i < cur && !failed_at.compare_exchange_weak(cur, i)) {
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const std::uint64_t bad = failed_at.load();
  if (bad == seeds) {
    if (!quiet) {
      std::printf(
          "%s: %llu seeds (%llu..%llu) passed every invariant: %llu steps, %.1f s wall "
          "(%.1f ms a seed)\n",
          file->c_str(), static_cast<unsigned long long>(seeds),
          static_cast<unsigned long long>(first),
          static_cast<unsigned long long>(first + seeds - 1),
          static_cast<unsigned long long>(steps.load()), wall,
          1000.0 * wall / static_cast<double>(seeds));
    }
    return 0;
  }
  const std::uint64_t seed = first + bad;
  const pccl::PcclResult& r = failures[bad]->result;
  const std::filesystem::path dir =
      out ? *out : std::filesystem::path("out") / (base.name + "-dst");
  const std::filesystem::path repro = dir / ("failing_seed_" + std::to_string(seed) + ".yaml");
  try {
    sim::Recorder(dir).write_file(repro.filename().string(), with_seed(text, seed));
  } catch (const std::exception& e) {
    std::cerr << "spinel dst: cannot write " << repro.string() << ": " << e.what() << "\n";
  }
  std::printf("%s: seed %llu violates an invariant at %s: %s\n  reproduce: spinel run %s\n",
              file->c_str(), static_cast<unsigned long long>(seed),
              sim::format_duration_ps(r.violation_at_ps).c_str(), r.violation.c_str(),
              repro.string().c_str());
  return 1;
}

}  // namespace spinel::tools
