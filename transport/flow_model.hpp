#pragma once
// Flow-level transport: every transfer is a fluid flow over fixed links, and
// each direction of each link is shared max-min fairly among the flows that
// cross it (progressive filling, with per-link weights so that a sprayed flow
// loads each of its k paths with 1/k of its rate).
//
// Rates are recomputed once per instant, at its end, and only for the
// connected component (flows x links) that the instant's starts and
// completions touched: max-min allocations of disjoint components are
// independent, so this is exact, not an approximation.
//
// A flow's bytes leave the source at its rate; its links are released when
// the last byte is sent; the owner is told it was delivered one path latency
// later (the propagation delay of the last byte).
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/deadline_heap.hpp"
#include "sim/recorder.hpp"
#include "sim/rng.hpp"
#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/config.hpp"
#include "transport/flow_observer.hpp"
#include "transport/planner.hpp"
#include "transport/rate_cache.hpp"

namespace spinel::transport {

using FlowId = std::uint32_t;
using ConnectionId = std::uint32_t;

// A connection (an RDMA queue pair, a TCP connection): two endpoints and the
// 5-tuple entropy that ECMP hashes. Its route is resolved once, when it is
// opened; every flow on it follows that route. Collectives reuse one
// connection per peer pair for their whole life, as NCCL does.
struct ConnectionSpec {
  topology::HostId src = 0;
  topology::HostId dst = 0;
  std::uint16_t src_port = 0;     // varies per connection: the entropy ECMP sees
  std::uint16_t dst_port = 4791;  // RoCEv2
  // Bytes the owner expects to send per step on this connection: planning
  // policies (split, planned) weigh connections by it. 0 = unknown.
  std::uint64_t planned_bytes = 0;
  // Most the connection's flows may carry together, in Gb/s (a TCP window
  // over the round trip); 0 = no cap. Modelled as a private virtual link of
  // this capacity at the end of each of its subflows' routes, so max-min
  // sharing honours it exactly. Connections within one host are not capped.
  double max_rate_gbps = 0;
};

struct FlowSpec {
  ConnectionId connection = 0;
  std::uint64_t size_bytes = 0;
  // Who hears about delivery: an event to this handler with this tag/payload.
  sim::HandlerId notify = 0;
  std::uint32_t notify_tag = 0;
  std::uint64_t notify_payload = 0;
  // Labels written to flows.csv only (which collective and step it belongs to;
  // a point-to-point send's tag: a flow list's flow id).
  std::uint32_t collective = 0;
  std::uint32_t step = 0;
  std::uint32_t tag = 0;
};

// One step's worth of bytes on one connection, for congestion queries.
struct Load {
  ConnectionId connection = 0;
  std::uint64_t bytes = 0;
};

// One link of a route and the share of the flow's rate it carries (below 1
// where spraying spreads the flow over several paths).
struct Hop {
  topology::LinkId link;
  double weight;
};

// How a connection's flows cross the fabric: one subflow per queue pair, each
// with its share of every flow's bytes and its own route. A flow of B bytes
// on k subflows sends B / k (rounded down) on each, the remainder on the last.
struct Subflow {
  double share = 1.0;
  std::vector<Hop> hops;  // from source to destination; trunk links past link_count()
  sim::Time latency_ps = 0;
};

struct LinkStats {
  double bytes = 0;       // bytes carried by completed flows
  sim::Time busy_ps = 0;  // time with at least one active flow (a non-zero load)
  double peak_utilisation = 0;
};

// `started` and `completed` count the model's flows: one per subflow of each
// flow a workload starts (so one per row of flows.csv); `transfers_*` count
// the workload's flows. They are equal for single-path policies.
struct FlowTotals {
  std::uint64_t started = 0;
  std::uint64_t completed = 0;
  std::uint64_t transfers_started = 0;
  std::uint64_t transfers_completed = 0;  // all subflows delivered, owner notified
  std::uint64_t bytes_sent = 0;           // handed to the transport
  std::uint64_t bytes_delivered = 0;      // of completed (sub)flows
  // Of flows cancelled before their last byte left (cancel_flows): neither
  // delivered nor notified. bytes_sent = bytes_delivered + bytes_cancelled
  // once every other flow has completed.
  std::uint64_t bytes_cancelled = 0;
  std::uint64_t cancelled = 0;  // (sub)flows cancelled
  // Largest |integral of rate - size| in bytes over completed flows: how well
  // the fluid model conserved bytes. Completion times round up to whole
  // picoseconds, so a flow may overshoot by up to its rate times 1 ps (a
  // fraction of a byte); anything larger is a bug.
  double max_byte_error = 0;
  std::uint64_t rate_recomputations = 0;
  std::uint64_t flows_rerated = 0;  // flow-rate assignments over all recomputations
  // split: connection groups planned, and those that missed the premises of
  // minimal splitting (see FlowModel::split_premises_met).
  std::uint64_t split_groups = 0;
  std::uint64_t split_groups_failed = 0;
};

// No path between two hosts survives the links that are down.
class NoPathError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FlowModel final : public sim::EventHandler, public sim::InstantHook {
 public:
  FlowModel(sim::Simulator& sim, const topology::Topology& topology, topology::Routing& routing,
            const TransportConfig& config, std::uint64_t seed, sim::Recorder& recorder,
            bool record_flows);
  ~FlowModel() override;
  FlowModel(const FlowModel&) = delete;
  FlowModel& operator=(const FlowModel&) = delete;

