#include "tools/spinel/sweep_command.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "sim/error.hpp"
#include "tools/spinel/command_line.hpp"
#include "tools/spinel/options.hpp"
#include "tools/sweep/folder.hpp"
#include "tools/sweep/keys.hpp"
#include "tools/sweep/merge.hpp"
#include "tools/sweep/runner.hpp"
#include "tools/sweep/sweep.hpp"

namespace spinel::tools {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kSweepHelp =
    R"(spinel sweep FILE [--jobs N] [--out DIR] [--resume] [--list] [--shard I/N] [--quiet] [--force]
spinel merge OUTDIR... [--out DIR]

Runs a scenario once per point of its `sweep:` block, N points at a time, and
writes one row per point into DIR/results.csv. Example
(scenarios/sweep_example.yaml):

  sweep:
    grid:                                  # every combination of these
      transport.policy: [ecmp, spray]
      workload.size_bytes: {from: 1MiB, to: 16MiB, times: 4}   # 1MiB 4MiB 16MiB
    zip:                                   # these go together: value i with value i
      - topology.leaves: [2, 4]
        topology.hosts_per_leaf: [8, 4]
    seeds: 2                               # each combination with 2 seeds

  = 2 x 3 x 2 x 2 = 24 points, numbered in nested-loop order (the first key
  varies slowest, the seed fastest).

Keys are addressed by their path in the scenario. Values are a list, or a range
in the key's unit: {from: 4, to: 16, step: 4} gives 4 8 12 16; {from: 100Gbps,
to: 400Gbps, step: 100Gbps}; {from: 4MiB, to: 256MiB, times: 2} gives 4MiB
8MiB ... 256MiB. The file without its sweep block must be a valid scenario;
seed repetition 0 uses its seed, the others seeds mixed from it. Every point
is checked before anything runs (errors: FILE:LINE:COL: key.path: ...).

Options:
  --jobs N     points run at once (default: the number of cores)
  --out DIR    results folder (default: the scenario's output.dir, or out/<name>)
  --resume     keep the points already finished in DIR, run the others
  --list       print the points (index, folder, values, seed) and run nothing
  --shard I/N  run only the points whose index % N == I (0 <= I < N): split a
               sweep over machines, then `spinel merge` the folders
  --quiet      no progress on stderr
  --force      run points whose estimated cost is extreme (see `spinel run
               --help`); without it such a sweep is refused before it starts

Results in DIR:
  results.csv           point, the swept keys (bytes, Gb/s as _gbps, ps as _ps),
                        seed, status (ok/failed), error, then hosts, collectives,
                        collective_mean_ps/_min_ps/_max_ps, ideal_ps,
                        ratio_to_ideal, busbw_gbps, max_congestion_ps,
                        congestion_bound_ps, max_queue_pairs_per_host, end_ps,
                        events, flows, bytes_delivered, rate_recomputations
                        (as in summary.json)
  points/INDEX-LABEL/   that point's run: summary.json, collectives.csv, flows.csv,
                        links.csv, run.json, and result.csv (its row; written
                        last: a point is finished when it has one)
  sweep.json            which sweep the folder holds (checked by --resume, merge)
results.csv is the same bytes whatever --jobs or sharding; a point that fails
gets status failed and its error, and the others go on. After Ctrl-C or a
crash, run the same command with --resume: finished points are kept, and
temporary files a killed sweep left behind are removed.

Ctrl-C (SIGINT) or SIGTERM: no new point starts and the running ones finish; a
second signal abandons the running ones too (they run again on --resume).
Either way results.csv gets every finished point, the command to resume is
printed, and the exit status is 130 (SIGINT) or 143 (SIGTERM).

Examples:
  spinel sweep scenarios/sweep_example.yaml                  # all points, all cores
  spinel sweep scenarios/sweep_example.yaml --list           # what would run
  spinel sweep big.yaml --out out/big --resume               # carry on after Ctrl-C
  parallel spinel sweep big.yaml --shard {}/4 --jobs 1 --out out/big/{} ::: 0 1 2 3
  spinel merge out/big/0 out/big/1 out/big/2 out/big/3 --out out/big
  sbatch --array=0-7 tools/slurm/sweep.sbatch big.yaml out/big   # then: spinel merge out/big

spinel merge checks that the folders hold the same sweep (sweep.json) and every
point exactly once, then writes DIR/results.csv (default DIR: the one OUTDIR).

Exit status: 0 every point ok; 1 some point failed (see its row) or a folder
could not be written; 2 bad command line, bad sweep, or folders that do not fit;
130 or 143 stopped by SIGINT or SIGTERM before every point ran.

Sweepable keys:
)";

