#include "transport/flow_model.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>

#include "sim/error.hpp"
#include "transport/ecmp.hpp"

namespace spinel::transport {

using topology::LinkId;

namespace {

// Whole picoseconds needed to send `bytes` at `rate` bytes/ps, rounded up.
sim::Time ceil_ps(double bytes, double rate) {
  if (bytes <= 0) return 0;
  const double q = bytes / rate;
  if (q >= 9.0e18) return sim::kForever / 4;
  auto t = static_cast<sim::Time>(q);
  if (static_cast<double>(t) < q) ++t;
  return t;
}

// The share of a link's capacity in use when `left` of it is free; a link
// down to no capacity (carrying only stalled subflows) is not in use.
double utilisation(double capacity, double left) {
  return capacity > 0 ? (capacity - left) / capacity : 0.0;
}

// Min-heap order on (share, link id): ties broken by id, so the filling order
// (and with it every floating-point sum) is the same on every run.
// A function object, not a function pointer, so the heap algorithms inline it.
struct HeapAfter {
  bool operator()(const std::pair<double, LinkId>& a, const std::pair<double, LinkId>& b) const {
    return a.first > b.first || (a.first == b.first && a.second > b.second);
  }
};
constexpr HeapAfter heap_after{};

}  // namespace

FlowModel::FlowModel(sim::Simulator& sim, const topology::Topology& topology,
                     topology::Routing& routing, const TransportConfig& config, std::uint64_t seed,
                     sim::Recorder& recorder, bool record_flows)
    : sim_(sim),
      topology_(topology),
      routing_(routing),
      config_(config),
      self_(sim.add_handler(*this)),
      ecmp_salt_(sim::Rng(seed, "ecmp").next()),
      recorder_(recorder) {
  if (config.policy == PathPolicy::mprdma && (config.mprdma_subflows < kMinMprdmaSubflows ||
                                              config.mprdma_subflows > kMaxMprdmaSubflows)) {
    throw sim::InternalError("mprdma needs 2 to 64 subflows");
  }
  if (config.policy == PathPolicy::planned &&
      (config.planned_subflows < 1 || config.planned_subflows > kMaxMprdmaSubflows)) {
    throw sim::InternalError("planned needs 1 to 64 subflows");
  }
  links_.resize(topology.link_count());
  trunk_of_.assign(topology.link_count(), kNoTrunk);
  down_.assign(topology.link_count(), 0);
  // Dual-port NICs make flows use some leaves' uplinks and not others, and a
  // graph from a file may split a link set differently per switch pair: no trunks.
  spray_trunks_ =
      config.policy == PathPolicy::spray && topology.nic_ports() == 1 && topology.regular_clos();
  for (LinkId l = 0; l < links_.size(); ++l) {
    links_[l].capacity = sim::gbps_to_bytes_per_ps(topology.link(l).rate_gbps);
    rate_gbps_.push_back(topology.link(l).rate_gbps);
    plan_capacity_.push_back(links_[l].capacity);
  }
  if (record_flows) {
    flows_csv_ =
        recorder_.table("flows.csv", {"flow_id", "subflow", "collective", "step", "tag", "src_host",
                                      "dst_host", "size_bytes", "path", "start_ps", "end_ps"});
  }
}

FlowModel::~FlowModel() = default;

void FlowModel::mark_changed(LinkId l) {
  LinkState& link = links_[l];
  // Stamped with the coming recomputation's epoch, so that breadth-first
  // search starts from changed_ as from links it has already reached.
  if (link.visit == epoch_) return;
  link.visit = epoch_;
  link.local = static_cast<std::uint32_t>(changed_.size());
  changed_.push_back(l);
}

bool FlowModel::path_up(const topology::HostPaths& paths, std::uint32_t i) const {
  if (links_down_ == 0) return true;
  if (!paths.whole() && (down_[paths.uplink] != 0 || down_[paths.downlink] != 0)) return false;
  for (LinkId l : paths.middle->path(i)) {
    if (down_[l] != 0) return false;
  }
  return true;
}

void FlowModel::fail_no_path(const ConnectionSpec& spec) const {
  std::string names;
  for (LinkId l = 0; l < down_.size(); ++l) {
    if (down_[l] == 0) continue;
    names += names.empty() ? "" : ", ";
    names += topology_.link_name(l);
  }
  throw NoPathError("no path from h" + std::to_string(spec.src) + " to h" +
                    std::to_string(spec.dst) + " survives the links that are down (" + names + ")");
}

std::uint32_t FlowModel::hashed_path(const ConnectionSpec& spec, const topology::HostPaths& paths,
                                     std::uint32_t subflow) {
  if (topology_.top_tier() > 2) {
    // Several tiers choose: each hashes in turn (ecmp.hpp).
    const std::uint64_t flow_hash = ecmp_hash(spec, subflow);
    const std::uint32_t path = per_hop_path(
        topology_, paths, [&](std::uint32_t i) { return path_up(paths, i); },
        [&](topology::NodeId node) {
          return switch_hash(flow_hash, node, config_.ecmp_salt, ecmp_salt_);
        });
    if (path == paths.count()) fail_no_path(spec);
    return path;
  }
  // One tier chooses (a leaf among its spines), or a dual-port NIC's port
  // pair and spine together: one hash over the paths.
  if (links_down_ == 0) return ecmp_path_index(spec, paths.count(), subflow);
  // Hashing over the survivors only, as switches do once a failed port
  // leaves their ECMP group.
  std::vector<std::uint32_t> survivors;
  for (std::uint32_t i = 0; i < paths.count(); ++i) {
    if (path_up(paths, i)) survivors.push_back(i);
  }
  if (survivors.empty()) fail_no_path(spec);
  return survivors[ecmp_path_index(spec, static_cast<std::uint32_t>(survivors.size()), subflow)];
}

void FlowModel::set_lane(Route& route) {
  auto lane = std::find_if(lanes_.begin(), lanes_.end(),
                           [&](const auto& entry) { return entry.first == route.latency_ps; });
  if (lane == lanes_.end()) {
    lane = lanes_.insert(lanes_.end(), {route.latency_ps, sim_.add_lane()});
  }
  route.lane = lane->second;
}

void FlowModel::set_single_path(std::uint32_t r, const topology::HostPaths& paths,
                                std::uint32_t path) {
  Route& route = routes_[r];
  route.first_hop = static_cast<std::uint32_t>(hops_.size());
  route.path = path;
  if (!paths.whole()) hops_.push_back(Hop{paths.uplink, 1.0});
  for (LinkId l : paths.middle->path(path)) hops_.push_back(Hop{l, 1.0});
  if (!paths.whole()) hops_.push_back(Hop{paths.downlink, 1.0});
  if (route.cap != topology::kNoLink) hops_.push_back(Hop{route.cap, 1.0});
  route.hop_count = static_cast<std::uint32_t>(hops_.size()) - route.first_hop;
  route.latency_ps = routing_.path_latency_ps(paths, path);
  set_lane(route);
  set_route_path(r);
}

void FlowModel::set_spray_path(std::uint32_t r, const ConnectionSpec& spec,
                               const topology::HostPaths& paths) {
  bool any = false;
  for (std::uint32_t i = 0; i < paths.count() && !any; ++i) any = path_up(paths, i);
  if (!any) fail_no_path(spec);
  Route& route = routes_[r];
  route.first_hop = static_cast<std::uint32_t>(hops_.size());
  if (!paths.whole()) hops_.push_back(Hop{paths.uplink, 1.0});
  if (links_down_ > 0 || !spray_trunks_ || !add_trunk_hops(paths)) add_weighted_hops(paths);
  if (!paths.whole()) hops_.push_back(Hop{paths.downlink, 1.0});
  if (route.cap != topology::kNoLink) hops_.push_back(Hop{route.cap, 1.0});
  route.hop_count = static_cast<std::uint32_t>(hops_.size()) - route.first_hop;
  route.latency_ps = 0;
  route.path = 0;
  for (std::uint32_t i = 0; i < paths.count(); ++i) {
    if (!path_up(paths, i)) continue;
    ++route.path;
    route.latency_ps = std::max(route.latency_ps, routing_.path_latency_ps(paths, i));
  }
  set_lane(route);
  set_route_path(r);
}

// Even spraying puts 1/count of the flow on each surviving path; a link on
// several paths carries the sum of their shares.
void FlowModel::add_weighted_hops(const topology::HostPaths& paths) {
  if (trunks_used_) throw sim::InternalError("spray: trunked and per-link routes mixed");
  weighted_used_ = true;
  std::uint32_t alive = 0;
  for (std::uint32_t i = 0; i < paths.count(); ++i) alive += path_up(paths, i) ? 1 : 0;
  const double share = 1.0 / alive;
  const std::size_t first = hops_.size();
  for (std::uint32_t i = 0; i < paths.count(); ++i) {
    if (!path_up(paths, i)) continue;
    for (LinkId l : paths.middle->path(i)) hops_.push_back(Hop{l, share});
  }
  std::sort(hops_.begin() + static_cast<std::ptrdiff_t>(first), hops_.end(),
            [](const Hop& x, const Hop& y) { return x.link < y.link; });
  std::size_t out = first;
  for (std::size_t i = first; i < hops_.size(); ++i) {
    if (out > first && hops_[out - 1].link == hops_[i].link) {
      hops_[out - 1].weight += hops_[i].weight;
    } else {
      hops_[out++] = hops_[i];
    }
  }
  hops_.resize(out);
}

// In a folded Clos every sprayed flow from leaf A spreads evenly over ALL of
// A's uplinks, on a clos3 over all of A's pod's agg-to-core links, and so on
// down into leaf B, and no flow uses only some of the links of such a set.
// Every link of the set then carries exactly the same load, so the set acts
// as one trunk of their summed capacity: the same max-min rates, with one
// hop per tier instead of one per link, and flows of different leaf pairs no
// longer coupled link by link. Returns false where the paths do not have that
// shape (then the caller spreads weights link by link).
bool FlowModel::add_trunk_hops(const topology::HostPaths& paths) {
  if (paths.whole()) return false;  // dual-port NICs: a flow uses some leaves' links only
  const topology::SwitchPaths& middle = *paths.middle;
  if (middle.length == 0) return true;  // same leaf: host links only
  // Every connection of a leaf pair finds the same trunks: look them up once.
  auto known = trunk_hops_.find(&middle);
  if (known == trunk_hops_.end()) {
    std::vector<LinkId> trunks;
    if (!find_trunks(middle, trunks)) return false;
    known = trunk_hops_.emplace(&middle, std::move(trunks)).first;
  }
  if (weighted_used_) throw sim::InternalError("spray: trunked and per-link routes mixed");
  trunks_used_ = true;
  for (const LinkId trunk : known->second) hops_.push_back(Hop{trunk, 1.0});
  return true;
}

bool FlowModel::find_trunks(const topology::SwitchPaths& middle, std::vector<LinkId>& trunks) {
  for (std::uint32_t depth = 0; depth < middle.length; ++depth) {
    std::vector<LinkId> members;
    for (std::uint32_t i = 0; i < middle.count; ++i) members.push_back(middle.path(i)[depth]);
    // Even spraying loads the members equally only if each is on as many paths.
    std::sort(members.begin(), members.end());
    const auto first_run = static_cast<std::size_t>(
        std::upper_bound(members.begin(), members.end(), members.front()) - members.begin());
    for (std::size_t i = 0; i < members.size(); i += first_run) {
      if (i + first_run > members.size() || members[i + first_run - 1] != members[i] ||
          (i + first_run < members.size() && members[i + first_run] == members[i])) {
        return false;
      }
    }
    const LinkId trunk = trunk_for(std::move(members));
    if (trunk == topology::kNoLink) return false;
    trunks.push_back(trunk);
  }
  return true;
}

// The trunk made of exactly these links (created on first use), or kNoLink if
// they differ in capacity or some of them already belong to another trunk.
LinkId FlowModel::trunk_for(std::vector<LinkId> members) {
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  const std::uint32_t existing = trunk_of_[members.front()];
  if (existing != kNoTrunk) {
    return trunk_members_[existing] == members ? trunk_link(existing) : topology::kNoLink;
  }
  double capacity = 0;
  double gbps = 0;
  for (LinkId l : members) {
    if (trunk_of_[l] != kNoTrunk || links_[l].capacity != links_[members.front()].capacity) {
      return topology::kNoLink;
    }
    capacity += links_[l].capacity;
    gbps += rate_gbps_[l];
  }
  const auto trunk = static_cast<std::uint32_t>(trunk_members_.size());
  for (LinkId l : members) trunk_of_[l] = trunk;
  trunk_members_.push_back(std::move(members));
  trunk_links_.push_back(static_cast<LinkId>(links_.size()));
  virtual_trunk_.push_back(trunk);
  links_.emplace_back().capacity = capacity;
  rate_gbps_.push_back(gbps);
  return trunk_link(trunk);
}

ConnectionId FlowModel::open(const ConnectionSpec& spec, std::uint32_t routes,
                             std::uint32_t group) {
  if (spec.src >= topology_.host_count() || spec.dst >= topology_.host_count()) {
    throw sim::InternalError("connection endpoint is not a host");
  }
  Connection c;
  c.spec = spec;
  c.first_route = static_cast<std::uint32_t>(routes_.size());
  c.routes = routes;
  c.group = group;
  routes_.resize(routes_.size() + routes);
  route_paths_.resize(routes_.size());
  if (spec.max_rate_gbps > 0 && spec.src != spec.dst) {
    // One virtual link for the whole connection: every subflow crosses it
    // with its whole rate, so together they never exceed the cap.
    const auto cap = static_cast<LinkId>(links_.size());
    virtual_trunk_.push_back(kNoTrunk);
    links_.emplace_back().capacity = sim::gbps_to_bytes_per_ps(spec.max_rate_gbps);
    rate_gbps_.push_back(spec.max_rate_gbps);
    for (std::uint32_t k = 0; k < routes; ++k) routes_[c.first_route + k].cap = cap;
  }
  connections_.push_back(c);
  connection_routes_.push_back(ConnectionRoutes{c.first_route, c.routes});
  const auto id = static_cast<ConnectionId>(connections_.size() - 1);
  groups_[group].push_back(id);
  return id;
}

ConnectionId FlowModel::connect(const ConnectionSpec& spec) {
  return connect_group(std::span<const ConnectionSpec>(&spec, 1)).front();
}

std::vector<ConnectionId> FlowModel::connect_group(std::span<const ConnectionSpec> specs) {
  std::vector<ConnectionId> ids;
  ids.reserve(specs.size());
  if (config_.policy == PathPolicy::split) {
    connect_split(specs, ids);
    return ids;
  }
  if (config_.policy == PathPolicy::planned) {
    connect_planned(specs, ids);
    return ids;
  }
  const auto group = static_cast<std::uint32_t>(groups_.size());
  groups_.emplace_back();
  for (const ConnectionSpec& spec : specs) {
    const bool local = spec.src == spec.dst;
    const std::uint32_t k =
        config_.policy == PathPolicy::mprdma && !local ? config_.mprdma_subflows : 1;
    const ConnectionId id = open(spec, k, group);
    ids.push_back(id);
    const std::uint32_t first = connections_[id].first_route;
    if (local) {
      set_local_path(first);
      continue;
    }
    const topology::HostPaths paths = routing_.paths(spec.src, spec.dst);
    if (config_.policy == PathPolicy::spray) {
      set_spray_path(first, spec, paths);
      continue;
    }
    for (std::uint32_t i = 0; i < k; ++i) {
      set_single_path(first + i, paths, hashed_path(spec, paths, i));
    }
  }
  return ids;
}

void FlowModel::set_local_path(std::uint32_t r) {
  Route& route = routes_[r];
  route.first_hop = static_cast<std::uint32_t>(hops_.size());
  route.hop_count = 0;
  route.latency_ps = 0;
  set_lane(route);
  set_route_path(r);
}

PathPlanner& FlowModel::planner() {
  if (!planner_) planner_ = std::make_unique<PathPlanner>(plan_capacity_);
  return *planner_;
}

// Minimal deterministic splitting (Addanki, Goyal, Marinos), on two-tier
// and three-tier Clos fabrics.
//
// At a leaf with r connections of a path class and s equal-cost paths per
// connection, g = gcd(r, s): each connection gets s/g subflows and each path
// "lane" r/g of them. A class is the connections whose paths have the same
// length: on a leaf-spine every cross-leaf connection (s = spines x parallel
// links); on a clos3 those within a pod (s = aggs per pod) and those across
// pods (s = every leaf-agg-core-agg-leaf path between the two leaves). When
// every leaf of the class also receives r, the bipartite multigraph source
// leaf x destination leaf (one edge per subflow) is (s r/g)-regular, so it
// splits into s factors that are each (r/g)-regular: factor j takes lane j,
// path j of every leaf pair. Path j climbs through the same uplink index of
// every leaf and (on a clos3) the same agg-to-core link of every pod, and
// descends the same way, so every link of every tier carries exactly as many
// subflows as any other of its tier: what spraying would give it. The classes
// share only the leaves' uplinks and downlinks, each balanced by each class,
// so their sum is balanced too.
void FlowModel::connect_split(std::span<const ConnectionSpec> specs,
                              std::vector<ConnectionId>& ids) {
  const auto group = static_cast<std::uint32_t>(groups_.size());
  groups_.emplace_back();
  // Connections that leave their leaf, with their leaves, paths and class.
  struct Cross {
    std::uint32_t index;  // into specs
    topology::NodeId src_leaf;
    topology::NodeId dst_leaf;
    topology::HostPaths paths;
    std::uint32_t path_class;
  };
  // A class: its paths' length and count, and its leaves with what each sends and receives.
  struct PathClass {
    std::uint32_t length = 0;
    std::uint32_t s = 0;
    std::vector<topology::NodeId> leaves;
    std::vector<std::uint32_t> out;
    std::vector<std::uint32_t> in;
    [[nodiscard]] std::uint32_t leaf_index(topology::NodeId n) const {
      return static_cast<std::uint32_t>(std::lower_bound(leaves.begin(), leaves.end(), n) -
                                        leaves.begin());
    }
  };
  std::vector<Cross> cross;
  std::vector<std::pair<std::uint32_t, topology::HostPaths>> same_leaf;  // index into specs, paths
  std::vector<PathClass> classes;
  bool shape_ok = true;
  bool sizes_equal = true;
  for (std::uint32_t i = 0; i < specs.size(); ++i) {
    const ConnectionSpec& spec = specs[i];
    if (spec.src >= topology_.host_count() || spec.dst >= topology_.host_count()) {
      throw sim::InternalError("connection endpoint is not a host");
    }
    if (spec.src == spec.dst) continue;
    const topology::HostPaths paths = routing_.paths(spec.src, spec.dst);
    if (paths.middle->length == 0) {
      same_leaf.emplace_back(i, paths);
      continue;
    }
    auto cls = std::find_if(classes.begin(), classes.end(),
                            [&](const PathClass& c) { return c.length == paths.middle->length; });
    if (cls == classes.end()) {
      cls =
          classes.insert(classes.end(), PathClass{paths.middle->length, paths.count(), {}, {}, {}});
    }
    // Dual-port NICs (whole paths) are not the Clos shape of the
    // construction: the planner splits them.
    if (paths.whole() || paths.count() != cls->s) shape_ok = false;
    cls->s = std::max(cls->s, paths.count());
    if (!cross.empty() && spec.planned_bytes != specs[cross.front().index].planned_bytes) {
      sizes_equal = false;
    }
    bool any = links_down_ == 0;
    for (std::uint32_t p = 0; p < paths.count() && !any; ++p) any = path_up(paths, p);
    if (!any) fail_no_path(spec);
    // The leaf it leaves from: on rail planes a server peer's (sending_nic).
    cross.push_back(Cross{i, topology_.attachment(topology_.sending_nic(spec.src, spec.dst)),
                          topology_.attachment(spec.dst), paths,
                          static_cast<std::uint32_t>(cls - classes.begin())});
    cls->leaves.push_back(cross.back().src_leaf);
    cls->leaves.push_back(cross.back().dst_leaf);
  }
  for (PathClass& c : classes) {
    std::sort(c.leaves.begin(), c.leaves.end());
    c.leaves.erase(std::unique(c.leaves.begin(), c.leaves.end()), c.leaves.end());
    c.out.assign(c.leaves.size(), 0);
    c.in.assign(c.leaves.size(), 0);
  }
  for (const Cross& c : cross) {
    PathClass& cls = classes[c.path_class];
    ++cls.out[cls.leaf_index(c.src_leaf)];
    ++cls.in[cls.leaf_index(c.dst_leaf)];
  }
  bool regular = true;
  for (const PathClass& c : classes) {
    const std::uint32_t r = c.out[0];
    for (std::size_t a = 0; a < c.leaves.size(); ++a) {
      regular = regular && c.out[a] == r && c.in[a] == r;
    }
  }
  const bool premises = shape_ok && sizes_equal && regular && links_altered_ == 0;
  ++totals_.split_groups;
  if (!cross.empty() && !premises) ++totals_.split_groups_failed;

  // Subflows per connection: s / gcd(r, s), with the sending leaf's own r
  // where leaves differ, and s the paths that survive failed links (the
  // fallback: a leaf with 15 of 16 uplinks left splits 16 flows 15 ways).
  std::vector<std::uint32_t> subflows(specs.size(), 1);
  for (const Cross& c : cross) {
    const PathClass& cls = classes[c.path_class];
    std::uint32_t count = links_down_ == 0 ? c.paths.count() : 0;
    for (std::uint32_t p = 0; p < c.paths.count() && links_down_ > 0; ++p) {
      count += path_up(c.paths, p) ? 1 : 0;
    }
    subflows[c.index] = count / std::gcd(cls.out[cls.leaf_index(c.src_leaf)], count);
    // Dual-port NICs: at least a subflow per port, so that the planner can
    // use both (the leaf arithmetic above counts uplinks, not ports).
    if (c.paths.whole()) {
      subflows[c.index] = std::max(subflows[c.index], std::min(count, topology_.nic_ports()));
    }
  }
  for (std::uint32_t i = 0; i < specs.size(); ++i)
    ids.push_back(open(specs[i], subflows[i], group));
  // In spec order (delivery lanes are made in order of first use).
  auto next_same_leaf = same_leaf.begin();
  for (std::uint32_t i = 0; i < specs.size(); ++i) {
    const std::uint32_t first = connections_[ids[i]].first_route;
    if (specs[i].src == specs[i].dst) {
      set_local_path(first);
    } else if (next_same_leaf != same_leaf.end() && next_same_leaf->first == i) {
      set_single_path(first, next_same_leaf->second, 0);
      ++next_same_leaf;
    }
  }
  if (cross.empty()) return;

  if (!premises) {
    // The best the planner finds over the subflows, each weighing its part.
    std::vector<PlanItem> items;
    for (const Cross& c : cross) {
      const double weight = planned_weight(specs[c.index]) / subflows[c.index];
      for (std::uint32_t k = 0; k < subflows[c.index]; ++k) {
        items.push_back(PlanItem{weight, c.paths.middle, 0, false});
      }
    }
    if (!planner().plan(items, false)) throw sim::InternalError("split: planner found no path");
    std::size_t item = 0;
    for (const Cross& c : cross) {
      const std::uint32_t first = connections_[ids[c.index]].first_route;
      for (std::uint32_t k = 0; k < subflows[c.index]; ++k) {
        set_single_path(first + k, c.paths, items[item++].choice);
      }
    }
    return;
  }

  for (std::uint32_t class_index = 0; class_index < classes.size(); ++class_index) {
    const PathClass& cls = classes[class_index];
    const auto n_leaves = static_cast<std::uint32_t>(cls.leaves.size());
    const std::uint32_t s = cls.s;
    const std::uint32_t r = cls.out[0];
    const std::uint32_t g = std::gcd(r, s);
    const std::uint32_t q = s / g;
    const std::uint32_t m = r / g;
    std::vector<std::uint32_t> mult(static_cast<std::size_t>(n_leaves) * n_leaves, 0);
    // The class's connections by leaf pair, in group order within a pair.
    std::vector<std::pair<std::size_t, std::uint32_t>> by_pair;
    for (std::uint32_t k = 0; k < cross.size(); ++k) {
      if (cross[k].path_class != class_index) continue;
      const std::size_t pair =
          static_cast<std::size_t>(cls.leaf_index(cross[k].src_leaf)) * n_leaves +
          cls.leaf_index(cross[k].dst_leaf);
      mult[pair] += q;
      by_pair.emplace_back(pair, k);
    }
    std::stable_sort(by_pair.begin(), by_pair.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    const std::vector<std::vector<std::uint32_t>> factors =
        regular_factors(n_leaves, n_leaves, std::move(mult), s, m);
    for (std::size_t begin = 0; begin < by_pair.size();) {
      std::size_t end = begin;
      while (end < by_pair.size() && by_pair[end].first == by_pair[begin].first) ++end;
      const std::size_t pair = by_pair[begin].first;
      const auto n = static_cast<std::uint32_t>(end - begin);
      // Slot t is subflow t / n of the pair's connection t % n: a connection's
      // subflows go to as many different lanes as the factors allow. Lane j
      // is path j: routing enumerates every leaf pair's paths in the same
      // order of uplink, core and downlink indices (topology/routing.hpp).
      std::uint32_t t = 0;
      for (std::uint32_t j = 0; j < s; ++j) {
        for (std::uint32_t x = 0; x < factors[j][pair]; ++x, ++t) {
          const Cross& c = cross[by_pair[begin + t % n].second];
          set_single_path(connections_[ids[c.index]].first_route + t / n, c.paths, j);
        }
      }
      begin = end;
    }
  }
}

// C4-style planning: one path per queue pair (K per connection with
// planned:K, each a K-th of its bytes), chosen for the whole group.
void FlowModel::connect_planned(std::span<const ConnectionSpec> specs,
                                std::vector<ConnectionId>& ids) {
  const auto group = static_cast<std::uint32_t>(groups_.size());
  groups_.emplace_back();
  std::vector<PlanItem> items;
  std::vector<std::uint32_t> planned;  // the route, per item
  std::vector<std::uint32_t> owner;    // index into specs, per item
  for (std::uint32_t i = 0; i < specs.size(); ++i) {
    const bool local = specs[i].src == specs[i].dst;
    const std::uint32_t k = local ? 1 : config_.planned_subflows;
    ids.push_back(open(specs[i], k, group));
    const std::uint32_t first = connections_[ids[i]].first_route;
    if (local) {
      set_local_path(first);
      continue;
    }
    const topology::HostPaths paths = routing_.paths(specs[i].src, specs[i].dst);
    for (std::uint32_t q = 0; q < k; ++q) {
      // ECMP's own choice is the start the planner must beat.
      const std::uint32_t ecmp = hashed_path(specs[i], paths, q);
      if (paths.middle->length == 0) {
        set_single_path(first + q, paths, 0);
        continue;
      }
      items.push_back(PlanItem{planned_weight(specs[i]) / k, paths.middle, ecmp, false});
      planned.push_back(first + q);
      owner.push_back(i);
    }
  }
  if (!planner().plan(items, true)) throw sim::InternalError("planned: planner found no path");
  for (std::size_t k = 0; k < items.size(); ++k) {
    const ConnectionSpec& spec = specs[owner[k]];
    set_single_path(planned[k], routing_.paths(spec.src, spec.dst), items[k].choice);
  }
}

sim::Time FlowModel::max_congestion_ps(std::span<const Load> loads) const {
  // Sparse accumulation: a step touches few of a big fabric's links. Parts
  // are the whole bytes each subflow carries, and the time is bytes x 8000 /
  // Gb/s in one division: for whole bytes this is exact enough that equal
  // loads on links of equal total rate (a spray trunk and its members) give
  // equal picoseconds.
  std::vector<std::pair<LinkId, double>> offered;
  for (const Load& load : loads) {
    const Connection& c = connections_.at(load.connection);
    const std::uint64_t base = load.bytes / c.routes;
    for (std::uint32_t k = 0; k < c.routes; ++k) {
      const std::uint64_t part = k + 1 < c.routes ? base : load.bytes - base * (c.routes - 1);
      const Route& route = routes_[c.first_route + k];
      for (std::uint32_t i = 0; i < route.hop_count; ++i) {
        const Hop& hop = hops_[route.first_hop + i];
        if (is_cap(hop.link)) continue;  // a window, not a link: no congestion
        offered.emplace_back(hop.link, hop.weight * static_cast<double>(part));
      }
    }
  }
  std::sort(offered.begin(), offered.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  double worst = 0;
  for (std::size_t i = 0; i < offered.size();) {
    const LinkId l = offered[i].first;
    double bytes = 0;
    for (; i < offered.size() && offered[i].first == l; ++i) bytes += offered[i].second;
    // A down link carries only stalled subflows: they take forever, which
    // is no congestion figure.
    if (rate_gbps_[l] > 0) worst = std::max(worst, bytes * 8000.0 / rate_gbps_[l]);
  }
  return static_cast<sim::Time>(std::ceil(worst));
}

std::uint32_t FlowModel::queue_pairs(ConnectionId connection) const {
  return connections_.at(connection).routes;
}

std::vector<Subflow> FlowModel::connection_route(ConnectionId connection) const {
  const Connection& c = connections_.at(connection);
  std::vector<Subflow> out;
  for (std::uint32_t k = 0; k < c.routes; ++k) {
    const Route& route = routes_[c.first_route + k];
    Subflow subflow;
    subflow.share = 1.0 / c.routes;
    for (std::uint32_t i = 0; i < route.hop_count; ++i) {
      const Hop& hop = hops_[route.first_hop + i];
      if (!is_cap(hop.link)) subflow.hops.push_back(hop);
    }
    subflow.latency_ps = route.latency_ps;
    out.push_back(std::move(subflow));
  }
  return out;
}

FlowId FlowModel::start_flow(const FlowSpec& spec) {
  if (spec.connection >= connection_routes_.size()) {
    throw sim::InternalError("start_flow on a connection that was never opened");
  }
  const auto [first_route, routes] = connection_routes_[spec.connection];
  ++totals_.transfers_started;
  totals_.bytes_sent += spec.size_bytes;
  const std::uint64_t serial = next_serial_++;
  if (routes == 1) return start_part(spec, first_route, serial, kNoTransfer);

  std::uint32_t transfer;
  if (!free_transfers_.empty()) {
    transfer = free_transfers_.back();
    free_transfers_.pop_back();
  } else {
    transfer = static_cast<std::uint32_t>(transfers_.size());
    transfers_.emplace_back();
  }
  transfers_[transfer] = Transfer{0, spec.notify_payload, spec.notify, spec.notify_tag, routes};
  const std::uint64_t base = spec.size_bytes / routes;
  FlowSpec part = spec;
  part.size_bytes = base;
  FlowId first = 0;
  for (std::uint32_t k = 0; k < routes; ++k) {
    if (k + 1 == routes) part.size_bytes = spec.size_bytes - base * (routes - 1);
    const FlowId id = start_part(part, first_route + k, serial, transfer);
    if (k == 0) first = id;
  }
  return first;
}

FlowId FlowModel::start_part(const FlowSpec& spec, std::uint32_t r, std::uint64_t serial,
                             std::uint32_t transfer) {
  FlowId id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<FlowId>(flows_.size());
    flows_.emplace_back();
    paths_.emplace_back();
    visit_.push_back(0);
    more_slots_.emplace_back();
    new_rate_.push_back(0);
  }
  Flow& flow = flows_[id];
  flow.spec = spec;
  flow.remaining = static_cast<double>(spec.size_bytes);
  flow.rate = 0;
  flow.sent = 0;
  flow.last = sim_.now();
  flow.start = sim_.now();
  flow.active = true;
  flow.serial = serial;
  flow.route = r;
  flow.transfer = transfer;
  set_flow_path(id, r, spec.size_bytes != 0);
  const std::uint32_t hop_total = hop_count(id);
  ++active_;
  ++totals_.started;

  if (hop_total == 0) {
    // Nothing crosses the fabric: done at once.
    sim_.schedule_at(sim_.now(), self_, kCompleteLocal, id);
    return id;
  }
  if (hop_total > 4) more_slots_[id].resize(hop_total - 4);
  bool alone = true;
  for (std::uint32_t i = 0; i < hop_total; ++i) {
    LinkState& link = links_[hop_link(id, i)];
    if (link.count == 0) link.busy_since = sim_.now();
    slot(id, i) = add_to_link(link, id);
    alone = alone && link.count == 1;
  }
  if (alone) {
    // Alone on every link: its component is itself, so rate it now. Should
    // another flow join one of its links later in this instant, that link's
    // recomputation includes this flow again.
    rate_alone(id);
    return id;
  }
  for (std::uint32_t i = 0; i < hop_total; ++i) mark_changed(hop_link(id, i));
  sim_.request_end_of_instant(*this);
  return id;
}

void FlowModel::set_route_path(std::uint32_t r) {
  const Route& route = routes_[r];
  FlowPath& p = route_paths_[r];
  p = FlowPath{};
  p.first_hop = route.first_hop;
  p.route = r;
  if (route.hop_count > std::numeric_limits<std::uint16_t>::max()) {
    p.too_long = 1;
    return;
  }
  p.hop_count = static_cast<std::uint16_t>(route.hop_count);
  const Hop* hop = hops_.data() + route.first_hop;
  bool unit = true;
  for (std::uint32_t k = 0; unit && k < route.hop_count; ++k) unit = hop[k].weight == 1.0;
  p.unit = unit ? 1 : 0;
  p.inline_links = unit && route.hop_count <= 4 ? 1 : 0;
  if (p.inline_links != 0) {
    for (std::uint32_t k = 0; k < route.hop_count; ++k) p.links[k] = hop[k].link;
  }
}

void FlowModel::set_flow_path(FlowId f, std::uint32_t r, bool carries_bytes) {
  const FlowPath& route_path = route_paths_[r];
  FlowPath& p = paths_[f];
  if (carries_bytes) {
    if (route_path.too_long != 0)
      throw std::length_error("flow model: a route of more than 65535 hops");
    p = route_path;
    return;
  }
  p.first_hop = route_path.first_hop;
  p.hop_count = 0;
  p.inline_links = 1;
}

std::uint32_t FlowModel::add_to_link(LinkState& link, FlowId f) {
  const std::uint32_t position = link.count++;
  if (link.spill == kNoSpill) {
    if (position < kInlineFlows) {
      link.inline_flows[position] = f;
      return position;
    }
    if (free_spills_.empty()) {
      link.spill = static_cast<std::uint32_t>(spills_.size());
      spills_.emplace_back();
    } else {
      link.spill = free_spills_.back();
      free_spills_.pop_back();
    }
    spills_[link.spill].assign(link.inline_flows, link.inline_flows + kInlineFlows);
  }
  spills_[link.spill].push_back(f);
  return position;
}

FlowId FlowModel::remove_from_link(LinkState& link, std::uint32_t position) {
  FlowId* list = link_flows(link);
  const std::uint32_t last = --link.count;
  const FlowId moved = list[last];
  list[position] = moved;
  if (link.spill != kNoSpill) {
    spills_[link.spill].pop_back();
    if (link.count == 0) {
      free_spills_.push_back(link.spill);
      link.spill = kNoSpill;
    }
  }
  return position == last ? kNoFlow : moved;
}

void FlowModel::handle(const sim::Event& event) {
  if (event.tag == kCompleteLocal) {
    complete(static_cast<FlowId>(event.payload));
    return;
  }
  if (event.tag == kConverge) {
    // Routing has converged around the link; if it came back meanwhile its
    // flows simply went on where they were.
    const auto l = static_cast<LinkId>(event.payload);
    if (down_[l] != 0) route_around(l);
    return;
  }
  if (event.payload != wake_version_) return;  // an earlier wake-up superseded it
  wake_at_ = kNotDue;
  // Every flow whose last byte leaves now; none of them changes another's
  // rate before the end of the instant, so the order among them is free.
  while (!due_.empty() && due_.top_time() <= sim_.now()) complete(due_.pop());
  arm_wake();
}

// One simulator event stands for the earliest pending completion. When a rate
// change moves that completion later, the event fires early and re-arms.
void FlowModel::arm_wake() {
  if (due_.empty() || due_.top_time() >= wake_at_) return;
  wake_at_ = due_.top_time();
  sim_.schedule_at(wake_at_, self_, kWake, ++wake_version_);
}

void FlowModel::detach(FlowId id) {
  const sim::Time now = sim_.now();
  for (std::uint32_t i = 0; i < hop_count(id); ++i) {
    const LinkId l = hop_link(id, i);
    LinkState& link = links_[l];
    const FlowId moved = remove_from_link(link, slot(id, i));
    if (moved != kNoFlow) {
      // Tell the flow that moved into this slot where it now sits.
      std::uint32_t k = 0;
      while (hop_link(moved, k) != l) ++k;
      slot(moved, k) = slot(id, i);
    }
    if (link.count == 0) {
      link.busy_ps += now - link.busy_since;
    } else {
      mark_changed(l);  // only links that still carry flows can change anyone's rate
    }
  }
}

void FlowModel::complete(FlowId id) {
  Flow& flow = flows_[id];
  const sim::Time now = sim_.now();
  flow.sent += flow.rate * static_cast<double>(now - flow.last);
  flow.remaining = 0;
  flow.last = now;

  detach(id);
  if (!changed_.empty()) sim_.request_end_of_instant(*this);
  const bool crossed = hop_count(id) > 0;
  if (crossed) {
    const double size = static_cast<double>(flow.spec.size_bytes);
    totals_.max_byte_error = std::max(totals_.max_byte_error, std::abs(flow.sent - size));
  }
  ++totals_.completed;
  totals_.bytes_delivered += flow.spec.size_bytes;
  sim::Time delivered_at = now;
  Route& route = routes_[flow.route];
  if (crossed) {
    route.bytes_completed += flow.spec.size_bytes;
    delivered_at += route.latency_ps;
  }
  if (flow.transfer != kNoTransfer) {
    // One part of a split flow: the owner hears once, at the latest delivery.
    Transfer& t = transfers_[flow.transfer];
    t.delivered_at = std::max(t.delivered_at, delivered_at);
    if (--t.parts_left == 0) {
      ++totals_.transfers_completed;
      sim_.schedule_at(t.delivered_at, t.notify, t.notify_tag, t.notify_payload);
      free_transfers_.push_back(flow.transfer);
    }
  } else if (crossed) {
    ++totals_.transfers_completed;
    sim_.schedule_in_lane(route.lane, delivered_at, flow.spec.notify, flow.spec.notify_tag,
                          flow.spec.notify_payload);
  } else {
    ++totals_.transfers_completed;
    sim_.schedule_at(now, flow.spec.notify, flow.spec.notify_tag, flow.spec.notify_payload);
  }
  if (flows_csv_ != nullptr) record_flow(id, delivered_at);
  if (observer_ != nullptr) observe_completion(id, delivered_at);

  flow.active = false;
  due_.erase(id);
  flow.rate = 0;
  --active_;
  free_.push_back(id);
}

std::uint64_t FlowModel::cancel_flows(std::span<const ConnectionId> connections) {
  std::vector<ConnectionId> sorted(connections.begin(), connections.end());
  std::sort(sorted.begin(), sorted.end());
  const sim::Time now = sim_.now();
  std::uint64_t count = 0;
  for (FlowId id = 0; id < flows_.size(); ++id) {
    Flow& flow = flows_[id];
    if (!flow.active || hop_count(id) == 0 ||
        !std::binary_search(sorted.begin(), sorted.end(), flow.spec.connection)) {
      continue;
    }
    flow.sent += flow.rate * static_cast<double>(now - flow.last);
    flow.last = now;
    detach(id);
    if (flow.transfer != kNoTransfer && --transfers_[flow.transfer].parts_left == 0) {
      free_transfers_.push_back(flow.transfer);  // its owner is never told
    }
    totals_.bytes_cancelled += flow.spec.size_bytes;
    ++totals_.cancelled;
    flow.active = false;
    due_.erase(id);
    flow.rate = 0;
    --active_;
    free_.push_back(id);
    ++count;
  }
  if (!changed_.empty()) sim_.request_end_of_instant(*this);
  return count;
}

void FlowModel::record_flow(FlowId f, sim::Time end) {
  const Flow& flow = flows_[f];
  const Connection& c = connections_[flow.spec.connection];
  std::string path;
  if (hop_count(f) == 0) {
    path = "local";
  } else if (config_.policy == PathPolicy::spray) {
    path = "spray:" + std::to_string(routes_[flow.route].path);
  } else {
    const Hop* hop = hops(f);
    path = topology_.node_name(topology_.link(hop[0].link).src);
    for (std::uint32_t i = 0; i < hop_count(f); ++i) {
      if (is_cap(hop[i].link)) continue;  // a connection's rate cap: no node
      path += '>';
      path += topology_.node_name(topology_.link(hop[i].link).dst);
    }
  }
  flows_csv_->cell(flow.serial)
      .cell(flow.route - c.first_route)
      .cell(flow.spec.collective)
      .cell(flow.spec.step)
      .cell(flow.spec.tag)
      .cell(c.spec.src)
      .cell(c.spec.dst)
      .cell(flow.spec.size_bytes)
      .cell(path)
      .cell(flow.start)
      .cell(end)
      .end_row();
}

void FlowModel::collect_component() {
  // Breadth-first over links and flows from every link changed this instant
  // (mark_changed stamped those, and numbered them in order). The filling's
  // scratch is set up on the way: one pass over the flows' hops, not two (on
  // an all-to-all every flow is in the component, at every completion).
  comp_links_.swap(changed_);
  changed_.clear();
  comp_flows_.clear();
  fill_.clear();
  for (const LinkId l : comp_links_)
    fill_.push_back(FillState{links_[l].capacity, 0.0, links_[l].count});
  const auto visit = [&](FlowId f) {
    if (visit_[f] == epoch_) return;
    visit_[f] = epoch_;
    comp_flows_.push_back(f);
    new_rate_[f] = -1;
    each_hop(f, [&](LinkId l, double weight) {
      LinkState& link = links_[l];
      if (link.visit != epoch_) {
        link.visit = epoch_;
        link.local = static_cast<std::uint32_t>(comp_links_.size());
        comp_links_.push_back(l);
        fill_.push_back(FillState{link.capacity, 0.0, link.count});
      }
      fill_[link.local].weight += weight;
    });
  };
  for (std::size_t i = 0; i < comp_links_.size(); ++i) {
    const LinkState& on = links_[comp_links_[i]];
    const FlowId* list = link_flows(on);
    const std::uint32_t count = on.count;
    std::uint32_t j = 0;
    // Long lists: their flows sit anywhere in memory, so ask for them early.
    for (; j + kPrefetchAhead < count; ++j) {
      __builtin_prefetch(&visit_[list[j + kPrefetchAhead]]);
      __builtin_prefetch(&paths_[list[j + kPrefetchAhead]]);
      visit(list[j]);
    }
    for (; j < count; ++j) visit(list[j]);
  }
}

// A component of more than kLinearFillLinks links (end_of_instant fills
// smaller ones by scanning): its rates from the rate cache, or filled by the
// heap. Only these go through the cache: a small one fills faster than a
// look-up's cache misses cost (the 1,024-host ECMP ring's components average
// 3.6 flows, and caching them made it slower), so the scan path pays nothing
// for it. On a hit no filling ran, so the scratch still holds every link's
// whole capacity and record_peaks, run next, leaves the peaks as the cached
// utilisations set them.
void FlowModel::fill_component() {
  // The cache reports no loads, so an observer sees every filling; the
  // cache's premise is that every hop weighs 1.
  bool cacheable = rate_cache_on_ && observer_ == nullptr &&
                   rate_cache_.seen_before(static_cast<std::uint32_t>(comp_flows_.size()),
                                           static_cast<std::uint32_t>(comp_links_.size()));
  std::uint64_t hash = 0;
  for (std::size_t i = 0; cacheable && i < comp_flows_.size(); ++i) {
    const FlowPath& p = paths_[comp_flows_[i]];
    hash += RateCache::route_hash(p.route);
    cacheable = p.unit != 0;
  }
  if (cacheable) {
    sort_component_routes();
    if (rates_from_cache(hash)) return;
  }
  fill_by_heap();
  if (cacheable) store_in_cache(hash);
}

void FlowModel::freeze(FlowId f, double share) {
  new_rate_[f] = share;
  ++frozen_;
  each_hop(f, [&](LinkId l, double weight) {
    FillState& fill = fill_[links_[l].local];
    fill.remaining -= share * weight;
    fill.weight -= weight;
    --fill.unfrozen;
  });
}

// A flow alone on its links (the most common case by far) gets the smallest
// capacity per unit of weight along its route: the same numbers, computed the
// same way, as progressive filling would produce.
void FlowModel::rate_alone(FlowId f) {
  double best = 0;
  LinkId best_link = topology::kNoLink;
  each_hop(f, [&](LinkId l, double weight) {
    const double share = links_[l].capacity / weight;
    if (best_link == topology::kNoLink || share < best || (share == best && l < best_link)) {
      best = share;
      best_link = l;
    }
  });
  each_hop(f, [&](LinkId l, double weight) {
    LinkState& link = links_[l];
    const double left = std::max(0.0, link.capacity - best * weight);
    link.peak_utilisation = std::max(link.peak_utilisation, utilisation(link.capacity, left));
  });
  ++totals_.rate_recomputations;
  ++totals_.flows_rerated;
  apply_rate(f, best);
  if (observer_ != nullptr) observe_alone(f, best);
}

// Few links (the common case: a flow that starts or ends alone): finding the
// bottleneck by scanning beats keeping a heap.
//
// Which link is the bottleneck is a coin toss for the branch predictor, so
// the scan keeps the least (share, link id) with masks and integer minimums,
// which compile to conditional moves, not branches. Shares are never
// negative (weights are positive), and the bits of non-negative doubles
// order as their values do.
void FlowModel::fill_by_scan() {
  constexpr std::uint64_t kFrozen = ~std::uint64_t{0};
  // Once every flow is frozen so is every link: no last scan to find that out.
  while (frozen_ < comp_flows_.size()) {
    std::uint64_t least = kFrozen;
    LinkId best_link = topology::kNoLink;
    for (std::size_t i = 0; i < comp_links_.size(); ++i) {
      const FillState& fill = fill_[i];
      // max(0, remaining): a negative remaining (rounding) becomes +0.
      const auto remaining = std::bit_cast<std::uint64_t>(fill.remaining);
      const double left = std::bit_cast<double>(remaining & ((remaining >> 63) - 1));
      std::uint64_t share = std::bit_cast<std::uint64_t>(left / fill.weight);
      share |= -static_cast<std::uint64_t>(fill.unfrozen == 0);
      const LinkId l = comp_links_[i];
      const auto below = -static_cast<std::uint64_t>(share < least);
      // At the least share so far, the lower link id; below it, this link.
      const LinkId tied = std::min(best_link, l | -static_cast<LinkId>(share != least));
      best_link = tied ^ ((tied ^ l) & static_cast<LinkId>(below));
      least ^= (least ^ share) & below;
    }
    if (least == kFrozen) return;
    const double best_share = std::bit_cast<double>(least);
    const LinkState& bottleneck = links_[best_link];
    const FlowId* list = link_flows(bottleneck);
    for (std::uint32_t j = 0; j < bottleneck.count; ++j) {
      if (new_rate_[list[j]] < 0) freeze(list[j], best_share);
    }
  }
}

// Freezing a flow at the bottleneck's share never lowers another link's
// share (what is left per unit of weight), so a link's heap entry can only
// be stale by being too low. Entries are therefore not updated as flows
// freeze: a popped entry whose link's share has risen goes back in with the
// new value, and the first entry popped at its link's true share is the
// minimum. One push per link plus one per stale pop, instead of one per hop
// of every frozen flow (all-to-all: 3 per flow, 200k per recomputation).
void FlowModel::fill_by_heap() {
  heap_.clear();
  for (std::size_t i = 0; i < comp_links_.size(); ++i) {
    const FillState& fill = fill_[i];
    if (fill.unfrozen > 0) heap_.emplace_back(fill.remaining / fill.weight, comp_links_[i]);
  }
  std::make_heap(heap_.begin(), heap_.end(), heap_after);
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), heap_after);
    const auto [share, l] = heap_.back();
    heap_.pop_back();
    const LinkState& link_on = links_[l];
    const FillState& bottleneck = fill_[link_on.local];
    if (bottleneck.unfrozen == 0) continue;
    const double now_share = std::max(0.0, bottleneck.remaining) / bottleneck.weight;
    if (now_share != share) {
      heap_.emplace_back(now_share, l);
      std::push_heap(heap_.begin(), heap_.end(), heap_after);
      continue;
    }
    const FlowId* list = link_flows(link_on);
    for (std::uint32_t j = 0; j < link_on.count; ++j) {
      if (j + kPrefetchAhead < link_on.count) {
        __builtin_prefetch(&new_rate_[list[j + kPrefetchAhead]]);
        __builtin_prefetch(&paths_[list[j + kPrefetchAhead]]);
      }
      const FlowId f = list[j];
      if (new_rate_[f] < 0) freeze(f, share);
    }
  }
}