  // Opens a connection and resolves its route by the path policy.
  ConnectionId connect(const ConnectionSpec& spec);
  // Opens connections used together; see Transport::connect_group.
  std::vector<ConnectionId> connect_group(std::span<const ConnectionSpec> specs);
  // Starts a flow now. Its rate is set at the end of the current instant.
  FlowId start_flow(const FlowSpec& spec);

  // Stops every active flow on these connections now (an endpoint died):
  // their links are released at once, their owners never hear of them, and
  // their whole size counts as cancelled, not delivered (links.csv keeps only
  // completed flows' bytes). Flows that cross no link complete at once and
  // are left alone. Returns the number of (sub)flows cancelled.
  std::uint64_t cancel_flows(std::span<const ConnectionId> connections);

  void handle(const sim::Event& event) override;
  void end_of_instant() override;

  // See Transport::max_congestion_ps and Transport::queue_pairs.
  [[nodiscard]] sim::Time max_congestion_ps(std::span<const Load> loads) const;
  [[nodiscard]] std::uint32_t queue_pairs(ConnectionId connection) const;
  // A connection's subflows and their routes (for exporting to other simulators).
  [[nodiscard]] std::vector<Subflow> connection_route(ConnectionId connection) const;
  // split: whether every connection group so far met the premises of the
  // minimal-splitting construction (flow_model.cpp: equal planned bytes,
  // every leaf with cross-leaf traffic of a path class sending and receiving
  // the same number of connections of that class, no link down). Groups that
  // did not were planned by the fallback (per-leaf splitting, then the
  // planner over subflows).
  [[nodiscard]] bool split_premises_met() const { return totals_.split_groups_failed == 0; }
  [[nodiscard]] std::uint64_t split_groups_failed() const { return totals_.split_groups_failed; }
  [[nodiscard]] std::uint64_t groups() const { return groups_.size(); }

