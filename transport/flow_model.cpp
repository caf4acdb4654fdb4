#include "transport/flow_model.hpp"

#include <algorithm>
#include <cmath>

#include "sim/error.hpp"

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
  links_.resize(topology.link_count());
  trunk_of_.assign(topology.link_count(), kNoTrunk);
  spray_trunks_ = config.policy == PathPolicy::spray;
  for (LinkId l = 0; l < links_.size(); ++l) {
    links_[l].capacity = sim::gbps_to_bytes_per_ps(topology.link(l).rate_gbps);
  }
  if (record_flows) {
    flows_csv_ =
        recorder_.table("flows.csv", {"flow_id", "collective", "step", "src_host", "dst_host",
                                      "size_bytes", "path", "start_ps", "end_ps"});
  }
}

void FlowModel::mark_changed(LinkId l) {
  LinkState& link = links_[l];
  // Stamped with the coming recomputation's epoch, so that breadth-first
  // search starts from changed_ as from links it has already reached.
  if (link.visit == epoch_) return;
  link.visit = epoch_;
  link.local = static_cast<std::uint32_t>(changed_.size());
  changed_.push_back(l);
}

void FlowModel::resolve_route(Connection& c) {
  const topology::HostPaths paths = routing_.paths(c.spec.src, c.spec.dst);
  c.first_hop = static_cast<std::uint32_t>(hops_.size());
  c.path = 0;
  if (c.spec.src == c.spec.dst) {
    c.hop_count = 0;
    c.latency_ps = 0;
    return;
  }
  switch (config_.policy) {
    case PathPolicy::ecmp: {
      c.path = ecmp_path_index(c.spec, paths.count());
      hops_.push_back(Hop{paths.uplink, 1.0});
      for (LinkId l : paths.middle->path(c.path)) hops_.push_back(Hop{l, 1.0});
      hops_.push_back(Hop{paths.downlink, 1.0});
      c.latency_ps = routing_.path_latency_ps(paths, c.path);
      break;
    }
    case PathPolicy::spray: {
      hops_.push_back(Hop{paths.uplink, 1.0});
      if (!spray_trunks_ || !add_trunk_hops(paths)) add_weighted_hops(paths);
      hops_.push_back(Hop{paths.downlink, 1.0});
      c.latency_ps = routing_.max_path_latency_ps(paths);
      break;
    }
  }
  c.hop_count = static_cast<std::uint32_t>(hops_.size()) - c.first_hop;
}

