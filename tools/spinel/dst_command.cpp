#include "tools/spinel/dst_command.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "api/run.hpp"
#include "sim/recorder.hpp"
#include "sim/units.hpp"
#include "tools/spinel/options.hpp"

namespace spinel::tools {

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
  std::uint64_t jobs = std::max(1U, std::thread::hardware_concurrency());
  std::optional<std::filesystem::path> out;
  bool quiet = false;
  auto usage = [](const std::string& m) {
    std::cerr << "spinel dst: " << m << "\n(see spinel dst --help)\n";
    return kUsageStatus;
  };
  Options cli(dst_help(), usage, "");
  cli.one_word(file, "dst takes one scenario file; got");
  cli.integer("--seeds", seeds, 1, ~std::uint64_t{0}, "a positive integer");
  cli.integer("--first-seed", first, 0, ~std::uint64_t{0}, "a non-negative integer");
  cli.integer("--jobs", jobs, 1, ~std::uint64_t{0}, "a positive integer");
  cli.text("--out", out);
  cli.flag("-q,--quiet", quiet);
  if (const auto status = cli.parse(args)) return *status;
  jobs = std::min<std::uint64_t>(jobs, 256);
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
  std::vector<std::optional<pccl::SimRun>> failures(seeds);
  const auto wall_start = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (;;) {
      const std::uint64_t i = next.fetch_add(1);
      if (i >= seeds || i > failed_at.load()) return;
      scenario::Scenario s = base;
      s.seed = first + i;
      pccl::SimRun run = std::move(*api::run(s).pccl);
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