  // Changes a physical link's rate, now (both are per direction: one directed
  // link). 0 takes it down: flows crossing it move, with their remaining
  // bytes, to paths the policy picks among those without a down link (ecmp
  // and mprdma rehash, spray spreads over the survivors, split and planned
  // re-plan the affected subflows around the rest of their group); later
  // connections avoid it too. Otherwise the link carries `gbps` (degraded, or
  // back up: flows stay where they are; stalled ones resume). A subflow with
  // no path left stays on the down link and stalls at rate 0 until the link
  // is back (a connection through a lost NIC link hangs). With a routing
  // convergence time (TransportConfig::convergence_ps) flows stall on the
  // down link for that long before they move. Spray trunks cannot express unequal
  // members: turn them off (set_spray_trunks(false)) before connecting when links may change.
  void set_link_rate(topology::LinkId link, double gbps);
  // The same for several links at once (a switch, a NIC): all change before
  // any flow moves.
  void set_link_rates(std::span<const topology::LinkId> links, double gbps);
  [[nodiscard]] bool link_down(topology::LinkId link) const { return down_[link] != 0; }
  [[nodiscard]] std::uint32_t links_down() const { return links_down_; }
  // Capacity of a physical link or a spray trunk, in bytes per picosecond.
  [[nodiscard]] double capacity_bytes_per_ps(topology::LinkId l) const {
    return links_[l].capacity;
  }
  // The members of a spray trunk (a link id past topology.link_count()).
  [[nodiscard]] const std::vector<topology::LinkId>& trunk_members(topology::LinkId trunk) const {
    return trunk_members_[virtual_trunk_[trunk - topology_.link_count()]];
  }

  // Propagation delay one way from src to dst: the largest over the
  // equal-cost paths (0 within a host). Twice it is the round trip that caps
  // a windowed connection (ConnectionSpec::max_rate_gbps).
  [[nodiscard]] sim::Time path_latency_ps(topology::HostId src, topology::HostId dst) const;
  // The slowest link's present rate over the equal-cost paths between two
  // hosts: what a bandwidth probe would find between them on an idle fabric.
  [[nodiscard]] double path_rate_gbps(topology::HostId src, topology::HostId dst) const;

  // Writes links.csv.
  void finish();

  [[nodiscard]] const FlowTotals& totals() const { return totals_; }
  [[nodiscard]] std::size_t active_flows() const { return active_; }
  [[nodiscard]] LinkStats link_stats(topology::LinkId l) const;
  // The current max-min rate of an active flow, in Gb/s (for tests).
  [[nodiscard]] double rate_gbps(FlowId f) const;
  // Spraying on a folded Clos groups each tier's links that a flow spreads
  // over (a leaf's uplinks, a pod's agg-to-core links, ...) into one trunk:
  // exact, and far faster. Off = weight every
  // link separately (the reference the trunks are tested against). Call
  // before the first connect().
  void set_spray_trunks(bool on) {
    spray_trunks_ = on && config_.policy == PathPolicy::spray && topology_.nic_ports() == 1;
  }
  // Which of `path_count` equal-cost paths ECMP gives this 5-tuple (and
  // subflow: mprdma hashes each queue pair; subflow 0 hashes as ECMP does)
  // where one hash picks the path (two tiers).
  [[nodiscard]] std::uint32_t ecmp_path_index(const ConnectionSpec& spec, std::uint32_t path_count,
                                              std::uint32_t subflow = 0) const;
  // The flow's 5-tuple (and subflow) hash, before any switch's salt.
  [[nodiscard]] std::uint64_t ecmp_hash(const ConnectionSpec& spec, std::uint32_t subflow) const;
  // The links an active flow crosses, from source to destination.
  [[nodiscard]] std::vector<topology::LinkId> flow_links(FlowId f) const;
  // Tells `observer` (or nobody, with nullptr) of link load changes and
  // completed flows from now on. Not owned. Call before the first flow.
  void set_observer(FlowObserver* observer) { observer_ = observer; }
  // Reuse of earlier max-min allocations (RateCache): on by default; off
  // recomputes every component (the reference the cache is tested against).
  void set_rate_cache(bool on) { rate_cache_on_ = on; }
  [[nodiscard]] const RateCache& rate_cache() const { return rate_cache_; }

