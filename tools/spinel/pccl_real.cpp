#include "tools/spinel/pccl_real.hpp"

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>

#include "sim/units.hpp"
#include "tools/spinel/options.hpp"
#include "workloads/pccl/data.hpp"
#include "workloads/pccl/loopback_group.hpp"
#include "workloads/pccl/tcp_master.hpp"
#include "workloads/pccl/tcp_peer.hpp"

namespace spinel::tools {

namespace {

using namespace spinel::pccl;

constexpr std::string_view kMasterHelp =
    R"(spinel pccl-master --key-file FILE [--port P] [options]

Runs a PCCL master over real TCP on 127.0.0.1: the only authority of the
group, it carries no data. Peers (spinel pccl-peer --master 127.0.0.1:P) register,
are admitted between steps when every accepted peer votes for it, and run
ring all-reduces among themselves; the master starts, completes or aborts
each one. Every peer learns the group's parameters below from the master.
Ctrl-C stops it (the peers then exit: they lost their master).

The master and its peers share a key: every connection opens with a mutual
challenge-response and every frame carries an HMAC-SHA-256 tag, so a process
without the key can neither join nor speak for a peer. Give the key as a
file only its owner may read, or in the environment variable SPINEL_PCCL_KEY
(never on the command line). Make one with:
  (umask 077; head -c 32 /dev/urandom | base64 > pccl.key)

  --key-file FILE                the group's key (or SPINEL_PCCL_KEY)
  --tls                          TLS 1.3 on every connection, keyed by the same key
                                 (hides what travels; the peers need --tls too)
  --insecure                     no key, no authentication: anyone who can reach the
                                 port can join, bias results or stall the group
  --port P                       listen on 127.0.0.1:P (default 0: any free port, printed)
  --floats N                     floats each peer reduces per step (default 4096)
  --connections-per-neighbour K  TCP connections per ring neighbour (default 2)
  --step-compute DUR             a peer's "compute" of one (inner) step (default 1s)
  --inner-steps H                DiLoCo: H steps of compute between all-reduces (default 1)
  --async                        async DiLoCo: the all-reduce overlaps the next inner
                                 steps and is applied one step late
  --quantisation Q               none, fp16 or int8 (one scale per part; default none)
  --concurrent-collectives N     all-reduces per step, each on its share of the floats
                                 (default 1)
  --retry-backoff DUR            wait after "too few peers" (default 1s)
  --keepalive-interval DUR       how often peers say they are alive (default 1s)
  --keepalive-timeout DUR        silence that drops a peer (default 5s)
  --seed N                       seed of the peers' data (default 1)
  --duration DUR                 stop after DUR (default: run until Ctrl-C)
  --quiet                        print only errors

Durations carry units: 500ms, 2s, 1.5s. It prints admissions, departures,
drops (malformed frames, silence) and every completed or aborted all-reduce:
  step 12: 3 peers [0, 2, 5], attempt 1, 4.1 ms

Example (three terminals):
  spinel pccl-master --key-file pccl.key --port 7777
  spinel pccl-peer --key-file pccl.key --master 127.0.0.1:7777
  spinel pccl-peer --key-file pccl.key --master 127.0.0.1:7777
)";

constexpr std::string_view kPeerHelp =
    R"(spinel pccl-peer --key-file FILE --master 127.0.0.1:P [--listen-port Q] [--steps N]
                 [--tls] [--quiet]

Runs one PCCL peer over real TCP on 127.0.0.1. It connects to the master,
gets its id and the group's parameters, listens for its ring neighbours, and
runs one all-reduce per step with the other peers (abort and retry with the
survivors when one dies). After each step it prints the result's hash and
the shared weights' hash: every peer of a step prints the same two hashes,
bit-identity you can check by eye.
  peer 3 step 12: 4 peers, attempt 0, result 9f0c2a51d3e4b7a8, weights 51d3e4b79f0c2a8a (revision 13)

  --key-file FILE     the group's key, as the master's (or SPINEL_PCCL_KEY)
  --tls               TLS on every connection (when the master has --tls)
  --insecure          no key (only with a master started with --insecure)
  --master HOST:PORT  the master (127.0.0.1 or localhost: the real mode is loopback only)
  --listen-port Q     take ring connections on port Q (default 0: any free port)
  --steps N           leave gracefully after N completed steps (default: until Ctrl-C)
  --quiet             print only errors

Ctrl-C leaves gracefully after the current step; a second Ctrl-C exits at once
(as a killed process: its neighbours see the connections reset and the group
retries without it). Exit status 0 after leaving, 1 when the master is lost
(or refuses the key).
)";