int usage_error(const std::string& message) {
  std::cerr << "spinel: " << message << "\n(see 'spinel sweep --help')\n";
  return 2;
}

// "--shard I/N" with 0 <= I < N.
void add_shard(Options& cli, sweep::Shard& out) {
  cli.value("--shard", [&out](const std::string& v) -> std::optional<std::string> {
    const auto slash = v.find('/');
    sweep::Shard shard;
    const auto read = [&](std::string_view text, std::uint32_t& n) {
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      return !text.empty() && ec == std::errc{} && end == text.data() + text.size();
    };
    if (slash == std::string::npos || !read(std::string_view(v).substr(0, slash), shard.index) ||
        !read(std::string_view(v).substr(slash + 1), shard.count) || shard.count == 0 ||
        shard.index >= shard.count) {
      return "--shard takes I/N with 0 <= I < N, e.g. 0/4; got '" + v + "'";
    }
    out = shard;
    return std::nullopt;
  });
}

std::string format_eta(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, s / 60 % 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%llds", s);
  }
  return buf;
}

// On a terminal one line redrawn in place; otherwise (logs, Slurm) a line at
// most every second, and one per failure.
class Progress {
 public:
  explicit Progress(bool tty) : tty_(tty), start_(Clock::now()), last_(start_) {}

  void operator()(const sweep::PointDone& d) {
    const auto now = Clock::now();
    if (!d.ok) {
      clear();
      std::fprintf(stderr, "spinel: point %s failed: %s\n", d.point->folder.c_str(),
                   d.error.c_str());
    }
    const bool last = d.done == d.to_run;
    if (!last && now - last_ < (tty_ ? std::chrono::milliseconds(100) : std::chrono::seconds(1))) {
      return;
    }
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(d.done) / elapsed : 0.0;
    const std::string eta =
        rate > 0 ? format_eta(static_cast<double>(d.to_run - d.done) / rate) : "?";
    std::fprintf(stderr, "%s%zu/%zu points, %zu failed, %.1f points/s, ETA %s%s", tty_ ? "\r" : "",
                 d.done, d.to_run, d.failed, rate, eta.c_str(), tty_ ? "   " : "\n");
    drawn_ = tty_;
  }

  void clear() {
    if (drawn_) std::fprintf(stderr, "\r%70s\r", "");
    drawn_ = false;
  }

 private:
  bool tty_;
  Clock::time_point start_;
  Clock::time_point last_;
  bool drawn_ = false;
};

// SIGINT and SIGTERM while a sweep runs: the first lets the points in
// flight finish, the second abandons them, the third kills at once.
std::atomic<int> g_stop{sweep::kKeepGoing};
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");

void say(const char* text) {
  const ssize_t n = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)n;
}

extern "C" void on_stop_signal(int signal) {
  g_signal.store(signal);
  const int level = g_stop.fetch_add(1) + 1;
  if (level == sweep::kFinishInFlight) {
    say("\nspinel: stopping: no new points; the running ones finish (again to abandon them)\n");
  } else if (level == sweep::kAbandonInFlight) {
    say("\nspinel: stopping: abandoning the running points (again to kill at once)\n");
  } else {
    ::signal(signal, SIG_DFL);
    ::raise(signal);
  }
}