void FlowModel::sort_component_routes() {
  comp_key_.clear();
  for (const FlowId f : comp_flows_) comp_key_.push_back(std::uint64_t{paths_[f].route} << 32 | f);
  std::sort(comp_key_.begin(), comp_key_.end());
  comp_routes_.clear();
  for (const std::uint64_t k : comp_key_)
    comp_routes_.push_back(static_cast<std::uint32_t>(k >> 32));
}

bool FlowModel::rates_from_cache(std::uint64_t hash) {
  const RateCache::Entry* entry = rate_cache_.find(hash, comp_routes_);
  if (entry == nullptr) return false;
  const std::span<const double> rates = entry->rates();
  for (std::size_t i = 0; i < comp_key_.size(); ++i) {
    new_rate_[static_cast<FlowId>(comp_key_[i])] = rates[i];
  }
  const std::span<const std::uint32_t> links = entry->links();
  const std::span<const double> utilisations = entry->utilisations();
  for (std::size_t i = 0; i < links.size(); ++i) {
    LinkState& link = links_[links[i]];
    link.peak_utilisation = std::max(link.peak_utilisation, utilisations[i]);
  }
  return true;
}

// What record_peaks read, per link that carries flows.
void FlowModel::store_in_cache(std::uint64_t hash) {
  RateCache::Entry& e = rate_cache_.store(hash, comp_routes_);
  for (const std::uint64_t k : comp_key_) e.values.push_back(new_rate_[static_cast<FlowId>(k)]);
  for (std::size_t i = 0; i < comp_links_.size(); ++i) {
    const LinkState& link = links_[comp_links_[i]];
    if (link.count == 0) continue;
    e.ids.push_back(comp_links_[i]);
    e.values.push_back(utilisation(link.capacity, std::max(0.0, fill_[i].remaining)));
  }
}