 private:
  // One subflow (queue pair) of a connection: its route and delivery lane.
  struct Route {
    std::uint32_t first_hop = 0;  // into hops_
    std::uint32_t hop_count = 0;
    std::uint32_t path = 0;    // the path's index; spray: how many paths it spreads over
    sim::Time latency_ps = 0;  // propagation delay of the last byte
    sim::LaneId lane = 0;      // deliveries at now + latency_ps arrive in order: a FIFO lane
    // Bytes of its completed flows: links.csv's bytes are summed from these at
    // the end, so completing a flow need not touch per-link counters.
    std::uint64_t bytes_completed = 0;
    // The connection's rate cap (a virtual link, appended to the hops), or kNoLink.
    topology::LinkId cap = topology::kNoLink;
  };
  struct Connection {
    ConnectionSpec spec;
    std::uint32_t first_route = 0;  // into routes_
    std::uint32_t routes = 1;       // subflows
    std::uint32_t group = 0;        // into groups_
  };
  // A workload's flow split over several subflows: the owner hears of it
  // once, when the last part is delivered.
  struct Transfer {
    sim::Time delivered_at = 0;  // latest delivery among the parts so far
    std::uint64_t notify_payload = 0;
    sim::HandlerId notify = 0;
    std::uint32_t notify_tag = 0;
    std::uint32_t parts_left = 0;
  };
  static constexpr std::uint32_t kNoTransfer = ~std::uint32_t{0};
  // Two cache lines: what rating and completing a flow touch.
  struct alignas(64) Flow {
    double remaining = 0;  // bytes not yet sent
    double rate = 0;       // bytes per ps
    double sent = 0;       // integral of the rate, for the conservation check
    sim::Time last = 0;    // when remaining/sent were last brought up to date
    sim::Time start = 0;
    std::uint64_t serial = 0;  // start order, the flow_id in flows.csv
    // Per hop, this flow's position in that link's flow list; hops past the
    // fourth (per-link spraying only) keep theirs in more_slots_.
    std::uint32_t slots[4] = {0, 0, 0, 0};
    bool active = false;
    FlowSpec spec;                         // size_bytes: this subflow's part
    std::uint32_t route = 0;               // into routes_
    std::uint32_t transfer = kNoTransfer;  // into transfers_ when split over subflows
  };
  static_assert(sizeof(Flow) == 128);
  // What finding and filling a component read of a flow, apart from Flow:
  // on an all-to-all every recomputation visits every flow, and a dense
  // 32-byte record instead of the 128-byte Flow and its 16-byte Hops keeps
  // that working set in cache. A route of at most four unit-weight hops (every
  // single path on a leaf-spine) keeps its links inline.
  struct alignas(32) FlowPath {
    std::uint32_t first_hop = 0;
    std::uint32_t route = 0;        // into routes_
    std::uint16_t hop_count = 0;    // 0 when nothing crosses the fabric
    std::uint8_t inline_links = 0;  // links[] hold the hops, each of weight 1
    std::uint8_t unit = 0;          // every hop weighs 1 (the rate cache's premise)
    std::uint8_t too_long = 0;      // routes only: more hops than hop_count can hold
    topology::LinkId links[4] = {};
  };
  static_assert(sizeof(FlowPath) == 32);
  // Calls fn(link, weight) for each hop of active flow f, source to destination.
  template <class Fn>
  void each_hop(FlowId f, Fn&& fn) const {
    const FlowPath& p = paths_[f];
    if (p.inline_links != 0) {
      for (std::uint32_t k = 0; k < p.hop_count; ++k) fn(p.links[k], 1.0);
    } else {
      const Hop* hop = hops_.data() + p.first_hop;
      for (std::uint32_t k = 0; k < p.hop_count; ++k) fn(hop[k].link, hop[k].weight);
    }
  }
  // The link of active flow f's k-th hop.
  [[nodiscard]] topology::LinkId hop_link(FlowId f, std::uint32_t k) const {
    const FlowPath& p = paths_[f];
    return p.inline_links != 0 ? p.links[k] : hops_[p.first_hop + k].link;
  }
  // Points f's path at route r's hops (none when the flow carries no bytes).
  void set_flow_path(FlowId f, std::uint32_t r, bool carries_bytes);
  // Builds route r's FlowPath from its hops, once per routing, so that a
  // starting flow copies one record instead of reading the route's hops.
  void set_route_path(std::uint32_t r);
  // Everything starting and completing a flow touches of a link, in one
  // cache line: on big fabrics these lines miss the cache, so fewer is faster.
  // The first few flows crossing the link sit inline; more spill to a list.
  static constexpr std::uint32_t kInlineFlows = 4;
  static constexpr std::uint32_t kNoSpill = ~std::uint32_t{0};
  struct alignas(64) LinkState {
    double capacity = 0;  // bytes per ps
    double peak_utilisation = 0;
    sim::Time busy_ps = 0;           // closed busy periods
    sim::Time busy_since = 0;        // start of the open busy period, while count > 0
    std::uint32_t count = 0;         // active flows crossing this link
    std::uint32_t visit = 0;         // BFS stamp (also: already in changed_)
    std::uint32_t local = 0;         // index in comp_links_ and fill_ while stamped
    std::uint32_t spill = kNoSpill;  // into spills_, once more than kInlineFlows crossed it
    FlowId inline_flows[kInlineFlows] = {};
  };
  static_assert(sizeof(LinkState) == 64);
  // Scratch for progressive filling of one component, by LinkState::local.
  struct FillState {
    double remaining = 0;
    double weight = 0;
    std::uint32_t unfrozen = 0;
  };

