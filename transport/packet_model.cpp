#include "transport/packet_model.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/error.hpp"
#include "transport/adaptive.hpp"

namespace spinel::transport {

using topology::LinkId;

PacketModel::PacketModel(sim::Simulator& sim, const topology::Topology& topology,
                         topology::Routing& routing, const PacketConfig& config, std::uint64_t seed)
    : sim_(sim),
      topology_(topology),
      routing_(routing),
      config_(config),
      self_(sim.add_handler(*this)),
      ecn_rng_(seed, "ecn"),
      spray_rng_(seed, "spray"),
      reps_rng_(seed, "reps"),
      spray_seed_(sim::Rng(seed, "spray.start").next()),
      dcqcn_on_(config.cc == CongestionControl::dcqcn),
      nscc_on_(config.cc == CongestionControl::nscc),
      dcqcn_(config.dcqcn) {
  if (config.mtu_bytes == 0 || config.ack_every == 0 || config.reorder_packets == 0 ||
      config.reps_buffer == 0) {
    throw sim::InternalError(
        "packet model: mtu_bytes, ack_every, reorder_packets and reps_buffer must be > 0");
  }
  if (topology.nic_ports() > 1) {
    throw sim::InternalError("packet model: dual-port NICs are modelled at flow level only");
  }
  ports_.resize(topology.link_count());
  for (LinkId l = 0; l < ports_.size(); ++l) {
    const topology::Link& link = topology.link(l);
    Port& port = ports_[l];
    port.gbps = link.rate_gbps;
    port.latency_ps = link.latency_ps;
    port.data_ps = sim::serialisation_ps(config.mtu_bytes + config.header_bytes, link.rate_gbps);
    port.ack_ps = sim::serialisation_ps(config.ack_bytes, link.rate_gbps);
    port.bytes_per_ps = sim::gbps_to_bytes_per_ps(link.rate_gbps);
    if (link.kind == topology::LinkKind::host_up) port.nic_host = topology.node(link.src).index;
  }
  if (config.flow_control == FlowControl::pfc) {
    hold_ = true;
    pfc_ = Pfc(ports_.size(), config.pfc_xoff_bytes, config.pfc_xon_bytes);
    const std::uint64_t packet = config.mtu_bytes + config.header_bytes;
    for (LinkId l = 0; l < ports_.size(); ++l) {
      // What the sender may still put on the link after the switch decides
      // to pause it: a latency's worth on the wire, a latency's worth while
      // the PAUSE travels, the packet it is serialising then and the one
      // arriving, plus one for rounding.
      const std::uint64_t headroom =
          config.pfc_headroom_bytes != 0
              ? config.pfc_headroom_bytes
              : static_cast<std::uint64_t>(std::ceil(
                    2.0 * static_cast<double>(ports_[l].latency_ps) * ports_[l].bytes_per_ps)) +
                    3 * packet;
      // A host takes whatever reaches it: no ingress limit there.
      pfc_.set_headroom(
          l, topology.is_switch(topology.link(l).dst) ? headroom : ~std::uint64_t{0} / 2);
    }
  }
  if (config.buffer == BufferSharing::shared) {
    hold_ = true;
    shared_used_.assign(topology.node_count(), 0);
    shared_pool_.assign(topology.node_count(), 0);
    port_node_.resize(ports_.size());
    for (LinkId l = 0; l < ports_.size(); ++l) {
      port_node_[l] = topology.link(l).src;
      shared_pool_[port_node_[l]] += config.buffer_bytes;
    }
    if (config.shared_buffer_bytes != 0) {
      for (std::uint64_t& pool : shared_pool_) pool = pool != 0 ? config.shared_buffer_bytes : 0;
    }
  }
  if (config.priority_queues || config.trimming) {
    hold_ = true;
    control_.resize(ports_.size());
    trim_ = config.trimming;
    totals_.trimming = trim_;
  }
  totals_.nscc = nscc_on_;
  hosts_.resize(topology.host_count());
  reorder_words_ = (config.reorder_packets + 63) / 64;
}

std::uint32_t PacketModel::alloc_packet() {
  std::uint32_t p;
  if (free_packets_ != kNone) {
    p = free_packets_;
    free_packets_ = packets_[p].next;
  } else {
    p = static_cast<std::uint32_t>(packets_.size());
    packets_.emplace_back();
  }
  ++live_packets_;
  totals_.peak_packets = std::max(totals_.peak_packets, live_packets_);
  packets_[p].next = kNone;
  packets_[p].hop = 0;
  packets_[p].ecn = false;
  packets_[p].covered = 0;
  packets_[p].marked = 0;
  packets_[p].path = 0;
  packets_[p].adaptive = false;
  return p;
}

void PacketModel::free_packet(std::uint32_t p) {
  packets_[p].next = free_packets_;
  free_packets_ = p;
  --live_packets_;
}

QpId PacketModel::new_qp(topology::HostId src, topology::HostId dst) {
  if (src >= topology_.host_count() || dst >= topology_.host_count() || src == dst) {
    throw sim::InternalError("packet model: a queue pair joins two different hosts");
  }
  qps_.emplace_back();
  Qp& qp = qps_.back();
  qp.src = src;
  qp.dst = dst;
  qp.nic = topology_.sending_nic(src, dst);
  if (config_.retransmit == Retransmit::selective) {
    qp.places = true;
    qp.window.assign(reorder_words_, 0);
    qp.sacked.assign(reorder_words_, 0);
  }
  return static_cast<QpId>(qps_.size() - 1);
}

// The largest window: window_bytes, or enough whole packets to cover the
// path's bandwidth-delay product, plus the packets an ACK may wait for, plus
// slack for ACKs that queue behind data on the way back (without it a ring
// all-reduce at line rate lost 0.6% to window stalls).
void PacketModel::set_window(Qp& qp, sim::Time rtt_ps, double gbps) {
  if (config_.window_bytes != 0) {
    qp.max_window = std::max<std::uint64_t>(config_.window_bytes, config_.mtu_bytes);
  } else {
    const double bdp = sim::gbps_to_bytes_per_ps(gbps) * static_cast<double>(rtt_ps);
    const auto wire = static_cast<double>(config_.mtu_bytes + config_.header_bytes);
    const auto packets =
        static_cast<std::uint64_t>(std::ceil(bdp / wire)) + config_.ack_every + kWindowSlackPackets;
    qp.max_window = packets * config_.mtu_bytes;
  }
  qp.cwnd = static_cast<double>(qp.max_window);
  if (dcqcn_on_) dcqcn_.start(qp.dcqcn, gbps);
  if (nscc_on_) start_nscc(qp, rtt_ps, gbps);
}

QpId PacketModel::add_qp(topology::HostId src, topology::HostId dst, std::span<const LinkId> path) {
  if (path.empty() || path.size() > kMaxHops) {
    throw sim::InternalError("packet model: a path of 1 to 6 links");
  }
  const QpId id = new_qp(src, dst);
  Qp& qp = qps_[id];
  qp.hops = static_cast<std::uint8_t>(path.size());
  sim::Time rtt = 0;
  double gbps = ports_[path[0]].gbps;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const Port& port = ports_[path[i]];
    qp.links[i] = path[i];
    rtt += 2 * port.latency_ps + port.data_ps + ports_[path[i] ^ 1].ack_ps;
    gbps = std::min(gbps, port.gbps);
  }
  set_window(qp, rtt, gbps);
  return id;
}

