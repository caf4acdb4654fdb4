// The scenario format's keys (api/scenario/keys.hpp): the loader checks its
// fields against this table and docs/ is generated from it, so a key added to
// the loader needs its line here (the loader says so, as an internal error,
// the first time a test reads that map).
#include "api/scenario/keys.hpp"

namespace spinel::scenario {

namespace {

// Columns: section, path, type, values, default, meaning.
constexpr KeyDoc kKeys[] = {
    // ---- top level
    {"top", "name", "text", "`A-Z a-z 0-9 _ . -`, 1–64 chars, not `.` or `..`", "required",
     "names the output folder `out/<name>`"},
    {"top", "description", "text", "", "empty", "echoed in `summary.json`"},
    {"top", "seed", "integer", "0 … 2^64−1", "`1`", "`--seed` overrides it"},
    {"top", "topology", "map", "see below", "required", "the fabric"},
    {"top", "transport", "map", "see below", "all defaults", "how bytes cross the fabric"},
    {"top", "workload", "map", "see below", "none: give `workload`, `jobs` or `pccl`", "one job"},
    {"top", "jobs", "list of maps",
     "each a `workload` map plus `name` (required) and `start` (duration, default `0ns`)",
     "instead of `workload`",
     "several jobs on disjoint hosts; with more than one, each needs a `hosts` count"},
    {"top", "output", "map", "see below", "all defaults", "what gets written"},
    {"top", "faults", "list", "see [Faults](faults.md#faults)", "none",
     "scheduled faults and repairs of links and hosts"},
    {"top", "faults_file", "text",
     "a CSV file, relative to the scenario's folder; see [Faults](faults.md#faults-file)", "none",
     "more faults, one a row (after `faults`' items): for schedules too long for a YAML list"},
    {"top", "random_fault", "map", "see [Faults](faults.md#random-fault)", "none",
     "one more fault, of a kind, at a place and time drawn from the seed"},
    {"top", "detector", "map", "see [Detector](faults.md#detector)", "none (no detector)",
     "a C4-style detector listening to every job's collectives"},
    {"top", "fault_process", "list", "see [Recovery](faults.md#recovery)", "none",
     "faults arriving at random over a long job (needs `recovery`)"},
    {"top", "recovery", "map", "see [Recovery](faults.md#recovery)", "none",
     "a long job that stops at each detection, restarts from its checkpoint and goes on"},
    {"top", "pccl", "map", "see [The `pccl` section](pccl.md#the-pccl-section)", "none",
     "fault-tolerant all-reduce under churn, instead of `workload`/`jobs` (and without `faults`, "
     "`random_fault`, `detector`)"},
    {"top", "sweep", "map", "see [Sweeps](sweeps.md)", "none",
     "makes the file a parameter sweep: `spinel sweep` runs its points, `spinel run` refuses it"},

    // ---- topology (leaf-spine, and what every preset fabric shares)
    {"topology", "topology.kind", "word", "`leaf_spine`, `clos3`, `fat_tree`, `file`, `wan`",
     "required",
     "`clos3`, `fat_tree`: [three tiers](#three-tier-fabrics); `file`: [any graph from a "
     "file](#fabric-files); `wan`: sites joined by long-fat links, below"},
    {"topology", "topology.leaves", "integer", "1 … 65536", "required (leaf_spine)", ""},
    {"topology", "topology.spines", "integer", "1 … 65536", "required (leaf_spine)",
     "`leaves × spines × parallel_links` at most 4,194,304 cables (memory)"},
    {"topology", "topology.hosts_per_leaf", "integer", "1 … 65536", "required (leaf_spine, clos3)",
     "host ports per leaf; the fabric has `leaves × hosts_per_leaf` hosts (`leaves / 2 × "
     "hosts_per_leaf` with `nic_ports: 2`), 2 … 1,048,576"},
    {"topology", "topology.parallel_links", "integer", "1 … 64", "`1`",
     "cables per leaf–spine pair"},
    {"topology", "topology.host_link", "map", "`{rate, latency}`", "`{400Gbps, 500ns}`",
     "host ↔ leaf"},
    {"topology", "topology.host_link.rate", "rate", "> 0, ≤ 1,000,000 Gbps", "`400Gbps`",
     "host ↔ leaf, each direction; per NIC port (a dual-port NIC carries twice it)"},
    {"topology", "topology.host_link.latency", "duration", "0 … 1 s", "`500ns`", "one way"},
    {"topology", "topology.spine_link", "map", "`{rate, latency}`", "`{400Gbps, 500ns}`",
     "leaf ↔ spine"},
    {"topology", "topology.spine_link.rate", "rate", "> 0, ≤ 1,000,000 Gbps", "`400Gbps`",
     "leaf ↔ spine, each parallel link, each direction"},
    {"topology", "topology.spine_link.latency", "duration", "0 … 1 s", "`500ns`", "one way"},
    {"topology", "topology.nics_per_host", "integer", "1 … 64, dividing `leaves × hosts_per_leaf`",
     "`1`",
     "servers of G GPUs, GPU g behind NIC g (each NIC is a host of the fabric); jobs then place "
     "whole servers (`hosts` counts servers) and GPUs of one server talk over `nvlink`"},
    {"topology", "topology.rail_optimised", "bool", "", "`false`",
     "NIC g of every server on rail g's leaves (`leaves` must divide into `nics_per_host` groups); "
     "otherwise server s has hosts s·G … s·G+G−1"},
    {"topology", "topology.nvlink", "map", "`{rate, latency}`", "`{3600Gbps, 1us}`",
     "GPU to GPU inside a server, per transfer (unused on a fabric file: its hosts are one-GPU "
     "servers)"},
    {"topology", "topology.nvlink.rate", "rate", "> 0, ≤ 1,000,000 Gbps", "`3600Gbps`",
     "GPU to GPU inside a server"},
    {"topology", "topology.nvlink.latency", "duration", "0 … 1 s", "`1us`",
     "GPU to GPU inside a server"},
    {"topology", "topology.nic_ports", "integer", "1, 2", "`1`",
     "2: [dual-port NICs](#dual-port-nics-dual-tor) on two leaves (dual-ToR); `leaves` must be "
     "even; flow level only"},
    {"topology", "topology.planes", "integer", "1 … 64", "`1`",
     "a [multi-plane fabric](#multi-plane-fabrics): with `plane_per: port`, 2 with `nic_ports: 2`; "
     "with `plane_per: rail`, `nics_per_host`; `spines` must split into the planes"},
    {"topology", "topology.plane_per", "word", "`port`, `rail`", "`port`",
     "what a plane is: NIC port p of every NIC on plane p (dual-plane), or rail r of "
     "rail-optimised "
     "servers of single-port NICs on plane r ([rail planes](#rail-planes)); needs `planes`"},

    // ---- topology, kind: wan
    {"topology.wan", "topology.sites", "list", "1 … 256 sites, 2 … 65,536 hosts in all",
     "required (wan)", "the data centres, hosts numbered site by site in this order"},
    {"topology.wan", "topology.sites[].name", "word",
     "1 … 32 of A-Z a-z 0-9 _ -, starting with a letter; not `hN`, `leafN`, `spineN`", "required",
     "unique"},
    {"topology.wan", "topology.sites[].hosts", "integer", "1 … 65536", "required", ""},
    {"topology.wan", "topology.sites[].host_link", "map", "`{rate, latency}`", "`{100Gbps, 10us}`",
     "host ↔ its site"},
    {"topology.wan", "topology.sites[].host_link.rate", "rate", "> 0, ≤ 1,000,000 Gbps",
     "`100Gbps`", "each direction"},
    {"topology.wan", "topology.sites[].host_link.latency", "duration", "0 … 1 s", "`10us`",
     "one way"},
    {"topology.wan", "topology.wan_link", "map", "`{rate, latency}` or `{rate, rtt}`",
     "`{100Gbps, 40ms}`", "the same link between every pair of sites (a full mesh)"},
    {"topology.wan", "topology.wan_link.rate", "rate", "> 0, ≤ 1,000,000 Gbps", "`100Gbps`",
     "each direction"},
    {"topology.wan", "topology.wan_link.latency", "duration", "0 … 1 s", "`40ms`",
     "one way; or give `rtt`"},
    {"topology.wan", "topology.wan_link.rtt", "duration", "0 … 2 s", "2 × `latency`",
     "the round trip, instead of `latency`"},
    {"topology.wan", "topology.wan_links", "list", "two different listed sites, one link per pair",
     "a full mesh of `wan_link`", "instead of `wan_link`; every site must reach every other"},
    {"topology.wan", "topology.wan_links[].a", "word", "a listed site", "required", "one end"},
    {"topology.wan", "topology.wan_links[].b", "word", "another listed site", "required",
     "the other end"},
    {"topology.wan", "topology.wan_links[].rate", "rate", "> 0, ≤ 1,000,000 Gbps", "`100Gbps`",
     "each direction"},
    {"topology.wan", "topology.wan_links[].latency", "duration", "0 … 1 s", "`40ms`",
     "one way; or give `rtt`"},
    {"topology.wan", "topology.wan_links[].rtt", "duration", "0 … 2 s", "2 × `latency`",
     "the round trip, instead of `latency`"},

    // ---- topology, kind: clos3 or fat_tree
    {"topology.clos3", "topology.pods", "integer", "1 … 65536", "required (clos3)",
     "`pods × leaves_per_pod` at most 65,536 leaves"},
    {"topology.clos3", "topology.leaves_per_pod", "integer", "1 … 65536", "required (clos3)",
     "even with `nic_ports: 2` (leaf pairs never span pods)"},
    {"topology.clos3", "topology.aggs_per_pod", "integer", "1 … 65536", "required (clos3)",
     "each leaf's uplinks: the leaves' oversubscription is `hosts_per_leaf × host rate / "
     "(aggs_per_pod × agg_link rate)`"},
    {"topology.clos3", "topology.cores", "integer", "1 … 65536", "required (clos3)",
     "each agg's uplinks are the `cores / core_groups` cores of its group: the aggs' "
     "oversubscription is `leaves_per_pod × agg_link rate / (cores / core_groups × core_link "
     "rate)`"},
    {"topology.clos3", "topology.core_groups", "integer", "dividing `aggs_per_pod` and `cores`",
     "`aggs_per_pod`",
     "`aggs_per_pod` (the default): agg a of each pod reaches the cores of group a only, as in a "
     "fat tree; 1: every agg reaches every core"},
    {"topology.clos3", "topology.k", "integer", "2 … 256, even", "required (fat_tree)",
     "the k-ary fat tree, instead of the five counts above"},
    {"topology.clos3", "topology.agg_link", "map", "`{rate, latency}`", "`{400Gbps, 500ns}`",
     "leaf ↔ agg"},
    {"topology.clos3", "topology.agg_link.rate", "rate", "> 0, ≤ 1,000,000 Gbps", "`400Gbps`",
     "each direction"},
    {"topology.clos3", "topology.agg_link.latency", "duration", "0 … 1 s", "`500ns`", "one way"},
    {"topology.clos3", "topology.core_link", "map", "`{rate, latency}`", "`{400Gbps, 500ns}`",
     "agg ↔ core"},
    {"topology.clos3", "topology.core_link.rate", "rate", "> 0, ≤ 1,000,000 Gbps", "`400Gbps`",
     "each direction"},
    {"topology.clos3", "topology.core_link.latency", "duration", "0 … 1 s", "`500ns`", "one way"},

    // ---- topology, kind: file
    {"topology.file", "topology.path", "path", "a `.graphml`, `.xml`, `.dot` or `.gv` file",
     "required (file)", "relative paths resolve against the scenario file's folder"},

    // ---- transport
    {"transport", "transport.model", "word", "`flow`, `packet`", "`flow`",
     "`packet`: packets, queues, ECN, PFC and congestion control ([Packet "
     "level](packet-level.md))"},
    {"transport", "transport.policy", "word",
     "`ecmp`, `spray`, `mprdma:K`, `split`, `planned`, `planned:K`; at packet level also `reps`, "
     "`adaptive`",
     "`ecmp`", "see [Path policies](#path-policies)"},
    {"transport", "transport.convergence", "duration", "0 … 1 h", "`0ns`",
     "routing convergence: flows on a link that goes down stall there (black-holed) this long "
     "before the policy moves them; `0ns` moves them at once ([Faults](faults.md#faults))"},
    {"transport", "transport.ecmp_salt", "word", "`per_switch`, `shared`", "`per_switch`",
     "how switches salt their ECMP hash on [three tiers](#three-tier-fabrics): `shared` polarises"},
    {"transport", "transport.packet", "map", "see [Packet level](packet-level.md#keys)",
     "all defaults",
     "read only with `model: packet`: queues, ECN, congestion control, PFC, loss recovery, "
     "`priority_queues` and `trimming`"},

    // ---- transport.packet
    {"transport.packet", "transport.packet.mtu_bytes", "size", "256 B … 64 KiB", "`4096`",
     "payload per packet"},
    {"transport.packet", "transport.packet.header_bytes", "size", "0 … 1 KiB", "`64`",
     "per data packet on the wire (RoCEv2: Ethernet, IP, UDP, BTH, ICRC and FCS are 62 B)"},
    {"transport.packet", "transport.packet.ack_bytes", "size", "1 … 1 KiB", "`64`",
     "an ACK or NAK on the wire"},
    {"transport.packet", "transport.packet.ack_every", "integer", "1 … 1024", "`1`",
     "ACK coalescing: one ACK per this many data packets"},
    {"transport.packet", "transport.packet.buffer_bytes", "size", "≥ one packet, ≤ 16 GiB",
     "`1MiB`", "per switch output port (NICs do not drop); unused for drops under `pfc`"},
    {"transport.packet", "transport.packet.ecn_kmin_bytes", "size", "0 … 16 GiB", "`100KiB`",
     "ECN marking starts above this queue"},
    {"transport.packet", "transport.packet.ecn_kmax_bytes", "size", "≥ `ecn_kmin_bytes`, ≤ 16 GiB",
     "`400KiB`", "marking is certain from this queue on"},
    {"transport.packet", "transport.packet.ecn_pmax", "fraction", "0 … 1", "`0.2`",
     "marking probability just below kmax"},
    {"transport.packet", "transport.packet.cc", "word", "`none`, `dctcp`, `dcqcn`, `nscc`",
     "`dctcp`", "congestion control ([Packet level](packet-level.md))"},
    {"transport.packet", "transport.packet.dctcp_g", "fraction", "> 0, ≤ 1", "`0.0625`",
     "DCTCP's gain (1/16, from the DCTCP paper)"},
    {"transport.packet", "transport.packet.nscc_target_qdelay", "duration", "0 … 1 s", "`0`",
     "`cc: nscc`: the queueing delay steered to; `0`: `ecn_kmin_bytes` at the QP's bottleneck "
     "rate (our choice: the specification leaves the target to configuration)"},
    {"transport.packet", "transport.packet.nscc_md_gain", "fraction", "0 … 1", "`0.5`",
     "`cc: nscc`: a decrease cuts cwnd by this × (delay − target) / delay (shape from SMaRTT; the "
     "gain is ours: at most halves)"},
    {"transport.packet", "transport.packet.nscc_nack_md", "fraction", "0 … 1", "`0.5`",
     "`cc: nscc`: a NACK cuts cwnd by this fraction, once per base RTT (ours: as TCP's halving on "
     "a loss)"},
    {"transport.packet", "transport.packet.nscc_pi_gain", "number", "0 … 64", "`0.25`",
     "`cc: nscc`: proportional increase per ACK, MTU × this × (target − delay) / target (shape "
     "from SMaRTT; the gain is ours)"},
    {"transport.packet", "transport.packet.nscc_fast_increase", "number", "0 … 64", "`1`",
     "`cc: nscc`: MTUs added per uncongested ACK once a window of them came in a row (1: doubling "
     "per RTT, as SMaRTT's fast increase)"},
    {"transport.packet", "transport.packet.window_bytes", "size", "0 … 16 GiB", "`0`",
     "the largest window; `0`: each QP's bandwidth-delay product (base RTT of its path) plus "
     "`ack_every` + 8 packets (slack for ACKs queued behind data)"},
    {"transport.packet", "transport.packet.rto", "duration", "> 0, ≤ 1 s", "`100us`",
     "retransmission timeout"},
    {"transport.packet", "transport.packet.reorder_packets", "integer", "1 … 65536", "`256`",
     "spraying (and every QP with `retransmit: selective`): how far past the first hole the "
     "receiver accepts; `1`: every receiver in order, NAK and go-back-N (legacy RoCE); at least "
     "the window: full direct placement"},
    {"transport.packet", "transport.packet.spray", "word", "`round_robin`, `random`",
     "`round_robin`", "per-packet path choice (Rng stream `spray`)"},
    {"transport.packet", "transport.packet.flow_control", "word", "`drop_tail`, `pfc`",
     "`drop_tail`", "`pfc`: lossless, one priority"},
    {"transport.packet", "transport.packet.pfc_xoff_bytes", "size", "1 B … 16 GiB", "`256KiB`",
     "per ingress queue: pause the sender above this"},
    {"transport.packet", "transport.packet.pfc_xon_bytes", "size", "≤ `pfc_xoff_bytes`", "`224KiB`",
     "resume it at or below this"},
    {"transport.packet", "transport.packet.pfc_headroom_bytes", "size", "0 … 16 GiB", "`0`",
     "room above XOFF; `0`: 2 × the link's latency × rate + 3 full packets (61 KiB on a 400 Gb/s, "
     "500 ns link)"},
    {"transport.packet", "transport.packet.buffer", "word", "`per_port`, `shared`", "`per_port`",
     "`shared`: one pool per switch with dynamic thresholds (drop-tail only)"},
    {"transport.packet", "transport.packet.shared_buffer_bytes", "size", "0 … 1 TiB", "`0`",
     "`buffer: shared`: a switch's pool; `0`: `buffer_bytes` × its ports"},
    {"transport.packet", "transport.packet.dt_alpha", "number", "1/1024 … 1024", "`1`",
     "`buffer: shared`: a port may hold `dt_alpha` × the free pool"},
    {"transport.packet.dcqcn", "transport.packet.dcqcn_g", "fraction", "> 0, ≤ 1",
     "`0.00390625` (1/256)", "g, the paper"},
    {"transport.packet.dcqcn", "transport.packet.dcqcn_alpha_timer", "duration", "> 0, ≤ 1 s",
     "`55us`", "K, the paper"},
    {"transport.packet.dcqcn", "transport.packet.dcqcn_increase_timer", "duration", "> 0, ≤ 1 s",
     "`55us`", "T, the paper"},
    {"transport.packet.dcqcn", "transport.packet.dcqcn_byte_counter_bytes", "size", "1 B … 1 TiB",
     "`10MiB`", "B (10 MB), the paper"},
    {"transport.packet.dcqcn", "transport.packet.dcqcn_fast_recovery_steps", "integer", "1 … 1000",
     "`5`", "F, the paper"},
    {"transport.packet.dcqcn", "transport.packet.dcqcn_ai_rate", "rate", "> 0", "`40Mbps`",
     "R_AI, the paper"},
    {"transport.packet.dcqcn", "transport.packet.dcqcn_hai_rate", "rate", "> 0", "`400Mbps`",
     "R_HAI: 10 × R_AI, our choice (the paper gives no value)"},
    {"transport.packet.dcqcn", "transport.packet.dcqcn_min_rate", "rate", "> 0", "`100Mbps`",
     "the floor of a cut: the ns-3 RDMA model's `MinRate` default"},
    {"transport.packet.dcqcn", "transport.packet.dcqcn_cnp_interval", "duration", "0 … 1 s",
     "`50us`", "N, the receiver's CNP interval, the paper"},
    {"transport.packet", "transport.packet.retransmit", "word", "`go_back_n`, `selective`",
     "`go_back_n`",
     "loss recovery: resend everything from the hole (RoCE), or only the holes (SACKs)"},
    {"transport.packet", "transport.packet.reps_buffer", "integer", "1 … 65536", "`64`",
     "`policy: reps`: recycled entropies a sender keeps (our choice: about one default window of "
     "packets on a 400 Gb/s leaf-spine with 500 ns links)"},
    {"transport.packet", "transport.packet.entropies", "integer", "0 … 65536", "`0`",
     "`policy: spray`: each packet carries one of this many entropy values and every switch "
     "hashes (flow, entropy) to its uplink ([above](#hashed-entropies-entropies)); `0`: the "
     "sender picks the path directly. UEC leaves the number to the sender: 0 keeps earlier "
     "outputs"},
    {"transport.packet", "transport.packet.priority_queues", "bool", "", "`false`",
     "control packets (ACKs, NAKs, NACKs, CNPs, trimmed headers) in a strict-priority queue at "
     "every switch port ([above](#priority-queues-and-trimming-uec-style-switch-ports))"},
    {"transport.packet", "transport.packet.trimming", "bool", "", "`false`",
     "cut a data packet that would overflow to its header, NACK it, resend it; turns "
     "`priority_queues` on (`priority_queues: false` with it is refused)"},
    {"transport.packet", "transport.packet.trim_threshold_bytes", "size",
     "`0` or ≥ one packet, ≤ 16 GiB", "`0`",
     "`trimming`: also trim when the data queue would hold more than this; `0`: only what does "
     "not fit"},

    // ---- workload (and each item of jobs)
    {"workload", "jobs[].name", "text", "as the top-level `name`", "required",
     "names the job in the result files"},
    {"workload", "workload.collective", "word",
     "`ring_allreduce`, `tree_allreduce`, `halving_doubling_allreduce`, `reduce_scatter`, "
     "`all_gather`, `all_to_all`, `pairwise_all_to_all`, `hierarchical_allreduce`, `broadcast`, "
     "`reduce`, `gather`, `scatter`, `barrier`",
     "none: a job is a collective, a program, a transformer, a flow list or a trace",
     "see [Collectives](model.md#collectives); `halving_doubling_allreduce` needs a power-of-two "
     "number of ranks; the root of `broadcast`, `reduce`, `gather` and `scatter` is rank 0"},
    {"workload", "workload.size_bytes", "size", "1 B … 1 PiB",
     "none: every collective but `barrier` needs it",
     "the buffer each rank reduces (all-reduce, reduce-scatter input, all-gather output, "
     "broadcast, reduce), sends in all (all-to-all: size/N to each rank) or the root holds (gather "
     "output, scatter input: size/N from or to each rank)"},
    {"workload", "workload.parallel", "map", "`tp`, `pp`, `dp`, `ep`: integers", "all `1`",
     "with `program` or `transformer`: the [groups](workload-graph.md#groups) of those degrees; "
     "tp · pp · dp must equal the job's ranks, `ep` divide `dp`"},
    {"workload", "workload.groups", "list", "`{name: N, ranks: [r, ...]}`", "none",
     "with `program`: more groups, by lists of the job's ranks"},
    {"workload", "workload.program", "list",
     "ops: `compute`, `collective`, `send`, `recv` with `group`, `size_bytes`, `name`, `after`",
     "none",
     "a [workload graph](workload-graph.md#programs): the ops every rank runs per iteration, "
     "instead of `collective`, `size_bytes`, `compute`, `compute_jitter`, `compute_gap` and "
     "`buckets`"},
    {"workload", "workload.transformer", "map",
     "see [the generator](workload-graph.md#the-transformer-generator)", "none",
     "a Megatron-style training iteration generated as the program (with `parallel`)"},
    {"workload", "workload.flows", "path or map",
     "a CSV file, or `{pattern: permutation \\| incast \\| all_to_all, size_bytes, start, seed, "
     "rack_size, senders, receiver}`",
     "none",
     "a [flow list](coming-from.md#flow-lists) as the job: flows between ranks at start times or "
     "after other flows, instead of `collective`, a program and `iterations`; the path is "
     "relative to the scenario"},
    {"workload", "workload.connection_matrix", "path or map",
     "a `.cm` file, or `{path, start_unit: us \\| ns \\| ps, size_bytes}`", "none",
     "an [htsim connection matrix](coming-from.md#connection-matrices) as the job"},
    {"workload", "workload.compute_scale", "number", "1e-6 … 1e6", "`1`",
     "with `program`, `transformer` or `chakra`: every compute op takes this times its duration"},
    {"workload", "workload.hosts", "`all` or integer", "2 … total hosts", "`all`",
     "number of ranks (with servers of several GPUs: of servers); with a placement list it must "
     "be `all` or the list's length"},
    {"workload", "workload.placement", "word or list",
     "`contiguous`, `random`, `rail`, `[h0, h1, ...]`", "`contiguous`",
     "`contiguous`: rank r on host r; `random`: seeded permutation of all hosts (Rng stream "
     "`placement`), first `hosts` of it; list: rank r on `list[r]`, ≥ 2 distinct host indices "
     "0 … total−1. With multi-GPU servers these pick servers, and a server's GPUs take "
     "consecutive ranks; `rail` (servers only) takes the lowest free servers and lays ranks rail "
     "by rail — GPU 0 of every server, then GPU 1 of every server in reverse order, and so on — "
     "so every ring edge joins two NICs of one rail or two GPUs of one server"},
    {"workload", "workload.iterations", "integer", "1 … 1,000,000", "`1`",
     "back-to-back iterations of the job"},
    {"workload", "workload.compute_gap", "duration", "≥ 0", "`0ns`",
     "idle time between the end of one iteration and the start of the next"},
    {"workload", "workload.compute", "duration", "0 … 1 h", "`0ns`",
     "training: each rank computes this long per iteration (forward and backward) before its "
     "gradient is all-reduced; see [Training iterations](model.md#training-iterations)"},
    {"workload", "workload.compute_jitter", "fraction", "0 … 1, e.g. `0.02` or `2%`", "`0`",
     "relative standard deviation of each rank's compute time, drawn per rank and iteration (Rng "
     "stream `compute.<job name>`)"},
    {"workload", "workload.buckets", "integer", "1 … 1024, at most `size_bytes`", "`1`",
     "the gradient (`size_bytes`) all-reduced in this many equal collectives, each started as "
     "the backward pass makes its bucket ready"},
    {"workload", "workload.chakra", "path prefix",
     "`PREFIX` for `PREFIX.0.et`, `PREFIX.1.et`, … (relative to the scenario file)", "none",
     "a [Chakra execution trace](coming-from.md#chakra), one file per rank, as the job's program; "
     "the job's ranks are the trace's (without `hosts` the job takes that many ranks; with "
     "`hosts` or a placement list the two must agree)"},
    {"workload", "workload.replicate", "integer", "1 … 65536", "`1`",
     "with `chakra`: N copies of the traced ranks, copy c of rank r as job rank c · traced + r; "
     "collectives span every copy of their group (a data-parallel group), sends stay in a copy"},
    {"workload", "workload.dimensions", "list", "sizes, e.g. `[8, 4]`, product = the trace's ranks",
     "none",
     "with `chakra`: the network's dimensions for `involved_dim` (the first varying fastest over "
     "the ranks); needed only when a collective involves some dimensions but not all"},
    {"workload", "jobs[].start", "duration", "0 … 1 h", "`0ns`", "when the job starts"},

    // ---- workload graphs: parallel degrees, groups, programs
    {"workload.parallel", "workload.parallel.tp", "integer", "1 … the job's ranks", "`1`",
     "tensor-parallel degree"},
    {"workload.parallel", "workload.parallel.pp", "integer", "1 … the job's ranks", "`1`",
     "pipeline-parallel degree"},
    {"workload.parallel", "workload.parallel.dp", "integer", "1 … the job's ranks", "`1`",
     "data-parallel degree"},
    {"workload.parallel", "workload.parallel.ep", "integer", "1 … the job's ranks, dividing `dp`",
     "`1`", "expert-parallel degree (groups of data-parallel replicas)"},
    {"workload.parallel", "workload.groups[].name", "text", "no commas; unique", "required",
     "the group's name, for an op's `group`"},
    {"workload.parallel", "workload.groups[].ranks", "list", "ranks of the job", "required",
     "the group's ranks, in the group's rank order"},
    {"workload.program", "workload.program[].compute", "duration", "0 … 1 h", "none",
     "a compute op of this duration, e.g. `2ms`"},
    {"workload.program", "workload.program[].collective", "word",
     "as `workload.collective`, or `all_to_allv`", "none", "a collective op of this kind"},
    {"workload.program", "workload.program[].send", "word", "`next`, `prev`", "none",
     "a send to the next or previous rank of the rank's group"},
    {"workload.program", "workload.program[].recv", "word", "`next`, `prev`", "none",
     "a receive from the next or previous rank of the rank's group"},
    {"workload.program", "workload.program[].group", "word",
     "`tp`, `pp`, `dp`, `ep` or a group's name", "the job's ranks",
     "collective, send, recv: a kind (the rank's own group of that kind) or a named group; a rank "
     "outside a named group skips the op"},
    {"workload.program", "workload.program[].size_bytes", "size", "1 B … 1 PiB", "none",
     "collective, send, recv: as for `collective` jobs; a send and its receive must agree"},
    {"workload.program", "workload.program[].root", "integer",
     "0 … the group's size − 1 (in its rank order)", "`0`",
     "broadcast, reduce, gather, scatter: the root"},
    {"workload.program", "workload.program[].matrix_bytes", "list of lists",
     "N × N sizes for groups of N ranks", "none",
     "`all_to_allv`: row i the bytes group rank i sends to each group rank (the diagonal stays "
     "local); instead of `size_bytes`"},
    {"workload.program", "workload.program[].name", "text", "unique in the program", "none",
     "names the op (in `ops.csv` and for `after`)"},
    {"workload.program", "workload.program[].after", "list", "names of earlier ops",
     "the op above it", "what the op waits for; `[]`: nothing"},

    // ---- the transformer generator
    {"workload.transformer", "workload.transformer.layers", "integer", "1 … 100,000", "required",
     "the model's layers"},
    {"workload.transformer", "workload.transformer.hidden_size", "integer", "1 … 2^20", "required",
     "h"},
    {"workload.transformer", "workload.transformer.ffn_hidden_size", "integer", "1 … 2^22", "4h",
     "the MLP's hidden size F"},
    {"workload.transformer", "workload.transformer.heads", "integer", "1 … 65536", "not checked",
     "attention heads; tp must divide them"},
    {"workload.transformer", "workload.transformer.vocabulary_size", "integer", "1 … 2^24", "none",
     "a vocabulary adds the embedding, the output layer and its logits"},
    {"workload.transformer", "workload.transformer.sequence_length", "integer", "1 … 2^22",
     "required", "s"},
    {"workload.transformer", "workload.transformer.micro_batch_size", "integer", "1 … 65536", "`1`",
     "b"},
    {"workload.transformer", "workload.transformer.global_batch_size", "integer", "1 … 2^24",
     "required", "sequences per iteration over all data-parallel replicas"},
    {"workload.transformer", "workload.transformer.precision", "word", "`bf16`, `fp16`, `fp32`",
     "`bf16`", "activations and weights: 2 or 4 bytes"},
    {"workload.transformer", "workload.transformer.gradient_precision", "word",
     "`bf16`, `fp16`, `fp32`", "as `precision`", "gradients"},
    {"workload.transformer", "workload.transformer.schedule", "word", "`one_f_one_b`, `gpipe`",
     "`one_f_one_b`", "1F1B: p − j − 1 warm-up forwards on stage j; or GPipe"},
    {"workload.transformer", "workload.transformer.sequence_parallel", "bool", "", "`false`",
     "Megatron's sequence parallelism"},
    {"workload.transformer", "workload.transformer.zero", "bool", "", "`false`",
     "the gradient reduced by a reduce-scatter and an all-gather"},
    {"workload.transformer", "workload.transformer.dp_buckets", "integer", "1 … 1024", "`1`",
     "gradient buckets per stage, overlapping the last backward"},
    {"workload.transformer", "workload.transformer.moe", "map",
     "`{experts, top_k, every}` or `{experts, top_k, layers: [...]}`", "dense",
     "mixture of experts"},
    {"workload.transformer", "workload.transformer.moe.experts", "integer", "1 … 65536", "required",
     "E, experts per MoE layer"},
    {"workload.transformer", "workload.transformer.moe.top_k", "integer", "1 … 65536", "`1`",
     "k, experts per token"},
    {"workload.transformer", "workload.transformer.moe.every", "integer", "1 … 100,000", "`1`",
     "every this many layers is an MoE layer"},
    {"workload.transformer", "workload.transformer.moe.layers", "list", "layer indices",
     "from `every`", "the MoE layers, instead of `every`"},
    {"workload.transformer", "workload.transformer.layer_forward", "duration or list",
     "0 … 1 h each", "from FLOPs", "one duration per layer, or a list, one per layer"},
    {"workload.transformer", "workload.transformer.gpu_peak_tflops", "number", "1e-3 … 1e6", "none",
     "forward FLOPs (attention 8bsh² + 4bs²h, MLP 4bshF, ×k for MoE, logits 2bshV, all ÷ tp) "
     "over peak × efficiency"},
    {"workload.transformer", "workload.transformer.compute_efficiency", "fraction", "0 … 1",
     "`50%`", "the share of peak the GPU reaches"},
    {"workload.transformer", "workload.transformer.backward_factor", "number", "0 … 1000", "`2`",
     "backward time / forward time"},
    {"workload.transformer", "workload.transformer.tp_allreduce", "word", "a collective",
     "`ring_allreduce`", "the tensor-parallel all-reduce's algorithm"},
    {"workload.transformer", "workload.transformer.dp_allreduce", "word", "a collective",
     "`ring_allreduce`", "the data-parallel all-reduce's algorithm"},
    {"workload.transformer", "workload.transformer.ep_all_to_all", "word", "a collective",
     "`all_to_all`", "the expert-parallel all-to-all's algorithm"},

    // ---- flow lists and connection matrices
    {"workload.flows", "workload.flows.pattern", "word", "`permutation`, `incast`, `all_to_all`",
     "required",
     "`permutation`: every rank sends to one random other, each receives once; `incast`: the "
     "`senders` ranks after `receiver` send to it; `all_to_all`: every rank to every other"},
    {"workload.flows", "workload.flows.size_bytes", "size", "1 B … 1 PiB", "required",
     "bytes per flow"},
    {"workload.flows", "workload.flows.start", "duration", "0 … 1 h", "`0ns`",
     "when the flows start"},
    {"workload.flows", "workload.flows.seed", "integer", "0 … 2^64−1", "`1`",
     "`permutation`: the draw"},
    {"workload.flows", "workload.flows.rack_size", "integer", "1 … the job's ranks", "none",
     "`permutation`: keeps every flow out of its sender's group of this many consecutive ranks"},
    {"workload.flows", "workload.flows.receiver", "integer", "a rank of the job", "`0`",
     "`incast`: the receiving rank"},
    {"workload.flows", "workload.flows.senders", "integer", "1 … the job's ranks − 1",
     "none: `incast` needs it", "`incast`: how many ranks send"},
    {"workload.flows", "workload.connection_matrix.path", "path", "a `.cm` file", "required",
     "relative to the scenario file"},
    {"workload.flows", "workload.connection_matrix.start_unit", "word", "`us`, `ns`, `ps`", "`us`",
     "the unit of the file's start times"},
    {"workload.flows", "workload.connection_matrix.size_bytes", "size", "1 B … 1 PiB", "none",
     "the size of its `size 0` connections"},

    // ---- output
    {"output", "output.dir", "text", "a path", "`out/<name>`",
     "relative to the current directory; `--out` overrides it"},
    {"output", "output.flows", "bool", "`true`/`True`/`TRUE`, `false`/`False`/`FALSE`", "`true`",
     "`false` skips `flows.csv` (one row per flow: large on big runs)"},
    {"output", "output.trace", "bool", "as `flows`", "`false`",
     "`true` writes [`trace.json`](output-files.md#time-resolved-outputs) (for small runs: at "
     "most 1,000,000 events, else the run stops with exit status 1 and says so)"},
    {"output", "output.ops", "bool", "as `flows`", "`false`",
     "jobs with a [program](workload-graph.md): `true` writes `ops.csv`, every op of every rank"},
    {"output", "output.timeseries", "map", "`{interval, links}`", "none (no time series)",
     "writes [`timeseries.csv`](output-files.md#time-resolved-outputs)"},
    {"output", "output.timeseries.interval", "duration", "1 ns … 1 s", "required in `timeseries`",
     "each selected link's load per interval (at [packet level](packet-level.md) also its "
     "largest queue, drops, ECN marks and pauses)"},
    {"output", "output.timeseries.links", "word or list",
     "`all`, `host`, `uplinks`, `downlinks`, `fabric`, `[LINK, ...]`", "`all`",
     "`host`: `host_up` and `host_down` links (the NICs); `uplinks`: `leaf_up` (leaf→spine; on "
     "three tiers also `agg_up`); `downlinks`: `spine_down` (spine→leaf; on three tiers "
     "`agg_down` and `core_down`); `fabric`: both; a list: links named as in `links.csv`, e.g. "
     "`[leaf0>spine1, h3>leaf0]` (`#k` lane suffix when `parallel_links > 1`), each at most once"},

    // ---- faults (items of the list; the columns of a faults_file)
    {"faults", "faults[].at", "duration", "≥ 0", "required", "simulated time of the change"},
    {"faults", "faults[].link", "text", "a directed link named as in `links.csv`",
     "none: one of `link`, `host`, `switch`, `plane`",
     "e.g. `leaf0>spine1`, `h3>leaf0`, `h3.p1>leaf1` with dual-port NICs (`#k` lane suffix when "
     "`parallel_links > 1`); a cable is two links, fail both directions to cut it"},
    {"faults", "faults[].host", "text", "`h0` … `hN-1`",
     "none: one of `link`, `host`, `switch`, `plane`",
     "the GPU behind NIC N (hosts are named as in `links.csv`); the fault hits the rank of "
     "whichever job runs there"},
    {"faults", "faults[].switch", "text", "`leaf0` … , `spine0` …",
     "none: one of `link`, `host`, `switch`, `plane`",
     "every link to and from the switch, both ways, at once"},
    {"faults", "faults[].plane", "integer", "0 … planes − 1",
     "none: one of `link`, `host`, `switch`, `plane`",
     "a [multi-plane fabric](scenario-reference.md#multi-plane-fabrics)'s plane: every link to "
     "and from each of its switches (its leaves and the NIC ports on them, its spines, aggs and "
     "cores); `faults.csv` names it `plane1`; state `down` or `up`"},
    {"faults", "faults[].state", "word",
     "links: `down`, `degraded`, `up`, `flapping`; hosts: `slow`, `hung`, `nic_down`, "
     "`nic_port_down`; switches and planes: `down`, `up`",
     "required",
     "`nic_down` takes both directions of the host's link (every port's) down (bring it back "
     "with `up` on each); `nic_port_down` (`nic_ports: 2` only) takes both directions of one "
     "port's link down"},
    {"faults", "faults[].port", "integer", "0, 1",
     "none: `nic_port_down` needs it, others refuse it", "which port of the host's NIC"},
    {"faults", "faults[].rate", "rate", "> 0",
     "none: `degraded` needs `rate`, `loss` or both; others refuse it", "the rate the link keeps"},
    {"faults", "faults[].loss", "fraction", "0 … below 1", "none",
     "`degraded`: packet loss, turned into rate loss at flow level: the link carries (1 − loss) "
     "of `rate` (or of its own rate), since every lost packet is sent again; go-back-N's extra "
     "cost is the packet level's to show"},
    {"faults", "faults[].factor", "number", "1 … 1000", "none: `slow` needs it, others refuse it",
     "the host's compute takes `factor` times as long from `at` on"},
    {"faults", "faults[].period", "duration", "≥ 2ps",
     "none: `flapping` needs it, others refuse it",
     "one down-then-up cycle: down for its first half, up for the second"},
    {"faults", "faults[].until", "duration", "after `at`",
     "none: `flapping` needs it, others refuse it", "the flapping stops here, with the link up"},

    // ---- random_fault
    {"random_fault", "random_fault.kind", "word",
     "`straggler`, `hang`, `nic_degraded`, `uplink_degraded`, `uplink_down`, `nic_down`, "
     "`nic_port_down`",
     "required",
     "a GPU slow by `factor`; a GPU hung; its NIC link (`hN>leafL`; port 0's with dual-port NICs) "
     "or an uplink of its leaf (`leafL>spineS`; port 0's leaf) keeping `rate_fraction` of its "
     "rate; an uplink of its leaf down; its NIC dead; one of its NIC's two ports dead "
     "(`nic_ports: 2` only; the port drawn uniformly)"},
    {"random_fault", "random_fault.from", "duration", "before `to`", "required",
     "the earliest time it may land"},
    {"random_fault", "random_fault.to", "duration", "after `from`", "required",
     "the latest time it may land"},
    {"random_fault", "random_fault.factor", "number", "1 … 1000", "`1.5`", "`straggler`"},
    {"random_fault", "random_fault.rate_fraction", "fraction", "above 0, below 1", "`25%`",
     "`nic_degraded`, `uplink_degraded`"},

    // ---- detector
    {"detector", "detector.kind", "word", "`c4`, `manual`", "`c4`",
     "`manual`: people watching the job (below); needs a [`recovery`](#recovery) section"},
    {"detector", "detector.watchdog", "duration", "≥ 1us", "`30min`",
     "`manual` (and behind `c4` in recovery runs): no collective completed for this long is a "
     "hang"},
    {"detector", "detector.diagnosis_delay", "duration", "≥ 0", "`4h`",
     "`manual`: from noticing to knowing which part is at fault"},
    {"detector", "detector.hang_timeout", "duration", "1us … 24 h", "`1s`",
     "how long the others wait at a collective for a rank that has not called it before it is a "
     "hang; checked at that exact deadline"},
    {"detector", "detector.slow_factor", "number", "> 1, ≤ 1000", "`1.5`",
     "how much worse than normal counts as slow"},
    {"detector", "detector.window", "integer", "1 … 1000", "`3`",
     "iterations (compute) or collectives (connections) in a row that must be slow before an "
     "alarm"},

    // ---- recovery and fault_process
    {"recovery", "recovery.checkpoint_interval", "duration", "> 0", "`30min`",
     "a checkpoint is saved at the end of the first iteration this long after the last one (or "
     "the attempt's start); saving is free"},
    {"recovery", "recovery.restart", "duration", "≥ 0", "`10min`",
     "from a stop to the next attempt's first iteration (plus any wait for a spare server)"},
    {"recovery", "recovery.repair", "duration", "≥ 0", "`24h`",
     "an isolated server is back in the spare pool, and a `fault_process` uplink fault repaired, "
     "after this"},
    {"recovery", "recovery.fast_forward", "bool", "", "`true`",
     "skip iterations that repeat exactly (below); needs `compute_jitter: 0`"},
    {"recovery", "fault_process[].kind", "word", "as [`random_fault.kind`](#random-fault)",
     "required", "what fails"},
    {"recovery", "fault_process[].mtbf_hours", "number", "0.001 … 10⁹", "required",
     "mean hours between failures of one element: GPUs (`straggler`, `hang`), NICs (`nic_*`), "
     "uplinks of the leaves the job started on (`uplink_*`)"},
    {"recovery", "fault_process[].factor", "number", "1 … 1000", "`1.5`", "as for `random_fault`"},
    {"recovery", "fault_process[].rate_fraction", "fraction", "above 0, below 1", "`25%`",
     "as for `random_fault`"},

    // ---- pccl
    {"pccl", "pccl.max_peers", "integer", "2 … 4096", "`10`",
     "the churn process keeps at most this many processes"},
    {"pccl", "pccl.peers", "integer", "1 … `max_peers`", "required", "peers started at time 0"},
    {"pccl", "pccl.floats", "integer", "1 … 1,000,000", "`256`", "real elements each peer reduces"},
    {"pccl", "pccl.size_bytes", "size", "1 B … 1 PiB", "`64MiB`",
     "what one all-reduce moves per peer on the network"},
    {"pccl", "pccl.connections_per_neighbour", "integer", "1 … 256", "`1`",
     "pooled connections per ring neighbour"},
    {"pccl", "pccl.window_bytes", "size", "0 … 1 TiB", "`0` (no cap)",
     "TCP window of each pooled connection"},
    {"pccl", "pccl.ring_order", "word", "`id`, `optimised`", "`id`",
     "`optimised`: the ring from measured bandwidths"},
    {"pccl", "pccl.step_compute", "duration", "0 … 1000 h", "`1s`", "compute of one (inner) step"},
    {"pccl", "pccl.inner_steps", "integer", "1 … 100,000", "`1`",
     "DiLoCo's H, steps between all-reduces"},
    {"pccl", "pccl.async", "bool", "", "`false`", "async DiLoCo (one step late)"},
    {"pccl", "pccl.quantisation", "word", "`none`, `fp16`, `int8`", "`none`",
     "a scale per ring part"},
    {"pccl", "pccl.concurrent_collectives", "integer", "1 … 256", "`1`", "all-reduces per step"},
    {"pccl", "pccl.retry_backoff", "duration", "> 0, ≤ 1000 h", "`1s`",
     "wait when fewer than two peers are accepted"},
    {"pccl", "pccl.duration", "duration", "> 0, ≤ 1000 h", "required", "simulated time"},
    {"pccl", "pccl.keepalive_interval", "duration", "> 0, ≤ 1000 h", "`5s`",
     "how often peers tell the master they live"},
    {"pccl", "pccl.keepalive_timeout", "duration", "≥ `keepalive_interval`", "`30s`",
     "silence after which the master drops a peer"},
    {"pccl", "pccl.control_latency", "duration", "0 … 10 s", "`100us`",
     "master ↔ peer messages and connection closes, one way"},
    {"pccl", "pccl.liveness_bound", "duration", "> 0, ≤ 1000 h", "from the timeouts and the ring",
     "the liveness invariant's bound"},
    {"pccl", "pccl.churn", "map", "see below", "none", "a churn process"},
    {"pccl", "pccl.churn.interval", "map", "`{min, max}`", "none",
     "every uniform(min, max) one event (PCCL's stress test)"},
    {"pccl", "pccl.churn.interval.min", "duration", "0 … 1000 h", "required", ""},
    {"pccl", "pccl.churn.interval.max", "duration", "≥ `min`, > 0", "required", ""},
    {"pccl", "pccl.churn.kill_probability", "fraction", "0 … 1", "`0.4`",
     "an event is a hit with this probability, otherwise a join"},
    {"pccl", "pccl.churn.kinds", "map", "`{death, stall, leave}`", "death only",
     "the weights of a hit's kinds"},
    {"pccl", "pccl.churn.kinds.death", "fraction", "0 … 1", "`0`",
     "connections close at once (without `kinds` every hit is a death)"},
    {"pccl", "pccl.churn.kinds.stall", "fraction", "0 … 1", "`0`", "only the keepalive finds it"},
    {"pccl", "pccl.churn.kinds.leave", "fraction", "0 … 1", "`0`",
     "a graceful leave at the peer's next step boundary"},
    {"pccl", "pccl.churn.joins_per_hour", "number", "0 … 10⁹", "`0`",
     "joins for the group, a Poisson process"},
    {"pccl", "pccl.churn.deaths_per_peer_hour", "number", "0 … 10⁹", "`0`",
     "deaths per live peer, a Poisson process"},
    {"pccl", "pccl.churn.stalls_per_peer_hour", "number", "0 … 10⁹", "`0`",
     "stalls per live peer, a Poisson process"},
    {"pccl", "pccl.churn.leaves_per_peer_hour", "number", "0 … 10⁹", "`0`",
     "leaves per live peer, a Poisson process"},
    {"pccl", "pccl.events", "list", "in time order", "none", "fixed membership events"},
    {"pccl", "pccl.events[].at", "duration", "0 … 1000 h", "required", "when"},
    {"pccl", "pccl.events[].kind", "word", "`join`, `leave`, `death`, `stall`", "required",
     "what happens"},
    {"pccl", "pccl.events[].peer", "integer", "0 … 1,000,000",
     "none: `leave`, `death` and `stall` need it, `join` refuses it",
     "the peer it hits; peer ids count spawns from 0"},
};

}  // namespace

std::span<const KeyDoc> scenario_keys() {
  return kKeys;
}

}  // namespace spinel::scenario