void FlowModel::end_of_instant() {
  if (changed_.empty()) return;
  collect_component();
  ++epoch_;

  if (comp_flows_.size() == 1) {
    rate_alone(comp_flows_.front());
    return;
  }
  // Progressive filling: repeatedly take the link whose remaining capacity per
  // unit of unfrozen weight is smallest, freeze its flows at that share.
  // The scratch (set up by collect_component) is indexed by position in
  // comp_links_ (LinkState::local): dense, so the scans read it sequentially.
  frozen_ = 0;
  if (comp_links_.size() <= kLinearFillLinks) {
    fill_by_scan();
  } else {
    fill_component();
  }
  ++totals_.rate_recomputations;
  totals_.flows_rerated += comp_flows_.size();

  for (std::size_t i = 0; i < comp_flows_.size(); ++i) {
    if (i + kPrefetchAhead < comp_flows_.size()) {
      __builtin_prefetch(&flows_[comp_flows_[i + kPrefetchAhead]]);
      __builtin_prefetch(&new_rate_[comp_flows_[i + kPrefetchAhead]]);
    }
    apply_rate(comp_flows_[i], new_rate_[comp_flows_[i]]);
  }
  record_peaks();
  if (observer_ != nullptr) observe_component();
}

void FlowModel::apply_rate(FlowId f, double rate) {
  Flow& flow = flows_[f];
  if (rate == flow.rate) return;
  const sim::Time now = sim_.now();
  const double bytes = flow.rate * static_cast<double>(now - flow.last);
  flow.remaining -= bytes;
  flow.sent += bytes;
  flow.last = now;
  flow.rate = rate;
  if (rate > 0) {
    due_.set(f, now + ceil_ps(flow.remaining, rate));
    arm_wake();
  } else {
    due_.erase(f);
  }
}