QpId PacketModel::add_spray_qp(topology::HostId src, topology::HostId dst, PerPacket how) {
  const QpId id = new_qp(src, dst);
  Qp& qp = qps_[id];
  qp.spray = true;
  qp.places = true;
  qp.how = how;
  if (how == PerPacket::reps) {
    qp.reps = static_cast<std::uint32_t>(reps_.size());
    reps_.emplace_back(config_.reps_buffer);
  }
  qp.paths = routing_.paths(src, dst);
  if (qp.paths.length() > kMaxHops) throw sim::InternalError("packet model: paths over 6 links");
  qp.hops = static_cast<std::uint8_t>(qp.paths.length());
  qp.next_path =
      static_cast<std::uint32_t>(sim::mix64(spray_seed_ ^ id) %
                                 (config_.entropies != 0 ? config_.entropies : qp.paths.count()));
  qp.window.assign(reorder_words_, 0);
  // Path 0's serialisation and the longest path's propagation.
  std::vector<LinkId> links;
  qp.paths.append_path(0, links);
  sim::Time rtt = 2 * routing_.max_path_latency_ps(qp.paths);
  double gbps = ports_[links[0]].gbps;
  for (const LinkId l : links) {
    rtt += ports_[l].data_ps + ports_[l ^ 1].ack_ps;
    gbps = std::min(gbps, ports_[l].gbps);
  }
  set_window(qp, rtt, gbps);
  return id;
}

void PacketModel::send(QpId id, std::uint64_t size_bytes, sim::HandlerId notify, std::uint32_t tag,
                       std::uint64_t payload) {
  if (size_bytes == 0) throw sim::InternalError("packet model: an empty message");
  Qp& qp = qps_.at(id);
  const std::uint64_t packets = (size_bytes + config_.mtu_bytes - 1) / config_.mtu_bytes;
  qp.messages.push_back(
      Message{qp.end_seq, qp.end_seq + packets, size_bytes, payload, notify, tag});
  qp.end_seq += packets;
  ++totals_.messages_sent;
  make_ready(id);
}

