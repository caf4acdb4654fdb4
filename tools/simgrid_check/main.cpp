// spinel-simgrid-check: runs a scenario's collective on spinel and on SimGrid
// over the same links and routes, and says whether they agree.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "api/scenario/scenario.hpp"
#include "sim/error.hpp"
#include "tools/simgrid_check/compare.hpp"
#include "tools/simgrid_check/simgrid_side.hpp"
#include "tools/simgrid_check/spinel_side.hpp"

namespace {

using namespace spinel;
using simgrid_check::LatencyMode;

constexpr std::string_view kHelp =
    R"(spinel-simgrid-check - cross-checks spinel's flow model against SimGrid

Usage:
  spinel-simgrid-check SCENARIO.yaml [--tolerance 0.001] [--latency auto|links|delivery]
                       [--seed N] [--scale-capacity X] [--check-transfers] [--transfers FILE]
                       [--quiet] [-- SIMGRID_ARGS...]

Runs the scenario's collective (its workload block) in spinel's flow model,
then exports what it used to SimGrid (S4U) and replays the same collective
there:
  - one SimGrid host per spinel host;
  - one SimGrid link per directed spinel link the collective's connections
    cross (rate = link rate, SHARED: one capacity per direction), and one per
    spray trunk (a leaf's uplinks, or its downlinks, as one link of their
    summed rate: exact for spraying on a two-tier leaf-spine);
  - one route per (source, destination) host pair: the links of spinel's
    connection, in order.
SimGrid runs its plain max-min model (CM02; bandwidth and latency factors 1,
weight-S 0, TCP-gamma 0, no cross-traffic). The replay walks the collective's
schedule with SimGrid's clock (a rank starts a step's sends on entering it and
leaves it when they are delivered and its receives have arrived), so SimGrid's
completions, not spinel's, decide when every flow starts.

Compared: each iteration's completion time, and every transfer's delivery
time (matched by iteration, step, source and destination rank). They agree
when every completion time differs by at most --tolerance of spinel's, and
(with --check-transfers) every delivery by at most --tolerance of spinel's
last completion time. Transfers are not checked by default: where flows
collide (ECMP) single deliveries can hinge on ties between events, so that
SimGrid against itself, with link rates perturbed by 1e-12, moves some by
1% of the run while the completion time stays put.

Options:
  --tolerance X       relative agreement asked for (default 0.001, i.e. 0.1%)
  --latency MODE      where SimGrid pays path latency (default auto):
                        links     on its links: a comm waits its route's latency,
                                  then shares bandwidth. CM02 also weighs each
                                  comm's share by 1/route latency, so this is
                                  max-min (and spinel's model) only when every
                                  route has the same latency;
                        delivery  links without latency (unweighted max-min); the
                                  replay delivers each transfer one route latency
                                  after SimGrid carried its last byte, as spinel does;
                        auto      links if every route has the same latency,
                                  delivery otherwise.
  --seed N            override the scenario's seed (placement, ECMP hashing)
  --scale-capacity X  multiply SimGrid's link rates by X: a deliberate error,
                      to see the check fail (e.g. 1.01)
  --check-transfers   also require every transfer's delivery time to agree
  --transfers FILE    write every matched transfer's delivery times to FILE (CSV)
  --quiet             print only the verdict line
  -- ARGS...          pass the rest to SimGrid (after ours), e.g. --cfg=surf/precision:1e-12

Not expressible in SimGrid (exit 2): connections split over several subflows,
links loaded by a fraction of a flow (spraying where trunks are not exact), or
one host pair routed two ways in different phases.

Exit status: 0 they agree, 1 they do not, 2 bad command line, bad scenario or
not expressible in SimGrid.
)";

int usage_error(const std::string& message) {
  std::cerr << "spinel-simgrid-check: " << message << "\n(see 'spinel-simgrid-check --help')\n";
  return 2;
}