// Installed while the points run and the summary prints, and put back after.
class StopSignals {
 public:
  StopSignals() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &action, &old_[i]);
  }
  ~StopSignals() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &old_[i], nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  static constexpr std::array<int, 2> kSignals{SIGINT, SIGTERM};
  std::array<struct sigaction, 2> old_{};
};

int list_points(const sweep::Sweep& s, const sweep::Shard& shard) {
  for (const sweep::Point& p : s.points) {
    if (!shard.has(p.index)) continue;
    std::printf("%zu\t%s\t%s\n", p.index, p.folder.c_str(), sweep::describe_point(s, p).c_str());
  }
  return 0;
}

// The command that carries on: the same file, folder and shard.
std::string resume_command(const std::string& file, const sweep::RunnerOptions& options,
                           bool force) {
  std::string out = "spinel sweep " + file + " --out " + options.out_dir.string();
  if (force) out += " --force";
  if (options.shard.count > 1) {
    out += " --shard " + std::to_string(options.shard.index) + "/" +
           std::to_string(options.shard.count);
  }
  return out;
}

// The cost warnings of the points this run would run (`spinel run` prints a
// scenario's), each distinct message once with the number of points it
// concerns. False (after saying so) when one is extreme and --force was not
// given: nothing has started, so nothing is lost.
bool print_sweep_warnings(const sweep::Sweep& s, const sweep::Shard& shard, bool quiet,
                          bool force) {
  std::vector<std::pair<const scenario::CostWarning*, std::size_t>> seen;
  std::size_t extreme_points = 0;
  for (const sweep::Point& p : s.points) {
    if (p.index % shard.count != shard.index) continue;
    bool extreme = false;
    for (const scenario::CostWarning& w : s.combinations[p.combination].warnings) {
      extreme = extreme || w.extreme;
      auto it = std::find_if(seen.begin(), seen.end(),
                             [&](const auto& e) { return e.first->message == w.message; });
      if (it == seen.end()) {
        seen.emplace_back(&w, 1);
      } else {
        ++it->second;
      }
    }
    if (extreme) ++extreme_points;
  }
  const bool refuse = extreme_points > 0 && !force;
  constexpr std::size_t kShown = 8;
  std::size_t shown = 0;
  for (const auto& [w, points] : seen) {
    if (quiet && !(w->extreme && refuse)) continue;
    if (shown++ == kShown) {
      std::cerr << "warning: ... and " << seen.size() - kShown << " more\n";
      break;
    }
    std::cerr << "warning: " << w->message << " (" << points << " point" << (points == 1 ? "" : "s")
              << ")\n";
  }
  if (refuse) {
    std::cerr << "spinel: not run: the estimate above is extreme for " << extreme_points << " point"
              << (extreme_points == 1 ? "" : "s")
              << "; narrow the sweep, or run it anyway with --force\n";
  }
  return !refuse;
}

}  // namespace

std::string sweep_help() {
  std::string out(kSweepHelp);
  for (const sweep::Key& k : sweep::sweepable_keys()) out += "  " + std::string(k.path) + "\n";
  return out;
}