void PacketModel::handle(const sim::Event& event) {
  switch (event.tag) {
    case kArrive: {
      // The first packet on this port's wire has reached the far end; the
      // next one (if any) is due later: its event is the port's next.
      last_activity_ps_ = sim_.now();
      Port& port = ports_[event.payload];
      const std::uint32_t p = port.wire_head;
      // A link that died lost its wire; its event may still come, for a
      // packet that is gone (or one sent since, which has its own event).
      if (p == kNone || packets_[p].due != sim_.now()) break;
      port.wire_head = packets_[p].next;
      if (port.wire_head == kNone) {
        port.wire_tail = kNone;
      } else {
        sim_.schedule_at(packets_[port.wire_head].due, self_, kArrive, event.payload);
      }
      arrive(p);
      break;
    }
    case kTxDone: {
      const auto port = static_cast<LinkId>(event.payload);
      ports_[port].tx_pending = false;
      serve(port);
      break;
    }
    case kTimer:
      on_timer(static_cast<QpId>(event.payload));
      break;
    case kPace: {
      const auto id = static_cast<QpId>(event.payload);
      Qp& qp = qps_[id];
      if (sim_.now() != qp.pace_at) break;  // superseded by an earlier wake-up
      qp.pace_at = sim::kForever;
      dcqcn_.catch_up(qp.dcqcn, sim_.now());
      make_ready(id);
      break;
    }
    case kPause: {
      // A PAUSE or RESUME frame reached the sender of this link.
      const auto link = static_cast<LinkId>(event.payload >> 1);
      const bool pause = (event.payload & 1) != 0;
      const Pfc::Link& state = pfc_.link(link);
      if (state.paused == pause) break;
      if (pause) {
        ++totals_.pauses;
        if (series_) series_->paused(link, sim_.now());
      } else {
        totals_.paused_ps += sim_.now() - state.paused_since;
      }
      pfc_.set_paused(link, pause, sim_.now());
      if (!pause) kick(link);
      break;
    }
    default:
      throw sim::InternalError("packet model: unknown event");
  }
}

// ---- ports ----------------------------------------------------------------

void PacketModel::enqueue(LinkId l, std::uint32_t p) {
  Port& port = ports_[l];
  Packet& pkt = packets_[p];
  const std::uint64_t wire = wire_bytes(pkt);
  if (port.down) {
    drop_on_down_link(port, p);
    return;
  }
  if (port.nic_host != kNone) {
    // A NIC: ACKs wait here, ahead of the data its QPs pull (serve()).
    if (port.tail == kNone) {
      port.head = p;
    } else {
      packets_[port.tail].next = p;
    }
    port.tail = p;
    pkt.next = kNone;
    port.queued_bytes += wire;
    port.stats.max_queue_bytes = std::max(port.stats.max_queue_bytes, port.queued_bytes);
    kick(l);
    return;
  }
  // A switch port is a FIFO: a packet's departure is known the moment it
  // joins (after everything ahead of it), so it is scheduled at once and the
  // queue is what the port has not yet serialised. One event per hop, and no
  // queue to keep.
  const sim::Time now = sim_.now();
  // What is left of the packet being serialised, plus (ports that hold
  // their queue) the packets waiting behind it.
  const std::uint64_t backlog =
      port.queued_bytes +
      (port.busy_until <= now
           ? 0
           : static_cast<std::uint64_t>(
                 std::ceil(static_cast<double>(port.busy_until - now) * port.bytes_per_ps)));
  if (!control_.empty() && pkt.kind != kData) {
    enqueue_control(l, p, backlog);
    return;
  }
  if (hold_ ? !admits_held(l, pkt, wire, backlog) : backlog + wire > config_.buffer_bytes) {
    if (trim_ && pkt.kind == kData) {
      trim(pkt);
      enqueue_control(l, p, backlog);
    } else {
      drop(l, p);
    }
    return;
  }
  if (trim_ && config_.trim_threshold_bytes != 0 && pkt.kind == kData &&
      backlog + wire > config_.trim_threshold_bytes) {
    trim(pkt);
    enqueue_control(l, p, backlog);
    return;
  }
  if (pkt.kind == kData && backlog > config_.ecn_kmin_bytes) {
    bool mark = backlog >= config_.ecn_kmax_bytes;
    if (!mark) {
      const double p_mark = config_.ecn_pmax *
                            static_cast<double>(backlog - config_.ecn_kmin_bytes) /
                            static_cast<double>(config_.ecn_kmax_bytes - config_.ecn_kmin_bytes);
      mark = ecn_rng_.uniform() < p_mark;
    }
    if (mark && !pkt.ecn) {
      pkt.ecn = true;
      ++port.stats.ecn_marks;
      ++totals_.ecn_marks;
      if (series_) series_->marked(l, now);
    }
  }
  // Under priority_queues the control queue counts too.
  const std::uint64_t queued = backlog + wire + (control_.empty() ? 0 : control_[l].bytes);
  port.stats.max_queue_bytes = std::max(port.stats.max_queue_bytes, queued);
  if (series_) series_->queued(l, now, queued);
  if (hold_) {
    hold(l, p, wire);
    return;
  }
  transmit(port, p, std::max(now, port.busy_until));
}

// Per port: the buffer. Shared: the port's queue may grow to dt_alpha times
// what its switch's pool has free (Choudhury and Hahne's dynamic threshold),
// and never past the pool. PFC: the ingress queue the packet came in on has
// room up to xoff + headroom (the port's own queue is then unbounded: the
// pauses bound it).
bool PacketModel::admits_held(LinkId l, const Packet& pkt, std::uint64_t wire,
                              std::uint64_t backlog) const {
  const Port& port = ports_[l];
  if (pfc_.enabled()) return pfc_.admits(pkt.links[pkt.hop - 1], wire);
  if (shared_pool_.empty()) return backlog + wire <= config_.buffer_bytes;
  const std::uint64_t pool = shared_pool_[port_node_[l]];
  const std::uint64_t used = shared_used_[port_node_[l]];
  if (used + wire > pool) return false;
  const double threshold = config_.dt_alpha * static_cast<double>(pool - used);
  return static_cast<double>(port.queued_bytes + wire) <= threshold;
}