// Every flow on a component link was frozen, so what filling left of the
// capacity is exactly what the link does not carry.
void FlowModel::record_peaks() {
  for (std::size_t i = 0; i < comp_links_.size(); ++i) {
    LinkState& link = links_[comp_links_[i]];
    if (link.count == 0) continue;
    const double left = std::max(0.0, fill_[i].remaining);
    link.peak_utilisation = std::max(link.peak_utilisation, utilisation(link.capacity, left));
  }
}

void FlowModel::observe_load(LinkId l, double bytes_per_ps) {
  const sim::Time now = sim_.now();
  if (l < topology_.link_count()) {
    observer_->link_load(now, l, bytes_per_ps);
    return;
  }
  const std::uint32_t trunk = virtual_trunk_[l - topology_.link_count()];
  if (trunk == kNoTrunk) return;  // a connection's rate cap: no physical link
  const auto& members = trunk_members_[trunk];
  const double share = bytes_per_ps / static_cast<double>(members.size());
  for (LinkId member : members) observer_->link_load(now, member, share);
}

void FlowModel::observe_alone(FlowId f, double rate) {
  const Hop* hop = hops(f);
  for (std::uint32_t k = 0; k < hop_count(f); ++k) observe_load(hop[k].link, rate * hop[k].weight);
}

