// The spinel command line: run, validate, sweep, merge, help.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "api/version.hpp"
#include "sim/error.hpp"
#include "sim/units.hpp"
#include "tools/spinel/chakra_command.hpp"
#include "tools/spinel/command_line.hpp"
#include "tools/spinel/dst_command.hpp"
#include "tools/spinel/options.hpp"
#include "tools/spinel/pccl_real.hpp"
#include "tools/spinel/sweep_command.hpp"
#include "tools/spinel/topology_command.hpp"
#include "tools/sweep/sweep.hpp"
#include "topology/fabric_file.hpp"
#include "workloads/collectives.hpp"

namespace {

using spinel::scenario::Scenario;

constexpr std::string_view kMainHelp =
    R"(spinel - a discrete-event simulator of AI-training clusters and their networks

Usage:
  spinel run [FILE] [--seed N] [--out DIR] [--quiet] [--force]
                                                      run a scenario (the built-in default without FILE)
  spinel sweep FILE [--jobs N] [--out DIR] [--resume] [--list] [--shard I/N] [--quiet]
                                                      run every point of FILE's sweep block
  spinel merge OUTDIR... [--out DIR]                  join the results of a sweep's shards
  spinel validate FILE...                             check scenario and sweep files, run nothing
  spinel dst FILE [--seeds N] [--jobs J]              a pccl scenario under N random churn schedules
  spinel topology FILE --export graphml|dot [--out PATH]
                                                      write the scenario's fabric as a graph file
  spinel chakra-info PATH_PREFIX [--replicate N]      what a Chakra trace (PATH_PREFIX.<rank>.et) holds
  spinel pccl-master [--port P]                       PCCL's master over real TCP on 127.0.0.1
  spinel pccl-peer --master 127.0.0.1:P               one PCCL peer over real TCP (run several)
  spinel pccl-local [--peers N] [--duration DUR]      master and peers in one process, peers
                                                      killed and restarted, invariants checked
  spinel help run                                     the scenario format, by example
  spinel help sweep                                   sweeps, shards and results.csv, by example
  spinel --version

Examples:
  spinel run                                  # the default scenario (scenarios/quickstart.yaml)
  spinel run scenarios/quickstart.yaml --seed 7 --out /tmp/q7
  spinel sweep scenarios/sweep_example.yaml   # 24 points on all cores -> out/sweep_example/results.csv
  spinel validate scenarios/*.yaml

A run writes its results into --out (default: the scenario's output.dir, or out/<name>/):
  summary.json     the scenario as understood, the seed, and the key metrics
  collectives.csv  one row per collective: start, end, duration, ideal time, bus bandwidth
  iterations.csv   one row per training iteration: compute, then the communication it left exposed
  faults.csv       one row per fault of the scenario: what, where, when (the truth for detectors)
  detections.csv   with a detector: one row per alarm, its class, suspect, evidence and score
  flows.csv        one row per flow: endpoints, bytes, path, start and end (output.flows: false skips it)
  links.csv        one row per directed link: bytes carried, busy time, peak and mean utilisation
  placement.csv    one row per rank of each job: its host, server and switch
  run.json         what made the results (commit, build, command line, date) and the wall-clock time:
                   the only file that differs between identical runs
  trace.json       with output.trace: true, steps, flows and link utilisation for Perfetto (small runs)
  timeseries.csv   with output.timeseries: {interval: 10us, links: all}, each link's bytes per interval
Figures from these files: tools/plot --help.
All times are integer picoseconds (_ps columns). Same scenario and seed: byte-identical results.
A sweep writes one such folder per point and results.csv, one row per point (spinel help sweep).

Exit status: 0 success, 1 the run failed, 2 bad command line or bad scenario.
)";

constexpr std::string_view kRunHelp =
    R"(spinel run [FILE] [--seed N] [--out DIR] [--quiet] [--force]

Runs one scenario and prints a table of its collectives. Without FILE, runs the
built-in default scenario (the same text as scenarios/quickstart.yaml). A file
with a sweep block is run with `spinel sweep` (see spinel help sweep).

  --seed N    override the scenario's seed (placement, ECMP hash salt, ...)
  --out DIR   write results into DIR instead of output.dir / out/<name>
  --quiet     print nothing but errors
  --force     run even when the scenario's estimated cost is extreme (days of
              events, tens of GiB of flows): without it such a run stops
              before it starts, with the estimate

A scenario file is YAML. Quantities carry units: sizes 4096, 64KiB, 1GiB, 4MB
(bare integers are bytes); rates 400Gbps, 100Gb/s; durations 500ns, 1.5us, 2ms.
Every key is checked: a typo, a wrong type or an out-of-range value stops with
FILE:LINE:COL: key.path: what is wrong; what is allowed

The default scenario, annotated:

)";

std::string run_help() {
  std::string help(kRunHelp);
  help += spinel::scenario::default_scenario_yaml();
  return help;
}

int usage_error(const std::string& message) {
  std::cerr << "spinel: " << message << "\n(see 'spinel --help')\n";
  return 2;
}

bool is_terminal() {
  return isatty(fileno(stderr)) != 0;
}

std::string format_ms(spinel::sim::Time ps) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(ps) / 1e9);
  return buf;
}

std::string pad_right(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

// A graph job: its communicators by kind, and where each iteration went
// (means over ranks, as iteration_breakdown.csv); collectives.csv has every
// collective on every communicator.
void print_graph_job(const spinel::workloads::WorkloadConfig& w,
                     const spinel::api::JobResults& job) {
  std::map<std::string, std::size_t> kinds;
  for (const std::string& c : job.communicators) ++kinds[c.substr(0, c.find('.'))];
  std::string groups;
  for (const auto& [kind, n] : kinds) {
    groups += (groups.empty() ? "" : ", ") + std::to_string(n) + " " + kind;
  }
  std::printf("\njob %s: workload graph of %u ranks, communicators: %s; %zu collectives\n",
              w.name.c_str(), job.ranks, groups.empty() ? "none" : groups.c_str(),
              job.collectives.size());
  std::printf("  %-9s %14s %14s %14s %14s\n", "iteration", "duration", "compute", "exposed comm",
              "bubble");
  for (const auto& it : job.breakdown) {
    std::printf("  %-9u %14s %14s %14s %14s\n", it.iteration, format_ms(it.duration_ps()).c_str(),
                format_ms(it.compute_ps).c_str(), format_ms(it.exposed_comm_ps).c_str(),
                format_ms(it.bubble_ps).c_str());
  }
  if (!job.finished) std::printf("  stopped: a rank hung or a link failed (faults.csv)\n");
}

void print_table(const Scenario& s, const spinel::api::Results& r,
                 const std::filesystem::path& out) {
  const auto& t = s.topology;
  if (t.kind == spinel::topology::FabricKind::file) {
    std::printf("%s (seed %llu): %u hosts on the fabric of %s, %zu cables\n", s.name.c_str(),
                static_cast<unsigned long long>(s.seed), r.hosts, t.file->path.c_str(),
                t.file->cables.size());
  } else if (t.kind == spinel::topology::FabricKind::clos3) {
    std::printf(
        "%s (seed %llu): %u hosts on a 3-tier Clos of %u pods x %u leaves x %u hosts%s, "
        "%u aggs per pod, %u cores; %.3g:1 oversubscribed at the leaves, %.3g:1 at the aggs\n",
        s.name.c_str(), static_cast<unsigned long long>(s.seed), r.hosts, t.pods,
        t.leaves_per_pod(), t.hosts_per_leaf,
        t.nic_ports > 1 ? " (dual-port NICs on leaf pairs)" : "", t.aggs_per_pod, t.cores,
        r.oversubscription, r.agg_oversubscription.value_or(1.0));
  } else {
    std::printf(
        "%s (seed %llu): %u hosts on a leaf-spine of %u leaves x %u hosts%s, %u spines, "
        "%.3g:1 oversubscribed\n",
        s.name.c_str(), static_cast<unsigned long long>(s.seed), r.hosts, t.leaves,
        t.hosts_per_leaf, t.nic_ports > 1 ? " (dual-port NICs on leaf pairs)" : "", t.spines,
        r.oversubscription);
  }
  std::printf("%s model, %s paths\n",
              std::string(spinel::transport::to_string(s.transport.model)).c_str(),
              std::string(spinel::transport::to_string(s.transport.policy)).c_str());
  for (std::uint32_t j = 0; j < s.jobs.size(); ++j) {
    const auto& w = s.jobs[j];
    const spinel::api::JobResults& job = r.jobs.at(j);
    if (job.graph) {
      print_graph_job(w, job);
      continue;
    }
    const std::uint32_t ranks = job.collectives.empty() ? 0 : job.collectives.back().ranks;
    std::printf("\njob %s: %s of %s over %u ranks, %s placement\n", w.name.c_str(),
                std::string(spinel::workloads::to_string(w.collective)).c_str(),
                spinel::sim::format_bytes(w.size_bytes).c_str(), ranks,
                std::string(spinel::workloads::to_string(w.placement)).c_str());
    // Bus bandwidth in GB/s, as nccl-tests prints it (collectives.csv has Gb/s).
    const bool buckets = w.buckets > 1;
    std::printf("  %-9s%s %14s %14s %9s %12s %14s %6s\n", "iteration", buckets ? " bucket" : "",
                "duration", "ideal", "ratio", "busbw GB/s", "congestion", "QPs");
    const auto& mine = job.collectives;
    // Long runs: the first and last rows; collectives.csv has them all.
    constexpr std::size_t kShown = 10;
    for (std::size_t i = 0; i < mine.size(); ++i) {
      if (mine.size() > 3 * kShown && i == kShown) {
        std::printf("  ... %zu more (every one in collectives.csv)\n", mine.size() - 2 * kShown);
        i = mine.size() - kShown;
      }
      const auto& c = mine[i];
      const std::string bucket = buckets ? " " + pad_right(std::to_string(c.bucket), 6) : "";
      std::printf(
          "  %-9u%s %14s %14s %9.4f %12.2f %14s %6u\n", c.iteration, bucket.c_str(),
          format_ms(c.duration_ps()).c_str(), format_ms(c.ideal_ps).c_str(),
          static_cast<double>(c.duration_ps()) / static_cast<double>(c.ideal_ps),
          spinel::workloads::busbw_gbps(c.collective, c.ranks, c.size_bytes, c.duration_ps()) / 8,
          format_ms(c.max_congestion_ps).c_str(), c.max_queue_pairs_per_host);
    }
    // Training jobs: what an iteration took, and how much of it was waiting
    // on communication after the slowest rank's compute.
    spinel::sim::Time total = 0;
    spinel::sim::Time exposed = 0;
    for (const auto& it : job.iterations) {
      total += it.duration_ps();
      exposed += it.end_ps - it.compute_end_ps;
    }
    const std::size_t iterations = job.iterations.size();
    if (w.compute_ps > 0 && iterations > 0) {
      const auto n = static_cast<spinel::sim::Time>(iterations);
      std::printf("  %zu training iterations: mean %s, of which %s exposed communication\n",
                  iterations, format_ms(total / n).c_str(), format_ms(exposed / n).c_str());
    }
    if (!job.finished) {
      std::printf("  stopped after %zu of %llu collectives: a rank hung (faults.csv says which)\n",
                  job.collectives.size(),
                  static_cast<unsigned long long>(std::uint64_t{w.iterations} * w.buckets));
    }
  }
  if (s.detector.enabled) {
    const auto& d = r.detection;
    std::printf(
        "\ndetector: %zu alarms; %llu of %llu faults found, %llu localised; %llu false alarms "
        "(detections.csv)\n",
        r.detections.size(), static_cast<unsigned long long>(d.detected),
        static_cast<unsigned long long>(d.counted), static_cast<unsigned long long>(d.localised),
        static_cast<unsigned long long>(d.false_alarms));
  }
  std::printf("\n%llu flows, %llu events in %.3f s wall (%.2f M events/s)\n",
              static_cast<unsigned long long>(r.flows.completed),
              static_cast<unsigned long long>(r.events), r.wall_seconds,
              r.wall_seconds > 0 ? static_cast<double>(r.events) / r.wall_seconds / 1e6 : 0.0);
  if (!out.empty()) std::printf("results in %s/\n", out.string().c_str());
}

// A `pccl:` scenario: fault-tolerant all-reduce under churn. Exit status 1
// when an invariant is violated (the report names the seed).
int print_pccl(const Scenario& scenario, const spinel::api::Results& run,
               const std::filesystem::path& out_dir, bool quiet) {
  const spinel::pccl::PcclResult& r = run.pccl->result;
  if (!quiet) {
    const spinel::pccl::PcclConfig& c = *scenario.pccl;
    std::printf("%s (seed %llu): PCCL all-reduce, %u peers at start (at most %u), %s simulated\n",
                scenario.name.c_str(), static_cast<unsigned long long>(scenario.seed), c.peers,
                c.max_peers, spinel::sim::format_duration_ps(c.duration_ps).c_str());
    std::printf("  steps completed %zu, aborted attempts %llu (%s sent for them)\n", r.steps.size(),
                static_cast<unsigned long long>(r.aborted_attempts),
                spinel::sim::format_bytes(r.aborted_bytes).c_str());
    std::printf(
        "  peers spawned %llu, deaths %llu, stalls %llu, leaves %llu, kicked %llu\n",
        static_cast<unsigned long long>(r.peers_spawned), static_cast<unsigned long long>(r.deaths),
        static_cast<unsigned long long>(r.stalls), static_cast<unsigned long long>(r.leaves),
        static_cast<unsigned long long>(r.kicks));
    std::printf("  %llu invariant checks, %llu events in %.3f s wall\n",
                static_cast<unsigned long long>(r.checks),
                static_cast<unsigned long long>(run.events), run.wall_seconds);
    std::printf("results in %s/\n", out_dir.string().c_str());
  }
  if (r.failed) {
    std::fprintf(stderr, "spinel: seed %llu violates an invariant at %s: %s\n",
                 static_cast<unsigned long long>(scenario.seed),
                 spinel::sim::format_duration_ps(r.violation_at_ps).c_str(), r.violation.c_str());
    return 1;
  }
  return 0;
}

// A `recovery:` scenario: a long job with faults, detections and restarts.
void print_recovery(const Scenario& scenario, const spinel::api::Results& results,
                    const std::filesystem::path& out_dir) {
  const spinel::recovery::RecoveryRun& run = *results.recovery;
  const spinel::recovery::RecoveryTotals& t = run.totals;
  const auto share = [&](double gpu_hours) {
    return t.gpu_hours > 0 ? 100.0 * gpu_hours / t.gpu_hours : 0.0;
  };
  std::printf("%s (seed %llu): %u GPUs, %llu iterations, detector %s\n", scenario.name.c_str(),
              static_cast<unsigned long long>(scenario.seed), run.ranks,
              static_cast<unsigned long long>(scenario.jobs[0].iterations),
              scenario.detector.kind == spinel::workloads::DetectorKind::c4 ? "c4" : "manual");
  std::printf(
      "  the job took %.1f h: %.2f%% of its GPU time useful, %.2f%% lost (rolled back %.2f%%, "
      "stalled %.2f%%, restarting %.2f%%)\n",
      t.job_hours, share(t.useful_gpu_hours), share(t.lost_gpu_hours),
      share(t.lost_rework_gpu_hours), share(t.lost_stalled_gpu_hours),
      share(t.lost_restart_gpu_hours));
  std::printf(
      "  %llu faults, %llu acted on; %llu stops by C4, %llu by people; %llu false alarms, %llu "
      "wrong suspects\n",
      static_cast<unsigned long long>(t.faults), static_cast<unsigned long long>(t.faults_acted_on),
      static_cast<unsigned long long>(t.stops_by_c4),
      static_cast<unsigned long long>(t.stops_by_people),
      static_cast<unsigned long long>(t.false_alarms),
      static_cast<unsigned long long>(t.wrong_suspects));
  std::printf(
      "  simulated %llu iterations, skipped %llu (fast-forward); %llu events in %.2f s wall\n",
      static_cast<unsigned long long>(run.simulated_iterations),
      static_cast<unsigned long long>(run.skipped_iterations),
      static_cast<unsigned long long>(run.events), results.wall_seconds);
  std::printf("results in %s/ (attempts.csv, faults.csv, detections.csv)\n",
              out_dir.string().c_str());
}

// "simulated 12.345 ms, 678 events, 42% done, about 3 s left": how far the
// run has got, and when it is likely to end where the run knows its whole.
std::string progress_line(const spinel::sim::Progress& p, double wall_seconds) {
  std::string line =
      "simulated " + format_ms(p.now_ps) + ", " + std::to_string(p.events) + " events";
  if (p.fraction && *p.fraction > 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, ", %.0f%% done, about %.0f s left", 100.0 * *p.fraction,
                  wall_seconds * (1.0 - *p.fraction) / *p.fraction);
    line += buf;
  }
  return line;
}

// The scenario's cost warnings, on stderr. False (after saying so) when one
// is extreme and --force was not given.
bool print_warnings(const Scenario& scenario, bool quiet, bool force) {
  bool extreme = false;
  for (const spinel::scenario::CostWarning& w : scenario.warnings) {
    extreme = extreme || w.extreme;
    if (!quiet || (w.extreme && !force)) std::cerr << "warning: " << w.message << "\n";
  }
  if (extreme && !force) {
    std::cerr << "spinel: not run: the estimate above is extreme; run it anyway with --force\n";
    return false;
  }
  return true;
}

int cmd_run(const std::vector<std::string>& args) {
  std::optional<std::string> file;
  std::uint64_t seed_value = 0;
  std::optional<std::filesystem::path> out;
  bool quiet = false;
  bool force = false;
  spinel::tools::Options cli(run_help(), usage_error, " for run");
  cli.one_word(file, "run takes one scenario file; got");
  cli.integer("--seed", seed_value, 0, ~std::uint64_t{0}, "a non-negative integer");
  cli.text("--out", out);
  cli.flag("-q,--quiet", quiet);
  cli.flag("--force", force);
  if (const auto status = cli.parse(args)) return *status;
  Scenario scenario;
  try {
    scenario = file ? spinel::scenario::load_file(*file)
                    : spinel::scenario::load_string(spinel::scenario::default_scenario_yaml(),
                                                    "<default>");
  } catch (const spinel::sim::ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  if (cli.given("--seed")) scenario.seed = seed_value;
  if (!print_warnings(scenario, quiet, force)) return 2;
  const std::filesystem::path out_dir = out ? *out : spinel::api::default_out_dir(scenario);

  spinel::api::RunOptions options;
  options.out_dir = out_dir;
  options.command_line = spinel::tools::command_line("run", args);
  const bool tty = is_terminal();
  const auto start = std::chrono::steady_clock::now();
  auto last = start;
  if (!quiet) {
    options.on_progress = [&](const spinel::sim::Progress& p) {
      const auto t = std::chrono::steady_clock::now();
      if (t - last < std::chrono::seconds(1)) return;
      last = t;
      const double wall = std::chrono::duration<double>(t - start).count();
      std::fprintf(stderr, "%s%s%s", tty ? "\r" : "", progress_line(p, wall).c_str(),
                   tty ? "   " : "\n");
    };
  }
  spinel::api::Results result;
  try {
    result = spinel::api::run(scenario, options);
  } catch (const std::exception& e) {
    std::cerr << "spinel: run failed: " << e.what() << "\n";
    return 1;
  }
  if (!quiet && tty) std::fprintf(stderr, "\r%78s\r", "");
  switch (result.kind) {
    case spinel::api::RunKind::pccl:
      return print_pccl(scenario, result, out_dir, quiet);
    case spinel::api::RunKind::recovery:
      if (!quiet) print_recovery(scenario, result, out_dir);
      return 0;
    case spinel::api::RunKind::training:
      if (!quiet) print_table(scenario, result, out_dir);
      return 0;
  }
  return 0;
}

int cmd_validate(const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("validate needs at least one scenario file");
  int status = 0;
  for (const std::string& f : args) {
    try {
      // Through the sweep loader, so that every point of a sweep block is checked too.
      const spinel::sweep::Sweep sweep = spinel::sweep::load_sweep_file(f);
      const Scenario& s = sweep.base;
      std::cout << f << ": ok (" << s.name << ", " << spinel::scenario::host_count(s) << " hosts";
      if (sweep.has_block) std::cout << "; a sweep of " << sweep.points.size() << " points";
      std::cout << ")\n";
      for (const spinel::scenario::CostWarning& w : s.warnings) {
        std::cerr << "warning: " << w.message << (w.extreme ? " (spinel run needs --force)" : "")
                  << "\n";
      }
    } catch (const spinel::sim::ScenarioError& e) {
      std::cerr << e.what() << "\n";
      status = 2;
    }
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" ||
      (args[0] == "help" && args.size() == 1)) {
    std::cout << kMainHelp;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "spinel " << spinel::api::version() << " (commit " << spinel::api::git_commit()
              << ")\n";
    return 0;
  }
  const std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (command == "run") return cmd_run(rest);
    if (command == "validate") return cmd_validate(rest);
    if (command == "sweep") return spinel::tools::cmd_sweep(rest);
    if (command == "dst") return spinel::tools::cmd_dst(rest);
    if (command == "topology") return spinel::tools::cmd_topology(rest);
    if (command == "chakra-info") return spinel::tools::cmd_chakra_info(rest);
    if (command == "merge") return spinel::tools::cmd_merge(rest);
    if (command == "pccl-master") return spinel::tools::cmd_pccl_master(rest);
    if (command == "pccl-peer") return spinel::tools::cmd_pccl_peer(rest);
    if (command == "pccl-local") return spinel::tools::cmd_pccl_local(rest);
    if (command == "help") {
      if (rest.size() == 1 && (rest[0] == "sweep" || rest[0] == "merge")) {
        std::cout << spinel::tools::sweep_help();
        return 0;
      }
      const std::pair<std::string_view, std::string_view (*)()> helps[] = {
          {"dst", spinel::tools::dst_help},
          {"topology", spinel::tools::topology_help},
          {"chakra-info", spinel::tools::chakra_info_help},
          {"pccl-master", spinel::tools::pccl_master_help},
          {"pccl-peer", spinel::tools::pccl_peer_help},
          {"pccl-local", spinel::tools::pccl_local_help},
      };
      for (const auto& [name, help] : helps) {
        if (rest.size() == 1 && rest[0] == name) {
          std::cout << help();
          return 0;
        }
      }
      if (rest.size() == 1 && rest[0] != "run") return usage_error("no help on '" + rest[0] + "'");
      std::cout << run_help();
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "spinel: " << e.what() << "\n";
    return 1;
  }
  return usage_error("unknown command '" + command + "'");
}
