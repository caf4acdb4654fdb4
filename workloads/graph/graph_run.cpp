#include "workloads/graph/graph_run.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "sim/error.hpp"
#include "sim/rng.hpp"
#include "sim/units.hpp"

namespace spinel::workloads::graph {

GraphRun::GraphRun(sim::Simulator& sim, transport::Transport& transport,
                   const topology::Topology& topology, topology::Routing& routing,
                   std::vector<topology::HostId> hosts, std::shared_ptr<const Program> program,
                   GraphOptions options)
    : sim_(sim),
      transport_(transport),
      self_(sim.add_handler(*this)),
      hosts_(std::move(hosts)),
      program_(std::move(program)),
      options_(std::move(options)),
      speed_(program_->rank_count()) {
  const std::uint32_t n = program_->rank_count();
  if (hosts_.size() != n) throw sim::InternalError("graph: one host per rank needed");
  offset_.assign(n + 1, 0);
  for (std::uint32_t r = 0; r < n; ++r) {
    offset_[r + 1] = offset_[r] + static_cast<std::uint32_t>(program_->ranks[r].size());
  }
  const std::uint32_t ops = offset_[n];
  timing_.assign(ops, OpTiming{});
  slot_.assign(ops, CollectiveSlot{});
  partner_.assign(ops, 0);
  arrived_.assign(ops, 0);
  connection_.assign(ops, 0);
  compute_queue_.resize(n);
  computing_.assign(n, 0);
  if (options_.gated) {
    check_gated();
    chain_start_ps_.assign(ops, 0);
    chain_work_ps_.assign(ops, 0);
  } else if (program_->iteration_gap_ps != 0) {
    throw sim::InternalError("graph: an iteration gap needs the gated executor");
  }
  build_channels(topology, routing);
  build_dependencies();
  build_point_to_point();
}

// What the gated executor can run: one communicator of several ranks,
// compute and collective ops only, each compute op after one compute op of
// its rank (its chain) or after collectives only.
void GraphRun::check_gated() const {
  const Program& p = *program_;
  if (p.communicators.size() != 1 || p.communicators[0].ranks.size() < 2) {
    throw sim::InternalError("graph: the gated executor runs one communicator of several ranks");
  }
  for (const RankProgram& rp : p.ranks) {
    for (std::uint32_t i = 0; i < rp.size(); ++i) {
      const Op& op = rp.ops[i];
      if (op.kind == OpKind::collective) continue;
      if (op.kind != OpKind::compute) {
        throw sim::InternalError("graph: the gated executor runs no point-to-point op");
      }
      std::uint32_t computes = 0;
      const std::uint32_t deps = rp.dep_begin[i + 1] - rp.dep_begin[i];
      for (std::uint32_t d = rp.dep_begin[i]; d < rp.dep_begin[i + 1]; ++d) {
        if (rp.ops[rp.deps[d]].kind == OpKind::compute) ++computes;
      }
      if (computes > 0 && deps != 1) {
        throw sim::InternalError("graph: a gated compute op after compute and something else");
      }
    }
  }
}

GraphRun::~GraphRun() = default;

std::uint32_t GraphRun::rank_of(std::uint32_t op) const {
  return static_cast<std::uint32_t>(std::upper_bound(offset_.begin(), offset_.end(), op) -
                                    offset_.begin() - 1);
}

const Op& GraphRun::op_at(std::uint32_t op) const {
  const std::uint32_t r = rank_of(op);
  return program_->ranks[r].ops[op - offset_[r]];
}

// Each communicator's collectives, split by (kind, size): one CollectiveRun
// each, whose instances are the matching calls in program order.
void GraphRun::build_channels(const topology::Topology& topology, topology::Routing& routing) {
  const Program& p = *program_;
  std::uint32_t next_id = options_.first_id;
  calls_.assign(p.communicators.size(), 0);
  for (std::uint32_t c = 0; c < p.communicators.size(); ++c) {
    const Communicator& comm = p.communicators[c];
    const auto members = static_cast<std::uint32_t>(comm.ranks.size());
    // Per call k (the first member's order, which every member shares), its channel.
    using Key = std::tuple<Collective, std::uint64_t, std::uint32_t, std::uint32_t>;
    std::map<Key, std::uint32_t> channel_of;
    std::vector<std::uint32_t> call_channel;
    std::vector<std::uint32_t> call_instance;
    const RankProgram& first = p.ranks[comm.ranks.front()];
    for (const Op& op : first.ops) {
      if (op.kind != OpKind::collective || op.communicator != c) continue;
      const Key key{op.collective, op.size_bytes, op.root, op.matrix};
      auto it = channel_of.find(key);
      if (it == channel_of.end()) {
        it = channel_of.emplace(key, static_cast<std::uint32_t>(channels_.size())).first;
        auto ch = std::make_unique<Channel>();
        ch->owner = this;
        ch->communicator = c;
        ch->members = members;
        channels_.push_back(std::move(ch));
      }
      Channel& ch = *channels_[it->second];
      call_channel.push_back(it->second);
      call_instance.push_back(ch.instances++);
    }
    for (const auto& [key, index] : channel_of) {
      Channel& ch = *channels_[index];
      ch.ops.assign(std::size_t{ch.instances} * members, 0);
      ch.call_of.assign(ch.instances, 0);
    }
    for (std::uint32_t k = 0; k < call_channel.size(); ++k) {
      channels_[call_channel[k]]->call_of[call_instance[k]] = k;
    }
    if (members > 1) calls_[c] = static_cast<std::uint32_t>(call_channel.size());
    for (std::uint32_t m = 0; m < members; ++m) {
      const std::uint32_t r = comm.ranks[m];
      const RankProgram& prog = p.ranks[r];
      std::uint32_t k = 0;
      for (std::uint32_t i = 0; i < prog.size(); ++i) {
        const Op& op = prog.ops[i];
        if (op.kind != OpKind::collective || op.communicator != c) continue;
        const std::uint32_t g = offset_[r] + i;
        Channel& ch = *channels_[call_channel[k]];
        slot_[g] = CollectiveSlot{call_channel[k], call_instance[k], m};
        ch.ops[std::size_t{call_instance[k]} * members + m] = g;
        ++k;
      }
    }
    // Channels in the order of their key, so that ids do not depend on map internals.
    for (const auto& [key, index] : channel_of) {
      Channel& ch = *channels_[index];
      if (members < 2) continue;  // a communicator of one: nothing to send
      const auto& [kind, size, root, matrix] = key;
      std::vector<topology::HostId> hosts;
      CollectiveOptions o;
      o.collective = kind;
      o.job = options_.job;
      o.size_bytes = size;
      o.iterations = ch.instances;
      if (options_.gated) {
        // The stream idles between iterations, as the collective job's did.
        o.iterations = p.iterations;
        o.buckets = ch.instances / p.iterations;
        o.compute_gap_ps = p.iteration_gap_ps;
      }
      o.first_id = next_id;
      ch.first_id = next_id;
      next_id += ch.instances;
      collective_count_ += ch.instances;
      double slowest_nic = topology.nic_rate_gbps(hosts_[comm.ranks.front()]);
      for (const std::uint32_t r : comm.ranks) {
        hosts.push_back(hosts_[r]);
        slowest_nic = std::min(slowest_nic, topology.nic_rate_gbps(hosts_[r]));
        if (!options_.server_of_rank.empty()) {
          o.server_of_rank.push_back(options_.server_of_rank[r]);
        }
      }
      if (!o.server_of_rank.empty()) {
        o.nvlink_gbps = options_.shape.nvlink_gbps;
        o.nvlink_latency_ps = options_.shape.nvlink_latency_ps;
      }
      auto schedule = matrix == kNoMatrix ? make_schedule(kind, members, size, options_.shape, root)
                                          : make_all_to_allv_schedule(p.matrices[matrix]);
      // A group inside one server runs on NVLink alone: its ideal is NVLink's.
      const bool one_server =
          !options_.gated && !o.server_of_rank.empty() &&
          std::all_of(o.server_of_rank.begin(), o.server_of_rank.end(),
                      [&](std::uint32_t s) { return s == o.server_of_rank.front(); });
      const double rate_gbps = one_server ? options_.shape.nvlink_gbps : slowest_nic;
      const sim::Time latency_ps =
          one_server ? options_.shape.nvlink_latency_ps
                     : max_pair_latency_ps(*schedule, hosts, routing, o.server_of_rank);
      if (matrix != kNoMatrix) {
        o.ideal_ps = all_to_allv_ideal_ps(p.matrices[matrix], rate_gbps, latency_ps);
      } else if (one_server) {
        o.ideal_ps = ideal_ps(kind, members, size, rate_gbps, latency_ps);
      } else {
        o.ideal_ps = ideal_ps(kind, members, size, rate_gbps, latency_ps, options_.shape);
      }
      ch.ideal_ps = o.ideal_ps;
      ch.run = std::make_unique<CollectiveRun>(sim_, transport_, std::move(hosts),
                                               std::move(schedule), o);
      ch.run->set_gate(&ch);
      ch.run->set_done_listener(&ch);
    }
  }
}

// Program dependencies, plus: each collective waits for the previous one on
// its communicator (one stream per communicator).
void GraphRun::build_dependencies() {
  const Program& p = *program_;
  const std::uint32_t n = p.rank_count();
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;  // (before, after), global
  pending_.assign(timing_.size(), 0);
  std::vector<std::uint32_t> last_on(p.communicators.size());
  std::vector<std::uint8_t> seen(p.communicators.size());
  for (std::uint32_t r = 0; r < n; ++r) {
    const RankProgram& prog = p.ranks[r];
    std::fill(seen.begin(), seen.end(), 0);
    for (std::uint32_t i = 0; i < prog.size(); ++i) {
      const std::uint32_t g = offset_[r] + i;
      for (std::uint32_t d = prog.dep_begin[i]; d < prog.dep_begin[i + 1]; ++d) {
        edges.emplace_back(offset_[r] + prog.deps[d], g);
      }
      const Op& op = prog.ops[i];
      if (op.kind == OpKind::collective) {
        if (seen[op.communicator] != 0) edges.emplace_back(last_on[op.communicator], g);
        seen[op.communicator] = 1;
        last_on[op.communicator] = g;
      }
    }
  }
  for (const CrossDependency& d : p.cross_deps) {
    edges.emplace_back(offset_[d.on_rank] + d.on_op, offset_[d.rank] + d.op);
  }
  next_begin_.assign(timing_.size() + 1, 0);
  for (const auto& [before, after] : edges) {
    ++next_begin_[before + 1];
    ++pending_[after];
  }
  for (std::uint32_t r = 0; r < n; ++r) {
    for (std::uint32_t i = 0; i < p.ranks[r].size(); ++i) {
      const std::uint32_t needs = p.ranks[r].ops[i].needs;
      if (needs != 0) pending_[offset_[r] + i] = needs;
    }
  }
  for (std::size_t i = 0; i < timing_.size(); ++i) next_begin_[i + 1] += next_begin_[i];
  next_.assign(edges.size(), 0);
  std::vector<std::uint32_t> fill(next_begin_.begin(), next_begin_.end() - 1);
  for (const auto& [before, after] : edges) next_[fill[before]++] = after;
}

// Sends pair with receives by (src, dst, tag) in order; each pair of ranks
// that talks over the fabric gets one connection, opened as one group.
void GraphRun::build_point_to_point() {
  const Program& p = *program_;
  using Key = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>;
  std::map<Key, std::deque<std::uint32_t>> recvs;
  const bool per_tag = p.connection_per_tag;
  for (std::uint32_t r = 0; r < p.rank_count(); ++r) {
    const RankProgram& prog = p.ranks[r];
    for (std::uint32_t i = 0; i < prog.size(); ++i) {
      const Op& op = prog.ops[i];
      if (op.kind == OpKind::recv) recvs[{op.peer, r, op.tag}].push_back(offset_[r] + i);
    }
  }
  // Per (src, dst, tag) with a connection per tag, else per (src, dst) (tag 0).
  std::map<Key, std::vector<std::uint32_t>> sends_of_pair;
  for (std::uint32_t r = 0; r < p.rank_count(); ++r) {
    const RankProgram& prog = p.ranks[r];
    for (std::uint32_t i = 0; i < prog.size(); ++i) {
      const Op& op = prog.ops[i];
      if (op.kind != OpKind::send) continue;
      auto& queue = recvs[{r, op.peer, op.tag}];
      if (queue.empty()) throw sim::InternalError("graph: a send with no receive (validate first)");
      const std::uint32_t g = offset_[r] + i;
      partner_[g] = queue.front();
      partner_[queue.front()] = g;
      queue.pop_front();
      if (!same_server(r, op.peer)) sends_of_pair[{r, op.peer, per_tag ? op.tag : 0}].push_back(g);
    }
  }
  std::vector<transport::ConnectionSpec> specs;
  for (const auto& [pair, sends] : sends_of_pair) {
    std::uint64_t largest = 0;
    for (const std::uint32_t g : sends) largest = std::max(largest, op_at(g).size_bytes);
    const auto& [src, dst, tag] = pair;
    std::uint64_t key = sim::mix64((std::uint64_t{options_.job} << 32) | 0xffffffffu) ^
                        sim::mix64((std::uint64_t{src} << 32) | dst);
    // A connection per tag: each its own entropy, as separate connections have.
    if (per_tag) key ^= sim::mix64(0x7461670000000000ULL | tag);
    transport::ConnectionSpec spec;
    spec.src = hosts_[src];
    spec.dst = hosts_[dst];
    spec.src_port = static_cast<std::uint16_t>(49152 + key % 16384);
    spec.planned_bytes = largest;
    specs.push_back(spec);
  }
  if (specs.empty()) return;
  const std::vector<transport::ConnectionId> ids = transport_.connect_group(specs);
  std::size_t i = 0;
  for (const auto& [pair, sends] : sends_of_pair) {
    for (const std::uint32_t g : sends) connection_[g] = ids[i];
    ++i;
  }
}

void GraphRun::set_observer(StepObserver* observer) {
  for (auto& ch : channels_) {
    if (ch->run) ch->run->set_observer(observer);
  }
}

void GraphRun::set_monitor(CollectiveMonitor& monitor, const std::vector<std::uint32_t>& streams,
                           std::uint32_t point_to_point) {
  for (auto& ch : channels_) {
    if (!ch->run || streams.at(ch->communicator) == kNoStream) continue;
    ch->monitor = std::make_unique<StreamMonitor>(monitor, streams[ch->communicator], ch->call_of,
                                                  calls_[ch->communicator]);
    ch->run->set_monitor(ch->monitor.get());
  }
  monitor_ = &monitor;
  point_to_point_stream_ = point_to_point;
}

void GraphRun::set_iteration_listener(IterationListener* listener) {
  if (options_.gated) throw sim::InternalError("graph: iterations of a gated run are not heard");
  iteration_listener_ = listener;
  const Program& p = *program_;
  std::uint32_t per = 0;
  for (const RankProgram& rp : p.ranks) per += static_cast<std::uint32_t>(rp.size()) / p.iterations;
  iteration_left_.assign(p.iterations, per);
}

void GraphRun::start(sim::Time at) {
  if (options_.gated) {  // the channels' gates do the rest
    start_ps_ = at;
    for (auto& ch : channels_) ch->run->start(at);
    return;
  }
  sim_.schedule_at(at, self_, kStart);
}

void GraphRun::handle(const sim::Event& event) {
  switch (event.tag) {
    case kStart: {
      start_ps_ = sim_.now();
      for (auto& ch : channels_) {
        if (ch->run) ch->run->start(sim_.now());
      }
      for (std::uint32_t g = 0; g < timing_.size(); ++g) {
        if (pending_[g] == 0) ready(g);
      }
      return;
    }
    case kComputeDone: {
      const auto g = static_cast<std::uint32_t>(event.payload);
      const std::uint32_t r = rank_of(g);
      computing_[r] = 0;
      if (monitor_ != nullptr) monitor_->compute_ended(options_.job, r, sim_.now());
      complete(g);
      start_compute(r);
      return;
    }
    case kNotBefore:
      ready(static_cast<std::uint32_t>(event.payload));
      return;
    case kDelivered: {
      const auto send_op = static_cast<std::uint32_t>(event.payload);
      const std::uint32_t recv_op = partner_[send_op];
      if (point_to_point_stream_ != kNoStream && !same_server(rank_of(send_op), rank_of(recv_op))) {
        monitor_->transfer_done(point_to_point_stream_, connection_[send_op], sim_.now());
      }
      complete(send_op);
      arrived_[recv_op] = 1;
      if (pending_[recv_op] == 0 && timing_[recv_op].start_ps != sim::kForever) complete(recv_op);
      return;
    }
    default:
      throw sim::InternalError("graph: unknown event");
  }
}

// All of the op's dependencies are done: it starts (or, for compute, queues
// for its rank's GPU).
void GraphRun::ready(std::uint32_t g) {
  const Op& op = op_at(g);
  // Its start time holds it, and nothing else meanwhile.
  if (op.not_before_ps != 0 && sim_.now() < start_ps_ + op.not_before_ps) {
    sim_.schedule_at(start_ps_ + op.not_before_ps, self_, kNotBefore, g);
    return;
  }
  switch (op.kind) {
    case OpKind::compute: {
      const std::uint32_t r = rank_of(g);
      compute_queue_[r].push_back(g);
      start_compute(r);
      return;
    }
    case OpKind::collective: {
      timing_[g].start_ps = sim_.now();
      const CollectiveSlot& s = slot_[g];
      Channel& ch = *channels_[s.channel];
      if (!ch.run) {  // a communicator of one rank
        complete(g);
        return;
      }
      if (ch.open == static_cast<std::int64_t>(s.instance)) ch.run->admit(s.member);
      return;  // otherwise the gate lets it in when the instance opens
    }
    case OpKind::send:
      timing_[g].start_ps = sim_.now();
      send(g);
      return;
    case OpKind::recv:
      timing_[g].start_ps = sim_.now();
      if (arrived_[g] != 0) complete(g);
      return;
    case OpKind::wait:
      timing_[g].start_ps = sim_.now();
      complete(g);
      return;
  }
}

void GraphRun::start_compute(std::uint32_t r) {
  auto& queue = compute_queue_[r];
  if (computing_[r] != 0 || queue.empty()) return;
  const std::uint32_t g = queue.front();
  queue.pop_front();
  computing_[r] = 1;
  timing_[g].start_ps = sim_.now();
  const double scaled = static_cast<double>(op_at(g).duration_ps) * options_.compute_scale;
  const sim::Time end = speed_.finish_ps(r, sim_.now(), static_cast<sim::Time>(scaled));
  if (monitor_ != nullptr) monitor_->compute_started(options_.job, r, sim_.now());
  if (end != sim::kForever) sim_.schedule_at(end, self_, kComputeDone, g);  // else hung
}

void GraphRun::send(std::uint32_t g) {
  const Op& op = op_at(g);
  const std::uint32_t r = rank_of(g);
  if (same_server(r, op.peer)) {
    const sim::Time nvlink_ps = sim::serialisation_ps(op.size_bytes, options_.shape.nvlink_gbps) +
                                options_.shape.nvlink_latency_ps;
    sim_.schedule_in(nvlink_ps, self_, kDelivered, g);
    return;
  }
  transport::FlowSpec spec;
  spec.connection = connection_[g];
  spec.size_bytes = op.size_bytes;
  spec.notify = self_;
  spec.notify_tag = kDelivered;
  spec.notify_payload = g;
  spec.tag = op.tag;
  transport_.start_flow(spec);
  if (point_to_point_stream_ != kNoStream) {
    TransferStat stat;
    stat.job = point_to_point_stream_;
    stat.index = g;
    stat.src = r;
    stat.dst = op.peer;
    stat.connection = spec.connection;
    stat.bytes = op.size_bytes;
    stat.start_ps = sim_.now();
    monitor_->transfer_started(stat);
  }
}

void GraphRun::complete(std::uint32_t g) {
  timing_[g].end_ps = sim_.now();
  end_ps_ = std::max(end_ps_, sim_.now());
  ++done_;
  if (options_.gated) return;  // what waits on it asks when its collective opens
  if (iteration_listener_ != nullptr) {
    const std::uint32_t r = rank_of(g);
    const std::uint32_t per = (offset_[r + 1] - offset_[r]) / program_->iterations;
    --iteration_left_[(g - offset_[r]) / per];
    // Iterations end in order: a rank's iteration k + 1 waits for its iteration k.
    while (next_iteration_ < iteration_left_.size() && iteration_left_[next_iteration_] == 0) {
      iteration_listener_->iteration_done(next_iteration_++, sim_.now());
    }
  }
  for (std::uint32_t i = next_begin_[g]; i < next_begin_[g + 1]; ++i) {
    const std::uint32_t after = next_[i];
    // An op that needs only k of its dependencies was readied by the k-th: the later ones
    // find it at 0 and leave it.
    if (pending_[after] != 0 && --pending_[after] == 0) ready(after);
  }
}

sim::Time GraphRun::Channel::ready_at(std::uint32_t member, std::uint32_t index,
                                      sim::Time open_ps) {
  open = index;
  const std::uint32_t g = ops[std::size_t{index} * members + member];
  if (owner->options_.gated) return owner->gated_ready_ps(g);
  // Ready already (its dependencies done while the previous instance ran)?
  return owner->timing_[g].start_ps != sim::kForever ? open_ps : sim::kForever;
}

void GraphRun::Channel::collective_done(const CollectiveRun&, std::uint32_t index) {
  open = -1;
  for (std::uint32_t m = 0; m < members; ++m)
    owner->complete(ops[std::size_t{index} * members + m]);
}

sim::Time GraphRun::gated_ready_ps(std::uint32_t g) {
  const std::uint32_t r = rank_of(g);
  const RankProgram& prog = program_->ranks[r];
  const std::uint32_t i = g - offset_[r];
  sim::Time ready = start_ps_;
  for (std::uint32_t d = prog.dep_begin[i]; d < prog.dep_begin[i + 1]; ++d) {
    const std::uint32_t dep = offset_[r] + prog.deps[d];
    const sim::Time end = prog.ops[prog.deps[d]].kind == OpKind::compute ? gated_compute_end_ps(dep)
                                                                         : timing_[dep].end_ps;
    ready = std::max(ready, end);
  }
  if (ready != sim::kForever) timing_[g].start_ps = ready;
  return ready;
}

// A compute op right after another runs on as one kernel: its end is where
// the chain's summed work ends (so a slowdown part-way rounds once, as one
// iteration's compute always did). A chain starts after its dependencies,
// plus the iteration gap when it opens an iteration.
sim::Time GraphRun::gated_compute_end_ps(std::uint32_t g) {
  OpTiming& t = timing_[g];
  if (t.end_ps != sim::kForever) return t.end_ps;
  const std::uint32_t r = rank_of(g);
  const RankProgram& prog = program_->ranks[r];
  const std::uint32_t i = g - offset_[r];
  const auto work =
      static_cast<sim::Time>(static_cast<double>(prog.ops[i].duration_ps) * options_.compute_scale);
  const std::uint32_t first = prog.dep_begin[i];
  const std::uint32_t last = prog.dep_begin[i + 1];
  if (last - first == 1 && prog.ops[prog.deps[first]].kind == OpKind::compute) {
    const std::uint32_t before = offset_[r] + prog.deps[first];
    t.start_ps = gated_compute_end_ps(before);
    chain_start_ps_[g] = chain_start_ps_[before];
    chain_work_ps_[g] = chain_work_ps_[before] + work;
  } else {
    sim::Time start = start_ps_;
    for (std::uint32_t d = first; d < last; ++d) {
      const sim::Time end = timing_[offset_[r] + prog.deps[d]].end_ps;
      if (end == sim::kForever) throw sim::InternalError("graph: gated compute before its inputs");
      start = std::max(start, end);
    }
    const std::uint32_t per = static_cast<std::uint32_t>(prog.size()) / program_->iterations;
    if (i >= per && i % per == 0) start += program_->iteration_gap_ps;
    t.start_ps = start;
    chain_start_ps_[g] = start;
    chain_work_ps_[g] = work;
  }
  if (t.start_ps == sim::kForever) return sim::kForever;  // after a hung op
  t.end_ps = speed_.finish_ps(r, chain_start_ps_[g], chain_work_ps_[g]);
  if (t.end_ps != sim::kForever) ++done_;
  return t.end_ps;
}

sim::Time GraphRun::busy_from_ps(std::uint32_t rank, std::uint32_t op) const {
  const std::uint32_t g = offset_[rank] + op;
  if (op_at(g).kind != OpKind::recv) return timing_[g].start_ps;
  return std::max(timing_[g].start_ps, timing_[partner_[g]].start_ps);
}

std::vector<CollectiveResult> GraphRun::collective_results() const {
  std::vector<CollectiveResult> all;
  for (const auto& ch : channels_) {
    if (!ch->run) continue;
    // Instance j of a channel is call j % per of its training iteration j / per.
    const std::uint32_t per = std::max<std::uint32_t>(ch->instances / program_->iterations, 1);
    for (CollectiveResult c : ch->run->results()) {
      const std::uint32_t j = c.collective_id - ch->first_id;
      c.communicator = ch->communicator;
      c.iteration = j / per;
      c.bucket = j % per;
      all.push_back(c);
    }
  }
  std::sort(all.begin(), all.end(), [](const CollectiveResult& a, const CollectiveResult& b) {
    return a.collective_id < b.collective_id;
  });
  return all;
}

std::uint32_t GraphRun::communicator_of(std::uint32_t collective_id) const {
  for (const auto& ch : channels_) {
    if (ch->run && collective_id >= ch->first_id && collective_id < ch->first_id + ch->instances) {
      return ch->communicator;
    }
  }
  throw sim::InternalError("graph: not one of this run's collectives");
}

std::string GraphRun::blocked(std::size_t limit) const {
  std::string out;
  std::size_t listed = 0;
  std::size_t stuck = 0;
  const Program& p = *program_;
  for (std::uint32_t r = 0; r < p.rank_count(); ++r) {
    for (std::uint32_t i = 0; i < p.ranks[r].size(); ++i) {
      const std::uint32_t g = offset_[r] + i;
      if (timing_[g].start_ps == sim::kForever || timing_[g].end_ps != sim::kForever) continue;
      ++stuck;
      if (listed == limit) continue;
      ++listed;
      const Op& op = p.ranks[r].ops[i];
      out += "\n  rank " + std::to_string(r) + " op " + std::to_string(i);
      if (op.label != 0) out += " (" + p.labels[op.label] + ")";
      switch (op.kind) {
        case OpKind::collective:
          out += ": " + std::string(to_string(op.collective)) + " on " +
                 p.communicators[op.communicator].name + ", waiting for members that never call it";
          break;
        case OpKind::recv:
          out += ": receive from rank " + std::to_string(op.peer) + " tag " +
                 std::to_string(op.tag) + ", whose send never starts";
          break;
        case OpKind::send:
          out += ": send to rank " + std::to_string(op.peer) + ", never delivered";
          break;
        case OpKind::compute:
          out += ": compute that never ends";
          break;
        case OpKind::wait:
          out += ": a wait that never ends";
          break;
      }
    }
  }
  if (stuck > listed) out += "\n  ... and " + std::to_string(stuck - listed) + " more";
  return out;
}

}  // namespace spinel::workloads::graph