  [[nodiscard]] FlowId* link_flows(LinkState& link) {
    return link.spill == kNoSpill ? link.inline_flows : spills_[link.spill].data();
  }
  [[nodiscard]] const FlowId* link_flows(const LinkState& link) const {
    return link.spill == kNoSpill ? link.inline_flows : spills_[link.spill].data();
  }
  std::uint32_t& slot(FlowId f, std::uint32_t hop) {
    return hop < 4 ? flows_[f].slots[hop] : more_slots_[f][hop - 4];
  }
  // Appends f to the link's list and returns its position.
  std::uint32_t add_to_link(LinkState& link, FlowId f);
  // Removes the flow at `position`; the last one moves into it. Returns the
  // flow that moved, or kNoFlow.
  FlowId remove_from_link(LinkState& link, std::uint32_t position);
  static constexpr FlowId kNoFlow = ~FlowId{0};

  void mark_changed(topology::LinkId l);
  FlowId start_part(const FlowSpec& spec, std::uint32_t route, std::uint64_t serial,
                    std::uint32_t transfer);
  // Opens one connection record with `routes` subflows (routes filled later).
  ConnectionId open(const ConnectionSpec& spec, std::uint32_t routes, std::uint32_t group);
  // Sets route r to path `path` of `paths` (one path, weight 1), or to
  // spraying over the surviving paths.
  void set_single_path(std::uint32_t r, const topology::HostPaths& paths, std::uint32_t path);
  void set_spray_path(std::uint32_t r, const ConnectionSpec& spec,
                      const topology::HostPaths& paths);
  void set_lane(Route& route);
  void set_local_path(std::uint32_t r);  // src == dst: nothing crosses the fabric
  PathPlanner& planner();
  // ECMP's choice among the paths without a down link; NoPathError if none.
  std::uint32_t hashed_path(const ConnectionSpec& spec, const topology::HostPaths& paths,
                            std::uint32_t subflow);
  [[nodiscard]] bool path_up(const topology::HostPaths& paths, std::uint32_t i) const;
  [[noreturn]] void fail_no_path(const ConnectionSpec& spec) const;
  void connect_split(std::span<const ConnectionSpec> specs, std::vector<ConnectionId>& ids);
  void connect_planned(std::span<const ConnectionSpec> specs, std::vector<ConnectionId>& ids);
  [[nodiscard]] double planned_weight(const ConnectionSpec& spec) const {
    return spec.planned_bytes == 0 ? 1.0 : static_cast<double>(spec.planned_bytes);
  }
  // Re-routes every subflow crossing `link` (down) and moves its active flows.
  void route_around(topology::LinkId link);
  // Takes a down link's capacity away: what still crosses it stalls.
  void black_hole(topology::LinkId link);
  void move_flows(const std::vector<std::uint8_t>& is_affected);
  // Takes the flow off every link it crosses (marking those still carrying
  // flows as changed).
  void detach(FlowId f);
  void add_weighted_hops(const topology::HostPaths& paths);
  bool add_trunk_hops(const topology::HostPaths& paths);
  // The trunk of each tier of these switch paths, in order; false if some
  // tier's links cannot form one.
  bool find_trunks(const topology::SwitchPaths& middle, std::vector<topology::LinkId>& trunks);
  topology::LinkId trunk_for(std::vector<topology::LinkId> members);
  [[nodiscard]] topology::LinkId trunk_link(std::uint32_t trunk) const {
    return trunk_links_[trunk];
  }
  // A connection's rate cap: a virtual link past link_count() that is no trunk.
  [[nodiscard]] bool is_cap(topology::LinkId l) const {
    return l >= topology_.link_count() && virtual_trunk_[l - topology_.link_count()] == kNoTrunk;
  }
  static constexpr std::uint32_t kNoTrunk = ~std::uint32_t{0};
  [[nodiscard]] const Hop* hops(FlowId f) const { return hops_.data() + paths_[f].first_hop; }
  [[nodiscard]] std::uint32_t hop_count(FlowId f) const { return paths_[f].hop_count; }
  // Bytes carried per link (physical and trunk) by completed flows.
  [[nodiscard]] std::vector<double> link_bytes() const;
  [[nodiscard]] LinkStats link_stats(topology::LinkId l, const std::vector<double>& bytes) const;
  void collect_component();
  static constexpr std::uint32_t kPrefetchAhead = 8;
  void fill_component();
  // The component's routes, sorted, for the rate cache (sets comp_key_).
  void sort_component_routes();
  // Rates and link utilisations of the component from the cache, if it has
  // them (`hash`: RateCache::route_hash summed over its flows).
  bool rates_from_cache(std::uint64_t hash);
  void store_in_cache(std::uint64_t hash);
  void rate_alone(FlowId f);
  void apply_rate(FlowId f, double rate);
  void record_peaks();
  void fill_by_scan();
  void fill_by_heap();
  void freeze(FlowId f, double share);
  static constexpr std::size_t kLinearFillLinks = 64;
  void complete(FlowId id);
  void arm_wake();
  // Event tags: a flow that crosses no link completes at once; a wake-up
  // completes every flow due at its time.
  static constexpr std::uint32_t kCompleteLocal = 0;
  static constexpr std::uint32_t kWake = 1;
  static constexpr std::uint32_t kConverge = 2;  // payload: the link that went down
  static constexpr sim::Time kNotDue = sim::kForever;
  void record_flow(FlowId f, sim::Time end);
  // Observer reports, called only when observer_ is set. A trunk's load is
  // reported as equal shares on its member links.
  void observe_load(topology::LinkId l, double bytes_per_ps);
  void observe_alone(FlowId f, double rate);
  void observe_component();
  void observe_completion(FlowId f, sim::Time end);

