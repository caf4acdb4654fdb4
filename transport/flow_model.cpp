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
  accounts_.resize(topology.link_count());
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
  if (link.changed == changed_epoch_) return;
  link.changed = changed_epoch_;
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
  accounts_.emplace_back();
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
    sim_.schedule_at(sim_.now(), self_, 0, (std::uint64_t{flow.version} << 32) | id);
    return id;
  }
  if (flow.hop_count > 4) flow.more_slots.resize(flow.hop_count - 4);
  const Hop* hop = hops(flow);
  bool alone = true;
  for (std::uint32_t i = 0; i < flow.hop_count; ++i) {
    LinkState& link = links_[hop[i].link];
    if (link.flows.empty()) accounts_[hop[i].link].busy_since = sim_.now();
    flow.slot(i) = static_cast<std::uint32_t>(link.flows.size());
    link.flows.push_back(OnLink{id, i});
    alone = alone && link.flows.size() == 1;
  }
  if (alone) {
    // Alone on every link: its component is itself, so rate it now. Should
    // another flow join one of its links later in this instant, that link's
    // recomputation includes this flow again.
    comp_links_.clear();
    for (std::uint32_t i = 0; i < flow.hop_count; ++i) comp_links_.push_back(hop[i].link);
    fill_single(id);
    apply_rate(id, new_rate_[id]);
    record_peaks();
    ++totals_.rate_recomputations;
    ++totals_.flows_rerated;
    return id;
  }
  for (std::uint32_t i = 0; i < flow.hop_count; ++i) mark_changed(hop[i].link);
  sim_.request_end_of_instant(*this);
  return id;
}

void FlowModel::handle(const sim::Event& event) {
  const auto id = static_cast<FlowId>(event.payload & 0xffffffffu);
  const auto version = static_cast<std::uint32_t>(event.payload >> 32);
  if (id >= flows_.size()) return;
  Flow& flow = flows_[id];
  if (!flow.active || flow.version != version) return;  // superseded by a rate change
  complete(id);
}

void FlowModel::complete(FlowId id) {
  Flow& flow = flows_[id];
  const sim::Time now = sim_.now();
  flow.sent += flow.rate * static_cast<double>(now - flow.last);
  flow.remaining = 0;
  flow.last = now;

  const Hop* hop = hops(flow);
  const double size = static_cast<double>(flow.spec.size_bytes);
  for (std::uint32_t i = 0; i < flow.hop_count; ++i) {
    const LinkId l = hop[i].link;
    LinkState& link = links_[l];
    LinkAccount& account = accounts_[l];
    account.bytes += size * hop[i].weight;
    const std::uint32_t slot = flow.slot(i);
    const OnLink moved = link.flows.back();
    link.flows[slot] = moved;
    link.flows.pop_back();
    if (link.flows.empty()) account.busy_ps += now - account.busy_since;
    // Tell the flow that moved into this slot where it now sits.
    if (moved.flow != id) flows_[moved.flow].slot(moved.hop) = slot;
    // Only links that still carry flows can change anyone's rate.
    if (!link.flows.empty()) mark_changed(l);
  }
  if (!changed_.empty()) sim_.request_end_of_instant(*this);
  if (flow.hop_count > 0) {
    totals_.max_byte_error = std::max(totals_.max_byte_error, std::abs(flow.sent - size));
  }
  ++totals_.completed;
  totals_.bytes_delivered += flow.spec.size_bytes;
  sim::Time delivered_at = now;
  if (flow.hop_count > 0) {
    const Connection& c = connections_[flow.spec.connection];
    delivered_at += c.latency_ps;
    sim_.schedule_in_lane(c.lane, delivered_at, flow.spec.notify, flow.spec.notify_tag,
                          flow.spec.notify_payload);
  } else {
    sim_.schedule_at(now, flow.spec.notify, flow.spec.notify_tag, flow.spec.notify_payload);
  }
  if (flows_csv_ != nullptr) record_flow(flow, delivered_at);

  flow.active = false;
  ++flow.version;
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
  // Breadth-first over links and flows from every link changed this instant.
  ++epoch_;
  comp_links_.clear();
  comp_flows_.clear();
  for (LinkId l : changed_) {
    if (links_[l].visit == epoch_) continue;
    links_[l].visit = epoch_;
    comp_links_.push_back(l);
  }
  for (std::size_t i = 0; i < comp_links_.size(); ++i) {
    for (const OnLink& on : links_[comp_links_[i]].flows) {
      const FlowId f = on.flow;
      Flow& flow = flows_[f];
      if (flow.visit == epoch_) continue;
      flow.visit = epoch_;
      comp_flows_.push_back(f);
      const Hop* hop = hops(flow);
      for (std::uint32_t k = 0; k < flow.hop_count; ++k) {
        LinkState& link = links_[hop[k].link];
        if (link.visit == epoch_) continue;
        link.visit = epoch_;
        comp_links_.push_back(hop[k].link);
      }
    }
  }
}