std::optional<double> parse_double(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string ms(double seconds) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.9f ms", seconds * 1e3);
  return buffer;
}

std::string sci(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2e", x);
  return buffer;
}

void write_transfers(const std::string& path, const simgrid_check::Comparison& c,
                     const std::vector<topology::HostId>& hosts) {
  std::ofstream out(path);
  out << "iteration,step,src_rank,dst_rank,src_host,dst_host,spinel_start_ps,"
         "spinel_delivered_ps,simgrid_start_ps,simgrid_delivered_ps,difference_ps\n";
  char line[256];
  for (const auto& p : c.pairs) {
    const double spinel_ps = p.reference_s * 1e12;
    const double simgrid_ps = p.other_s * 1e12;
    std::snprintf(line, sizeof line, "%u,%u,%u,%u,%u,%u,%.0f,%.0f,%.3f,%.3f,%.3f\n",
                  p.key.iteration, p.key.step, p.key.src, p.key.dst, hosts[p.key.src],
                  hosts[p.key.dst], p.reference_start_s * 1e12, spinel_ps, p.other_start_s * 1e12,
                  simgrid_ps, simgrid_ps - spinel_ps);
    out << line;
  }
  if (!out) throw std::runtime_error(path + ": cannot write");
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<std::string> file;
  double tolerance = 0.001;
  std::string latency = "auto";
  std::optional<std::uint64_t> seed;
  bool quiet = false;
  std::string transfers_file;
  bool check_transfers = false;
  simgrid_check::SimGridOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    if (arg == "-h" || arg == "--help") {
      std::cout << kHelp;
      return 0;
    } else if (arg == "--tolerance") {
      const auto v = value();
      const auto x = v ? parse_double(*v) : std::nullopt;
      if (!x || !(*x >= 0)) return usage_error("--tolerance needs a number >= 0");
      tolerance = *x;
    } else if (arg == "--latency") {
      const auto v = value();
      if (!v || (*v != "auto" && *v != "links" && *v != "delivery")) {
        return usage_error("--latency needs auto, links or delivery");
      }
      latency = *v;
    } else if (arg == "--seed") {
      const auto v = value();
      const auto x = v ? parse_double(*v) : std::nullopt;
      if (!x || *x < 0 || *x != static_cast<double>(static_cast<std::uint64_t>(*x))) {
        return usage_error("--seed needs a whole number >= 0");
      }
      seed = static_cast<std::uint64_t>(*x);
    } else if (arg == "--scale-capacity") {
      const auto v = value();
      const auto x = v ? parse_double(*v) : std::nullopt;
      if (!x || !(*x > 0)) return usage_error("--scale-capacity needs a number > 0");
      options.capacity_scale = *x;
    } else if (arg == "--check-transfers") {
      check_transfers = true;
    } else if (arg == "--transfers") {
      const auto v = value();
      if (!v || v->empty()) return usage_error("--transfers needs a file name");
      transfers_file = *v;
    } else if (arg == "--quiet" || arg == "-q") {
      quiet = true;
    } else if (arg == "--") {
      for (++i; i < argc; ++i) options.extra_args.emplace_back(argv[i]);
    } else if (!arg.empty() && arg[0] == '-') {
      return usage_error("unknown option " + arg);
    } else if (file) {
      return usage_error("one scenario file, please (got " + *file + " and " + arg + ")");
    } else {
      file = arg;
    }
  }
  if (!file) return usage_error("which scenario? give a scenario file");

  try {
    scenario::Scenario scenario = scenario::load_file(*file);
    if (seed) scenario.seed = *seed;

    const auto spinel_start = std::chrono::steady_clock::now();
    simgrid_check::SpinelRun spinel = simgrid_check::run_spinel(scenario);
    const double spinel_wall = seconds_since(spinel_start);

    const bool uniform = spinel.platform.uniform_latency();
    options.latency = latency == "links"      ? LatencyMode::links
                      : latency == "delivery" ? LatencyMode::delivery
                      : uniform               ? LatencyMode::links
                                              : LatencyMode::delivery;
    simgrid_check::Replay replay;
    replay.schedule = spinel.schedule.get();
    replay.hosts = spinel.hosts;
    const workloads::WorkloadConfig& job = scenario.jobs.front();
    replay.start_ps = job.start_ps;
    replay.iterations = job.iterations;
    replay.compute_gap_ps = job.compute_gap_ps;

    if (!quiet) {
      std::cout << scenario.name << ": " << workloads::to_string(job.collective) << " of "
                << job.size_bytes << " B over " << spinel.hosts.size() << " ranks, "
                << transport::to_string(scenario.transport.policy) << " paths, " << job.iterations
                << " iteration(s)\n"
                << "exported: " << spinel.platform.hosts << " hosts, "
                << spinel.platform.links.size() << " links (of the fabric's " << spinel.fabric_links
                << ", trunks included), " << spinel.platform.routes.size()
                << " routes; route latencies " << (uniform ? "all equal" : "differ") << "\n"
                << "SimGrid " << simgrid_check::simgrid_version() << ":";
      for (const std::string& a : simgrid_check::simgrid_arguments()) std::cout << " " << a;
      for (const std::string& a : options.extra_args) std::cout << " " << a;
      std::cout << "\nlatency paid "
                << (options.latency == LatencyMode::links
                        ? "on SimGrid's links"
                        : "at delivery (SimGrid's links carry none: unweighted max-min)");
      if (options.capacity_scale != 1.0) {
        std::cout << "; SimGrid link rates scaled by " << options.capacity_scale << " on purpose";
      }
      std::cout << "\n" << std::flush;
    }

    const auto simgrid_start = std::chrono::steady_clock::now();
    const simgrid_check::Outcome simgrid =
        simgrid_check::run_simgrid(spinel.platform, replay, options);
    const double simgrid_wall = seconds_since(simgrid_start);

    const simgrid_check::Comparison c = simgrid_check::compare(spinel.outcome, simgrid);
    const bool agree = c.within(tolerance, check_transfers);
    if (!transfers_file.empty()) write_transfers(transfers_file, c, spinel.hosts);
    if (!quiet) {
      std::printf("\n  iteration          spinel             SimGrid   rel. difference\n");
      for (std::size_t i = 0; i < c.iteration_rel.size(); ++i) {
        std::printf("  %-9zu %19s %19s   %s\n", i, ms(spinel.outcome.iteration_end_s[i]).c_str(),
                    ms(simgrid.iteration_end_s[i]).c_str(), sci(c.iteration_rel[i]).c_str());
      }
      if (c.transfers_match) {
        std::printf(
            "\n%zu transfers matched; largest delivery-time difference %.3f ps (%s of the "
            "completion time)\n",
            c.transfers_reference, c.max_transfer_diff_s * 1e12, sci(c.max_transfer_rel).c_str());
      } else {
        std::printf(
            "\ntransfers do not match: spinel delivered %zu, SimGrid %zu (or different "
            "ones)\n",
            c.transfers_reference, c.transfers_other);
      }
      std::printf("wall: spinel %.3f s (%llu events), SimGrid %.3f s\n", spinel_wall,
                  static_cast<unsigned long long>(spinel.events), simgrid_wall);
    }
    std::printf("%s: %s (completion %s, transfers %s%s; tolerance %s)\n", scenario.name.c_str(),
                agree ? "agree" : "DISAGREE", sci(c.max_iteration_rel).c_str(),
                sci(c.max_transfer_rel).c_str(), check_transfers ? "" : " not checked",
                sci(tolerance).c_str());
    return agree ? 0 : 1;
  } catch (const sim::ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const simgrid_check::NotExpressible& e) {
    std::cerr << "spinel-simgrid-check: not expressible in SimGrid: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "spinel-simgrid-check: " << e.what() << "\n";
    return 1;
  }
}