void PacketModel::drop(LinkId l, std::uint32_t p) {
  const Packet& pkt = packets_[p];
  ++ports_[l].stats.drops;
  ++totals_.drops;
  if (series_) series_->dropped(l, sim_.now());
  if (pkt.kind == kData) totals_.payload_bytes_dropped += pkt.payload;
  free_packet(p);
}

void PacketModel::hold(LinkId l, std::uint32_t p, std::uint64_t wire) {
  Port& port = ports_[l];
  if (port.tail == kNone) {
    port.head = p;
  } else {
    packets_[port.tail].next = p;
  }
  port.tail = p;
  packets_[p].next = kNone;
  port.queued_bytes += wire;
  if (!shared_used_.empty()) shared_used_[port_node_[l]] += wire;
  if (pfc_.enabled()) {
    const Packet& pkt = packets_[p];
    send_pause(pkt.links[pkt.hop - 1], pfc_.enter(pkt.links[pkt.hop - 1], wire));
  }
  kick(l);
}

// The next packet a switch port that holds its queues sends: control first.
std::uint32_t PacketModel::dequeue(LinkId l) {
  Port& port = ports_[l];
  std::uint32_t p = kNone;
  if (!control_.empty() && control_[l].head != kNone) {
    ControlQueue& q = control_[l];
    p = q.head;
    q.head = packets_[p].next;
    if (q.head == kNone) q.tail = kNone;
    q.bytes -= wire_bytes(packets_[p]);
  } else {
    p = port.head;
    if (p == kNone) return kNone;
    port.head = packets_[p].next;
    if (port.head == kNone) port.tail = kNone;
    port.queued_bytes -= wire_bytes(packets_[p]);
  }
  release(l, packets_[p], wire_bytes(packets_[p]));
  return p;
}

// A held packet starts serialising: it leaves the switch's accounting now.
void PacketModel::release(LinkId l, const Packet& pkt, std::uint64_t wire) {
  if (!shared_used_.empty()) shared_used_[port_node_[l]] -= wire;
  if (pfc_.enabled()) {
    send_pause(pkt.links[pkt.hop - 1], pfc_.leave(pkt.links[pkt.hop - 1], wire));
  }
}

// PAUSE frames jump the reverse link's queue: they take its latency only.
void PacketModel::send_pause(LinkId link, PfcSignal signal) {
  if (signal == PfcSignal::none) return;
  sim_.schedule_at(sim_.now() + ports_[link ^ 1].latency_ps, self_, kPause,
                   std::uint64_t{link} * 2 + (signal == PfcSignal::pause ? 1 : 0));
}

// Starts serialising now if the port is idle, else makes sure it is woken
// when its current packet is out.
void PacketModel::kick(LinkId l) {
  Port& port = ports_[l];
  if (port.tx_pending || port.down) return;
  if (sim_.now() >= port.busy_until) {
    serve(l);
  } else {
    port.tx_pending = true;
    sim_.schedule_at(port.busy_until, self_, kTxDone, l);
  }
}

bool PacketModel::has_work(const Port& port) const {
  return port.head != kNone ||
         (port.nic_host != kNone && hosts_[port.nic_host].ready_head != kNone) ||
         (!control_.empty() &&
          control_[static_cast<std::size_t>(&port - ports_.data())].head != kNone);
}

// The port is idle: sends its queue's head or, at a NIC with nothing queued
// (ACKs go first), the next data packet of the host's ready QPs.
void PacketModel::serve(LinkId l) {
  Port& port = ports_[l];
  if (port.down) return;       // a dead NIC link: its QPs wait (and stall at their timeout)
  if (pfc_.paused(l)) return;  // the RESUME kicks it
  std::uint32_t p = port.head;
  if (hold_ && port.nic_host == kNone) {
    p = dequeue(l);
  } else if (p != kNone) {
    port.head = packets_[p].next;
    if (port.head == kNone) port.tail = kNone;
    port.queued_bytes -= wire_bytes(packets_[p]);
  } else if (port.nic_host != kNone) {
    p = next_data_packet(port.nic_host);
  }
  if (p == kNone) return;
  transmit(port, p, sim_.now());
  if (has_work(port)) {
    port.tx_pending = true;
    sim_.schedule_at(port.busy_until, self_, kTxDone, l);
  }
}