// The same load record_peaks reads: what filling took of each link.
void FlowModel::observe_component() {
  for (std::size_t i = 0; i < comp_links_.size(); ++i) {
    const LinkState& link = links_[comp_links_[i]];
    const double load = link.count == 0 ? 0.0 : link.capacity - std::max(0.0, fill_[i].remaining);
    observe_load(comp_links_[i], load);
  }
}

// Links the flow leaves empty drop to zero now; the others are in this
// instant's recomputation and get reported there.
void FlowModel::observe_completion(FlowId f, sim::Time end) {
  const Flow& flow = flows_[f];
  const Hop* hop = hops(f);
  for (std::uint32_t k = 0; k < hop_count(f); ++k) {
    if (links_[hop[k].link].count == 0) observe_load(hop[k].link, 0.0);
  }
  const Connection& c = connections_[flow.spec.connection];
  observer_->flow_completed(
      sim_.now(),
      FlowRecord{flow.serial, flow.spec.collective, flow.spec.step, c.spec.src, c.spec.dst,
                 flow.spec.size_bytes, flow.start, end, flow.route - c.first_route});
}

LinkStats FlowModel::link_stats(LinkId l) const {
  return link_stats(l, link_bytes());
}

LinkStats FlowModel::link_stats(LinkId l, const std::vector<double>& bytes) const {
  const std::uint32_t trunk = l < trunk_of_.size() ? trunk_of_[l] : kNoTrunk;
  if (trunk != kNoTrunk) {
    // A trunk's members carry equal shares of its load.
    LinkStats s = link_stats(trunk_link(trunk), bytes);
    s.bytes /= static_cast<double>(trunk_members_[trunk].size());
    return s;
  }
  const LinkState& link = links_[l];
  LinkStats s{bytes[l], link.busy_ps, link.peak_utilisation};
  if (link.count > 0) s.busy_ps += sim_.now() - link.busy_since;
  return s;
}