constexpr std::string_view kLocalHelp =
    R"(spinel pccl-local [--peers N] [--duration DUR] [--churn-min DUR --churn-max DUR]
                  [--stall-share X] [--no-churn] [--seed N] [--tls] [--insecure] [--verbose]
                  [--inner-steps H] [--async] [--quantisation Q] [--concurrent-collectives N]

Runs a PCCL master and N peers over real TCP on 127.0.0.1 in this process
(one thread), kills a random peer every uniform(churn-min, churn-max) (all its
sockets reset, as SIGKILL does; half the kills strike just after an
all-reduce starts) and starts a replacement up to churn-max later. The
invariant checker of the simulated runs hears every notice: bit-identical
results equal to the reduction over exactly the participants, world sizes,
one abort per peer per aborted attempt, no collective overlapping a topology
update or sync, and a step within 8 s whenever two peers are alive.
The group shares a random key made for the run (as pccl-master's).
Exit status 1 on a violation. Real time: no two runs are alike.

  --peers N         peers at start (default 6)
  --duration DUR    how long to run (default 15s)
  --churn-min DUR   (default 500ms)
  --churn-max DUR   (default 2s)
  --stall-share X   this share of the hits stalls the peer instead (alive, sockets
                    open, silent: found only by the master's 2 s keepalive timeout)
  --no-churn        no kills
  --inner-steps H   DiLoCo: H steps of compute between all-reduces (default 1)
  --async           async DiLoCo: the all-reduce overlaps the next inner steps
                    and is applied one step late
  --quantisation Q  none, fp16 or int8 (one scale per part; default none)
  --concurrent-collectives N
                    all-reduces per step, each on its share of the floats (default 1)
  --seed N          picks the victims, the intervals and the data (default 1)
  --tls             TLS on every connection
  --insecure        no key, no authentication
  --verbose         print every kill, connection and drop
)";

// The training loop's options (pccl-master, pccl-local).
void add_loop_options(Options& cli, TrainingLoop& loop) {
  cli.integer("--inner-steps", loop.inner_steps, 1, 100'000);
  cli.flag("--async", loop.async);
  cli.integer("--concurrent-collectives", loop.concurrent_collectives, 1, 256);
  cli.choice<Quantisation>(
      "--quantisation", loop.quantisation,
      {{"none", Quantisation::none}, {"fp16", Quantisation::fp16}, {"int8", Quantisation::int8}});
}

int usage(const std::string& message, std::string_view command) {
  std::cerr << "spinel: " << message << "\n(see 'spinel " << command << " --help')\n";
  return 2;
}

// Where the group's key comes from: --key-file, else SPINEL_PCCL_KEY; none
// only with --insecure, which then excludes both (and --tls).
struct KeyOptions {
  std::string file;
  bool insecure = false;
  bool tls = false;

  void add_to(Options& cli) {
    cli.text("--key-file", file);
    cli.flag("--insecure", insecure);
    cli.flag("--tls", tls);
  }
  // The key, or an error for the command line.
  SharedKey::Loaded load() const {
    const char* env = std::getenv(kKeyEnvironmentVariable);
    if (insecure) {
      if (!file.empty() || env != nullptr) {
        return {nullptr, std::string("--insecure, yet a key is given (") +
                             (file.empty() ? kKeyEnvironmentVariable : "--key-file") + ")"};
      }
      if (tls) return {nullptr, "--tls needs the group's key (it is keyed by it)"};
      return {};
    }
    if (!file.empty()) return SharedKey::from_file(file);
    if (env != nullptr) {
      return SharedKey::from_text(
          env, std::string("the environment variable ") + kKeyEnvironmentVariable);
    }
    return {nullptr, std::string("the group's key is missing: give --key-file FILE or set ") +
                         kKeyEnvironmentVariable +
                         " (or --insecure to run without authentication)"};
  }
};

std::string hex(std::uint64_t v) {
  char text[20];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(v));
  return text;
}

std::string ids(const std::vector<PeerId>& peers) {
  std::string s = "[";
  for (std::size_t i = 0; i < peers.size(); ++i) s += (i ? ", " : "") + std::to_string(peers[i]);
  return s + "]";
}

double ms(sim::Time ps) {
  return static_cast<double>(ps) / static_cast<double>(sim::kMillisecond);
}

}  // namespace

std::string_view pccl_master_help() {
  return kMasterHelp;
}
std::string_view pccl_peer_help() {
  return kPeerHelp;
}
std::string_view pccl_local_help() {
  return kLocalHelp;
}