void PacketModel::transmit(Port& port, std::uint32_t p, sim::Time start) {
  const Packet& pkt = packets_[p];
  sim::Time ser;
  std::uint64_t wire;
  if (pkt.kind == kData) {
    wire = pkt.payload + config_.header_bytes;
    ser = pkt.payload == config_.mtu_bytes ? port.data_ps : sim::serialisation_ps(wire, port.gbps);
  } else if (pkt.kind == kTrimmed) {
    wire = config_.header_bytes;
    ser = sim::serialisation_ps(wire, port.gbps);
  } else {
    ser = port.ack_ps;
    wire = config_.ack_bytes;
  }
  port.busy_until = start + ser;
  port.stats.bytes += wire;
  ++port.stats.packets;
  port.stats.busy_ps += ser;
  if (series_) {
    series_->sent(static_cast<LinkId>(&port - ports_.data()), start, port.busy_until, wire);
  }
  // Packets leave a port in order and cross its link in the same time, so
  // they reach the far end in order: the port keeps them in a FIFO and only
  // the first has an event. The simulator's heap then holds one event per
  // busy link instead of one per packet in flight (a smaller, faster heap).
  Packet& sent = packets_[p];
  sent.due = port.busy_until + port.latency_ps;
  sent.next = kNone;
  if (port.wire_tail == kNone) {
    port.wire_head = p;
    sim_.schedule_at(sent.due, self_, kArrive, static_cast<std::uint64_t>(&port - ports_.data()));
  } else {
    packets_[port.wire_tail].next = p;
  }
  port.wire_tail = p;
}

void PacketModel::arrive(std::uint32_t p) {
  Packet& pkt = packets_[p];
  ++pkt.hop;
  if (pkt.hop < pkt.hops) {
    if (pkt.adaptive) route_adaptive(pkt);
    enqueue(pkt.links[pkt.hop], p);
  } else if (pkt.kind == kData) {
    on_data(p);
  } else if (pkt.kind == kCnp) {
    on_cnp(p);
  } else if (pkt.kind == kTrimmed) {
    on_trimmed(p);
  } else if (pkt.kind == kNack) {
    on_nack(p);
  } else {
    on_ack(p);
  }
}

// ---- sender ---------------------------------------------------------------

bool PacketModel::can_send(const Qp& qp) const {
  const bool holes = has_resends(qp);  // to resend (take_seq skips SACKed ones)
  if (!holes && qp.snd_nxt >= qp.end_seq) return false;
  if (dcqcn_on_ && sim_.now() < dcqcn_.next_send_ps(qp.dcqcn)) return false;  // resends too
  if (holes) return true;
  const std::uint64_t in_flight = qp.snd_nxt - qp.snd_una;
  return in_flight == 0 ||
         static_cast<double>((in_flight + 1) * config_.mtu_bytes) <= qp.cwnd + 0.5;
}

void PacketModel::make_ready(QpId id) {
  if (append_ready(id)) kick(topology_.host_uplink(qps_[id].nic));
}

bool PacketModel::append_ready(QpId id) {
  Qp& qp = qps_[id];
  if (qp.ready) return false;
  if (!can_send(qp)) {
    if (dcqcn_on_ && has_to_send(qp)) arm_pace(id);
    return false;
  }
  qp.ready = true;
  qp.next_ready = kNone;
  Host& host = hosts_[qp.nic];
  if (host.ready_tail == kNone) {
    host.ready_head = id;
  } else {
    qps_[host.ready_tail].next_ready = id;
  }
  host.ready_tail = id;
  return true;
}

// Round robin over the host's ready QPs: the head sends one packet and goes
// to the back if it can send another.
std::uint32_t PacketModel::next_data_packet(topology::HostId h) {
  Host& host = hosts_[h];
  while (host.ready_head != kNone) {
    const QpId id = host.ready_head;
    Qp& qp = qps_[id];
    host.ready_head = qp.next_ready;
    if (host.ready_head == kNone) host.ready_tail = kNone;
    qp.ready = false;
    std::uint64_t seq;
    if (!can_send(qp)) {
      if (dcqcn_on_ && has_to_send(qp)) arm_pace(id);
      continue;
    }
    if (!take_seq(qp, seq)) continue;

    const std::uint32_t p = alloc_packet();
    Packet& pkt = packets_[p];
    pkt.kind = kData;
    pkt.qp = id;
    pkt.seq = seq;
    pkt.epoch = qp.epoch;
    pkt.payload = payload_of(qp, seq);
    pkt.hops = qp.hops;
    if (nscc_on_) stamp(pkt);
    if (!qp.spray) {
      std::copy(qp.links, qp.links + qp.hops, pkt.links);
    } else {
      const std::uint32_t path = choose_path(qp);
      pkt.path = static_cast<std::uint16_t>(path);
      pkt.adaptive = qp.how == PerPacket::adaptive && qp.paths.middle->length > 0;
      pkt.links[0] = qp.paths.uplink;
      const auto middle = qp.paths.middle->path(path);
      std::copy(middle.begin(), middle.end(), pkt.links + 1);
      pkt.links[qp.hops - 1] = qp.paths.downlink;
    }
    ++totals_.data_packets;
    totals_.payload_bytes_sent += pkt.payload;
    if (dcqcn_on_) {
      dcqcn_.catch_up(qp.dcqcn, sim_.now());
      dcqcn_.on_sent(qp.dcqcn, pkt.payload + config_.header_bytes, sim_.now());
    }
    if (seq < qp.sent_end) {
      ++totals_.retransmitted_packets;
    } else {
      qp.sent_end = seq + 1;
    }
    if (qp.rto_deadline == sim::kForever) {
      qp.rto_deadline = sim_.now() + config_.rto_ps;
      arm_timer(id);
    }
    append_ready(id);  // to the back; the port serves it when this packet is out
    return p;
  }
  return kNone;
}