std::vector<double> FlowModel::link_bytes() const {
  std::vector<double> bytes(links_.size(), 0.0);
  for (const Route& route : routes_) {
    if (route.bytes_completed == 0) continue;
    const double size = static_cast<double>(route.bytes_completed);
    for (std::uint32_t k = 0; k < route.hop_count; ++k) {
      const Hop& hop = hops_[route.first_hop + k];
      bytes[hop.link] += size * hop.weight;
    }
  }
  for (std::size_t l = 0; l < moved_bytes_.size(); ++l) bytes[l] += moved_bytes_[l];
  return bytes;
}

std::uint64_t FlowModel::ecmp_hash(const ConnectionSpec& spec, std::uint32_t subflow) const {
  const std::uint64_t endpoints = (std::uint64_t{spec.src} << 32) | spec.dst;
  const std::uint64_t ports =
      (std::uint64_t{subflow} << 32) | (std::uint64_t{spec.src_port} << 16) | spec.dst_port;
  return sim::mix64(sim::mix64(ecmp_salt_ ^ endpoints) ^ ports);
}

std::uint32_t FlowModel::ecmp_path_index(const ConnectionSpec& spec, std::uint32_t path_count,
                                         std::uint32_t subflow) const {
  return static_cast<std::uint32_t>(ecmp_hash(spec, subflow) % path_count);
}

