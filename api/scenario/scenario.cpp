#include "api/scenario/scenario.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/scenario/pccl_section.hpp"
#include "api/scenario/recovery_section.hpp"
#include "api/scenario/wan_section.hpp"
#include "api/scenario/yaml_reader.hpp"
#include "sim/error.hpp"
#include "sim/time.hpp"
#include "sim/units.hpp"
#include "topology/servers.hpp"

namespace spinel::scenario {

namespace {

// Keep byte for byte equal to scenarios/quickstart.yaml (a test checks).
constexpr std::string_view kQuickstartYaml =
    R"yaml(# spinel quickstart: the default scenario (what `spinel` runs when given no file).
# Copy it to start your own. Every key is checked: a typo is an error, not a silent default.
#
# Quantities carry units:
#   sizes      4096 (a bare integer is bytes), 64KiB, 1.5GiB: B KB MB GB TB (x1000), KiB MiB GiB TiB PiB (x1024)
#   rates      400Gbps, 1.6Tbps: bps Kbps Mbps Gbps Tbps (or Kb/s Mb/s Gb/s Tb/s); a unit is required
#   durations  500ns, 1.5us: ps ns us (or µs) ms s; a unit is required

name: quickstart        # required; letters, digits, _ . - (up to 64); names the output folder out/<name>
description: >-
  32 hosts on a non-blocking leaf-spine (4 leaves x 8 hosts, 8 spines, 400Gbps links
  with 500ns latency) run a 256MiB ring all-reduce twice, placed at random, with
  hash-based ECMP routing. How far from the ideal ring time does hash-based ECMP
  leave a randomly placed job?
seed: 1                 # optional, default 1; the same file and seed give the same results

topology:               # required: the fabric
  kind: leaf_spine      # required; leaf_spine (two-tier folded Clos), or wan (sites joined by long-fat links; pccl runs only)
  leaves: 4             # required, 1..65536
  spines: 8             # required, 1..65536; every leaf connects to every spine
  hosts_per_leaf: 8     # required, 1..65536; 8 hosts down = 8 spines up at the same rate: non-blocking
  parallel_links: 1     # optional, default 1; links per leaf-spine pair, 1..64
  host_link: {rate: 400Gbps, latency: 500ns}    # optional, host <-> leaf; defaults 400Gbps, 500ns
  spine_link: {rate: 400Gbps, latency: 500ns}   # optional, leaf <-> spine (each parallel link); same defaults
  nics_per_host: 1      # optional, default 1; servers of this many GPUs, GPU g behind NIC g (a host of the fabric);
                        #   jobs then place whole servers, and GPUs of one server talk over nvlink
  rail_optimised: false # optional, default false; NIC g of every server on the leaves of rail g
  nic_ports: 1          # optional, default 1; 2 = dual-port NICs on two leaves (dual-ToR): port p of the hosts of
                        #   leaf pair k on leaf 2k+p, host_link per port, hosts_per_leaf hosts per pair (flow model)
  nvlink: {rate: 3600Gbps, latency: 1us}        # optional, GPU <-> GPU inside a server, per transfer

transport:              # optional: how bytes move
  model: flow           # optional, default flow (fluid max-min fair sharing); packet (queues, ECN, congestion control)
  policy: ecmp          # optional, default ecmp; ecmp (a hash pins each flow to one path) | spray (even over all paths) | mprdma:K (K hashed queue pairs) | split (minimal splitting) | planned (one planned path) | planned:K (K planned queue pairs)

workload:               # required (or jobs: a list of these, each with a name and a start): what runs
  collective: ring_allreduce   # required; ring_allreduce | tree_allreduce | halving_doubling_allreduce |
                               #   reduce_scatter | all_gather | all_to_all | pairwise_all_to_all |
                               #   hierarchical_allreduce (servers: inside over nvlink, then across per rail) |
                               #   broadcast | reduce | gather | scatter (root: rank 0) | barrier
  size_bytes: 256MiB    # required (not for barrier); the buffer each rank reduces, 1B..1PiB
  hosts: all            # optional, default all; or how many hosts take part, 2..leaves*hosts_per_leaf
  placement: random     # optional, default contiguous; contiguous | random | a list of hosts, rank r on list[r], e.g. [0, 9, 18, 27] |
                        #   rail (servers only: ranks rail by rail, so ring neighbours share a rail or a server)
  iterations: 2         # optional, default 1; 1..1000000
  compute_gap: 0ns      # optional, default 0ns; idle time between iterations
  # compute: 150ms      # optional, default 0ns; training: each rank computes this long per iteration,
  # compute_jitter: 2%  #   jittered per rank (relative std dev), and all-reduces its gradient
  # buckets: 4          #   (size_bytes) in this many buckets, each as its backward pass makes it ready

output:                 # optional: what gets written
  # dir: out/quickstart # optional, default out/<name>
  flows: true           # optional, default true; flows.csv has one row per flow (large on big runs)
)yaml";

constexpr std::uint32_t kMaxCount = 65536;       // leaves, spines, hosts_per_leaf
constexpr std::uint32_t kMaxParallelLinks = 64;  // per leaf-spine pair
constexpr std::uint32_t kMaxNicsPerHost = 64;
constexpr std::uint64_t kMaxTotalHosts = 1ULL << 20;  // leaves * hosts_per_leaf
constexpr std::uint64_t kMaxCables = 1ULL << 22;      // leaves * spines * parallel_links (memory)
constexpr std::uint64_t kMaxWorkloadBytes = 1ULL << 50;  // 1PiB
constexpr std::uint32_t kMaxIterations = 1'000'000;
constexpr std::uint32_t kMaxBuckets = 1024;  // gradient buckets per iteration
constexpr double kMaxRateGbps = 1e6;
constexpr sim::Time kMaxLatency = sim::kSecond;
constexpr std::size_t kMaxNameLength = 64;
constexpr std::size_t kMaxFileBytes = 64ULL << 20;
constexpr sim::Time kMinInterval = sim::kNanosecond;  // timeseries.csv
constexpr sim::Time kMaxInterval = sim::kSecond;

enum class TopologyKind { leaf_spine, wan };

using u32 = std::uint32_t;

std::string read_name(const Value& v) {
  std::string name = v.to_string();
  const bool chars_ok = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
  if (name.empty() || name.size() > kMaxNameLength || !chars_ok) {
    v.fail("expected a name of 1 to 64 characters from A-Z a-z 0-9 _ . -, got " + v.describe());
  }
  if (name == "." || name == "..") {
    v.fail("a name cannot be \".\" or \"..\" (it names the output folder), got " + v.describe());
  }
  return name;
}

void read_link(const Value& v, topology::LinkSpec& link) {
  v.read_map({
      {"rate", Need::optional,
       [&](const Value& x) { link.rate_gbps = x.to_rate_gbps(kMaxRateGbps); }},
      {"latency", Need::optional,
       [&](const Value& x) { link.latency_ps = x.to_duration_ps(kMaxLatency); }},
  });
}

// The topology map's kind, read ahead because it decides the other keys.
TopologyKind topology_kind(const Value& v) {
  if (v.is_map()) {
    for (const MapEntry& e : v.to_entries()) {
      if (e.key == "kind") {
        return e.value.to_enum<TopologyKind>(
            {{"leaf_spine", TopologyKind::leaf_spine}, {"wan", TopologyKind::wan}});
      }
    }
  }
  return TopologyKind::leaf_spine;  // read_topology reports the missing kind
}

// `ports` gets where nic_ports was given, for checks against later sections.
void read_topology(const Value& v, topology::LeafSpineConfig& t, std::optional<Value>& ports) {
  std::optional<Value> hosts_per_leaf;
  std::optional<Value> spines;
  std::optional<Value> nics;
  v.read_map({
      {"kind", Need::required,
       [&](const Value& x) {
         (void)x.to_enum<TopologyKind>({{"leaf_spine", TopologyKind::leaf_spine}});
       }},
      {"leaves", Need::required, [&](const Value& x) { t.leaves = x.to_uint<u32>(1, kMaxCount); }},
      {"spines", Need::required,
       [&](const Value& x) {
         t.spines = x.to_uint<u32>(1, kMaxCount);
         spines = x;
       }},
      {"hosts_per_leaf", Need::required,
       [&](const Value& x) {
         t.hosts_per_leaf = x.to_uint<u32>(1, kMaxCount);
         hosts_per_leaf = x;
       }},
      {"parallel_links", Need::optional,
       [&](const Value& x) { t.parallel_links = x.to_uint<u32>(1, kMaxParallelLinks); }},
      {"host_link", Need::optional, [&](const Value& x) { read_link(x, t.host_link); }},
      {"spine_link", Need::optional, [&](const Value& x) { read_link(x, t.spine_link); }},
      {"nics_per_host", Need::optional,
       [&](const Value& x) {
         t.nics_per_host = x.to_uint<u32>(1, kMaxNicsPerHost);
         nics = x;
       }},
      {"rail_optimised", Need::optional, [&](const Value& x) { t.rail_optimised = x.to_bool(); }},
      {"nvlink", Need::optional, [&](const Value& x) { read_link(x, t.nvlink); }},
      {"nic_ports", Need::optional,
       [&](const Value& x) {
         t.nic_ports = x.to_uint<u32>(1, 2);
         ports = x;
       }},
  });
  if (t.leaves % t.nic_ports != 0) {
    ports->fail("dual-port NICs pair the leaves up; got " + std::to_string(t.leaves) +
                " leaves, use an even number");
  }
  const std::uint64_t total = t.host_count();
  if (total < 2 || total > kMaxTotalHosts) {
    hosts_per_leaf->fail(std::string(t.nic_ports > 1 ? "leaves / 2" : "leaves") +
                         " x hosts_per_leaf = " + std::to_string(t.leaf_groups()) + " x " +
                         std::to_string(t.hosts_per_leaf) + " = " + std::to_string(total) +
                         " hosts; a fabric needs 2 to " + std::to_string(kMaxTotalHosts) +
                         " hosts");
  }
  const std::uint64_t cables = std::uint64_t{t.leaves} * t.spines * t.parallel_links;
  if (cables > kMaxCables) {
    spines->fail("leaves x spines x parallel_links = " + std::to_string(cables) +
                 " leaf-spine cables; at most " + std::to_string(kMaxCables) +
                 " fit in memory (use fewer spines or leaves)");
  }
  if (nics && total % t.nics_per_host != 0) {
    nics->fail("the fabric's " + std::to_string(total) +
               " hosts (NICs) do not split into servers of " + std::to_string(t.nics_per_host) +
               "; use a divisor of " + std::to_string(total));
  }
  if (t.rail_optimised && t.leaf_groups() % t.nics_per_host != 0) {
    (nics ? *nics : *hosts_per_leaf)
        .fail("rail_optimised needs the " +
              std::string(t.nic_ports > 1 ? "leaf pairs (" : "leaves (") +
              std::to_string(t.leaf_groups()) + ") to split into one group per NIC (" +
              std::to_string(t.nics_per_host) + ")");
  }
}

// What jobs place ranks on: hosts, or whole servers when hosts have several
// GPUs (every GPU of a chosen server is a rank).
std::uint32_t placeable(const topology::LeafSpineConfig& t) {
  return topology::Servers(t).count();  // read_topology checked that servers divide the hosts
}

// ecmp | spray | mprdma:K | split | planned | planned:K | reps | adaptive; K
// (queue pairs) from 2 to 64.
void read_policy(const Value& v, transport::TransportConfig& t) {
  using transport::PathPolicy;
  const std::string word = v.is_scalar() ? v.scalar() : "";
  if (word.rfind("planned:", 0) == 0) {
    const std::string k = word.substr(8);
    const bool digits = !k.empty() && k.size() <= 2 && std::all_of(k.begin(), k.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    const std::uint32_t n = digits ? static_cast<std::uint32_t>(std::stoul(k)) : 0;
    if (n < transport::kMinMprdmaSubflows || n > transport::kMaxMprdmaSubflows) {
      v.fail(
          "expected planned:K with K, the planned queue pairs per connection, from 2 to 64 "
          "(e.g. planned:2), got " +
          v.describe());
    }
    t.policy = PathPolicy::planned;
    t.planned_subflows = n;
    return;
  }
  if (word.rfind("mprdma:", 0) == 0 || word == "mprdma") {
    const std::string k = word.size() > 7 ? word.substr(7) : "";
    const bool digits = !k.empty() && k.size() <= 2 && std::all_of(k.begin(), k.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    const std::uint32_t n = digits ? static_cast<std::uint32_t>(std::stoul(k)) : 0;
    if (n < transport::kMinMprdmaSubflows || n > transport::kMaxMprdmaSubflows) {
      v.fail(
          "expected mprdma:K with K, the queue pairs per connection, from 2 to 64 (e.g. "
          "mprdma:4), got " +
          v.describe());
    }
    t.policy = PathPolicy::mprdma;
    t.mprdma_subflows = n;
    return;
  }
  t.policy = v.to_enum<PathPolicy>({{"ecmp", PathPolicy::ecmp},
                                    {"spray", PathPolicy::spray},
                                    {"mprdma:K", PathPolicy::mprdma},
                                    {"split", PathPolicy::split},
                                    {"planned", PathPolicy::planned},
                                    {"reps", PathPolicy::reps},
                                    {"adaptive", PathPolicy::adaptive}});
}

// transport.packet: the packet-level model's parameters (README, "Packet level").
void read_packet(const Value& v, transport::PacketConfig& p) {
  using transport::CongestionControl;
  using transport::SprayChoice;
  std::optional<Value> kmax;
  std::optional<Value> buffer;
  std::optional<Value> xon;
  std::optional<Value> sharing;
  transport::DcqcnConfig& d = p.dcqcn;
  const auto positive_duration = [](const Value& x, sim::Time& out) {
    out = x.to_duration_ps(sim::kSecond);
    if (out <= 0) x.fail("expected a duration above 0, e.g. 55us, got " + x.describe());
  };
  const auto positive_rate = [](const Value& x, double& out) {
    out = x.to_rate_gbps(1e6);
    if (out <= 0) x.fail("expected a rate above 0, e.g. 40Mbps, got " + x.describe());
  };
  v.read_map({
      {"mtu_bytes", Need::optional,
       [&](const Value& x) { p.mtu_bytes = static_cast<u32>(x.to_bytes(256, 65536)); }},
      {"header_bytes", Need::optional,
       [&](const Value& x) { p.header_bytes = static_cast<u32>(x.to_bytes(0, 1024)); }},
      {"ack_bytes", Need::optional,
       [&](const Value& x) { p.ack_bytes = static_cast<u32>(x.to_bytes(1, 1024)); }},
      {"ack_every", Need::optional, [&](const Value& x) { p.ack_every = x.to_uint<u32>(1, 1024); }},
      {"buffer_bytes", Need::optional,
       [&](const Value& x) {
         p.buffer_bytes = x.to_bytes(1, std::uint64_t{1} << 34);
         buffer = x;
       }},
      {"ecn_kmin_bytes", Need::optional,
       [&](const Value& x) { p.ecn_kmin_bytes = x.to_bytes(0, std::uint64_t{1} << 34); }},
      {"ecn_kmax_bytes", Need::optional,
       [&](const Value& x) {
         p.ecn_kmax_bytes = x.to_bytes(0, std::uint64_t{1} << 34);
         kmax = x;
       }},
      {"ecn_pmax", Need::optional, [&](const Value& x) { p.ecn_pmax = x.to_fraction(); }},
      {"cc", Need::optional,
       [&](const Value& x) {
         p.cc = x.to_enum<CongestionControl>({{"none", CongestionControl::none},
                                              {"dctcp", CongestionControl::dctcp},
                                              {"dcqcn", CongestionControl::dcqcn}});
       }},
      {"dctcp_g", Need::optional,
       [&](const Value& x) {
         p.dctcp_g = x.to_fraction();
         if (p.dctcp_g <= 0)
           x.fail("expected a gain above 0 and at most 1, e.g. 0.0625, got " + x.describe());
       }},
      {"window_bytes", Need::optional,
       [&](const Value& x) { p.window_bytes = x.to_bytes(0, std::uint64_t{1} << 34); }},
      {"rto", Need::optional,
       [&](const Value& x) {
         p.rto_ps = x.to_duration_ps(sim::kSecond);
         if (p.rto_ps <= 0) x.fail("expected a timeout above 0, e.g. 100us, got " + x.describe());
       }},
      {"reorder_packets", Need::optional,
       [&](const Value& x) { p.reorder_packets = x.to_uint<u32>(1, 65536); }},
      {"spray", Need::optional,
       [&](const Value& x) {
         p.spray = x.to_enum<SprayChoice>(
             {{"round_robin", SprayChoice::round_robin}, {"random", SprayChoice::random}});
       }},
      {"flow_control", Need::optional,
       [&](const Value& x) {
         p.flow_control =
             x.to_enum<transport::FlowControl>({{"drop_tail", transport::FlowControl::drop_tail},
                                                {"pfc", transport::FlowControl::pfc}});
       }},
      {"pfc_xoff_bytes", Need::optional,
       [&](const Value& x) { p.pfc_xoff_bytes = x.to_bytes(1, std::uint64_t{1} << 34); }},
      {"pfc_xon_bytes", Need::optional,
       [&](const Value& x) {
         p.pfc_xon_bytes = x.to_bytes(0, std::uint64_t{1} << 34);
         xon = x;
       }},
      {"pfc_headroom_bytes", Need::optional,
       [&](const Value& x) { p.pfc_headroom_bytes = x.to_bytes(0, std::uint64_t{1} << 34); }},
      {"buffer", Need::optional,
       [&](const Value& x) {
         p.buffer =
             x.to_enum<transport::BufferSharing>({{"per_port", transport::BufferSharing::per_port},
                                                  {"shared", transport::BufferSharing::shared}});
         sharing = x;
       }},
      {"shared_buffer_bytes", Need::optional,
       [&](const Value& x) { p.shared_buffer_bytes = x.to_bytes(0, std::uint64_t{1} << 40); }},
      {"dt_alpha", Need::optional,
       [&](const Value& x) { p.dt_alpha = x.to_decimal(1.0 / 1024, 1024); }},
      {"dcqcn_g", Need::optional,
       [&](const Value& x) {
         d.g = x.to_fraction();
         if (d.g <= 0)
           x.fail("expected a gain above 0 and at most 1, e.g. 0.00390625, got " + x.describe());
       }},
      {"dcqcn_alpha_timer", Need::optional,
       [&](const Value& x) { positive_duration(x, d.alpha_timer_ps); }},
      {"dcqcn_increase_timer", Need::optional,
       [&](const Value& x) { positive_duration(x, d.increase_timer_ps); }},
      {"dcqcn_byte_counter_bytes", Need::optional,
       [&](const Value& x) { d.byte_counter_bytes = x.to_bytes(1, std::uint64_t{1} << 40); }},
      {"dcqcn_fast_recovery_steps", Need::optional,
       [&](const Value& x) { d.fast_recovery_steps = x.to_uint<std::uint32_t>(1, 1000); }},
      {"dcqcn_ai_rate", Need::optional, [&](const Value& x) { positive_rate(x, d.ai_gbps); }},
      {"dcqcn_hai_rate", Need::optional, [&](const Value& x) { positive_rate(x, d.hai_gbps); }},
      {"dcqcn_min_rate", Need::optional, [&](const Value& x) { positive_rate(x, d.min_gbps); }},
      {"dcqcn_cnp_interval", Need::optional,
       [&](const Value& x) { d.cnp_interval_ps = x.to_duration_ps(sim::kSecond); }},
      {"retransmit", Need::optional,
       [&](const Value& x) {
         p.retransmit =
             x.to_enum<transport::Retransmit>({{"go_back_n", transport::Retransmit::go_back_n},
                                               {"selective", transport::Retransmit::selective}});
       }},
      {"reps_buffer", Need::optional,
       [&](const Value& x) { p.reps_buffer = x.to_uint<u32>(1, 65536); }},
  });
  if (xon && p.pfc_xon_bytes > p.pfc_xoff_bytes) {
    xon->fail("pfc_xon_bytes (" + std::to_string(p.pfc_xon_bytes) + ") is above pfc_xoff_bytes (" +
              std::to_string(p.pfc_xoff_bytes) +
              "); a paused sender resumes when its ingress queue drains to xon");
  }
  if (!xon && p.pfc_xon_bytes > p.pfc_xoff_bytes) p.pfc_xon_bytes = p.pfc_xoff_bytes;
  if (sharing && p.buffer == transport::BufferSharing::shared &&
      p.flow_control == transport::FlowControl::pfc) {
    sharing->fail(
        "buffer: shared applies to drop_tail; under flow_control: pfc each ingress queue holds "
        "pfc_xoff_bytes plus headroom");
  }
  if (kmax && p.ecn_kmax_bytes < p.ecn_kmin_bytes) {
    kmax->fail("ecn_kmax_bytes (" + std::to_string(p.ecn_kmax_bytes) +
               ") is below ecn_kmin_bytes (" + std::to_string(p.ecn_kmin_bytes) +
               "); marking starts at kmin and is certain from kmax");
  }
  if (!kmax && p.ecn_kmax_bytes < p.ecn_kmin_bytes) p.ecn_kmax_bytes = p.ecn_kmin_bytes;
  if (buffer && p.buffer_bytes < std::uint64_t{p.mtu_bytes} + p.header_bytes) {
    buffer->fail("a port's buffer must hold one full packet (mtu_bytes + header_bytes = " +
                 std::to_string(p.mtu_bytes + p.header_bytes) + " bytes), got " +
                 std::to_string(p.buffer_bytes));
  }
}

void read_transport(const Value& v, transport::TransportConfig& t) {
  using transport::Model;
  using transport::PathPolicy;
  std::optional<Value> packet;
  std::optional<Value> policy;
  v.read_map({
      {"model", Need::optional,
       [&](const Value& x) {
         t.model = x.to_enum<Model>({{"flow", Model::flow}, {"packet", Model::packet}});
       }},
      {"policy", Need::optional,
       [&](const Value& x) {
         read_policy(x, t);
         policy = x;
       }},
      {"convergence", Need::optional,
       [&](const Value& x) { t.convergence_ps = x.to_duration_ps(3600 * sim::kSecond); }},
      {"packet", Need::optional,
       [&](const Value& x) {
         read_packet(x, t.packet);
         packet = x;
       }},
  });
  if (policy && t.model != Model::packet &&
      (t.policy == transport::PathPolicy::reps || t.policy == transport::PathPolicy::adaptive)) {
    policy->fail(std::string(transport::to_string(t.policy)) +
                 " reacts to queues and ECN marks: it is a packet-level policy (model: packet)");
  }
  if (packet && t.model != Model::packet) {
    packet->fail_at_key("the packet block is read only with model: packet (the model is " +
                        std::string(transport::to_string(t.model)) + ")");
  }
}

std::uint32_t read_hosts(const Value& v, std::uint32_t total) {
  if (v.is_scalar() && v.scalar() == "all") return 0;
  return v.to_uint<u32>(2, total, "all or an integer");
}

void read_placement(const Value& v, std::uint32_t total, std::uint32_t gpus_per_server,
                    workloads::WorkloadConfig& w) {
  using workloads::Placement;
  if (v.is_list()) {
    const std::vector<Value> items = v.to_list();
    if (items.size() < 2) {
      v.fail("a placement list needs at least 2 hosts, got " + std::to_string(items.size()));
    }
    std::unordered_map<std::uint32_t, std::size_t> first_rank;
    w.ranks.clear();
    w.ranks.reserve(items.size());
    for (std::size_t r = 0; r < items.size(); ++r) {
      const u32 host = items[r].to_uint<u32>(0, total - 1, "a host index");
      const auto [it, inserted] = first_rank.emplace(host, r);
      if (!inserted) {
        items[r].fail("host " + std::to_string(host) + " is listed twice (also at " + v.path() +
                      "[" + std::to_string(it->second) + "]); each host holds at most one rank");
      }
      w.ranks.push_back(host);
    }
    w.placement = Placement::explicit_list;
    return;
  }
  if (v.is_scalar()) {
    const std::string word = v.scalar();
    if (word == "contiguous") {
      w.placement = Placement::contiguous;
      return;
    }
    if (word == "random") {
      w.placement = Placement::random;
      return;
    }
    if (word == "rail") {
      if (gpus_per_server == 1) {
        v.fail(
            "rail lays ranks along the rails of multi-GPU servers; set topology.nics_per_host "
            "(GPUs per server) above 1, or use contiguous or random");
      }
      w.placement = Placement::rail;
      return;
    }
  }
  v.fail(
      "expected contiguous, random, rail or a list of host indices such as [0, 9, 18, 27], "
      "got " +
      v.describe());
}

// One job, from `workload:` or an element of `jobs:` (which also have a name
// and a start time).
void read_workload(const Value& v, const topology::LeafSpineConfig& topo,
                   workloads::WorkloadConfig& w, bool in_jobs) {
  using workloads::Collective;
  const std::uint32_t total = placeable(topo);
  std::optional<Value> hosts;
  std::optional<Value> collective;
  std::optional<Value> buckets;
  std::optional<Value> size;
  std::vector<Field> fields = {
      {"collective", Need::required,
       [&](const Value& x) {
         w.collective = x.to_enum<Collective>({
             {"ring_allreduce", Collective::ring_allreduce},
             {"tree_allreduce", Collective::tree_allreduce},
             {"halving_doubling_allreduce", Collective::halving_doubling_allreduce},
             {"reduce_scatter", Collective::reduce_scatter},
             {"all_gather", Collective::all_gather},
             {"all_to_all", Collective::all_to_all},
             {"pairwise_all_to_all", Collective::pairwise_all_to_all},
             {"hierarchical_allreduce", Collective::hierarchical_allreduce},
             {"broadcast", Collective::broadcast},
             {"reduce", Collective::reduce},
             {"gather", Collective::gather},
             {"scatter", Collective::scatter},
             {"barrier", Collective::barrier},
         });
         collective = x;
       }},
      // Required for every collective but a barrier, which moves no data.
      {"size_bytes", Need::optional,
       [&](const Value& x) {
         w.size_bytes = x.to_bytes(1, kMaxWorkloadBytes);
         size = x;
       }},
      {"hosts", Need::optional,
       [&](const Value& x) {
         w.hosts = read_hosts(x, total);
         hosts = x;
       }},
      {"placement", Need::optional,
       [&](const Value& x) { read_placement(x, total, topo.nics_per_host, w); }},
      {"iterations", Need::optional,
       [&](const Value& x) { w.iterations = x.to_uint<u32>(1, kMaxIterations); }},
      {"compute_gap", Need::optional,
       [&](const Value& x) { w.compute_gap_ps = x.to_duration_ps(sim::kForever); }},
      {"compute", Need::optional,
       [&](const Value& x) { w.compute_ps = x.to_duration_ps(sim::kSecond * 3600); }},
      {"compute_jitter", Need::optional,
       [&](const Value& x) { w.compute_jitter = x.to_fraction(); }},
      {"buckets", Need::optional,
       [&](const Value& x) {
         w.buckets = x.to_uint<u32>(1, kMaxBuckets);
         buckets = x;
       }},
  };
  if (in_jobs) {
    fields.insert(fields.begin(),
                  Field{"name", Need::required, [&](const Value& x) { w.name = read_name(x); }});
    fields.push_back(Field{"start", Need::optional, [&](const Value& x) {
                             w.start_ps = x.to_duration_ps(sim::kSecond * 3600);
                           }});
  }
  v.read_map(fields);
  if (w.collective == Collective::barrier) {
    if (size) size->fail("a barrier moves no data; remove size_bytes");
    if (buckets) buckets->fail("a barrier moves no data to split into buckets; remove buckets");
    w.size_bytes = 0;
  } else if (!size) {
    v.fail_at_key("missing required key " + sim::quote_for_message("size_bytes"));
  }
  if (buckets && w.size_bytes < w.buckets) {
    buckets->fail("size_bytes (" + std::to_string(w.size_bytes) + ") does not split into " +
                  std::to_string(w.buckets) + " buckets of at least a byte; use fewer buckets");
  }
  const std::uint32_t ranks =
      topo.nics_per_host * (w.placement == workloads::Placement::explicit_list
                                ? static_cast<std::uint32_t>(w.ranks.size())
                                : (w.hosts == 0 ? total : w.hosts));
  if (w.collective == Collective::halving_doubling_allreduce && (ranks & (ranks - 1)) != 0) {
    (hosts ? *hosts : *collective)
        .fail("halving_doubling_allreduce needs a power-of-two number of ranks, got " +
              std::to_string(ranks) + "; set hosts to a power of two");
  }
  if (w.placement == workloads::Placement::explicit_list) {
    const auto listed = static_cast<std::uint32_t>(w.ranks.size());
    if (hosts && w.hosts != 0 && w.hosts != listed) {  // `hosts: all` is fine too
      hosts->fail("expected " + std::to_string(listed) +
                  " (the length of the placement list) or all, got " + hosts->describe());
    }
    w.hosts = listed;
  }
}

// Several jobs on one fabric, on disjoint hosts.
void read_jobs(const Value& v, const topology::LeafSpineConfig& topo,
               std::vector<workloads::WorkloadConfig>& jobs) {
  if (!v.is_list() || v.to_list().empty()) {
    v.fail("expected a list of jobs, each a map like `workload:` plus name (and start), got " +
           v.describe());
  }
  const std::uint64_t total = placeable(topo);
  std::uint64_t needed = 0;
  std::unordered_map<std::string, std::size_t> names;
  std::unordered_map<std::uint32_t, std::size_t> explicit_hosts;
  jobs.clear();
  const std::vector<Value> items = v.to_list();
  for (std::size_t j = 0; j < items.size(); ++j) {
    workloads::WorkloadConfig job;
    read_workload(items[j], topo, job, true);
    if (!names.emplace(job.name, j).second) {
      items[j].fail("two jobs are named " + job.name + "; job names must differ");
    }
    if (job.hosts == 0 && items.size() > 1) {
      items[j].fail("with several jobs each needs a host count (hosts: all is for one job)");
    }
    for (std::uint32_t h : job.ranks) {
      const auto [it, fresh] = explicit_hosts.emplace(h, j);
      if (!fresh) {
        items[j].fail("host " + std::to_string(h) + " is also in the placement of job " +
                      jobs[it->second].name + "; jobs run on disjoint hosts");
      }
    }
    needed += job.hosts == 0 ? total : job.hosts;
    if (needed > total) {
      items[j].fail("the jobs up to this one need " + std::to_string(needed) +
                    " hosts; the fabric has " + std::to_string(total));
    }
    jobs.push_back(std::move(job));
  }
}

// "h12", "leaf3", "spine0": the kind and the index, or nullopt.
std::optional<std::pair<std::string_view, std::uint64_t>> parse_node_name(std::string_view name);

// A host link's host end: "h12" with one NIC port, "h12.p1" with two. The
// host and the port, or nullopt.
std::optional<std::pair<std::uint64_t, std::uint32_t>> parse_host_end(
    std::string_view name, const topology::LeafSpineConfig& t) {
  std::uint32_t port = 0;
  if (t.nic_ports > 1) {
    const std::size_t dot = name.find(".p");
    if (dot == std::string_view::npos || name.size() != dot + 3) return std::nullopt;
    const char digit = name[dot + 2];
    if (digit < '0' || digit >= static_cast<char>('0' + t.nic_ports)) return std::nullopt;
    port = static_cast<std::uint32_t>(digit - '0');
    name = name.substr(0, dot);
  }
  const auto node = parse_node_name(name);
  if (!node || node->first != "h" || node->second >= t.host_count()) return std::nullopt;
  return std::pair{node->second, port};
}

std::optional<std::pair<std::string_view, std::uint64_t>> parse_node_name(std::string_view name) {
  for (const std::string_view kind : {"h", "leaf", "spine"}) {
    if (name.substr(0, kind.size()) != kind) continue;
    const std::string_view digits = name.substr(kind.size());
    if (digits.empty() || digits.size() > 9 || (digits.size() > 1 && digits[0] == '0')) continue;
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    return std::pair{kind, std::stoull(std::string(digits))};
  }
  return std::nullopt;
}

// Whether `name` is a directed link of this fabric as links.csv names it:
// SRC>DST, plus #k for lane k of leaf-spine links when parallel_links > 1.
bool is_link_name(std::string_view name, const topology::LeafSpineConfig& t) {
  const std::size_t arrow = name.find('>');
  if (arrow == std::string_view::npos) return false;
  std::string_view dst_text = name.substr(arrow + 1);
  std::optional<std::uint64_t> lane;
  if (const std::size_t hash = dst_text.find('#'); hash != std::string_view::npos) {
    const auto parsed = parse_node_name("h" + std::string(dst_text.substr(hash + 1)));
    if (!parsed) return false;
    lane = parsed->second;
    dst_text = dst_text.substr(0, hash);
  }
  if (name.substr(0, 1) == "h" || dst_text.substr(0, 1) == "h") {
    // A NIC link: host (port) and its leaf, either way.
    if (lane) return false;
    const bool up = name.substr(0, 1) == "h";
    const auto host = parse_host_end(up ? name.substr(0, arrow) : dst_text, t);
    const auto leaf = parse_node_name(up ? dst_text : name.substr(0, arrow));
    return host && leaf && leaf->first == "leaf" &&
           (host->first / t.hosts_per_leaf) * t.nic_ports + host->second == leaf->second;
  }
  const auto src = parse_node_name(name.substr(0, arrow));
  const auto dst = parse_node_name(dst_text);
  if (!src || !dst) return false;
  const std::uint64_t hosts = t.host_count();
  const auto in_range = [&](const std::pair<std::string_view, std::uint64_t>& node) {
    if (node.first == "h") return node.second < hosts;
    if (node.first == "leaf") return node.second < t.leaves;
    return node.second < t.spines;
  };
  if (!in_range(*src) || !in_range(*dst)) return false;
  const bool host_link = src->first == "h" || dst->first == "h";
  if (host_link) {
    if (lane) return false;
    const auto& [host, leaf] = src->first == "h" ? std::pair{*src, *dst} : std::pair{*dst, *src};
    return leaf.first == "leaf" && host.first == "h" &&
           host.second / t.hosts_per_leaf == leaf.second;
  }
  if (src->first == dst->first) return false;  // leaf>leaf, spine>spine
  if (t.parallel_links > 1) return lane && *lane < t.parallel_links;
  return !lane;
}

void read_timeseries(const Value& v, const topology::LeafSpineConfig& t, TimeseriesConfig& ts) {
  ts.enabled = true;
  v.read_map({
      {"interval", Need::required,
       [&](const Value& x) {
         ts.interval_ps = x.to_duration_ps(kMaxInterval);
         if (ts.interval_ps < kMinInterval) {
           x.fail("expected a duration of at least 1ns, got " + x.describe());
         }
       }},
      {"links", Need::optional,
       [&](const Value& x) {
         if (!x.is_list()) {
           ts.links = x.to_enum<LinkSelection>({{"all", LinkSelection::all},
                                                {"host", LinkSelection::host},
                                                {"uplinks", LinkSelection::uplinks},
                                                {"downlinks", LinkSelection::downlinks},
                                                {"fabric", LinkSelection::fabric}});
           return;
         }
         ts.links = LinkSelection::list;
         const std::vector<Value> items = x.to_list();
         if (items.empty()) x.fail("expected at least one link name, got an empty list");
         for (const Value& item : items) {
           std::string name = item.to_string();
           if (!is_link_name(name, t)) {
             item.fail(
                 "expected a directed link of this fabric, named as in links.csv (e.g. "
                 "h0>leaf0, leaf0>spine0, spine0>leaf1" +
                 std::string(t.parallel_links > 1 ? "#0" : "") + "), got " + item.describe());
           }
           if (std::find(ts.link_names.begin(), ts.link_names.end(), name) != ts.link_names.end()) {
             item.fail("link " + item.describe() + " is listed twice");
           }
           ts.link_names.push_back(std::move(name));
         }
       }},
  });
}

// Every directed link name of the fabric, for did-you-mean hints; empty
// for fabrics too large to list cheaply.
std::vector<std::string> link_names(const topology::LeafSpineConfig& t) {
  const std::uint64_t hosts = t.host_count();
  const std::uint64_t cables = std::uint64_t{t.leaves} * t.spines * t.parallel_links;
  std::vector<std::string> names;
  if (2 * (hosts * t.nic_ports + cables) > 20'000) return names;
  for (std::uint64_t h = 0; h < hosts; ++h) {
    for (std::uint32_t p = 0; p < t.nic_ports; ++p) {
      const std::string leaf = "leaf" + std::to_string((h / t.hosts_per_leaf) * t.nic_ports + p);
      const std::string host =
          "h" + std::to_string(h) + (t.nic_ports > 1 ? ".p" + std::to_string(p) : "");
      names.push_back(host + ">" + leaf);
      names.push_back(leaf + ">" + host);
    }
  }
  for (std::uint32_t a = 0; a < t.leaves; ++a) {
    for (std::uint32_t b = 0; b < t.spines; ++b) {
      for (std::uint32_t k = 0; k < t.parallel_links; ++k) {
        const std::string lane = t.parallel_links > 1 ? "#" + std::to_string(k) : "";
        const std::string leaf = "leaf" + std::to_string(a);
        const std::string spine = "spine" + std::to_string(b);
        names.push_back(leaf + ">" + spine + lane);
        names.push_back(spine + ">" + leaf + lane);
      }
    }
  }
  return names;
}

// The link a fault names, checked against the fabric (with a did-you-mean).
std::string read_fault_link(const Value& x, const topology::LeafSpineConfig& t) {
  std::string link = x.to_string();
  if (is_link_name(link, t)) return link;
  std::string hint;
  const std::vector<std::string> names = link_names(t);
  const std::vector<std::string_view> words(names.begin(), names.end());
  const std::string_view best = closest_word(link, words);
  if (!best.empty()) hint = " (did you mean " + sim::quote_for_message(best) + "?)";
  x.fail(
      "expected a directed link of this fabric, named as in links.csv (e.g. "
      "h0>leaf0, leaf0>spine0, spine0>leaf1" +
      std::string(t.parallel_links > 1 ? "#0" : "") + "), got " + x.describe() + hint);
}

// The host a fault names: hN with N below the fabric's host count.
std::string read_fault_host(const Value& x, const topology::LeafSpineConfig& t) {
  std::string host = x.to_string();
  const std::uint64_t hosts = t.host_count();
  const auto parsed = parse_node_name(host);
  if (!parsed || parsed->first != "h" || parsed->second >= hosts) {
    x.fail("expected a host of this fabric, h0 to h" + std::to_string(hosts - 1) +
           " (as links.csv names hosts), got " + x.describe());
  }
  return host;
}

// The switch a fault names: leafN or spineN of this fabric.
std::string read_fault_switch(const Value& x, const topology::LeafSpineConfig& t) {
  std::string name = x.to_string();
  const auto parsed = parse_node_name(name);
  if (!parsed || parsed->first == "h" ||
      parsed->second >= (parsed->first == "leaf" ? t.leaves : t.spines)) {
    x.fail("expected a switch of this fabric, leaf0 to leaf" + std::to_string(t.leaves - 1) +
           " or spine0 to spine" + std::to_string(t.spines - 1) + ", got " + x.describe());
  }
  return name;
}

void read_faults(const Value& v, const topology::LeafSpineConfig& t, std::vector<Fault>& faults) {
  const std::vector<Value> items = v.to_list();
  for (const Value& item : items) {
    Fault fault;
    std::optional<Value> state;
    std::optional<Value> link;
    std::optional<Value> host;
    // Keys that go with one state only, and where they were given.
    std::optional<Value> rate;
    std::optional<Value> factor;
    std::optional<Value> loss;
    double loss_fraction = 0;
    std::optional<Value> period;
    std::optional<Value> until;
    std::optional<Value> port;
    std::optional<Value> sw;
    item.read_map({
        {"at", Need::required,
         [&](const Value& x) { fault.at_ps = x.to_duration_ps(sim::kForever); }},
        {"link", Need::optional,
         [&](const Value& x) {
           fault.link = read_fault_link(x, t);
           link = x;
         }},
        {"host", Need::optional,
         [&](const Value& x) {
           fault.host = read_fault_host(x, t);
           host = x;
         }},
        {"state", Need::required,
         [&](const Value& x) {
           fault.state = x.to_enum<FaultState>({{"down", FaultState::down},
                                                {"degraded", FaultState::degraded},
                                                {"up", FaultState::up},
                                                {"flapping", FaultState::flapping},
                                                {"slow", FaultState::slow},
                                                {"hung", FaultState::hung},
                                                {"nic_down", FaultState::nic_down},
                                                {"nic_port_down", FaultState::nic_port_down}});
           state = x;
         }},
        {"port", Need::optional,
         [&](const Value& x) {
           fault.port = x.to_uint<u32>(0, t.nic_ports - 1, "a port of the NIC");
           port = x;
         }},
        {"switch", Need::optional,
         [&](const Value& x) {
           fault.switch_name = read_fault_switch(x, t);
           sw = x;
         }},
        {"rate", Need::optional,
         [&](const Value& x) {
           fault.rate_gbps = x.to_rate_gbps(kMaxRateGbps);
           rate = x;
         }},
        {"loss", Need::optional,
         [&](const Value& x) {
           loss_fraction = x.to_fraction();
           if (loss_fraction >= 1) x.fail("expected a loss below 100%, got " + x.describe());
           loss = x;
         }},
        {"factor", Need::optional,
         [&](const Value& x) {
           fault.factor = x.to_decimal(1.0, 1000.0);
           factor = x;
         }},
        {"period", Need::optional,
         [&](const Value& x) {
           fault.period_ps = x.to_duration_ps(sim::kForever / 4);
           if (fault.period_ps < 2)
             x.fail("expected a period of at least 2ps, got " + x.describe());
           period = x;
         }},
        {"until", Need::optional,
         [&](const Value& x) {
           fault.until_ps = x.to_duration_ps(sim::kForever / 4);
           until = x;
         }},
    });
    if (int{link.has_value()} + int{host.has_value()} + int{sw.has_value()} != 1) {
      (link ? *link : (host ? *host : item))
          .fail(
              "a fault names one element: link: (e.g. leaf0>spine1), host: (e.g. h3) or "
              "switch: (e.g. leaf2)");
    }
    const bool host_state = fault.state == FaultState::slow || fault.state == FaultState::hung ||
                            fault.state == FaultState::nic_down ||
                            fault.state == FaultState::nic_port_down;
    if (host && !host_state) {
      state->fail("a host fault is state: slow (with factor), hung, nic_down or nic_port_down; " +
                  std::string(to_string(fault.state)) + " is for links");
    }
    if (link && host_state) {
      state->fail("a link fault is state: down, degraded, up or flapping; " +
                  std::string(to_string(fault.state)) + " is for hosts");
    }
    if (sw && fault.state != FaultState::down && fault.state != FaultState::up) {
      state->fail("a switch fault is state: down or up (every link to and from it); got " +
                  std::string(to_string(fault.state)));
    }
    if (fault.state == FaultState::nic_port_down && t.nic_ports < 2) {
      state->fail(
          "nic_port_down needs dual-port NICs (topology.nic_ports: 2); a single-port NIC "
          "fails whole: nic_down");
    }
    // Each state's own keys: required with it, refused without it.
    const auto own = [&](const std::optional<Value>& key, FaultState owner, std::string_view need,
                         std::string_view why = "") {
      if (fault.state == owner && !key) state->fail(need);
      if (fault.state != owner && key) {
        key->fail_at_key(std::string(key->path().substr(key->path().rfind('.') + 1)) +
                         " goes with state: " + std::string(to_string(owner)) + " only" +
                         std::string(why));
      }
    };
    // A degraded link's loss becomes rate loss: each lost packet is sent
    // again, so the flows on it get (1 - loss) of what it carries.
    if (loss && fault.state == FaultState::degraded) {
      if (!rate) {
        const bool nic_link =
            fault.link.starts_with("h") || fault.link.find(">h") != std::string::npos;
        fault.rate_gbps = nic_link ? t.host_link.rate_gbps : t.spine_link.rate_gbps;
        rate = loss;
      }
      fault.rate_gbps *= 1.0 - loss_fraction;
    }
    own(rate, FaultState::degraded,
        "a degraded link needs its rate or its loss, e.g. {state: degraded, rate: 200Gbps} or "
        "{state: degraded, loss: 1%}",
        " (down is 0, up is the link's own rate)");
    if (loss && fault.state != FaultState::degraded) {
      loss->fail_at_key("loss goes with state: degraded only");
    }
    own(factor, FaultState::slow,
        "a slow host needs its factor (compute takes factor times as long), e.g. "
        "{state: slow, factor: 2}");
    own(period, FaultState::flapping,
        "a flapping link needs a period and an until, e.g. {state: flapping, period: 2ms, "
        "until: 50ms}");
    own(until, FaultState::flapping,
        "a flapping link needs a period and an until, e.g. {state: flapping, period: 2ms, "
        "until: 50ms}");
    own(port, FaultState::nic_port_down,
        "a dead NIC port needs its port, e.g. {host: h3, state: nic_port_down, port: 1}");
    if (until && fault.until_ps <= fault.at_ps) {
      until->fail("expected a time after at (" + sim::format_duration_ps(fault.at_ps) + "), got " +
                  until->describe());
    }
    faults.push_back(std::move(fault));
  }
}

void read_output(const Value& v, const topology::LeafSpineConfig& t, OutputConfig& o) {
  v.read_map({
      {"dir", Need::optional, [&](const Value& x) { o.dir = x.to_string(); }},
      {"flows", Need::optional, [&](const Value& x) { o.flows = x.to_bool(); }},
      {"trace", Need::optional, [&](const Value& x) { o.trace = x.to_bool(); }},
      {"timeseries", Need::optional, [&](const Value& x) { read_timeseries(x, t, o.timeseries); }},
  });
}

void read_random_fault(const Value& v, RandomFault& f) {
  f.enabled = true;
  std::optional<Value> from;
  v.read_map({
      {"kind", Need::required, [&](const Value& x) { f.kind = read_fault_kind(x); }},
      {"from", Need::required,
       [&](const Value& x) {
         f.from_ps = x.to_duration_ps(sim::kForever / 4);
         from = x;
       }},
      {"to", Need::required,
       [&](const Value& x) {
         f.to_ps = x.to_duration_ps(sim::kForever / 4);
         if (f.to_ps <= f.from_ps) {
           x.fail("expected a time after from (" + sim::format_duration_ps(f.from_ps) + "), got " +
                  x.describe());
         }
       }},
      {"factor", Need::optional, [&](const Value& x) { f.factor = x.to_decimal(1.0, 1000.0); }},
      {"rate_fraction", Need::optional,
       [&](const Value& x) {
         f.rate_fraction = x.to_fraction();
         if (f.rate_fraction <= 0 || f.rate_fraction >= 1) {
           x.fail(
               "expected a fraction above 0 and below 1 (the share of its rate a degraded "
               "link keeps), got " +
               x.describe());
         }
       }},
  });
}

void read_detector(const Value& v, workloads::DetectorConfig& d) {
  d.enabled = true;
  v.read_map({
      {"kind", Need::optional,
       [&](const Value& x) {
         d.kind = x.to_enum<workloads::DetectorKind>(
             {{"c4", workloads::DetectorKind::c4}, {"manual", workloads::DetectorKind::manual}});
       }},
      {"watchdog", Need::optional,
       [&](const Value& x) {
         d.watchdog_ps = x.to_duration_ps(sim::kForever / 4);
         if (d.watchdog_ps < sim::kMicrosecond) {
           x.fail("expected a duration of at least 1us, got " + x.describe());
         }
       }},
      {"diagnosis_delay", Need::optional,
       [&](const Value& x) { d.diagnosis_delay_ps = x.to_duration_ps(sim::kForever / 4); }},
      {"hang_timeout", Need::optional,
       [&](const Value& x) {
         d.hang_timeout_ps = x.to_duration_ps(24 * 3600 * sim::kSecond);
         if (d.hang_timeout_ps < sim::kMicrosecond) {
           x.fail("expected a duration of at least 1us, got " + x.describe());
         }
       }},
      {"slow_factor", Need::optional,
       [&](const Value& x) {
         d.slow_factor = x.to_decimal(1.0, 1000.0);
         if (d.slow_factor <= 1.0) x.fail("expected a number above 1, got " + x.describe());
       }},
      {"window", Need::optional, [&](const Value& x) { d.window = x.to_uint<u32>(1, 1000); }},
  });
}

// A long job with restarts (recovery) runs one training job at flow level
// under a detector; fast-forward needs iterations that repeat exactly.
void check_recovery(const Scenario& s, const Value& root, const std::optional<Value>& recovery,
                    const std::optional<Value>& detector, const std::optional<Value>& fault_process,
                    const std::optional<Value>& random_fault) {
  if (!recovery) {
    if (fault_process) {
      fault_process->fail_at_key(
          "a fault process hits a long job that restarts after faults; add a recovery section "
          "(or use faults: or random_fault: for one run)");
    }
    if (detector && s.detector.kind == workloads::DetectorKind::manual) {
      detector->fail_at_key(
          "kind: manual (people diagnosing a stopped or slow job) needs a recovery section: it "
          "acts by restarting the job");
    }
    return;
  }
  if (s.jobs.size() != 1) {
    recovery->fail_at_key("recovery runs one training job: give workload, not jobs");
  }
  if (s.jobs[0].compute_ps <= 0) {
    recovery->fail_at_key(
        "recovery runs a training job: give workload.compute (its per-iteration compute)");
  }
  if (!detector) {
    recovery->fail_at_key(
        "recovery restarts the job when a detector finds a fault: add detector: {kind: c4} or "
        "{kind: manual}");
  }
  if (s.transport.model != transport::Model::flow) {
    recovery->fail_at_key("recovery runs at flow level (transport.model: flow)");
  }
  if (random_fault) {
    random_fault->fail_at_key(
        "with recovery, faults arrive from fault_process (or the faults list), not random_fault");
  }
  if (s.recovery->fast_forward && s.jobs[0].compute_jitter > 0) {
    root.fail(
        "recovery.fast_forward skips iterations that repeat exactly, and compute_jitter makes "
        "each one different: set workload.compute_jitter: 0 or recovery.fast_forward: false");
  }
  if (s.output.trace || s.output.timeseries.enabled) {
    recovery->fail_at_key(
        "a recovery run writes attempts.csv, faults.csv and detections.csv; output.trace and "
        "output.timeseries are for single runs");
  }
}

constexpr std::string_view kWanPcclOnly =
    "a wan topology carries pccl runs (pccl:) only so far; workloads and jobs need kind: "
    "leaf_spine";

Scenario read_scenario(const Value& root, std::string_view source) {
  Scenario s;
  std::optional<Value> workload;
  std::optional<Value> random_fault;
  std::optional<Value> detector;
  std::optional<Value> fault_process;
  std::optional<Value> recovery;
  std::optional<Value> nic_ports;
  s.source = std::string(source);
  // Table order matters: workload is checked against the topology read before it.
  root.read_map({
      {"name", Need::required, [&](const Value& x) { s.name = read_name(x); }},
      {"description", Need::optional, [&](const Value& x) { s.description = x.to_string(); }},
      {"seed", Need::optional, [&](const Value& x) { s.seed = x.to_uint<std::uint64_t>(); }},
      {"topology", Need::required,
       [&](const Value& x) {
         if (topology_kind(x) == TopologyKind::wan) {
           s.wan = read_wan(x);
         } else {
           read_topology(x, s.topology, nic_ports);
         }
       }},
      {"transport", Need::optional, [&](const Value& x) { read_transport(x, s.transport); }},
      {"workload", Need::optional,
       [&](const Value& x) {
         if (s.wan) x.fail_at_key(kWanPcclOnly);
         s.jobs.assign(1, workloads::WorkloadConfig{});
         read_workload(x, s.topology, s.jobs[0], false);
         workload = x;
       }},
      {"jobs", Need::optional,
       [&](const Value& x) {
         if (workload) x.fail_at_key("give either workload (one job) or jobs (several), not both");
         if (s.wan) x.fail_at_key(kWanPcclOnly);
         read_jobs(x, s.topology, s.jobs);
       }},
      {"output", Need::optional, [&](const Value& x) { read_output(x, s.topology, s.output); }},
      {"faults", Need::optional,
       [&](const Value& x) {
         if (s.wan) x.fail_at_key("faults on a wan topology are not modelled yet");
         read_faults(x, s.topology, s.faults);
       }},
      {"random_fault", Need::optional,
       [&](const Value& x) {
         read_random_fault(x, s.random_fault);
         random_fault = x;
       }},
      {"detector", Need::optional,
       [&](const Value& x) {
         read_detector(x, s.detector);
         detector = x;
       }},
      {"fault_process", Need::optional,
       [&](const Value& x) {
         s.fault_process = read_fault_process(x);
         fault_process = x;
       }},
      {"recovery", Need::optional,
       [&](const Value& x) {
         s.recovery = read_recovery(x);
         recovery = x;
       }},
      {"pccl", Need::optional,
       [&](const Value& x) {
         if (!s.jobs.empty()) {
           x.fail_at_key(
               "give either a workload (jobs) or pccl (all-reduce under churn), not both");
         }
         const bool host_faults = std::any_of(s.faults.begin(), s.faults.end(),
                                              [](const Fault& f) { return f.on_host(); });
         if (host_faults || s.random_fault.enabled || s.detector.enabled || s.recovery) {
           x.fail_at_key(
               "host faults, random_fault and detector are for workload runs; a pccl run has "
               "its own churn (pccl.churn)");
         }
         s.pccl = read_pccl(x);
         if (s.output.trace || s.output.timeseries.enabled) {
           x.fail_at_key(
               "a pccl run writes churn.csv and steps.csv; output.trace and "
               "output.timeseries are for workload runs");
         }
       }},
      // Known here so that `spinel run` says what to do and typos get a hint.
      {"sweep", Need::optional,
       [&](const Value& x) {
         x.fail_at_key(
             "this file is a parameter sweep; run its points with `spinel sweep FILE` (spinel run "
             "runs one scenario: remove the sweep block to run the base scenario)");
       }},
  });
  if (s.wan && !s.pccl) root.fail(kWanPcclOnly);
  if (s.jobs.empty() && !s.pccl) {
    root.fail("missing workload: say what runs, with workload (one job) or jobs (a list of them)");
  }
  check_recovery(s, root, recovery, detector, fault_process, random_fault);
  if (random_fault && s.random_fault.kind == RandomFaultKind::nic_port_down &&
      s.topology.nic_ports < 2) {
    random_fault->fail_at_key(
        "kind nic_port_down needs dual-port NICs (topology.nic_ports: 2); a single-port NIC "
        "fails whole: nic_down");
  }
  // Faults (host, link, NIC and switch) work at either level; dual-port NICs do not yet.
  if (s.transport.model == transport::Model::packet && s.topology.nic_ports > 1) {
    nic_ports->fail("dual-port NICs are modelled at flow level only; use transport.model: flow");
  }
  return s;
}

sim::Json link_json(const topology::LinkSpec& link) {
  sim::Json j = sim::Json::object();
  j["rate_gbps"] = link.rate_gbps;
  j["latency_ps"] = static_cast<std::int64_t>(link.latency_ps);
  return j;
}

}  // namespace

Scenario load_string(std::string_view yaml, std::string_view source) {
  return load_tree(parse_document(yaml, source));
}

Scenario load_tree(const Value& root) {
  try {
    return read_scenario(root, root.source());
  } catch (const YAML::Exception& e) {
    // The reader converts yaml-cpp errors itself; this is the last resort.
    fail_at(root.source(), Position{}, "", std::string("could not read the YAML: ") + e.what());
  }
}

std::string read_text(const std::filesystem::path& path) {
  const std::string shown = path.string();
  auto fail_read = [&](std::string_view reason) {
    throw sim::ScenarioError(shown + ": cannot read: " + std::string(reason));
  };
  errno = 0;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(shown.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) fail_read(std::strerror(errno != 0 ? errno : EIO));
  std::string text;
  char buf[65536];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, file.get());
    text.append(buf, n);
    if (n < sizeof buf) {
      if (std::ferror(file.get()) != 0) fail_read(std::strerror(errno != 0 ? errno : EIO));
      break;
    }
    if (text.size() > kMaxFileBytes) fail_read("larger than 64MiB; not a scenario file?");
  }
  return text;
}

Scenario load_file(const std::filesystem::path& path) {
  return load_string(read_text(path), path.string());
}

Scenario load_default() {
  return load_string(kQuickstartYaml, "<default>");
}

std::string_view default_scenario_yaml() {
  return kQuickstartYaml;
}

std::uint32_t host_count(const Scenario& s) {
  if (!s.wan) return static_cast<std::uint32_t>(s.topology.host_count());
  std::uint32_t hosts = 0;
  for (const topology::WanSite& site : s.wan->sites) hosts += site.hosts;
  return hosts;
}

namespace {

sim::Json wan_json(const topology::WanConfig& c) {
  sim::Json topo = sim::Json::object();
  topo["kind"] = "wan";
  sim::Json sites = sim::Json::array();
  for (const topology::WanSite& site : c.sites) {
    sim::Json j = sim::Json::object();
    j["name"] = site.name;
    j["hosts"] = site.hosts;
    j["host_link"] = link_json(site.host_link);
    sites.push_back(std::move(j));
  }
  topo["sites"] = std::move(sites);
  sim::Json links = sim::Json::array();
  for (const topology::WanLink& l : c.links) {
    sim::Json j = link_json(l.link);
    j["a"] = c.sites[l.a].name;
    j["b"] = c.sites[l.b].name;
    links.push_back(std::move(j));
  }
  topo["wan_links"] = std::move(links);
  return topo;
}

}  // namespace

sim::Json to_json(const Scenario& s) {
  sim::Json topo = sim::Json::object();
  topo["kind"] = "leaf_spine";
  topo["leaves"] = s.topology.leaves;
  topo["spines"] = s.topology.spines;
  topo["hosts_per_leaf"] = s.topology.hosts_per_leaf;
  topo["parallel_links"] = s.topology.parallel_links;
  topo["host_link"] = link_json(s.topology.host_link);
  topo["spine_link"] = link_json(s.topology.spine_link);
  topo["nics_per_host"] = s.topology.nics_per_host;
  topo["rail_optimised"] = s.topology.rail_optimised;
  // Echoed only when set, so that single-port runs keep their summary.json.
  if (s.topology.nic_ports > 1) topo["nic_ports"] = s.topology.nic_ports;
  topo["nvlink"] = link_json(s.topology.nvlink);
  if (s.wan) topo = wan_json(*s.wan);

  sim::Json trans = sim::Json::object();
  trans["model"] = transport::to_string(s.transport.model);
  trans["policy"] = transport::policy_word(s.transport);
  trans["convergence_ps"] = static_cast<std::int64_t>(s.transport.convergence_ps);
  if (s.transport.model == transport::Model::packet) {
    const transport::PacketConfig& p = s.transport.packet;
    sim::Json packet = sim::Json::object();
    packet["mtu_bytes"] = p.mtu_bytes;
    packet["header_bytes"] = p.header_bytes;
    packet["ack_bytes"] = p.ack_bytes;
    packet["ack_every"] = p.ack_every;
    packet["buffer_bytes"] = p.buffer_bytes;
    packet["ecn_kmin_bytes"] = p.ecn_kmin_bytes;
    packet["ecn_kmax_bytes"] = p.ecn_kmax_bytes;
    packet["ecn_pmax"] = p.ecn_pmax;
    packet["cc"] = std::string(transport::to_string(p.cc));
    packet["dctcp_g"] = p.dctcp_g;
    packet["window_bytes"] = p.window_bytes;
    packet["rto_ps"] = static_cast<std::int64_t>(p.rto_ps);
    packet["reorder_packets"] = p.reorder_packets;
    packet["spray"] = std::string(transport::to_string(p.spray));
    packet["flow_control"] = std::string(transport::to_string(p.flow_control));
    packet["pfc_xoff_bytes"] = p.pfc_xoff_bytes;
    packet["pfc_xon_bytes"] = p.pfc_xon_bytes;
    packet["pfc_headroom_bytes"] = p.pfc_headroom_bytes;
    packet["buffer"] = std::string(transport::to_string(p.buffer));
    packet["shared_buffer_bytes"] = p.shared_buffer_bytes;
    packet["dt_alpha"] = p.dt_alpha;
    if (p.cc == transport::CongestionControl::dcqcn) {
      const transport::DcqcnConfig& d = p.dcqcn;
      packet["dcqcn_g"] = d.g;
      packet["dcqcn_alpha_timer_ps"] = static_cast<std::int64_t>(d.alpha_timer_ps);
      packet["dcqcn_increase_timer_ps"] = static_cast<std::int64_t>(d.increase_timer_ps);
      packet["dcqcn_byte_counter_bytes"] = d.byte_counter_bytes;
      packet["dcqcn_fast_recovery_steps"] = d.fast_recovery_steps;
      packet["dcqcn_ai_gbps"] = d.ai_gbps;
      packet["dcqcn_hai_gbps"] = d.hai_gbps;
      packet["dcqcn_min_gbps"] = d.min_gbps;
      packet["dcqcn_cnp_interval_ps"] = static_cast<std::int64_t>(d.cnp_interval_ps);
    }
    packet["retransmit"] = std::string(transport::to_string(p.retransmit));
    packet["reps_buffer"] = p.reps_buffer;
    trans["packet"] = std::move(packet);
  }

  sim::Json jobs = sim::Json::array();
  for (const workloads::WorkloadConfig& w : s.jobs) {
    sim::Json work = sim::Json::object();
    work["name"] = w.name;
    work["collective"] = workloads::to_string(w.collective);
    work["size_bytes"] = w.size_bytes;
    work["hosts"] = w.hosts == 0 ? sim::Json("all") : sim::Json(w.hosts);
    work["placement"] = workloads::to_string(w.placement);
    sim::Json ranks = sim::Json::array();
    for (const std::uint32_t host : w.ranks) ranks.push_back(host);
    work["ranks"] = std::move(ranks);
    work["iterations"] = w.iterations;
    work["compute_gap_ps"] = static_cast<std::int64_t>(w.compute_gap_ps);
    work["compute_ps"] = static_cast<std::int64_t>(w.compute_ps);
    work["compute_jitter"] = w.compute_jitter;
    work["buckets"] = w.buckets;
    work["start_ps"] = static_cast<std::int64_t>(w.start_ps);
    jobs.push_back(std::move(work));
  }

  sim::Json out = sim::Json::object();
  out["dir"] = s.output.dir;
  out["flows"] = s.output.flows;
  out["trace"] = s.output.trace;
  if (s.output.timeseries.enabled) {
    sim::Json ts = sim::Json::object();
    ts["interval_ps"] = static_cast<std::int64_t>(s.output.timeseries.interval_ps);
    if (s.output.timeseries.links == LinkSelection::list) {
      sim::Json names = sim::Json::array();
      for (const std::string& name : s.output.timeseries.link_names) names.push_back(name);
      ts["links"] = std::move(names);
    } else {
      ts["links"] = std::string(to_string(s.output.timeseries.links));
    }
    out["timeseries"] = std::move(ts);
  } else {
    out["timeseries"] = sim::Json();
  }

  sim::Json faults = sim::Json::array();
  for (const Fault& fault : s.faults) {
    sim::Json f = sim::Json::object();
    f["at_ps"] = static_cast<std::int64_t>(fault.at_ps);
    if (fault.on_host()) {
      f["host"] = fault.host;
    } else if (fault.on_switch()) {
      f["switch"] = fault.switch_name;
    } else {
      f["link"] = fault.link;
    }
    f["state"] = std::string(to_string(fault.state));
    if (fault.state == FaultState::nic_port_down) f["port"] = fault.port;
    if (fault.state == FaultState::degraded) f["rate_gbps"] = fault.rate_gbps;
    if (fault.state == FaultState::slow) f["factor"] = fault.factor;
    if (fault.state == FaultState::flapping) {
      f["period_ps"] = static_cast<std::int64_t>(fault.period_ps);
      f["until_ps"] = static_cast<std::int64_t>(fault.until_ps);
    }
    faults.push_back(std::move(f));
  }

  sim::Json j = sim::Json::object();
  j["source"] = s.source;
  j["name"] = s.name;
  j["description"] = s.description;
  j["seed"] = s.seed;
  j["topology"] = std::move(topo);
  j["transport"] = std::move(trans);
  j["jobs"] = std::move(jobs);
  j["output"] = std::move(out);
  j["faults"] = std::move(faults);
  if (s.random_fault.enabled) {
    sim::Json r = sim::Json::object();
    r["kind"] = std::string(to_string(s.random_fault.kind));
    r["from_ps"] = static_cast<std::int64_t>(s.random_fault.from_ps);
    r["to_ps"] = static_cast<std::int64_t>(s.random_fault.to_ps);
    r["factor"] = s.random_fault.factor;
    r["rate_fraction"] = s.random_fault.rate_fraction;
    j["random_fault"] = std::move(r);
  } else {
    j["random_fault"] = sim::Json();
  }
  if (s.detector.enabled) {
    sim::Json d = sim::Json::object();
    d["kind"] = s.detector.kind == workloads::DetectorKind::c4 ? "c4" : "manual";
    d["hang_timeout_ps"] = static_cast<std::int64_t>(s.detector.hang_timeout_ps);
    d["slow_factor"] = s.detector.slow_factor;
    d["window"] = s.detector.window;
    d["watchdog_ps"] = static_cast<std::int64_t>(s.detector.watchdog_ps);
    d["diagnosis_delay_ps"] = static_cast<std::int64_t>(s.detector.diagnosis_delay_ps);
    j["detector"] = std::move(d);
  } else {
    j["detector"] = sim::Json();
  }
  if (s.pccl) j["pccl"] = pccl_to_json(*s.pccl);
  if (s.recovery) j["recovery"] = recovery_to_json(*s.recovery, s.fault_process);
  return j;
}

}  // namespace spinel::scenario