// Even spraying puts 1/count of the flow on each path; a link on several
// paths carries the sum of their shares.
void FlowModel::add_weighted_hops(const topology::HostPaths& paths) {
  if (trunks_used_) throw sim::InternalError("spray: trunked and per-link routes mixed");
  weighted_used_ = true;
  const double share = 1.0 / paths.count();
  const std::size_t first = hops_.size();
  for (std::uint32_t i = 0; i < paths.count(); ++i) {
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

// In a two-tier leaf-spine every sprayed flow from leaf A spreads evenly over
// ALL of A's uplinks (and into leaf B over all of B's downlinks), and no flow
// uses only some of them. Every uplink of A then carries exactly the same
// load, so the k uplinks act as one trunk of k times the capacity: the same
// max-min rates, with 2 hops per flow instead of 2k, and flows of different
// leaf pairs no longer coupled link by link. Returns false where the paths
// do not have that shape (then the caller spreads weights link by link).
bool FlowModel::add_trunk_hops(const topology::HostPaths& paths) {
  const topology::SwitchPaths& middle = *paths.middle;
  if (middle.length == 0) return true;  // same leaf: host links only
  if (middle.length != 2) return false;
  std::vector<LinkId> up;
  std::vector<LinkId> down;
  for (std::uint32_t i = 0; i < middle.count; ++i) {
    up.push_back(middle.path(i)[0]);
    down.push_back(middle.path(i)[1]);
  }
  const LinkId up_trunk = trunk_for(std::move(up));
  const LinkId down_trunk = trunk_for(std::move(down));
  if (up_trunk == topology::kNoLink || down_trunk == topology::kNoLink) return false;
  if (weighted_used_) throw sim::InternalError("spray: trunked and per-link routes mixed");
  trunks_used_ = true;
  hops_.push_back(Hop{up_trunk, 1.0});
  hops_.push_back(Hop{down_trunk, 1.0});
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
  for (LinkId l : members) {
    if (trunk_of_[l] != kNoTrunk || links_[l].capacity != links_[members.front()].capacity) {
      return topology::kNoLink;
    }
    capacity += links_[l].capacity;
  }
  const auto trunk = static_cast<std::uint32_t>(trunk_members_.size());
  for (LinkId l : members) trunk_of_[l] = trunk;
  trunk_members_.push_back(std::move(members));
  links_.emplace_back().capacity = capacity;
  return trunk_link(trunk);
}

ConnectionId FlowModel::connect(const ConnectionSpec& spec) {
  if (spec.src >= topology_.host_count() || spec.dst >= topology_.host_count()) {
    throw sim::InternalError("connection endpoint is not a host");
  }
  Connection c{};
  c.spec = spec;
  resolve_route(c);
  auto lane = std::find_if(lanes_.begin(), lanes_.end(),
                           [&](const auto& entry) { return entry.first == c.latency_ps; });
  if (lane == lanes_.end()) lane = lanes_.insert(lanes_.end(), {c.latency_ps, sim_.add_lane()});
  c.lane = lane->second;
  connections_.push_back(c);
  return static_cast<ConnectionId>(connections_.size() - 1);
}

std::vector<ConnectionId> FlowModel::connect_group(std::span<const ConnectionSpec> specs) {
  std::vector<ConnectionId> ids;
  ids.reserve(specs.size());
  for (const ConnectionSpec& spec : specs) ids.push_back(connect(spec));
  return ids;
}

sim::Time FlowModel::max_congestion_ps(std::span<const Load> loads) const {
  // Sparse accumulation: a step touches few of a big fabric's links.
  std::vector<std::pair<LinkId, double>> offered;
  for (const Load& load : loads) {
    const Connection& c = connections_.at(load.connection);
    for (std::uint32_t i = 0; i < c.hop_count; ++i) {
      const Hop& hop = hops_[c.first_hop + i];
      offered.emplace_back(hop.link, hop.weight * static_cast<double>(load.bytes));
    }
  }
  std::sort(offered.begin(), offered.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  double worst = 0;
  for (std::size_t i = 0; i < offered.size();) {
    const LinkId l = offered[i].first;
    double bytes = 0;
    for (; i < offered.size() && offered[i].first == l; ++i) bytes += offered[i].second;
    worst = std::max(worst, bytes / links_[l].capacity);
  }
  return static_cast<sim::Time>(std::ceil(worst));
}

std::uint32_t FlowModel::queue_pairs(ConnectionId connection) const {
  (void)connections_.at(connection);
  return 1;
}

std::vector<Subflow> FlowModel::connection_route(ConnectionId connection) const {
  const Connection& c = connections_.at(connection);
  Subflow subflow;
  subflow.hops.assign(hops_.begin() + c.first_hop, hops_.begin() + c.first_hop + c.hop_count);
  subflow.latency_ps = c.latency_ps;
  return {subflow};
}

FlowId FlowModel::start_flow(const FlowSpec& spec) {
  if (spec.connection >= connections_.size()) {
    throw sim::InternalError("start_flow on a connection that was never opened");
  }
  FlowId id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<FlowId>(flows_.size());
    flows_.emplace_back();
    more_slots_.emplace_back();
    new_rate_.push_back(0);
  }
  const Connection& c = connections_[spec.connection];
  Flow& flow = flows_[id];
  flow.spec = spec;
  flow.remaining = static_cast<double>(spec.size_bytes);
  flow.rate = 0;
  flow.sent = 0;
  flow.last = sim_.now();
  flow.start = sim_.now();
  flow.active = true;
  flow.serial = next_serial_++;
  flow.first_hop = c.first_hop;
  flow.hop_count = spec.size_bytes == 0 ? 0 : c.hop_count;
  ++active_;
  ++totals_.started;
  totals_.bytes_sent += spec.size_bytes;

  if (flow.hop_count == 0) {
    // Nothing crosses the fabric: done at once.
    sim_.schedule_at(sim_.now(), self_, kCompleteLocal, id);
    return id;
  }
  if (flow.hop_count > 4) more_slots_[id].resize(flow.hop_count - 4);
  const Hop* hop = hops(flow);
  bool alone = true;
  for (std::uint32_t i = 0; i < flow.hop_count; ++i) {
    LinkState& link = links_[hop[i].link];
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
  for (std::uint32_t i = 0; i < flow.hop_count; ++i) mark_changed(hop[i].link);
  sim_.request_end_of_instant(*this);
  return id;
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

void FlowModel::complete(FlowId id) {
  Flow& flow = flows_[id];
  const sim::Time now = sim_.now();
  flow.sent += flow.rate * static_cast<double>(now - flow.last);
  flow.remaining = 0;
  flow.last = now;

  const Hop* hop = hops(flow);
  for (std::uint32_t i = 0; i < flow.hop_count; ++i) {
    const LinkId l = hop[i].link;
    LinkState& link = links_[l];
    const FlowId moved = remove_from_link(link, slot(id, i));
    if (moved != kNoFlow) {
      // Tell the flow that moved into this slot where it now sits.
      const Flow& other = flows_[moved];
      const Hop* other_hop = hops(other);
      std::uint32_t k = 0;
      while (other_hop[k].link != l) ++k;
      slot(moved, k) = slot(id, i);
    }
    if (link.count == 0) {
      link.busy_ps += now - link.busy_since;
    } else {
      mark_changed(l);  // only links that still carry flows can change anyone's rate
    }
  }
  if (!changed_.empty()) sim_.request_end_of_instant(*this);
  if (flow.hop_count > 0) {
    const double size = static_cast<double>(flow.spec.size_bytes);
    totals_.max_byte_error = std::max(totals_.max_byte_error, std::abs(flow.sent - size));
  }
  ++totals_.completed;
  totals_.bytes_delivered += flow.spec.size_bytes;
  sim::Time delivered_at = now;
  if (flow.hop_count > 0) {
    Connection& c = connections_[flow.spec.connection];
    c.bytes_completed += flow.spec.size_bytes;
    delivered_at += c.latency_ps;
    sim_.schedule_in_lane(c.lane, delivered_at, flow.spec.notify, flow.spec.notify_tag,
                          flow.spec.notify_payload);
  } else {
    sim_.schedule_at(now, flow.spec.notify, flow.spec.notify_tag, flow.spec.notify_payload);
  }
  if (flows_csv_ != nullptr) record_flow(flow, delivered_at);
  if (observer_ != nullptr) observe_completion(flow, delivered_at);

  flow.active = false;
  due_.erase(id);
  flow.rate = 0;
  --active_;
  free_.push_back(id);
}

void FlowModel::record_flow(const Flow& flow, sim::Time end) {
  const Connection& c = connections_[flow.spec.connection];
  std::string path;
  if (flow.hop_count == 0) {
    path = "local";
  } else if (config_.policy == PathPolicy::spray) {
    path = "spray:" + std::to_string(routing_.paths(c.spec.src, c.spec.dst).count());
  } else {
    const Hop* hop = hops(flow);
    path = topology_.node_name(topology_.link(hop[0].link).src);
    for (std::uint32_t i = 0; i < flow.hop_count; ++i) {
      path += '>';
      path += topology_.node_name(topology_.link(hop[i].link).dst);
    }
  }
  flows_csv_->cell(flow.serial)
      .cell(flow.spec.collective)
      .cell(flow.spec.step)
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
  // (mark_changed stamped those, and numbered them in order).
  comp_links_.swap(changed_);
  changed_.clear();
  comp_flows_.clear();
  for (std::size_t i = 0; i < comp_links_.size(); ++i) {
    const LinkState& on = links_[comp_links_[i]];
    const FlowId* list = link_flows(on);
    for (std::uint32_t j = 0; j < on.count; ++j) {
      const FlowId f = list[j];
      Flow& flow = flows_[f];
      if (flow.visit == epoch_) continue;
      flow.visit = epoch_;
      comp_flows_.push_back(f);
      const Hop* hop = hops(flow);
      for (std::uint32_t k = 0; k < flow.hop_count; ++k) {
        LinkState& link = links_[hop[k].link];
        if (link.visit == epoch_) continue;
        link.visit = epoch_;
        link.local = static_cast<std::uint32_t>(comp_links_.size());
        comp_links_.push_back(hop[k].link);
      }
    }
  }
}

void FlowModel::fill_component() {
  // Progressive filling: repeatedly take the link whose remaining capacity per
  // unit of unfrozen weight is smallest, freeze its flows at that share.
  // The scratch is indexed by position in comp_links_ (LinkState::local):
  // dense, so the scans below read it sequentially.
  fill_.resize(comp_links_.size());
  for (std::size_t i = 0; i < comp_links_.size(); ++i) {
    const LinkState& link = links_[comp_links_[i]];
    fill_[i] = FillState{link.capacity, 0.0, link.count};
  }
  for (FlowId f : comp_flows_) {
    new_rate_[f] = -1;
    const Flow& flow = flows_[f];
    const Hop* hop = hops(flow);
    for (std::uint32_t k = 0; k < flow.hop_count; ++k) {
      fill_[links_[hop[k].link].local].weight += hop[k].weight;
    }
  }
  if (comp_links_.size() <= kLinearFillLinks) {
    fill_by_scan();
  } else {
    fill_by_heap();
  }
}

void FlowModel::freeze(FlowId f, double share) {
  new_rate_[f] = share;
  const Flow& flow = flows_[f];
  const Hop* hop = hops(flow);
  for (std::uint32_t k = 0; k < flow.hop_count; ++k) {
    FillState& fill = fill_[links_[hop[k].link].local];
    fill.remaining -= share * hop[k].weight;
    fill.weight -= hop[k].weight;
    --fill.unfrozen;
  }
}

// A flow alone on its links (the most common case by far) gets the smallest
// capacity per unit of weight along its route: the same numbers, computed the
// same way, as progressive filling would produce.
void FlowModel::rate_alone(FlowId f) {
  const Flow& flow = flows_[f];
  const Hop* hop = hops(flow);
  double best = 0;
  LinkId best_link = topology::kNoLink;
  for (std::uint32_t k = 0; k < flow.hop_count; ++k) {
    const double share = links_[hop[k].link].capacity / hop[k].weight;
    if (best_link == topology::kNoLink || share < best ||
        (share == best && hop[k].link < best_link)) {
      best = share;
      best_link = hop[k].link;
    }
  }
  for (std::uint32_t k = 0; k < flow.hop_count; ++k) {
    LinkState& link = links_[hop[k].link];
    const double left = std::max(0.0, link.capacity - best * hop[k].weight);
    link.peak_utilisation = std::max(link.peak_utilisation, (link.capacity - left) / link.capacity);
  }
  ++totals_.rate_recomputations;
  ++totals_.flows_rerated;
  apply_rate(f, best);
  if (observer_ != nullptr) observe_alone(f, best);
}

// Few links (the common case: a flow that starts or ends alone): finding the
// bottleneck by scanning beats keeping a heap.
void FlowModel::fill_by_scan() {
  for (;;) {
    LinkId best = topology::kNoLink;
    double best_share = 0;
    for (std::size_t i = 0; i < comp_links_.size(); ++i) {
      const FillState& fill = fill_[i];
      if (fill.unfrozen == 0) continue;
      const LinkId l = comp_links_[i];
      const double share = std::max(0.0, fill.remaining) / fill.weight;
      if (best == topology::kNoLink || share < best_share || (share == best_share && l < best)) {
        best = l;
        best_share = share;
      }
    }
    if (best == topology::kNoLink) return;
    const LinkState& bottleneck = links_[best];
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
      const FlowId f = list[j];
      if (new_rate_[f] < 0) freeze(f, share);
    }
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
  fill_component();
  ++totals_.rate_recomputations;
  totals_.flows_rerated += comp_flows_.size();

  for (FlowId f : comp_flows_) apply_rate(f, new_rate_[f]);
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
    link.peak_utilisation = std::max(link.peak_utilisation, (link.capacity - left) / link.capacity);
  }
}

void FlowModel::observe_load(LinkId l, double bytes_per_ps) {
  const sim::Time now = sim_.now();
  if (l < topology_.link_count()) {
    observer_->link_load(now, l, bytes_per_ps);
    return;
  }
  const auto& members = trunk_members_[l - topology_.link_count()];
  const double share = bytes_per_ps / static_cast<double>(members.size());
  for (LinkId member : members) observer_->link_load(now, member, share);
}

void FlowModel::observe_alone(FlowId f, double rate) {
  const Flow& flow = flows_[f];
  const Hop* hop = hops(flow);
  for (std::uint32_t k = 0; k < flow.hop_count; ++k)
    observe_load(hop[k].link, rate * hop[k].weight);
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
void FlowModel::observe_completion(const Flow& flow, sim::Time end) {
  const Hop* hop = hops(flow);
  for (std::uint32_t k = 0; k < flow.hop_count; ++k) {
    if (links_[hop[k].link].count == 0) observe_load(hop[k].link, 0.0);
  }
  const Connection& c = connections_[flow.spec.connection];
  observer_->flow_completed(
      sim_.now(), FlowRecord{flow.serial, flow.spec.collective, flow.spec.step, c.spec.src,
                             c.spec.dst, flow.spec.size_bytes, flow.start, end});
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
  for (const Connection& c : connections_) {
    if (c.bytes_completed == 0) continue;
    const double size = static_cast<double>(c.bytes_completed);
    for (std::uint32_t k = 0; k < c.hop_count; ++k) {
      const Hop& hop = hops_[c.first_hop + k];
      bytes[hop.link] += size * hop.weight;
    }
  }
  return bytes;
}

std::uint32_t FlowModel::ecmp_path_index(const ConnectionSpec& spec,
                                         std::uint32_t path_count) const {
  const std::uint64_t endpoints = (std::uint64_t{spec.src} << 32) | spec.dst;
  const std::uint64_t ports = (std::uint64_t{spec.src_port} << 16) | spec.dst_port;
  const std::uint64_t hash = sim::mix64(sim::mix64(ecmp_salt_ ^ endpoints) ^ ports);
  return static_cast<std::uint32_t>(hash % path_count);
}

std::vector<LinkId> FlowModel::flow_links(FlowId f) const {
  std::vector<LinkId> out;
  const Hop* hop = hops(flows_[f]);
  for (std::uint32_t k = 0; k < flows_[f].hop_count; ++k) {
    if (hop[k].link < topology_.link_count()) {
      out.push_back(hop[k].link);
    } else {
      const auto& members = trunk_members_[hop[k].link - topology_.link_count()];
      out.insert(out.end(), members.begin(), members.end());
    }
  }
  return out;
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
    const double mean = horizon > 0 ? s.bytes / (links_[l].capacity * horizon) : 0.0;
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