void FlowModel::set_link_rate(LinkId l, double gbps) {
  set_link_rates(std::span<const LinkId>(&l, 1), gbps);
}

void FlowModel::set_link_rates(std::span<const LinkId> links, double gbps) {
  for (const LinkId l : links) {
    if (l >= topology_.link_count() || !(gbps >= 0)) {
      throw sim::InternalError("set_link_rate: not a link, or a negative rate");
    }
    const topology::LinkKind kind = topology_.link(l).kind;
    if (spray_trunks_ && (topology::is_uplink(kind) || topology::is_downlink(kind))) {
      throw sim::InternalError(
          "set_link_rate: spray trunks assume equal members; turn them off first");
    }
  }
  const bool down = gbps == 0;
  rate_cache_.clear();  // allocations computed with the old capacities
  for (const LinkId l : links) {
    const bool was_altered = rate_gbps_[l] != topology_.link(l).rate_gbps;
    if (down != (down_[l] != 0)) {
      down_[l] = down ? 1 : 0;
      links_down_ = down ? links_down_ + 1 : links_down_ - 1;
    }
    rate_gbps_[l] = gbps;
    const bool altered = gbps != topology_.link(l).rate_gbps;
    links_altered_ = links_altered_ + (altered ? 1 : 0) - (was_altered ? 1 : 0);
    if (down) {
      plan_capacity_[l] = 0;
      continue;
    }
    links_[l].capacity = sim::gbps_to_bytes_per_ps(gbps);
    plan_capacity_[l] = links_[l].capacity;
    if (links_[l].count > 0) {
      mark_changed(l);
      sim_.request_end_of_instant(*this);
    }
  }
  if (!down) return;
  // Every link is down before any flow moves, so that none moves onto a
  // link that dies with it (a switch's links, a NIC's).
  if (config_.convergence_ps > 0) {
    for (const LinkId l : links) {
      // Until routing converges the link black-holes what crosses it.
      black_hole(l);
      sim_.schedule_in(config_.convergence_ps, self_, kConverge, l);
    }
    return;
  }
  for (const LinkId l : links) route_around(l);
  for (const LinkId l : links) black_hole(l);
}

