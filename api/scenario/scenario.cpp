#include "api/scenario/scenario.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/scenario/chakra_section.hpp"
#include "api/scenario/faults_file.hpp"
#include "api/scenario/flows_section.hpp"
#include "api/scenario/graph_section.hpp"
#include "api/scenario/pccl_section.hpp"
#include "api/scenario/recovery_section.hpp"
#include "api/scenario/wan_section.hpp"
#include "api/scenario/yaml_reader.hpp"
#include "sim/error.hpp"
#include "sim/time.hpp"
#include "sim/units.hpp"
#include "topology/fabric_file.hpp"
#include "topology/names.hpp"
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
  kind: leaf_spine      # required; leaf_spine (two-tier folded Clos), clos3 or fat_tree (three tiers: docs/scenario-reference.md), file (a GraphML or DOT graph), or wan (sites joined by long-fat links; pccl runs only)
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
  planes: 1             # optional, default 1; 2 = a dual-plane fabric (with nic_ports: 2): port p on plane p, the
                        #   spines (aggs, cores) split in two planes that meet only in the NICs (flow model)
  plane_per: port       # optional, default port; rail = one plane per rail (planes: nics_per_host, rail_optimised,
                        #   single-port NICs): traffic to another rail crosses NVLink first (NCCL's PXN)
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
constexpr std::uint64_t kMaxCables = 1ULL << 22;      // switch-to-switch cables (memory)
constexpr std::uint32_t kMaxFatTreeK = 256;
constexpr std::uint32_t kMaxIterations = 1'000'000;
constexpr std::uint32_t kMaxBuckets = 1024;  // gradient buckets per iteration
constexpr std::size_t kMaxNameLength = 64;
constexpr std::size_t kMaxScenarioFileBytes = 64ULL << 20;
constexpr sim::Time kMinInterval = sim::kNanosecond;  // timeseries.csv
constexpr sim::Time kMaxInterval = sim::kSecond;

enum class TopologyKind { leaf_spine, clos3, fat_tree, wan, file };

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
       [&](const Value& x) { link.rate_gbps = x.to_rate_gbps(kMaxLinkRateGbps); }},
      {"latency", Need::optional,
       [&](const Value& x) { link.latency_ps = x.to_duration_ps(kMaxLinkLatency); }},
  });
}

// The topology map's kind, read ahead because it decides the other keys.
TopologyKind topology_kind(const Value& v) {
  if (v.is_map()) {
    for (const MapEntry& e : v.to_entries()) {
      if (e.key == "kind") {
        return e.value.to_enum<TopologyKind>({{"leaf_spine", TopologyKind::leaf_spine},
                                              {"clos3", TopologyKind::clos3},
                                              {"fat_tree", TopologyKind::fat_tree},
                                              {"file", TopologyKind::file},
                                              {"wan", TopologyKind::wan}});
      }
    }
  }
  return TopologyKind::leaf_spine;  // read_topology reports the missing kind
}

// clos3: pods of leaves and aggs, and cores in groups (topology/config.hpp):
// pods, leaves_per_pod, aggs_per_pod, cores, core_groups. The optionals get
// where each was given, for the checks that may blame it.
std::vector<Field> clos3_fields(topology::FabricConfig& t, std::uint32_t& per_pod,
                                std::optional<Value>& pods, std::optional<Value>& aggs,
                                std::optional<Value>& cores, std::optional<Value>& groups) {
  return {
      {"pods", Need::required,
       [&](const Value& x) {
         t.pods = x.to_uint<u32>(1, kMaxCount);
         pods = x;
       }},
      {"leaves_per_pod", Need::required,
       [&](const Value& x) { per_pod = x.to_uint<u32>(1, kMaxCount); }},
      {"aggs_per_pod", Need::required,
       [&](const Value& x) {
         t.aggs_per_pod = x.to_uint<u32>(1, kMaxCount);
         aggs = x;
       }},
      {"cores", Need::required,
       [&](const Value& x) {
         t.cores = x.to_uint<u32>(1, kMaxCount);
         cores = x;
       }},
      {"core_groups", Need::optional,
       [&](const Value& x) {
         t.core_groups = x.to_uint<u32>(1, kMaxCount);
         groups = x;
       }},
  };
}