std::uint32_t PacketModel::payload_of(Qp& qp, std::uint64_t seq) {
  if (qp.send_message < qp.first_message || qp.send_message >= qp.messages.size() ||
      qp.messages[qp.send_message].first_seq > seq) {
    qp.send_message = qp.first_message;  // went back: search from the oldest
  }
  while (qp.messages[qp.send_message].end_seq <= seq) ++qp.send_message;
  const Message& m = qp.messages[qp.send_message];
  if (seq + 1 < m.end_seq) return config_.mtu_bytes;
  return static_cast<std::uint32_t>(m.size_bytes - (m.end_seq - m.first_seq - 1) *
                                                       std::uint64_t{config_.mtu_bytes});
}

void PacketModel::on_ack(std::uint32_t p) {
  const Packet pkt = packets_[p];
  free_packet(p);
  const QpId id = pkt.qp;
  Qp& qp = qps_[id];
  const auto mtu = static_cast<double>(config_.mtu_bytes);
  std::uint64_t newly = 0;
  if (qp.reps != kNone && !pkt.ecn) reps_[qp.reps].recycle(pkt.path);
  if (pkt.seq > qp.snd_una) {
    newly = pkt.seq - qp.snd_una;
    if (!qp.sacked.empty()) {
      const std::uint64_t bits = qp.sacked.size() * 64;
      for (std::uint64_t s = qp.snd_una; s < pkt.seq && s < qp.snd_una + bits; ++s) {
        qp.sacked[(s % bits) / 64] &= ~(std::uint64_t{1} << (s % 64));
      }
    }
    qp.snd_una = pkt.seq;
    if (qp.snd_nxt < qp.snd_una) qp.snd_nxt = qp.snd_una;
    retire_messages(qp);
    qp.rto_deadline = qp.snd_una >= qp.sent_end ? sim::kForever : sim_.now() + config_.rto_ps;
    arm_timer(id);
  }
  if (config_.cc == CongestionControl::dctcp) {
    qp.acked_in_window += pkt.covered;
    qp.marked_in_window += pkt.marked;
    if (pkt.marked == 0 && newly > 0) {
      // Additive increase: one packet per window of packets acknowledged.
      qp.cwnd += mtu * mtu * static_cast<double>(newly) / qp.cwnd;
    }
    if (qp.snd_una >= qp.window_end) end_dctcp_window(qp);
    qp.cwnd = std::clamp(qp.cwnd, mtu, static_cast<double>(qp.max_window));
  } else if (nscc_on_) {
    on_nscc_ack(qp, pkt);
  }
  if (pkt.payload != 0) on_sack(qp, pkt.seq + pkt.payload - 1);
  if (pkt.kind == kNak && pkt.seq >= qp.snd_una && pkt.seq < qp.snd_nxt) {
    if (config_.retransmit == Retransmit::selective) {
      // In order on one path: what is below the highest SACK and not SACKed was lost.
      resend_holes(qp, std::max(pkt.seq, qp.recovered_end), qp.high_sacked);
    } else {
      go_back(qp, pkt.seq);
    }
  }
  make_ready(id);
}

void PacketModel::end_dctcp_window(Qp& qp) {
  const double fraction = qp.acked_in_window == 0 ? 0.0
                                                  : static_cast<double>(qp.marked_in_window) /
                                                        static_cast<double>(qp.acked_in_window);
  qp.alpha = (1 - config_.dctcp_g) * qp.alpha + config_.dctcp_g * fraction;
  if (qp.marked_in_window > 0) qp.cwnd *= 1 - qp.alpha / 2;
  qp.window_end = qp.snd_nxt;
  qp.acked_in_window = 0;
  qp.marked_in_window = 0;
}

void PacketModel::go_back(Qp& qp, std::uint64_t seq) {
  ++qp.epoch;
  qp.back_to = seq;
  qp.snd_nxt = seq;
  qp.send_message = qp.first_message;
}

void PacketModel::arm_pace(QpId id) {
  Qp& qp = qps_[id];
  const sim::Time next = dcqcn_.next_send_ps(qp.dcqcn);
  if (next <= sim_.now()) return;  // held by its window, not its pace: an ACK wakes it
  const sim::Time at = std::max(sim_.now(), std::min(next, qp.dcqcn.next_increase_ps));
  if (at >= qp.pace_at) return;
  qp.pace_at = at;
  sim_.schedule_at(at, self_, kPace, id);
}

void PacketModel::on_cnp(std::uint32_t p) {
  const QpId id = packets_[p].qp;
  free_packet(p);
  dcqcn_.on_cnp(qps_[id].dcqcn, sim_.now());
}