// Subflows with no surviving path stay on the link and stall at rate 0
// until it comes back, including flows they start meanwhile.
void FlowModel::black_hole(LinkId l) {
  links_[l].capacity = 0;
  if (links_[l].count > 0) {
    mark_changed(l);
    sim_.request_end_of_instant(*this);
  }
}

void FlowModel::route_around(LinkId down_link) {
  // Subflows whose route crosses the link, as (connection, subflow).
  std::vector<std::pair<ConnectionId, std::uint32_t>> affected;
  std::vector<std::uint8_t> is_affected(routes_.size(), 0);
  for (ConnectionId id = 0; id < connections_.size(); ++id) {
    const Connection& c = connections_[id];
    for (std::uint32_t k = 0; k < c.routes; ++k) {
      const Route& route = routes_[c.first_route + k];
      for (std::uint32_t i = 0; i < route.hop_count; ++i) {
        const LinkId l = hops_[route.first_hop + i].link;
        if (l == down_link) {
          affected.emplace_back(id, k);
          is_affected[c.first_route + k] = 1;
          break;
        }
      }
    }
  }
  // A subflow with no path left stays where it is and stalls (a connection
  // through a lost NIC link: the communication hang a detector must see).
  std::erase_if(affected, [&](const auto& entry) {
    const ConnectionSpec& spec = connections_[entry.first].spec;
    const topology::HostPaths paths = routing_.paths(spec.src, spec.dst);
    for (std::uint32_t p = 0; p < paths.count(); ++p) {
      if (path_up(paths, p)) return false;
    }
    is_affected[connections_[entry.first].first_route + entry.second] = 0;
    return true;
  });
  if (affected.empty()) return;
  rate_cache_.clear();  // allocations computed for the old routes
  if (moved_bytes_.size() != links_.size()) moved_bytes_.resize(links_.size(), 0.0);
  for (const auto& [id, k] : affected) {
    // What the old route carried stays on its links in links.csv.
    const Connection& c = connections_[id];
    Route& route = routes_[c.first_route + k];
    for (std::uint32_t i = 0; i < route.hop_count; ++i) {
      const Hop& hop = hops_[route.first_hop + i];
      moved_bytes_[hop.link] += static_cast<double>(route.bytes_completed) * hop.weight;
    }
    route.bytes_completed = 0;
  }

  switch (config_.policy) {
    case PathPolicy::ecmp:
    case PathPolicy::mprdma:
      for (const auto& [id, k] : affected) {
        const ConnectionSpec& spec = connections_[id].spec;
        const topology::HostPaths paths = routing_.paths(spec.src, spec.dst);
        set_single_path(connections_[id].first_route + k, paths, hashed_path(spec, paths, k));
      }
      break;
    case PathPolicy::spray:
    case PathPolicy::reps:  // packet level only: its router spreads them as spray
    case PathPolicy::adaptive:
      for (const auto& [id, k] : affected) {
        const ConnectionSpec& spec = connections_[id].spec;
        set_spray_path(connections_[id].first_route + k, spec, routing_.paths(spec.src, spec.dst));
      }
      break;
    case PathPolicy::split:
    case PathPolicy::planned: {
      // Re-plan the affected subflows of each group around the rest of it.
      std::vector<std::uint32_t> groups;
      for (const auto& [id, k] : affected) groups.push_back(connections_[id].group);
      std::sort(groups.begin(), groups.end());
      groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
      for (const std::uint32_t group : groups) {
        std::vector<PlanItem> items;
        std::vector<std::uint32_t> item_route;
        std::vector<ConnectionId> item_owner;
        for (const ConnectionId id : groups_[group]) {
          const Connection& c = connections_[id];
          if (c.spec.src == c.spec.dst) continue;
          const topology::HostPaths paths = routing_.paths(c.spec.src, c.spec.dst);
          for (std::uint32_t k = 0; k < c.routes; ++k) {
            const std::uint32_t r = c.first_route + k;
            if (paths.middle->length == 0) {
              if (is_affected[r] != 0) set_single_path(r, paths, 0);
              continue;
            }
            items.push_back(PlanItem{planned_weight(c.spec) / c.routes, paths.middle,
                                     routes_[r].path, is_affected[r] == 0});
            item_route.push_back(r);
            item_owner.push_back(id);
          }
        }
        if (!planner().plan(items, false)) throw sim::InternalError("re-plan found no path");
        for (std::size_t i = 0; i < items.size(); ++i) {
          if (items[i].fixed) continue;
          const ConnectionSpec& spec = connections_[item_owner[i]].spec;
          set_single_path(item_route[i], routing_.paths(spec.src, spec.dst), items[i].choice);
        }
      }
      break;
    }
  }
  move_flows(is_affected);
}

// Active flows of re-routed subflows continue, with their remaining bytes,
// on their subflow's new route.
void FlowModel::move_flows(const std::vector<std::uint8_t>& is_affected) {
  const sim::Time now = sim_.now();
  for (FlowId f = 0; f < flows_.size(); ++f) {
    Flow& flow = flows_[f];
    if (!flow.active || hop_count(f) == 0 || is_affected[flow.route] == 0) continue;
    const double bytes = flow.rate * static_cast<double>(now - flow.last);
    flow.remaining -= bytes;
    flow.sent += bytes;
    flow.last = now;
    const Route& route = routes_[flow.route];
    // links.csv: what it sent stays on the old links; completion will count
    // the whole flow on the new route, so take it off there.
    each_hop(f, [&](LinkId l, double weight) { moved_bytes_[l] += flow.sent * weight; });
    for (std::uint32_t i = 0; i < route.hop_count; ++i) {
      const Hop& hop = hops_[route.first_hop + i];
      moved_bytes_[hop.link] -= flow.sent * hop.weight;
    }
    detach(f);
    set_flow_path(f, flow.route, true);
    if (hop_count(f) > 4) more_slots_[f].resize(hop_count(f) - 4);
    const Hop* hop = hops(f);
    for (std::uint32_t i = 0; i < hop_count(f); ++i) {
      LinkState& link = links_[hop[i].link];
      if (link.count == 0) link.busy_since = now;
      slot(f, i) = add_to_link(link, f);
      mark_changed(hop[i].link);
    }
    sim_.request_end_of_instant(*this);
  }
}

std::vector<LinkId> FlowModel::flow_links(FlowId f) const {
  std::vector<LinkId> out;
  const Hop* hop = hops(f);
  for (std::uint32_t k = 0; k < hop_count(f); ++k) {
    if (hop[k].link < topology_.link_count()) {
      out.push_back(hop[k].link);
    } else if (!is_cap(hop[k].link)) {
      const auto& members = trunk_members(hop[k].link);
      out.insert(out.end(), members.begin(), members.end());
    }
  }
  return out;
}

sim::Time FlowModel::path_latency_ps(topology::HostId src, topology::HostId dst) const {
  if (src == dst) return 0;
  return routing_.max_path_latency_ps(routing_.paths(src, dst));
}

double FlowModel::path_rate_gbps(topology::HostId src, topology::HostId dst) const {
  const topology::HostPaths paths = routing_.paths(src, dst);
  double rate = std::min(rate_gbps_[paths.uplink], rate_gbps_[paths.downlink]);
  if (src == dst) return rate;
  for (std::uint32_t i = 0; i < paths.count(); ++i) {
    for (LinkId l : paths.middle->path(i)) rate = std::min(rate, rate_gbps_[l]);
  }
  return rate;
}

double FlowModel::rate_gbps(FlowId f) const {
  return sim::bytes_per_ps_to_gbps(flows_[f].rate);
}

void FlowModel::finish() {
  sim::CsvTable* csv =
      recorder_.table("links.csv", {"link_id", "link", "kind", "rate_gbps", "latency_ps", "bytes",
                                    "busy_ps", "peak_utilisation", "mean_utilisation"});
  if (csv == nullptr) return;
  const double horizon = static_cast<double>(sim_.now());
  const std::vector<double> bytes = link_bytes();
  for (LinkId l = 0; l < topology_.link_count(); ++l) {
    const topology::Link& link = topology_.link(l);
    const LinkStats s = link_stats(l, bytes);
    // Of the nominal capacity: a link that was degraded or down still had it.
    const double capacity = sim::gbps_to_bytes_per_ps(link.rate_gbps);
    const double mean = horizon > 0 ? s.bytes / (capacity * horizon) : 0.0;
    csv->cell(l)
        .cell(topology_.link_name(l))
        .cell(topology::to_string(link.kind))
        .cell(link.rate_gbps)
        .cell(link.latency_ps)
        .cell(static_cast<std::uint64_t>(std::llround(s.bytes)))
        .cell(s.busy_ps)
        .cell(s.peak_utilisation)
        .cell(mean)
        .end_row();
  }
}

}  // namespace spinel::transport