  sim::Simulator& sim_;
  const topology::Topology& topology_;
  topology::Routing& routing_;
  TransportConfig config_;
  sim::HandlerId self_;
  std::uint64_t ecmp_salt_;
  sim::Recorder& recorder_;
  sim::CsvTable* flows_csv_ = nullptr;
  FlowObserver* observer_ = nullptr;

  std::vector<Connection> connections_;
  // What starting a flow reads of its connection, 8 bytes apiece: on big
  // fabrics the whole Connection records miss the cache.
  struct ConnectionRoutes {
    std::uint32_t first_route;
    std::uint32_t routes;
  };
  std::vector<ConnectionRoutes> connection_routes_;
  std::vector<Route> routes_;
  std::vector<std::vector<ConnectionId>> groups_;
  std::vector<Transfer> transfers_;
  std::vector<std::uint32_t> free_transfers_;
  std::vector<std::uint8_t> down_;  // per physical link: rate 0
  std::uint32_t links_down_ = 0;
  std::uint32_t links_altered_ = 0;    // rate differs from the topology's (degraded or down)
  std::vector<double> rate_gbps_;      // per link (physical, then trunks): for exact congestion
  std::vector<double> plan_capacity_;  // per physical link, 0 when down: the planner's view
  std::unique_ptr<PathPlanner> planner_;
  // Bytes that links.csv owes links a re-routed subflow left (its completed
  // bytes so far, and what its active flows had sent there).
  std::vector<double> moved_bytes_;
  std::vector<std::pair<sim::Time, sim::LaneId>> lanes_;  // one per distinct latency
  std::vector<Hop> hops_;
  std::vector<FlowPath> route_paths_;  // per route: the path of its flows that carry bytes
  std::vector<Flow> flows_;
  std::vector<FlowPath> paths_;  // per flow, beside flows_
  // Per flow, the search's stamp: each flow is met once per hop, and only the
  // first meeting reads its path, so the stamps get an array (4 bytes a flow)
  // of their own.
  std::vector<std::uint32_t> visit_;
  std::vector<std::vector<std::uint32_t>> more_slots_;  // per flow, slots of hops past the fourth
  std::vector<FlowId> free_;
  // Physical links first, then virtual links: one per spray trunk and one
  // per rate-capped connection, in order of creation.
  std::vector<LinkState> links_;
  std::vector<FillState> fill_;
  std::size_t frozen_ = 0;  // flows of the component frozen so far
  std::vector<std::vector<FlowId>> spills_;
  std::vector<std::uint32_t> free_spills_;
  std::vector<std::uint32_t> trunk_of_;  // physical link -> trunk, or kNoTrunk
  std::vector<std::vector<topology::LinkId>> trunk_members_;
  std::vector<topology::LinkId> trunk_links_;  // trunk -> its virtual link
  std::vector<std::uint32_t>
      virtual_trunk_;  // virtual link - link_count() -> trunk, or kNoTrunk (a cap)
  std::unordered_map<const topology::SwitchPaths*, std::vector<topology::LinkId>> trunk_hops_;
  bool spray_trunks_ = false;
  bool trunks_used_ = false;
  bool weighted_used_ = false;
  std::size_t active_ = 0;
  std::uint64_t next_serial_ = 0;

  // Per-instant work lists (reused).
  std::vector<topology::LinkId> changed_;
  std::vector<topology::LinkId> comp_links_;
  std::vector<FlowId> comp_flows_;
  // (route << 32 | flow) of the component's flows, sorted, and the routes alone.
  std::vector<std::uint64_t> comp_key_;
  std::vector<std::uint32_t> comp_routes_;
  RateCache rate_cache_;
  bool rate_cache_on_ = true;
  std::vector<std::pair<double, topology::LinkId>> heap_;
  std::vector<double> new_rate_;
  // When each rated flow sends its last byte, and the one event that wakes
  // the model for the earliest of them.
  sim::DeadlineHeap due_;
  sim::Time wake_at_ = kNotDue;
  std::uint64_t wake_version_ = 0;
  std::uint32_t epoch_ = 1;  // stamp of the next recomputation's search
  FlowTotals totals_;
};

}  // namespace spinel::transport