int cmd_pccl_master(const std::vector<std::string>& list) {
  TcpMasterOptions o;
  o.group.floats = 4096;
  o.group.size_bytes = 4096 * sizeof(float);
  o.group.connections_per_neighbour = 2;
  o.group.step_compute_ps = sim::kSecond;
  o.group.retry_backoff_ps = sim::kSecond;
  o.group.keepalive_interval_ps = sim::kSecond;
  o.master.keepalive_interval_ps = sim::kSecond;
  o.master.keepalive_timeout_ps = 5 * sim::kSecond;
  sim::Time duration_ps = 0;
  bool quiet = false;
  KeyOptions key;
  const auto usage_error = [](const std::string& m) { return usage(m, "pccl-master"); };
  Options cli(kMasterHelp, usage_error, " for pccl-master");
  key.add_to(cli);
  add_loop_options(cli, o.group.loop);
  cli.flag("-q,--quiet", quiet);
  cli.integer("--port", o.port, 0, 65535);
  cli.integer("--floats", o.group.floats, 1, 1U << 24);
  cli.integer("--connections-per-neighbour", o.group.connections_per_neighbour, 1, 64);
  cli.duration("--step-compute", o.group.step_compute_ps, true);
  cli.duration("--retry-backoff", o.group.retry_backoff_ps, true);
  cli.duration("--keepalive-interval", o.group.keepalive_interval_ps, false);
  cli.duration("--keepalive-timeout", o.master.keepalive_timeout_ps, false);
  cli.integer("--seed", o.group.seed, 0, ~std::uint64_t{0});
  cli.duration("--duration", duration_ps, false);
  if (const auto status = cli.parse(list)) {
    return *status;
  }
  o.group.size_bytes = std::uint64_t{o.group.floats} * sizeof(float);
  o.master.keepalive_interval_ps = o.group.keepalive_interval_ps;
  if (o.master.keepalive_timeout_ps <= o.master.keepalive_interval_ps) {
    return usage("--keepalive-timeout must be longer than --keepalive-interval", "pccl-master");
  }
  const SharedKey::Loaded loaded = key.load();
  if (!loaded.error.empty()) return usage(loaded.error, "pccl-master");
  o.key = loaded.key;
  o.tls = key.tls;

  asio::io_context io;
  const TcpClock clock;
  auto master = std::make_shared<TcpMaster>(io, o, clock);
  sim::Time started_ps = 0;
  std::vector<PeerId> ring;  // of the attempt under way
  master->on_log = [quiet](const std::string& text) {
    if (quiet) return;
    std::printf("%s\n", text.c_str());
    std::fflush(stdout);  // a killed peer's last words reach the terminal
  };
  master->on_notice = [&, quiet](const Notice& n) {
    if (quiet) return;
    const sim::Time now = clock.now_ps();
    switch (n.kind) {
      case NoticeKind::admitted:
        std::printf("admitted peer %u (world %llu)\n", n.peer,
                    static_cast<unsigned long long>(n.value));
        break;
      case NoticeKind::departed:
        std::printf("peer %u departed%s\n", n.peer, n.value != 0 ? "" : " (never admitted)");
        break;
      case NoticeKind::kicked:
        std::printf("peer %u kicked (silent past the keepalive timeout)\n", n.peer);
        break;
      case NoticeKind::collective_start:
        started_ps = now;
        ring = master->master().participants();
        break;
      case NoticeKind::collective_abort:
        std::printf("step %llu: attempt %u aborted\n", static_cast<unsigned long long>(n.op),
                    n.attempt);
        break;
      case NoticeKind::collective_complete:
        std::printf("step %llu: %llu peers %s, attempt %u, %.1f ms\n",
                    static_cast<unsigned long long>(n.op), static_cast<unsigned long long>(n.value),
                    ids(ring).c_str(), n.attempt, ms(now - started_ps));
        break;
      default:
        break;
    }
    std::fflush(stdout);
  };
  try {
    master->start();
  } catch (const std::exception& e) {
    std::cerr << "spinel: cannot listen on 127.0.0.1:" << o.port << ": " << e.what() << "\n";
    return 1;
  }
  if (!quiet) {
    std::printf(
        "master listening on 127.0.0.1:%u (%s; %u floats, %u connections per neighbour, "
        "keepalive %s / %s)\n",
        master->port(),
        !o.key  ? "INSECURE: no key, anyone can join"
        : o.tls ? "keyed, TLS"
                : "keyed",
        o.group.floats, o.group.connections_per_neighbour,
        sim::format_duration_ps(o.master.keepalive_interval_ps).c_str(),
        sim::format_duration_ps(o.master.keepalive_timeout_ps).c_str());
    std::fflush(stdout);
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    master->stop();
    io.stop();
  });
  asio::steady_timer end(io);
  if (duration_ps > 0) {
    end.expires_after(std::chrono::nanoseconds(duration_ps / 1000));
    end.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      master->stop();
      io.stop();
    });
  }
  io.run();
  return 0;
}