// kind file: the graph in `path` (GraphML or DOT; relative to the scenario
// file's folder). Its errors point at `path` and quote the file's own.
void read_file_topology(const Value& v, topology::FabricConfig& t) {
  v.read_map({
      {"kind", Need::required, [](const Value&) {}},  // topology_kind read it
      {"path", Need::required,
       [&](const Value& x) {
         const std::string text = x.to_string();
         if (text.empty()) {
           x.fail("expected the path of a .graphml or .dot fabric file, got " + x.describe());
         }
         std::filesystem::path path(text);
         if (path.is_relative()) path = std::filesystem::path(x.source()).parent_path() / path;
         try {
           t.file = std::make_shared<const topology::FabricFile>(
               topology::read_fabric_file(path.string()));
         } catch (const topology::FabricFileError& e) {
           x.fail(e.what());
         }
         if (t.file->hosts > kMaxTotalHosts) {
           x.fail(path.string() + ": " + std::to_string(t.file->hosts) + " hosts; at most " +
                  std::to_string(kMaxTotalHosts));
         }
       }},
      {"nvlink", Need::optional, [&](const Value& x) { read_link(x, t.nvlink); }},
  });
  t.kind = topology::FabricKind::file;
  t.nic_ports = t.file->nic_ports;
  t.leaves = t.file->hosts * t.file->nic_ports;
  t.hosts_per_leaf = 1;
  t.pods = 1;
}

// Planes are one per NIC port (plane_per: port, with nic_ports: planes) or
// one per rail (plane_per: rail: rail-optimised servers of single-port NICs,
// planes = nics_per_host).
void check_planes(const topology::FabricConfig& t, const std::optional<Value>& planes,
                  const std::optional<Value>& plane_per, const std::optional<Value>& nics) {
  if (plane_per && !planes) plane_per->fail("plane_per says what a plane is: give planes as well");
  if (!planes || t.planes == 1) return;
  const std::string n = std::to_string(t.planes);
  if (t.plane_per == topology::PlanePer::port) {
    if (t.nic_ports == t.planes) return;
    planes->fail("planes: " + n + " puts port p of every NIC on plane p: give nic_ports: " + n +
                 " as well" +
                 (t.planes > 2 || t.nic_ports == 1 ? std::string(", or plane_per: rail for one "
                                                                 "plane per rail")
                                                   : std::string()));
  }
  if (t.nic_ports != 1) {
    plane_per->fail(
        "plane_per: rail puts each rail of single-port NICs on its own plane; drop "
        "nic_ports: " +
        std::to_string(t.nic_ports) + " or use plane_per: port");
  }
  if (!t.rail_optimised || t.nics_per_host != t.planes) {
    (nics ? *nics : *plane_per)
        .fail("plane_per: rail needs rail_optimised: true and one plane per rail (nics_per_host: " +
              n + "); got nics_per_host: " + std::to_string(t.nics_per_host) +
              (t.rail_optimised ? "" : " without rail_optimised"));
  }
}