// The receiver notifies the sender of a marked packet: a CNP of ack_bytes,
// back along the packet's path, queued with the ACKs.
void PacketModel::send_cnp(std::uint32_t data) {
  const Packet marked = packets_[data];
  if (!dcqcn_.should_notify(qps_[marked.qp].dcqcn, sim_.now())) return;
  const std::uint32_t c = alloc_packet();
  Packet& cnp = packets_[c];
  cnp.kind = kCnp;
  cnp.qp = marked.qp;
  cnp.seq = 0;
  cnp.payload = 0;
  cnp.hops = marked.hops;
  for (std::uint8_t i = 0; i < marked.hops; ++i)
    cnp.links[i] = marked.links[marked.hops - 1 - i] ^ 1;
  ++totals_.cnps;
  if (links_avoided_ != 0) route_ack(cnp);  // routed as an ACK is
  enqueue(cnp.links[0], c);
}

void PacketModel::arm_timer(QpId id) {
  Qp& qp = qps_[id];
  if (qp.rto_pending || qp.rto_deadline == sim::kForever) return;
  qp.rto_pending = true;
  sim_.schedule_at(qp.rto_deadline, self_, kTimer, id);
}

// One event per QP at most: it fires at the deadline it was armed for and
// re-arms if ACKs have moved the deadline since.
void PacketModel::on_timer(QpId id) {
  Qp& qp = qps_[id];
  qp.rto_pending = false;
  if (qp.rto_deadline == sim::kForever) return;
  if (sim_.now() < qp.rto_deadline) {
    arm_timer(id);
    return;
  }
  if (blocked(qp)) {
    // No live way to the receiver: wait for routing or the link to repair
    // it (unstall) rather than resend into a dead link every rto forever.
    qp.stalled = true;
    return;
  }
  ++totals_.timeouts;
  qp.nacked.clear();  // what follows resends them too
  qp.nacked_next = 0;
  if (config_.retransmit == Retransmit::selective) {
    qp.recovered_end = qp.snd_una;
    resend_holes(qp, qp.snd_una, qp.sent_end);
  } else {
    go_back(qp, qp.snd_una);
  }
  if (config_.cc == CongestionControl::dctcp || nscc_on_) {
    qp.cwnd = std::max(static_cast<double>(config_.mtu_bytes), qp.cwnd / 2);
  }
  qp.rto_deadline = sim_.now() + config_.rto_ps;
  arm_timer(id);
  make_ready(id);
}

// Messages both delivered and acknowledged are forgotten; the list is
// compacted now and then (amortised O(1), no steady-state allocation).
void PacketModel::retire_messages(Qp& qp) {
  while (qp.first_message < qp.recv_message &&
         qp.messages[qp.first_message].end_seq <= qp.snd_una) {
    ++qp.first_message;
  }
  if (qp.first_message >= 64 && qp.first_message * 2 >= qp.messages.size()) {
    const std::size_t gone = qp.first_message;
    qp.messages.erase(qp.messages.begin(), qp.messages.begin() + static_cast<std::ptrdiff_t>(gone));
    qp.first_message = 0;
    qp.send_message = qp.send_message > gone ? qp.send_message - gone : 0;
    qp.recv_message -= gone;
  }
}

// ---- receiver -------------------------------------------------------------

void PacketModel::on_data(std::uint32_t p) {
  if (dcqcn_on_ && packets_[p].ecn) send_cnp(p);  // before `pkt`: it may grow the pool
  Packet& pkt = packets_[p];
  const QpId id = pkt.qp;
  Qp& qp = qps_[id];
  const std::uint64_t seq = pkt.seq;
  bool accepted = false;
  bool urgent = false;  // answer now, not at the next coalesced ACK
  Kind reply = kAck;
  std::uint64_t sack = 0;  // selective repeat: distance past rcv_nxt, plus one
  if (seq < qp.rcv_nxt) {
    totals_.payload_bytes_duplicate += pkt.payload;
    urgent = true;
  } else if (!qp.places) {
    if (seq == qp.rcv_nxt) {
      ++qp.rcv_nxt;
      qp.nak_sent = false;
      accepted = true;
    } else {
      // In order only: a hole means a loss upstream. One NAK per hole.
      totals_.payload_bytes_discarded += pkt.payload;
      if (!qp.nak_sent) {
        qp.nak_sent = true;
        reply = kNak;
        urgent = true;
        ++totals_.naks;
      }
    }
  } else {
    const std::uint64_t offset = seq - qp.rcv_nxt;
    const std::uint64_t bits = std::uint64_t{reorder_words_} * 64;
    auto bit = [&](std::uint64_t s) -> std::uint64_t& { return qp.window[(s % bits) / 64]; };
    const std::uint64_t mask = std::uint64_t{1} << (seq % 64);
    if (offset >= config_.reorder_packets) {
      totals_.payload_bytes_discarded += pkt.payload;
    } else if (offset == 0) {
      ++qp.rcv_nxt;
      while ((bit(qp.rcv_nxt) >> (qp.rcv_nxt % 64) & 1) != 0) {
        bit(qp.rcv_nxt) &= ~(std::uint64_t{1} << (qp.rcv_nxt % 64));
        ++qp.rcv_nxt;
      }
      accepted = true;
    } else if ((bit(seq) & mask) != 0) {
      totals_.payload_bytes_duplicate += pkt.payload;
    } else {
      bit(seq) |= mask;
      accepted = true;  // placed directly; rcv_nxt moves when the hole fills
      if (config_.retransmit == Retransmit::selective) {
        // SACK it now; on a single path a hole is a loss: NAK it once
        // (unless trimming is on: the hole's NACK names it).
        sack = offset + 1;
        urgent = true;
        if (!qp.spray && !qp.nak_sent && !trim_) {
          qp.nak_sent = true;
          reply = kNak;
          ++totals_.naks;
        }
      }
    }
    if (offset == 0) qp.nak_sent = false;
  }
  if (accepted) {
    totals_.payload_bytes_delivered += pkt.payload;
    ++qp.unacked;
    if (pkt.ecn) ++qp.unacked_marked;
    // A completed message, or the end of what was queued, is acknowledged at
    // once: the sender must not wait for packets that will not come.
    if (qp.recv_message < qp.messages.size() &&
        qp.messages[qp.recv_message].end_seq <= qp.rcv_nxt) {
      deliver_messages(qp);
      urgent = true;
    }
  }
  if (urgent || qp.unacked >= config_.ack_every || reply == kNak) {
    pkt.seq = qp.rcv_nxt;
    if (!nscc_on_) {  // nscc: they hold the send time the ACK echoes
      pkt.covered = static_cast<std::uint16_t>(std::min<std::uint32_t>(qp.unacked, 65535));
      pkt.marked = static_cast<std::uint16_t>(std::min<std::uint32_t>(qp.unacked_marked, 65535));
    }
    pkt.payload = static_cast<std::uint32_t>(sack);  // ecn and path stay: the echo
    qp.unacked = 0;
    qp.unacked_marked = 0;
    turn_around(p, reply);
  } else {
    free_packet(p);
  }
}