int cmd_pccl_peer(const std::vector<std::string>& list) {
  TcpPeerOptions o;
  std::optional<std::uint16_t> master_port;
  std::uint64_t steps = 0;
  bool quiet = false;
  KeyOptions key;
  const auto usage_error = [](const std::string& m) { return usage(m, "pccl-peer"); };
  Options cli(kPeerHelp, usage_error, " for pccl-peer");
  key.add_to(cli);
  cli.flag("-q,--quiet", quiet);
  cli.value("--master", [&master_port](const std::string& v) -> std::optional<std::string> {
    const auto colon = v.rfind(':');
    const std::string host = colon == std::string::npos ? "" : v.substr(0, colon);
    const std::string port = colon == std::string::npos ? v : v.substr(colon + 1);
    std::uint16_t p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (host != "127.0.0.1" && host != "localhost" && !host.empty()) {
      return "--master: the real mode runs on loopback only (127.0.0.1), got '" + v + "'";
    }
    if (ec != std::errc{} || end != port.data() + port.size() || p == 0) {
      return "--master takes 127.0.0.1:PORT, got '" + v + "'";
    }
    master_port = p;
    return std::nullopt;
  });
  cli.integer("--listen-port", o.listen_port, 0, 65535);
  cli.integer("--steps", steps, 1, ~std::uint64_t{0});
  if (const auto status = cli.parse(list)) {
    return *status;
  }
  if (!master_port) return usage("pccl-peer needs --master 127.0.0.1:PORT", "pccl-peer");
  o.master = tcp::endpoint(asio::ip::address_v4::loopback(), *master_port);
  const SharedKey::Loaded loaded = key.load();
  if (!loaded.error.empty()) return usage(loaded.error, "pccl-peer");
  o.key = loaded.key;
  o.tls = key.tls;

  asio::io_context io;
  auto peer = std::make_shared<TcpPeer>(io, o, TcpClock{});
  int status = 0;
  std::uint64_t done = 0;
  std::map<std::uint64_t, std::uint64_t> world;  // op -> peers it finished with
  peer->on_log = [quiet](const std::string& text) {
    if (quiet) return;
    std::printf("%s\n", text.c_str());
    std::fflush(stdout);  // a killed peer's last words reach the terminal
  };
  peer->on_welcome = [&, quiet](const Peer& p) {
    if (!quiet) {
      std::printf("peer %u: welcomed; ring connections on 127.0.0.1:%u\n", p.id(),
                  peer->listen_port());
      std::fflush(stdout);
    }
  };
  peer->on_notice = [&, quiet](const Notice& n) {
    const auto self = peer->peer();
    if (n.kind == NoticeKind::peer_finished) world[n.op] = n.value;
    if (n.kind == NoticeKind::peer_aborted && !quiet) {
      std::printf("peer %u step %llu: attempt %u aborted, retrying with the survivors\n", n.peer,
                  static_cast<unsigned long long>(n.op), n.attempt);
      std::fflush(stdout);
    }
    if (n.kind != NoticeKind::peer_step || !self) return;
    if (!quiet) {
      std::printf(
          "peer %u step %llu: %llu peers, attempt %u, result %s, weights %s (revision %llu)\n",
          n.peer, static_cast<unsigned long long>(n.op),
          static_cast<unsigned long long>(world[n.op]), n.attempt,
          hex(hash_floats(self->buffer())).c_str(), hex(hash_floats(self->state()[0])).c_str(),
          static_cast<unsigned long long>(n.value));
      std::fflush(stdout);
    }
    world.erase(n.op);
    if (++done == steps) peer->leave();
  };
  peer->on_exit = [&, quiet](const std::string& why) {
    if (!quiet || why.rfind("left", 0) != 0) {
      std::fprintf(why.rfind("left", 0) == 0 ? stdout : stderr, "peer: %s\n", why.c_str());
    }
    if (why.rfind("left", 0) != 0) status = 1;
    io.stop();
  };
  try {
    peer->start();
  } catch (const std::exception& e) {
    std::cerr << "spinel: cannot listen on 127.0.0.1:" << o.listen_port << ": " << e.what() << "\n";
    return 1;
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  std::function<void(const boost::system::error_code&, int)> on_signal;
  bool leaving = false;
  on_signal = [&](const boost::system::error_code& ec, int) {
    if (ec) return;
    if (leaving) {
      peer->kill();
      io.stop();
      return;
    }
    leaving = true;
    if (!quiet) std::printf("peer: leaving after this step (Ctrl-C again: exit now)\n");
    std::fflush(stdout);
    peer->leave();
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  io.run();
  return status;
}

int cmd_pccl_local(const std::vector<std::string>& list) {
  LoopbackOptions o = loopback_defaults();
  o.duration_ps = 15 * sim::kSecond;
  bool verbose = false;
  bool insecure = false;
  bool no_churn = false;
  const auto usage_error = [](const std::string& m) { return usage(m, "pccl-local"); };
  Options cli(kLocalHelp, usage_error, " for pccl-local");
  cli.flag("-v,--verbose", verbose);
  add_loop_options(cli, o.group.loop);
  cli.flag("--insecure", insecure);
  cli.flag("--tls", o.tls);
  cli.integer("--peers", o.peers, 1, 64);
  cli.duration("--duration", o.duration_ps, false);
  cli.duration("--churn-min", o.churn_interval_min_ps, true);
  cli.duration("--churn-max", o.churn_interval_max_ps, false);
  cli.value("--stall-share", [&o](const std::string& v) -> std::optional<std::string> {
    char* end = nullptr;
    o.stall_share = std::strtod(v.c_str(), &end);
    if (end != v.c_str() + v.size() || v.empty() || !(o.stall_share >= 0) || o.stall_share > 1) {
      return "--stall-share takes a number from 0 to 1, got '" + v + "'";
    }
    return std::nullopt;
  });
  cli.flag("--no-churn", no_churn);
  cli.integer("--seed", o.seed, 0, ~std::uint64_t{0});
  if (const auto status = cli.parse(list)) {
    return *status;
  }
  if (insecure) o.key = nullptr;
  if (no_churn) {
    o.churn_interval_max_ps = 0;
    o.churn_interval_min_ps = 0;
  }
  if (o.churn_interval_min_ps > o.churn_interval_max_ps) {
    return usage("--churn-min must not exceed --churn-max", "pccl-local");
  }
  if (o.tls && !o.key) return usage("--tls needs the group's key (not --insecure)", "pccl-local");
  asio::io_context io;
  LoopbackGroup group(io, o);
  if (verbose) {
    group.on_log = [&group](const std::string& text) {
      std::printf("%8.3f s  %s\n",
                  static_cast<double>(group.clock().now_ps()) / static_cast<double>(sim::kSecond),
                  text.c_str());
    };
  }
  group.start();
  std::printf("master on 127.0.0.1:%u, %u peers, %s, %s\n", group.master_port(), o.peers,
              sim::format_duration_ps(o.duration_ps).c_str(),
              o.churn_interval_max_ps > 0
                  ? ("a kill every " + sim::format_duration_ps(o.churn_interval_min_ps) + ".." +
                     sim::format_duration_ps(o.churn_interval_max_ps))
                        .c_str()
                  : "no churn");
  std::fflush(stdout);
  io.run();
  const LoopbackResult r = group.finish();
  std::size_t retried = 0;
  for (const auto& s : r.steps) retried += s.attempts > 1 ? 1 : 0;
  std::printf(
      "steps completed %zu (%zu after a retry), aborted attempts %llu\n"
      "peers spawned %llu, killed %llu, stalled %llu (dropped by the keepalive %llu); "
      "connections dropped: malformed %llu, unauthenticated %llu, over their limits %llu\n"
      "longest time between steps %.1f ms; %llu invariant checks, %s\n",
      r.steps.size(), retried, static_cast<unsigned long long>(r.aborted_attempts),
      static_cast<unsigned long long>(r.spawned), static_cast<unsigned long long>(r.kills),
      static_cast<unsigned long long>(r.stalls), static_cast<unsigned long long>(r.kicks),
      static_cast<unsigned long long>(r.malformed_drops),
      static_cast<unsigned long long>(r.unauthenticated_drops),
      static_cast<unsigned long long>(r.over_limit_drops), ms(r.longest_gap_ps),
      static_cast<unsigned long long>(r.checks), r.failed ? "a VIOLATION" : "no violation");
  if (r.failed) {
    std::fprintf(stderr, "spinel: invariant violated at %.3f s: %s\n",
                 static_cast<double>(r.violation_at_ps) / static_cast<double>(sim::kSecond),
                 r.violation.c_str());
    return 1;
  }
  return 0;
}

}  // namespace spinel::tools