int cmd_sweep(const std::vector<std::string>& args) {
  std::optional<std::string> file;
  std::optional<fs::path> out;
  sweep::RunnerOptions options;
  options.jobs = std::max(1u, std::thread::hardware_concurrency());
  bool list = false;
  bool quiet = false;
  bool force = false;
  Options cli(sweep_help(), usage_error, " for sweep");
  cli.one_word(file, "sweep takes one scenario file; got");
  cli.integer("-j,--jobs", options.jobs, 1, 4096, "a number of threads from 1 to 4096");
  cli.text("--out", out);
  add_shard(cli, options.shard);
  cli.flag("--resume", options.resume);
  cli.flag("--list", list);
  cli.flag("-q,--quiet", quiet);
  cli.flag("--force", force);
  if (const auto status = cli.parse(args)) {
    return *status;
  }
  if (!file) return usage_error("sweep needs a scenario file with a sweep block");

  sweep::Sweep s;
  try {
    s = sweep::load_sweep_file(*file);
  } catch (const sim::ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  if (list) return list_points(s, options.shard);
  if (!print_sweep_warnings(s, options.shard, quiet, force)) return 2;

  options.out_dir = out ? *out : api::default_out_dir(s.base);
  options.command_line = command_line("sweep", args);
  const bool tty = isatty(fileno(stderr)) != 0;
  Progress progress(tty);
  if (!quiet) options.on_point = [&](const sweep::PointDone& d) { progress(d); };
  options.stop = &g_stop;
  sweep::SweepOutcome r;
  // Until the command returns: a second signal while it prints its summary
  // still ends it with 130/143, not killed by the signal.
  const StopSignals signals;
  try {
    r = sweep::run_sweep(s, options);
  } catch (const sweep::SweepError& e) {
    std::cerr << "spinel: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "spinel: sweep failed: " << e.what() << "\n";
    return 1;
  }
  if (!quiet) {
    progress.clear();
    std::string shard;
    if (options.shard.count > 1) {
      shard = " (shard " + std::to_string(options.shard.index) + "/" +
              std::to_string(options.shard.count) + " of " + std::to_string(s.points.size()) + ")";
    }
    const std::size_t not_run = r.abandoned + r.not_started;
    const std::string not_run_text =
        not_run > 0 ? ", " + std::to_string(not_run) + " not run" : std::string();
    std::printf("%s: %zu points%s: %zu ok, %zu failed%s; %zu run now, %zu already finished\n",
                s.base.name.c_str(), r.selected, shard.c_str(), r.selected - r.failed - not_run,
                r.failed, not_run_text.c_str(), r.ran, r.skipped);
    std::printf("results in %s (%zu of %zu points)\n",
                (options.out_dir / "results.csv").string().c_str(), r.rows, s.points.size());
    if (r.stale_temp_files > 0) {
      std::printf("removed %zu temporary file%s left by a killed sweep\n", r.stale_temp_files,
                  r.stale_temp_files == 1 ? "" : "s");
    }
  }
  if (r.stopped) {
    // Said even with --quiet: the sweep is not whole.
    const int signal = g_signal.load();
    std::fprintf(stderr,
                 "spinel: stopped by %s: %zu points not run (%zu abandoned while running, %zu "
                 "not started); to run them: %s --resume\n",
                 signal == SIGTERM ? "SIGTERM" : "SIGINT", r.abandoned + r.not_started, r.abandoned,
                 r.not_started, resume_command(*file, options, force).c_str());
    return 128 + (signal == SIGTERM ? SIGTERM : SIGINT);
  }
  return r.failed > 0 ? 1 : 0;
}

int cmd_merge(const std::vector<std::string>& args) {
  std::vector<fs::path> dirs;
  std::optional<fs::path> out;
  Options cli(sweep_help(), usage_error, " for merge");
  cli.words(dirs);
  cli.text("--out", out);
  if (const auto status = cli.parse(args)) {
    return *status;
  }
  if (dirs.empty()) return usage_error("merge needs the --out folders of a sweep's shards");
  if (!out) {
    if (dirs.size() > 1) return usage_error("merge of several folders needs --out DIR");
    out = dirs.front();
  }
  try {
    const sweep::MergeOutcome r = sweep::merge_sweeps(dirs, *out);
    std::printf("merged %zu points (%zu failed) from %zu folder%s into %s\n", r.points, r.failed,
                dirs.size(), dirs.size() == 1 ? "" : "s", (*out / "results.csv").string().c_str());
    return r.failed > 0 ? 1 : 0;
  } catch (const sweep::SweepError& e) {
    std::cerr << "spinel: merge: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "spinel: merge failed: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace spinel::tools