// `ports` gets where nic_ports was given, for checks against later sections.
void read_topology(const Value& v, topology::FabricConfig& t, std::optional<Value>& ports) {
  const TopologyKind kind = topology_kind(v);
  if (kind == TopologyKind::file) {
    read_file_topology(v, t);
    return;
  }
  std::optional<Value> hosts_per_leaf;
  std::optional<Value> spines;
  std::optional<Value> nics;
  std::optional<Value> k;
  std::optional<Value> pods;
  std::optional<Value> aggs;
  std::optional<Value> cores;
  std::optional<Value> groups;
  std::optional<Value> planes;
  std::optional<Value> plane_per;
  std::uint32_t per_pod = 1;
  // In the order the reference lists them (messages list the allowed keys so).
  std::vector<Field> fields = {
      {"kind", Need::required, [](const Value&) {}},  // topology_kind read it
  };
  const Field hosts_per_leaf_field{"hosts_per_leaf", Need::required, [&](const Value& x) {
                                     t.hosts_per_leaf = x.to_uint<u32>(1, kMaxCount);
                                     hosts_per_leaf = x;
                                   }};
  const Field host_link{"host_link", Need::optional,
                        [&](const Value& x) { read_link(x, t.host_link); }};
  if (kind == TopologyKind::leaf_spine) {
    fields.insert(
        fields.end(),
        {
            {"leaves", Need::required,
             [&](const Value& x) { t.leaves = x.to_uint<u32>(1, kMaxCount); }},
            {"spines", Need::required,
             [&](const Value& x) {
               t.spines = x.to_uint<u32>(1, kMaxCount);
               spines = x;
             }},
            hosts_per_leaf_field,
            {"parallel_links", Need::optional,
             [&](const Value& x) { t.parallel_links = x.to_uint<u32>(1, kMaxParallelLinks); }},
            host_link,
            {"spine_link", Need::optional, [&](const Value& x) { read_link(x, t.spine_link); }},
        });
  } else {
    t.kind = topology::FabricKind::clos3;
    if (kind == TopologyKind::fat_tree) {
      fields.push_back({"k", Need::required, [&](const Value& x) {
                          const auto n = x.to_uint<u32>(2, kMaxFatTreeK);
                          if (n % 2 != 0) x.fail("expected an even k, got " + x.describe());
                          const topology::FabricConfig shape = topology::fat_tree(n);
                          t.fat_tree_k = n;
                          t.pods = shape.pods;
                          per_pod = shape.leaves_per_pod();
                          t.aggs_per_pod = shape.aggs_per_pod;
                          t.hosts_per_leaf = shape.hosts_per_leaf;
                          t.cores = shape.cores;
                          t.core_groups = shape.core_groups;
                          k = x;
                        }});
    } else {
      const std::vector<Field> own = clos3_fields(t, per_pod, pods, aggs, cores, groups);
      fields.insert(fields.end(), own.begin(), own.end() - 2);  // pods .. aggs_per_pod
      fields.push_back(hosts_per_leaf_field);
      fields.insert(fields.end(), own.end() - 2, own.end());  // cores, core_groups
    }
    fields.insert(
        fields.end(),
        {
            host_link,
            {"agg_link", Need::optional, [&](const Value& x) { read_link(x, t.agg_link); }},
            {"core_link", Need::optional, [&](const Value& x) { read_link(x, t.core_link); }},
        });
  }
  fields.insert(fields.end(),
                {
                    {"nics_per_host", Need::optional,
                     [&](const Value& x) {
                       t.nics_per_host = x.to_uint<u32>(1, kMaxNicsPerHost);
                       nics = x;
                     }},
                    {"rail_optimised", Need::optional,
                     [&](const Value& x) { t.rail_optimised = x.to_bool(); }},
                    {"nvlink", Need::optional, [&](const Value& x) { read_link(x, t.nvlink); }},
                    {"nic_ports", Need::optional,
                     [&](const Value& x) {
                       t.nic_ports = x.to_uint<u32>(1, 2);
                       ports = x;
                     }},
                    {"planes", Need::optional,
                     [&](const Value& x) {
                       t.planes = x.to_uint<u32>(1, kMaxNicsPerHost);
                       planes = x;
                     }},
                    {"plane_per", Need::optional,
                     [&](const Value& x) {
                       t.plane_per =
                           x.to_enum<topology::PlanePer>({{"port", topology::PlanePer::port},
                                                          {"rail", topology::PlanePer::rail}});
                       plane_per = x;
                     }},
                });
  v.read_map(fields);
  check_planes(t, planes, plane_per, nics);
  // Which count a plane split blames, and what it says.
  const auto split = [&](const std::optional<Value>& key, const Value& fallback,
                         std::string_view what, std::uint32_t n) {
    if (n % t.planes == 0) return;
    (key ? *key : fallback)
        .fail("the " + std::string(what) + " (" + std::to_string(n) + ") split into " +
              std::to_string(t.planes) + " planes; use a multiple of " + std::to_string(t.planes));
  };
  // Where to blame a count for the checks below: the fat tree's k stands for all.
  const Value& size_key = k ? *k : *hosts_per_leaf;
  if (t.kind == topology::FabricKind::clos3) {
    if (kind == TopologyKind::fat_tree && t.planes > 1) {
      planes->fail("a fat tree is one plane; give a multi-plane 3-tier fabric as kind: clos3");
    }
    split(aggs, size_key, "aggs of a pod", t.aggs_per_pod);
    split(cores, size_key, "cores", t.cores);
    if (kind == TopologyKind::clos3 && !groups) {
      // Agg a of each pod (and plane) to the cores of group a, as in a fat tree.
      t.core_groups = t.aggs_per_plane();
      if (t.cores_per_plane() % t.core_groups != 0) {
        cores->fail("the cores" + std::string(t.planes > 1 ? " of a plane" : "") +
                    " split into one group per agg of a pod" +
                    std::string(t.planes > 1 ? " and plane" : "") + " (" +
                    std::to_string(t.core_groups) + ") unless core_groups says otherwise; got " +
                    std::to_string(t.cores_per_plane()) + " cores");
      }
    }
    if (groups &&
        (t.aggs_per_plane() % t.core_groups != 0 || t.cores_per_plane() % t.core_groups != 0)) {
      groups->fail("core_groups must divide aggs_per_pod (" + std::to_string(t.aggs_per_plane()) +
                   (t.planes > 1 ? " per plane" : "") + ") and cores (" +
                   std::to_string(t.cores_per_plane()) + (t.planes > 1 ? " per plane" : "") +
                   "), got " + groups->describe());
    }
    const std::uint64_t leaves = std::uint64_t{t.pods} * per_pod;
    if (leaves > kMaxCount) {
      (pods ? *pods : size_key)
          .fail("pods x leaves_per_pod = " + std::to_string(leaves) + " leaves; at most " +
                std::to_string(kMaxCount));
    }
    t.leaves = static_cast<u32>(leaves);
    if (per_pod % t.nic_ports != 0) {
      ports->fail("dual-port NICs pair each pod's leaves up; got " + std::to_string(per_pod) +
                  " leaves per pod, use an even number");
    }
    const std::uint64_t cables = t.switch_cables();
    if (cables > kMaxCables) {
      (aggs ? *aggs : size_key)
          .fail("leaf-agg and agg-core cables: " + std::to_string(cables) + "; at most " +
                std::to_string(kMaxCables) + " fit in memory");
    }
  } else {
    if (t.leaves % t.nic_ports != 0) {
      ports->fail("dual-port NICs pair the leaves up; got " + std::to_string(t.leaves) +
                  " leaves, use an even number");
    }
    split(spines, size_key, "spines", t.spines);
    const std::uint64_t cables = t.switch_cables();
    if (cables > kMaxCables) {
      spines->fail("leaves x spines x parallel_links = " + std::to_string(cables) +
                   " leaf-spine cables; at most " + std::to_string(kMaxCables) +
                   " fit in memory (use fewer spines or leaves)");
    }
  }
  const std::uint64_t total = t.host_count();
  if (total < 2 || total > kMaxTotalHosts) {
    size_key.fail(std::string(t.nic_ports > 1 ? "leaves / 2" : "leaves") +
                  " x hosts_per_leaf = " + std::to_string(t.leaf_groups()) + " x " +
                  std::to_string(t.hosts_per_leaf) + " = " + std::to_string(total) +
                  " hosts; a fabric needs 2 to " + std::to_string(kMaxTotalHosts) + " hosts");
  }
  if (nics && total % t.nics_per_host != 0) {
    nics->fail("the fabric's " + std::to_string(total) +
               " hosts (NICs) do not split into servers of " + std::to_string(t.nics_per_host) +
               "; use a divisor of " + std::to_string(total));
  }
  const std::uint32_t rail_leaves = t.leaf_groups() / t.pods;
  if (t.rail_optimised && rail_leaves % t.nics_per_host != 0) {
    (nics ? *nics : size_key)
        .fail("rail_optimised needs the " +
              std::string(t.nic_ports > 1 ? "leaf pairs (" : "leaves (") +
              std::to_string(rail_leaves) + std::string(t.pods > 1 ? " per pod" : "") +
              ") to split into one group per NIC (" + std::to_string(t.nics_per_host) + ")");
  }
}