// The reply goes back the way its packet came, link by link reversed.
void PacketModel::turn_around(std::uint32_t p, Kind kind) {
  Packet& pkt = packets_[p];
  pkt.kind = kind;
  std::reverse(pkt.links, pkt.links + pkt.hops);
  for (std::uint8_t i = 0; i < pkt.hops; ++i) pkt.links[i] ^= 1;  // the cable's other direction
  if (links_avoided_ != 0) route_ack(pkt);
  pkt.hop = 0;
  ++totals_.ack_packets;
  enqueue(pkt.links[0], p);
}

void PacketModel::deliver_messages(Qp& qp) {
  while (qp.recv_message < qp.messages.size() &&
         qp.messages[qp.recv_message].end_seq <= qp.rcv_nxt) {
    const Message& m = qp.messages[qp.recv_message];
    sim_.schedule_at(sim_.now(), m.notify, m.notify_tag, m.notify_payload);
    ++totals_.messages_delivered;
    ++qp.recv_message;
  }
}

// ---- results --------------------------------------------------------------

PortStats PacketModel::port_stats(LinkId link) const {
  PortStats s;
  static_cast<PortCounters&>(s) = ports_.at(link).stats;
  if (pfc_.enabled()) {
    s.pauses = pfc_.link(link).pauses;
    s.paused_ps = pfc_.paused_ps(link, last_activity_ps_);
  }
  return s;
}

void PacketModel::write(sim::Recorder& recorder) const {
  if (series_) series_->write(recorder, last_activity_ps_);
  sim::CsvTable* ports = recorder.table(
      "ports.csv", {"link_id", "link", "kind", "rate_gbps", "bytes", "packets", "drops",
                    "ecn_marks", "max_queue_bytes", "busy_ps", "pauses", "paused_ps"});
  sim::CsvTable* links =
      recorder.table("links.csv", {"link_id", "link", "kind", "rate_gbps", "latency_ps", "bytes",
                                   "busy_ps", "peak_utilisation", "mean_utilisation"});
  if (ports == nullptr || links == nullptr) return;
  const double horizon = static_cast<double>(last_activity_ps_);
  for (LinkId l = 0; l < ports_.size(); ++l) {
    const topology::Link& link = topology_.link(l);
    const PortStats s = port_stats(l);
    const std::string name = topology_.link_name(l);
    const std::string_view kind = topology::to_string(link.kind);
    ports->cell(l)
        .cell(name)
        .cell(kind)
        .cell(link.rate_gbps)
        .cell(s.bytes)
        .cell(s.packets)
        .cell(s.drops)
        .cell(s.ecn_marks)
        .cell(s.max_queue_bytes)
        .cell(s.busy_ps)
        .cell(s.pauses)
        .cell(s.paused_ps)
        .end_row();
    // A port is serialising or idle: its peak utilisation is 1 once it has
    // carried anything, and its mean is the fraction of the run it was busy.
    links->cell(l)
        .cell(name)
        .cell(kind)
        .cell(link.rate_gbps)
        .cell(link.latency_ps)
        .cell(s.bytes)
        .cell(s.busy_ps)
        .cell(s.busy_ps > 0 ? 1.0 : 0.0)
        .cell(horizon > 0 ? static_cast<double>(s.busy_ps) / horizon : 0.0)
        .end_row();
  }
}

}  // namespace spinel::transport