void FlowModel::fill_component() {
  if (comp_flows_.size() == 1) {
    fill_single(comp_flows_.front());
    return;
  }
  // Progressive filling: repeatedly take the link whose remaining capacity per
  // unit of unfrozen weight is smallest, freeze its flows at that share.
  for (LinkId l : comp_links_) {
    LinkState& link = links_[l];
    link.remaining = link.capacity;
    link.weight = 0;
    link.unfrozen = static_cast<std::uint32_t>(link.flows.size());
  }
  for (FlowId f : comp_flows_) {
    new_rate_[f] = -1;
    const Flow& flow = flows_[f];
    const Hop* hop = hops(flow);
    for (std::uint32_t k = 0; k < flow.hop_count; ++k) links_[hop[k].link].weight += hop[k].weight;
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
    LinkState& link = links_[hop[k].link];
    link.remaining -= share * hop[k].weight;
    link.weight -= hop[k].weight;
    --link.unfrozen;
  }
}

// A flow alone on its links (the most common case by far) gets the smallest
// capacity per unit of weight along its route: the same numbers, computed the
// same way, as progressive filling would produce.
void FlowModel::fill_single(FlowId f) {
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
  new_rate_[f] = best;
  for (LinkId l : comp_links_) links_[l].remaining = links_[l].capacity;
  for (std::uint32_t k = 0; k < flow.hop_count; ++k) {
    links_[hop[k].link].remaining -= best * hop[k].weight;
  }
}

// Few links (the common case: a flow that starts or ends alone): finding the
// bottleneck by scanning beats keeping a heap.
void FlowModel::fill_by_scan() {
  for (;;) {
    LinkId best = topology::kNoLink;
    double best_share = 0;
    for (LinkId l : comp_links_) {
      const LinkState& link = links_[l];
      if (link.unfrozen == 0) continue;
      const double share = std::max(0.0, link.remaining) / link.weight;
      if (best == topology::kNoLink || share < best_share || (share == best_share && l < best)) {
        best = l;
        best_share = share;
      }
    }
    if (best == topology::kNoLink) return;
    for (const OnLink& on : links_[best].flows) {
      const FlowId f = on.flow;
      if (new_rate_[f] < 0) freeze(f, best_share);
    }
  }
}

void FlowModel::fill_by_heap() {
  heap_.clear();
  for (LinkId l : comp_links_) {
    const LinkState& link = links_[l];
    if (link.unfrozen > 0) heap_.emplace_back(link.remaining / link.weight, l);
  }
  std::make_heap(heap_.begin(), heap_.end(), heap_after);
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), heap_after);
    const auto [share, l] = heap_.back();
    heap_.pop_back();
    const LinkState& bottleneck = links_[l];
    if (bottleneck.unfrozen == 0) continue;
    if (std::max(0.0, bottleneck.remaining) / bottleneck.weight != share) continue;  // stale
    for (const OnLink& on : bottleneck.flows) {
      const FlowId f = on.flow;
      if (new_rate_[f] >= 0) continue;
      freeze(f, share);
      const Flow& flow = flows_[f];
      const Hop* hop = hops(flow);
      for (std::uint32_t k = 0; k < flow.hop_count; ++k) {
        const LinkState& link = links_[hop[k].link];
        if (link.unfrozen > 0 && hop[k].link != l) {
          heap_.emplace_back(std::max(0.0, link.remaining) / link.weight, hop[k].link);
          std::push_heap(heap_.begin(), heap_.end(), heap_after);
        }
      }
    }
  }
}

void FlowModel::end_of_instant() {
  if (changed_.empty()) return;
  collect_component();
  ++changed_epoch_;
  changed_.clear();

  fill_component();
  ++totals_.rate_recomputations;
  totals_.flows_rerated += comp_flows_.size();

  for (FlowId f : comp_flows_) apply_rate(f, new_rate_[f]);
  record_peaks();
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
  ++flow.version;
  if (rate > 0) {
    sim_.schedule_at(now + ceil_ps(flow.remaining, rate), self_, 0,
                     (std::uint64_t{flow.version} << 32) | f);
  }
}

// Every flow on a component link was frozen, so what filling left of the
// capacity is exactly what the link does not carry.
void FlowModel::record_peaks() {
  for (LinkId l : comp_links_) {
    const LinkState& link = links_[l];
    if (link.flows.empty()) continue;
    double& peak = accounts_[l].peak_utilisation;
    peak = std::max(peak, (link.capacity - std::max(0.0, link.remaining)) / link.capacity);
  }
}

LinkStats FlowModel::link_stats(LinkId l) const {
  const std::uint32_t trunk = l < trunk_of_.size() ? trunk_of_[l] : kNoTrunk;
  if (trunk != kNoTrunk) {
    // A trunk's members carry equal shares of its load.
    LinkStats s = link_stats(trunk_link(trunk));
    s.bytes /= static_cast<double>(trunk_members_[trunk].size());
    return s;
  }
  const LinkAccount& a = accounts_[l];
  LinkStats s{a.bytes, a.busy_ps, a.peak_utilisation};
  if (!links_[l].flows.empty()) s.busy_ps += sim_.now() - a.busy_since;
  return s;
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
  static constexpr const char* kKinds[] = {"host_up", "host_down", "leaf_up", "spine_down"};
  const double horizon = static_cast<double>(sim_.now());
  for (LinkId l = 0; l < topology_.link_count(); ++l) {
    const topology::Link& link = topology_.link(l);
    const LinkStats s = link_stats(l);
    const double mean = horizon > 0 ? s.bytes / (links_[l].capacity * horizon) : 0.0;
    csv->cell(l)
        .cell(topology_.link_name(l))
        .cell(kKinds[static_cast<int>(link.kind)])
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