// What jobs place ranks on: hosts, or whole servers when hosts have several
// GPUs (every GPU of a chosen server is a rank).
std::uint32_t placeable(const topology::FabricConfig& t) {
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
void read_packet(const Value& v, transport::PacketConfig& p, std::optional<Value>& entropies) {
  using transport::CongestionControl;
  using transport::SprayChoice;
  std::optional<Value> kmax;
  std::optional<Value> buffer;
  std::optional<Value> xon;
  std::optional<Value> sharing;
  std::optional<Value> priority;
  std::optional<Value> trim_threshold;
  transport::DcqcnConfig& d = p.dcqcn;
  transport::NsccConfig& n = p.nscc;
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
                                              {"dcqcn", CongestionControl::dcqcn},
                                              {"nscc", CongestionControl::nscc}});
       }},
      {"dctcp_g", Need::optional,
       [&](const Value& x) {
         p.dctcp_g = x.to_fraction();
         if (p.dctcp_g <= 0)
           x.fail("expected a gain above 0 and at most 1, e.g. 0.0625, got " + x.describe());
       }},
      {"nscc_target_qdelay", Need::optional,
       [&](const Value& x) { n.target_qdelay_ps = x.to_duration_ps(sim::kSecond); }},
      {"nscc_md_gain", Need::optional, [&](const Value& x) { n.md_gain = x.to_fraction(); }},
      {"nscc_nack_md", Need::optional, [&](const Value& x) { n.nack_md = x.to_fraction(); }},
      {"nscc_pi_gain", Need::optional, [&](const Value& x) { n.pi_gain = x.to_decimal(0, 64); }},
      {"nscc_fast_increase", Need::optional,
       [&](const Value& x) { n.fast_increase = x.to_decimal(0, 64); }},
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
      {"entropies", Need::optional,
       [&](const Value& x) {
         p.entropies = x.to_uint<u32>(0, 65536);
         entropies = x;
       }},
      {"priority_queues", Need::optional,
       [&](const Value& x) {
         p.priority_queues = x.to_bool();
         priority = x;
       }},
      {"trimming", Need::optional, [&](const Value& x) { p.trimming = x.to_bool(); }},
      {"trim_threshold_bytes", Need::optional,
       [&](const Value& x) {
         p.trim_threshold_bytes = x.to_bytes(0, std::uint64_t{1} << 34);
         trim_threshold = x;
       }},
  });
  // Trimmed headers travel in the control queue: trimming turns it on.
  if (p.trimming && priority && !p.priority_queues) {
    priority->fail_at_key(
        "trimming: true forwards trimmed headers in the control queue; it needs "
        "priority_queues: true (or leave priority_queues out)");
  }
  if (p.trimming) p.priority_queues = true;
  if (trim_threshold && p.trim_threshold_bytes != 0 && !p.trimming) {
    trim_threshold->fail_at_key("trim_threshold_bytes applies with trimming: true");
  }
  if (trim_threshold && p.trim_threshold_bytes != 0 &&
      p.trim_threshold_bytes < std::uint64_t{p.mtu_bytes} + p.header_bytes) {
    trim_threshold->fail("a trimming threshold below one full packet (mtu_bytes + header_bytes = " +
                         std::to_string(p.mtu_bytes + p.header_bytes) +
                         " bytes) trims every packet; got " +
                         std::to_string(p.trim_threshold_bytes));
  }
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
  std::optional<Value> entropies;
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
      {"ecmp_salt", Need::optional,
       [&](const Value& x) {
         t.ecmp_salt =
             x.to_enum<transport::EcmpSalt>({{"per_switch", transport::EcmpSalt::per_switch},
                                             {"shared", transport::EcmpSalt::shared}});
       }},
      {"packet", Need::optional,
       [&](const Value& x) {
         read_packet(x, t.packet, entropies);
         packet = x;
       }},
  });
  if (policy && t.model != Model::packet &&
      (t.policy == transport::PathPolicy::reps || t.policy == transport::PathPolicy::adaptive)) {
    policy->fail(std::string(transport::to_string(t.policy)) +
                 " reacts to queues and ECN marks: it is a packet-level policy (model: packet)");
  }
  if (entropies && t.packet.entropies != 0 && t.policy != PathPolicy::spray) {
    entropies->fail_at_key("entropies are hashed per packet with policy: spray (the policy is " +
                           std::string(transport::to_string(t.policy)) + ")");
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
void read_workload(const Value& v, const topology::FabricConfig& topo, workloads::WorkloadConfig& w,
                   bool in_jobs) {
  using workloads::Collective;
  const std::uint32_t total = placeable(topo);
  std::optional<Value> hosts;
  std::optional<Value> collective;
  std::optional<Value> size;
  std::optional<Value> buckets;
  std::optional<Value> compute_scale;
  std::optional<Value> collective_only;  // a key of collective jobs only
  GraphKeys graph;
  FlowKeys flow_keys;
  std::optional<Value> iterations;
  ChakraKeys chakra;
  std::vector<Field> fields = {
      {"collective", Need::optional,
       [&](const Value& x) {
         w.collective = read_collective(x);
         collective = x;
       }},
      // Required for every collective but a barrier, which moves no data.
      {"size_bytes", Need::optional,
       [&](const Value& x) {
         w.size_bytes = x.to_bytes(1, kMaxSizeBytes);
         size = x;
       }},
      {"parallel", Need::optional, [&](const Value& x) { graph.parallel = x; }},
      {"groups", Need::optional, [&](const Value& x) { graph.groups = x; }},
      {"program", Need::optional, [&](const Value& x) { graph.program = x; }},
      {"transformer", Need::optional, [&](const Value& x) { graph.transformer = x; }},
      {"flows", Need::optional, [&](const Value& x) { flow_keys.flows = x; }},
      {"connection_matrix", Need::optional,
       [&](const Value& x) { flow_keys.connection_matrix = x; }},
      {"compute_scale", Need::optional,
       [&](const Value& x) {
         w.compute_scale = x.to_decimal(1e-6, 1e6);
         compute_scale = x;
       }},
      {"hosts", Need::optional,
       [&](const Value& x) {
         w.hosts = read_hosts(x, total);
         hosts = x;
       }},
      {"placement", Need::optional,
       [&](const Value& x) { read_placement(x, total, topo.nics_per_host, w); }},
      {"iterations", Need::optional,
       [&](const Value& x) {
         w.iterations = x.to_uint<u32>(1, kMaxIterations);
         iterations = x;
       }},
      {"compute_gap", Need::optional,
       [&](const Value& x) {
         w.compute_gap_ps = x.to_duration_ps(sim::kForever);
         collective_only = x;
       }},
      {"compute", Need::optional,
       [&](const Value& x) {
         w.compute_ps = x.to_duration_ps(sim::kSecond * 3600);
         collective_only = x;
       }},
      {"compute_jitter", Need::optional,
       [&](const Value& x) {
         w.compute_jitter = x.to_fraction();
         collective_only = x;
       }},
      {"buckets", Need::optional,
       [&](const Value& x) {
         w.buckets = x.to_uint<u32>(1, kMaxBuckets);
         buckets = x;
         collective_only = x;
       }},
      {"chakra", Need::optional, [&](const Value& x) { chakra.chakra = x; }},
      {"replicate", Need::optional, [&](const Value& x) { chakra.replicate = x; }},
      {"dimensions", Need::optional, [&](const Value& x) { chakra.dimensions = x; }},
  };
  if (in_jobs) {
    fields.insert(fields.begin(),
                  Field{"name", Need::required, [&](const Value& x) { w.name = read_name(x); }});
    fields.push_back(Field{"start", Need::optional, [&](const Value& x) {
                             w.start_ps = x.to_duration_ps(sim::kSecond * 3600);
                           }});
  }
  v.read_map(fields);
  if (flow_keys.any()) check_flow_job(graph, compute_scale, iterations);
  if (!chakra.any()) {
    for (const auto& key : {chakra.replicate, chakra.dimensions}) {
      if (key) key->fail_at_key("this key belongs to a Chakra trace: give chakra too");
    }
  } else if (graph.any() || graph.parallel || graph.groups || flow_keys.any()) {
    v.fail_at_key(
        "a Chakra trace is the job's program: leave out program, transformer, "
        "parallel, groups, flows and connection_matrix");
  }
  if (!graph.any() && !chakra.any() && !flow_keys.any()) {
    for (const auto& key : {graph.parallel, graph.groups, compute_scale}) {
      if (key)
        key->fail_at_key(
            "this key belongs to a workload graph: give a program (or a transformer) too");
    }
    if (!collective)
      v.fail_at_key("missing required key \"collective\" (or a program or a transformer)");
    if (w.collective == Collective::barrier) {
      if (size) size->fail("a barrier moves no data; remove size_bytes");
      if (buckets) buckets->fail("a barrier moves no data to split into buckets; remove buckets");
      w.size_bytes = 0;
    } else if (!size) {
      v.fail_at_key("missing required key " + sim::quote_for_message("size_bytes"));
    }
  } else {
    for (const auto& key : {collective, size, collective_only}) {
      if (key) {
        key->fail_at_key(
            "a job with a program runs its ops; this key is for a job of one "
            "repeated collective (leave it out, or drop the program)");
      }
    }
  }
  if (buckets && w.size_bytes < w.buckets) {
    buckets->fail("size_bytes (" + std::to_string(w.size_bytes) + ") does not split into " +
                  std::to_string(w.buckets) + " buckets of at least a byte; use fewer buckets");
  }
  if (chakra.any()) read_chakra(chakra, hosts, topo.nics_per_host, total, w);
  const std::uint32_t ranks =
      topo.nics_per_host * (w.placement == workloads::Placement::explicit_list
                                ? static_cast<std::uint32_t>(w.ranks.size())
                                : (w.hosts == 0 ? total : w.hosts));
  if (graph.any()) w.program = read_graph(graph, ranks);
  if (flow_keys.any()) w.program = read_flows(flow_keys, ranks);
  if (!w.program && w.collective == Collective::halving_doubling_allreduce &&
      (ranks & (ranks - 1)) != 0) {
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
void read_jobs(const Value& v, const topology::FabricConfig& topo,
               std::vector<workloads::WorkloadConfig>& jobs) {
  if (!v.is_list()) {
    v.fail("expected a list of jobs, each a map like `workload:` plus name (and start), got " +
           v.describe());
  }
  if (v.to_list().empty()) {
    v.fail(
        "the list of jobs is empty; it needs at least one job, a map like `workload:` plus "
        "name (and start)");
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

void read_timeseries(const Value& v, const topology::FabricConfig& t, TimeseriesConfig& ts) {
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
           if (!topology::named_link(name, t)) {
             item.fail("expected a directed link of this fabric, named as in links.csv (e.g. " +
                       topology::example_link_names(t) + "), got " + item.describe());
           }
           if (std::find(ts.link_names.begin(), ts.link_names.end(), name) != ts.link_names.end()) {
             item.fail("link " + item.describe() + " is listed twice");
           }
           ts.link_names.push_back(std::move(name));
         }
       }},
  });
}

// The link a fault names, checked against the fabric (with a did-you-mean).
std::string read_fault_link(const Value& x, const topology::FabricConfig& t) {
  std::string link = x.to_string();
  if (topology::named_link(link, t)) return link;
  std::string hint;
  const std::vector<std::string> names = topology::link_names(t, 20'000);
  const std::vector<std::string_view> words(names.begin(), names.end());
  const std::string_view best = closest_word(link, words);
  if (!best.empty()) hint = " (did you mean " + sim::quote_for_message(best) + "?)";
  x.fail("expected a directed link of this fabric, named as in links.csv (e.g. " +
         topology::example_link_names(t) + "), got " + x.describe() + hint);
}

// The host a fault names: hN with N below the fabric's host count.
std::string read_fault_host(const Value& x, const topology::FabricConfig& t) {
  std::string host = x.to_string();
  const std::uint64_t hosts = t.host_count();
  const auto parsed = topology::parse_node_name(host);
  if (!parsed || parsed->kind != topology::NodeKind::host || parsed->index >= hosts) {
    x.fail("expected a host of this fabric, h0 to h" + std::to_string(hosts - 1) +
           " (as links.csv names hosts), got " + x.describe());
  }
  return host;
}

// The switch a fault names: leafN or spineN (aggN or coreN on a clos3) of this fabric.
std::string read_fault_switch(const Value& x, const topology::FabricConfig& t) {
  std::string name = x.to_string();
  const auto parsed = topology::parse_node_name(name);
  if (!parsed || !topology::has_switch(t, *parsed)) {
    x.fail("expected a switch of this fabric, " + topology::switch_name_range(t) + ", got " +
           x.describe());
  }
  return name;
}

// Faults from maps: the items of `faults:`, or rows of `faults_file:`.
void read_fault_items(std::span<const Value> items, const topology::FabricConfig& t,
                      std::vector<Fault>& faults) {
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
    std::optional<Value> plane;
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
        {"plane", Need::optional,
         [&](const Value& x) {
           if (t.planes < 2) {
             x.fail(
                 "a plane fault needs a multi-plane fabric (topology.planes: 2); use switch: "
                 "or link: on a fabric of one plane");
           }
           fault.plane = x.to_uint<u32>(0, t.planes - 1, "a plane");
           plane = x;
         }},
        {"rate", Need::optional,
         [&](const Value& x) {
           fault.rate_gbps = x.to_rate_gbps(kMaxLinkRateGbps);
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
    if (int{link.has_value()} + int{host.has_value()} + int{sw.has_value()} +
            int{plane.has_value()} !=
        1) {
      (link ? *link : (host ? *host : (sw ? *sw : item)))
          .fail(
              "a fault names one element: link: (e.g. leaf0>spine1), host: (e.g. h3), "
              "switch: (e.g. leaf2) or plane: (e.g. 1, on a multi-plane fabric)");
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
    if ((sw || plane) && fault.state != FaultState::down && fault.state != FaultState::up) {
      state->fail(std::string(sw ? "a switch" : "a plane") +
                  " fault is state: down or up (every link to and from it); got " +
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
        fault.rate_gbps =
            topology::named_link(fault.link, t)->rate_gbps;  // read_fault_link checked it
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

void read_faults(const Value& v, const topology::FabricConfig& t, std::vector<Fault>& faults) {
  read_fault_items(v.to_list(), t, faults);
}

void read_output(const Value& v, const topology::FabricConfig& t, OutputConfig& o) {
  v.read_map({
      {"dir", Need::optional, [&](const Value& x) { o.dir = x.to_string(); }},
      {"flows", Need::optional, [&](const Value& x) { o.flows = x.to_bool(); }},
      {"trace", Need::optional, [&](const Value& x) { o.trace = x.to_bool(); }},
      {"ops", Need::optional, [&](const Value& x) { o.ops = x.to_bool(); }},
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
  if (!s.jobs[0].program && s.jobs[0].compute_ps <= 0) {
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
      {"faults_file", Need::optional,
       [&](const Value& x) {
         if (s.wan) x.fail_at_key("faults on a wan topology are not modelled yet");
         read_faults_file(
             x, [&](std::span<const Value> rows) { read_fault_items(rows, s.topology, s.faults); });
       }},
      {"random_fault", Need::optional,
       [&](const Value& x) {
         if (s.topology.kind == topology::FabricKind::file) {
           x.fail_at_key(
               "random faults pick leaf uplinks of a preset fabric; not yet on kind: file");
         }
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
         if (s.topology.kind == topology::FabricKind::file) {
           x.fail_at_key(
               "a fault process picks leaf uplinks of a preset fabric; not yet on kind: file");
         }
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
  s.warnings = check_cost(s, root);
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
    if (text.size() > kMaxScenarioFileBytes) fail_read("larger than 64MiB; not a scenario file?");
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

std::string output_dir(const Scenario& s) {
  return s.output.dir.empty() ? "out/" + s.name : s.output.dir;
}

sim::Json to_json(const Scenario& s) {
  sim::Json topo = sim::Json::object();
  const topology::FabricConfig& t = s.topology;
  if (t.kind == topology::FabricKind::file) {
    topo["kind"] = "file";
    topo["path"] = t.file->path;
    topo["hosts"] = t.file->hosts;
    topo["cables"] = t.file->cables.size();
  } else if (t.kind == topology::FabricKind::clos3) {
    // A fat tree echoes its k and what it expanded to.
    topo["kind"] = t.fat_tree_k > 0 ? "fat_tree" : "clos3";
    if (t.fat_tree_k > 0) topo["k"] = t.fat_tree_k;
    topo["pods"] = t.pods;
    topo["leaves_per_pod"] = t.leaves_per_pod();
    topo["aggs_per_pod"] = t.aggs_per_pod;
    topo["cores"] = t.cores;
    topo["core_groups"] = t.core_groups;
    topo["hosts_per_leaf"] = t.hosts_per_leaf;
    topo["host_link"] = link_json(t.host_link);
    topo["agg_link"] = link_json(t.agg_link);
    topo["core_link"] = link_json(t.core_link);
  } else {
    topo["kind"] = "leaf_spine";
    topo["leaves"] = t.leaves;
    topo["spines"] = t.spines;
    topo["hosts_per_leaf"] = t.hosts_per_leaf;
    topo["parallel_links"] = t.parallel_links;
    topo["host_link"] = link_json(t.host_link);
    topo["spine_link"] = link_json(t.spine_link);
  }
  topo["nics_per_host"] = s.topology.nics_per_host;
  topo["rail_optimised"] = s.topology.rail_optimised;
  // Echoed only when set, so that single-port runs keep their summary.json.
  if (s.topology.nic_ports > 1) topo["nic_ports"] = s.topology.nic_ports;
  if (s.topology.planes > 1) topo["planes"] = s.topology.planes;
  if (s.topology.planes > 1 && s.topology.plane_per == topology::PlanePer::rail) {
    topo["plane_per"] = "rail";
  }
  topo["nvlink"] = link_json(s.topology.nvlink);
  if (s.wan) topo = wan_json(*s.wan);

  sim::Json trans = sim::Json::object();
  trans["model"] = transport::to_string(s.transport.model);
  trans["policy"] = transport::policy_word(s.transport);
  trans["convergence_ps"] = static_cast<std::int64_t>(s.transport.convergence_ps);
  // Echoed only when set, so that runs with per-switch salts keep their summary.json.
  if (s.transport.ecmp_salt != transport::EcmpSalt::per_switch) {
    trans["ecmp_salt"] = std::string(transport::to_string(s.transport.ecmp_salt));
  }
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
    if (p.cc == transport::CongestionControl::nscc) {
      const transport::NsccConfig& n = p.nscc;
      packet["nscc_target_qdelay_ps"] = static_cast<std::int64_t>(n.target_qdelay_ps);
      packet["nscc_md_gain"] = n.md_gain;
      packet["nscc_nack_md"] = n.nack_md;
      packet["nscc_pi_gain"] = n.pi_gain;
      packet["nscc_fast_increase"] = n.fast_increase;
    }
    packet["retransmit"] = std::string(transport::to_string(p.retransmit));
    packet["reps_buffer"] = p.reps_buffer;
    if (p.entropies != 0) packet["entropies"] = p.entropies;  // absent when off, as before
    if (p.priority_queues) {  // absent when off: the outputs of earlier runs stay as they were
      packet["priority_queues"] = true;
      packet["trimming"] = p.trimming;
      packet["trim_threshold_bytes"] = p.trim_threshold_bytes;
    }
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
    if (w.program) {
      work["program"] = graph_to_json(*w.program);
      work["compute_scale"] = w.compute_scale;
    }
    jobs.push_back(std::move(work));
  }

  sim::Json out = sim::Json::object();
  out["dir"] = output_dir(s);
  out["flows"] = s.output.flows;
  out["trace"] = s.output.trace;
  if (s.output.ops) out["ops"] = true;  // absent otherwise, as before the key existed
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
    } else if (fault.on_plane()) {
      f["plane"] = *fault.plane;
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
