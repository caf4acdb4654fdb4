#pragma once
// Packet-level transport engine: packets of mtu_bytes payload plus a header
// cross the fabric hop by hop. Every directed link has an output port: a
// FIFO with a finite buffer (drop-tail) and ECN marking on the instantaneous
// queue (RED-like between Kmin and Kmax). A switch port's queue is the bytes
// it has accepted but not yet serialised; a NIC port sends queued ACKs
// first, then data from its host's queue pairs in turn. Serialisation and propagation are
// exact integer picoseconds on the simulator's event queue. With
// priority_queues a switch port serves a control queue (ACKs, NAKs, NACKs,
// CNPs, trimmed headers) strictly before its data; with trimming a data
// packet that would overflow is cut to its header instead of dropped, and
// its receiver NACKs it (packet_trimming.cpp).
//
// A queue pair (QP) carries a byte stream of messages from one host to
// another, on one fixed path or sprayed per packet over every equal-cost
// path. The sender is window-limited (congestion control none or DCTCP),
// sends from the host's NIC port round-robin among its ready QPs, and
// recovers losses by go-back-N (on a NAK on single paths, on a timeout
// always). The receiver accepts in order on single paths; for spraying it
// places packets directly up to reorder_packets past its first hole. A
// message is delivered when the receiver holds every byte of it: its owner
// gets an event then.
//
// Packets live in a pool indexed by u32 and are recycled, so a run in steady
// state allocates nothing per packet.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sim/recorder.hpp"
#include "sim/rng.hpp"
#include "sim/simulator.hpp"
#include "topology/routing.hpp"
#include "topology/topology.hpp"
#include "transport/dcqcn.hpp"
#include "transport/packet_config.hpp"
#include "transport/pfc.hpp"
#include "transport/port_series.hpp"
#include "transport/reps.hpp"

namespace spinel::transport {

using QpId = std::uint32_t;

// What every port counted (ports.csv has one row of these per directed link).
struct PortCounters {
  std::uint64_t bytes = 0;    // on the wire: payload and headers, data and ACKs
  std::uint64_t packets = 0;  // sent, data and ACKs
  std::uint64_t drops = 0;    // arrived to a full buffer
  std::uint64_t ecn_marks = 0;
  std::uint64_t max_queue_bytes = 0;  // not yet serialised, the arriving packet included
  sim::Time busy_ps = 0;              // time spent serialising
};
// Kept apart from the port's hot state (PFC's counters live in Pfc).
struct PortStats : PortCounters {
  std::uint64_t pauses = 0;  // PFC: times the far end paused this port
  sim::Time paused_ps = 0;   // PFC: time spent paused
};

// Whole-run counters, in summary.json's "packets" object.
struct PacketTotals {
  std::uint64_t data_packets = 0;  // sent by NICs, first sends and retransmissions
  std::uint64_t ack_packets = 0;   // ACKs and NAKs sent
  std::uint64_t retransmitted_packets = 0;
  std::uint64_t payload_bytes_sent = 0;       // every data packet's payload, retransmissions too
  std::uint64_t payload_bytes_delivered = 0;  // accepted by receivers, each byte once
  std::uint64_t payload_bytes_dropped = 0;    // dropped by full buffers
  std::uint64_t payload_bytes_duplicate = 0;  // arrived again after being accepted
  std::uint64_t payload_bytes_discarded = 0;  // arrived out of order past the tolerance
  std::uint64_t drops = 0;                    // packets, data and ACKs
  std::uint64_t ecn_marks = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t naks = 0;
  std::uint64_t cnps = 0;  // DCQCN: congestion notifications sent by receivers
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_delivered = 0;
  std::uint64_t peak_packets = 0;     // pool size: packets alive at once
  std::uint64_t pauses = 0;           // PFC: ports paused (PAUSE frames that took effect)
  sim::Time paused_ps = 0;            // PFC: time ports spent paused, summed
  std::uint64_t down_link_drops = 0;  // packets (of `drops`) lost on or sent to a dead link
  std::uint64_t sacks = 0;            // selective repeat: ACKs that named a packet past a hole
  // Trimming (PacketConfig::trimming); summary.json has these keys only then.
  bool trimming = false;
  std::uint64_t trimmed_packets = 0;        // data packets cut to their header by a full port
  std::uint64_t payload_bytes_trimmed = 0;  // the payload they lost (resent on the NACK)
  std::uint64_t nacks = 0;                  // receivers' answers to trimmed headers
  // cc: nscc; summary.json has this key only then.
  bool nscc = false;
  std::uint64_t nscc_decreases = 0;  // window cuts: ECN with delay above target, or a NACK
};

// How a QP that picks a path per packet picks it (PathPolicy spray, reps, adaptive).
enum class PerPacket : std::uint8_t { spray, reps, adaptive };

class PacketModel final : public sim::EventHandler {
 public:
  // host, leaf, agg, core, agg, leaf, host (a leaf-spine's paths take 4)
  static constexpr std::uint32_t kMaxHops = 6;

  PacketModel(sim::Simulator& sim, const topology::Topology& topology, topology::Routing& routing,
              const PacketConfig& config, std::uint64_t seed);
  PacketModel(const PacketModel&) = delete;
  PacketModel& operator=(const PacketModel&) = delete;

  // A QP on one fixed path: its links from source to destination.
  QpId add_qp(topology::HostId src, topology::HostId dst, std::span<const topology::LinkId> path);
  // A QP whose packets each take one of the equal-cost paths.
  QpId add_spray_qp(topology::HostId src, topology::HostId dst, PerPacket how = PerPacket::spray);
  // Moves a single-path QP to a new path (routing converged around a dead
  // link): its next packets take it; those lost on the old one are resent.
  void set_qp_path(QpId qp, std::span<const topology::LinkId> path);

  // Link faults. A link at 0 Gb/s is dead: it loses the packets on its wire
  // and in its queue and every packet sent to it. Otherwise it serialises at
  // `gbps` from now on (degraded, or back up).
  void set_link_rate(topology::LinkId link, double gbps);
  // Routing has converged around a dead link: packets that pick their path
  // (spray, reps, adaptive) and ACKs stop using it until it comes back.
  void avoid_link(topology::LinkId link);

  // Queues a message of `size_bytes` (at least 1) on `qp`; when the receiver
  // holds all of it, `notify` gets an event with `tag` and `payload`.
  void send(QpId qp, std::uint64_t size_bytes, sim::HandlerId notify, std::uint32_t tag,
            std::uint64_t payload);

  void handle(const sim::Event& event) override;

  [[nodiscard]] const PacketTotals& totals() const { return totals_; }
  [[nodiscard]] PortStats port_stats(topology::LinkId link) const;
  // The window a QP opened with (bytes): window_bytes, or its path's BDP.
  [[nodiscard]] std::uint64_t max_window_bytes(QpId qp) const { return qps_[qp].max_window; }
  [[nodiscard]] double window_bytes(QpId qp) const { return qps_[qp].cwnd; }
  // DCQCN: a QP's current rate (Gb/s).
  [[nodiscard]] double rate_gbps(QpId qp) const { return qps_[qp].dcqcn.rate_gbps; }
  // Bytes waiting at a port now, control queue included (tests sample it).
  [[nodiscard]] std::uint64_t queue_bytes(topology::LinkId link) const {
    return backlog_bytes(ports_.at(link)) + (control_.empty() ? 0 : control_[link].bytes);
  }
  [[nodiscard]] std::size_t packets_in_pool() const { return packets_.size(); }
  // When the last packet arrived anywhere: the end of the traffic. A
  // retransmission timer armed for the last packets still fires later (it
  // finds nothing to do), so the simulator's clock may stand up to one rto
  // past this when the run ends.
  [[nodiscard]] sim::Time last_activity_ps() const { return last_activity_ps_; }

  // Records timeseries.csv for these ports (output.timeseries), from now on.
  void record_series(sim::Time interval_ps, std::vector<topology::LinkId> links) {
    series_ = std::make_unique<PortSeries>(topology_, interval_ps, std::move(links));
  }

  // ports.csv and links.csv (links.csv as at flow level, from the ports),
  // and timeseries.csv if asked for, up to the last packet's arrival.
  void write(sim::Recorder& recorder) const;

 private:
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};
  static constexpr std::uint64_t kWindowSlackPackets = 8;
  // kTrimmed: a data packet cut to its header by a full port (seq kept);
  // kNack: the receiver's answer to it, naming that seq (not an ACK).
  enum Kind : std::uint8_t { kData, kAck, kNak, kCnp, kTrimmed, kNack };
  // An ACK is its data packet turned around: it keeps `path` and `ecn` (the
  // echo of that packet's mark, for REPS), and `payload` holds selective
  // repeat's SACK: that packet's distance past `seq`, plus one (0: none).
  struct Packet {
    std::uint64_t seq = 0;  // data: its sequence number; ACK/NAK: the receiver's next expected
    sim::Time due = 0;      // on a wire: when it reaches the far end
    topology::LinkId links[kMaxHops] = {};
    QpId qp = 0;
    std::uint32_t next = kNone;  // in a port's queue or the free list
    std::uint32_t payload = 0;   // bytes of payload (0 for ACKs)
    std::uint16_t covered = 0;   // ACK: data packets it acknowledges for DCTCP
    std::uint16_t marked = 0;    // ACK: of those, how many arrived ECN-marked
    std::uint16_t path = 0;      // per-packet QPs: the equal-cost path (entropy) it took
    std::uint8_t hop = 0;        // index of the link it is on or queued for
    std::uint8_t hops = 0;
    Kind kind = kData;
    bool ecn = false;
    bool adaptive = false;   // its first switch still has to pick its path
    std::uint8_t epoch = 0;  // data: its QP's go-backs when it was sent (a NACK echoes it)
  };
  static_assert(sizeof(Packet) == 64);  // the README quotes it
  struct Port {
    sim::Time busy_until = 0;
    sim::Time latency_ps = 0;
    sim::Time data_ps = 0;  // serialisation of a full data packet
    sim::Time ack_ps = 0;   // serialisation of an ACK
    double gbps = 0;
    double bytes_per_ps = 0;
    std::uint32_t head = kNone;  // NIC: ACKs waiting
    std::uint32_t tail = kNone;
    std::uint32_t wire_head = kNone;  // packets on the link, in order of arrival at its end
    std::uint32_t wire_tail = kNone;
    std::uint64_t queued_bytes = 0;
    std::uint32_t nic_host = kNone;  // a host's uplink: it also pulls data from that host's QPs
    bool tx_pending = false;         // a kTxDone event is scheduled
    bool down = false;               // dead: drops everything
    bool avoided = false;            // dead, and routing has converged around it
    PortCounters stats;
  };
  static_assert(sizeof(Port) == 128);  // two cache lines: keep it so
  struct Message {
    std::uint64_t first_seq;
    std::uint64_t end_seq;  // one past its last packet
    std::uint64_t size_bytes;
    std::uint64_t notify_payload;
    sim::HandlerId notify;
    std::uint32_t notify_tag;
  };
  struct Qp {
    topology::HostId src = 0;
    topology::HostId dst = 0;
    // The host whose NIC sends it: src, or on rail planes src's server peer
    // on dst's rail (Topology::sending_nic).
    topology::HostId nic = 0;
    topology::LinkId links[kMaxHops] = {};
    std::uint8_t hops = 0;
    bool spray = false;    // picks a path per packet (spray, reps or adaptive)
    bool places = false;   // the receiver keeps packets past a hole (spray or selective)
    bool stalled = false;  // its timer found no live path: waits for a repair
    PerPacket how = PerPacket::spray;
    std::uint32_t reps = kNone;   // reps: its entropy buffer in reps_
    topology::HostPaths paths{};  // spray: the equal-cost paths
    // spray round robin (over entropies when there are), adaptive's tie-break cursor
    std::uint32_t next_path = 0;
    // entropies: the path each entropy value hashes to, switch by switch,
    // as routing stood when avoid_changes_ was entropy_avoided.
    std::vector<std::uint16_t> entropy_paths;
    std::uint32_t entropy_avoided = 0;
    // Sender.
    std::uint64_t snd_una = 0;   // oldest unacknowledged packet
    std::uint64_t snd_nxt = 0;   // next packet to send
    std::uint64_t end_seq = 0;   // one past the last packet queued
    std::uint64_t sent_end = 0;  // one past the highest packet ever sent
    double cwnd = 0;             // bytes
    std::uint64_t max_window = 0;
    double alpha = 1.0;            // DCTCP's estimate of the marked fraction
    std::uint64_t window_end = 0;  // DCTCP: alpha is updated when snd_una passes it
    std::uint32_t acked_in_window = 0;
    std::uint32_t marked_in_window = 0;
    DcqcnRate dcqcn;  // cc: dcqcn (the receiver's CNP clock too)
    // cc: nscc: the unloaded round trip, the queueing delay steered to, no
    // cut before cut_hold_until, and bytes ACKed nearly unqueued in a row.
    sim::Time base_rtt_ps = 0;
    sim::Time target_qdelay_ps = 0;
    sim::Time cut_hold_until = 0;
    double uncongested_bytes = 0;
    sim::Time pace_at = sim::kForever;  // dcqcn: a kPace event is due then
    // Selective repeat: packets the receiver SACKed past snd_una (bitmap
    // ring), the holes being resent [rtx_nxt, rtx_end), and how far the
    // last recovery reached (a NAK does not resend below it again).
    std::vector<std::uint64_t> sacked;
    std::uint64_t high_sacked = 0;  // one past the highest SACKed packet
    std::uint64_t rtx_nxt = 0;
    std::uint64_t rtx_end = 0;
    std::uint64_t recovered_end = 0;
    // Go-backs so far (mod 256) and where the last one went back to: a NACK
    // for a packet at or past it sent before it is stale (it resends the
    // packet anyway).
    std::uint8_t epoch = 0;
    std::uint64_t back_to = 0;
    // Trimming: packets NACKed, to resend one by one from nacked_next.
    std::vector<std::uint64_t> nacked;
    std::size_t nacked_next = 0;
    sim::Time rto_deadline = sim::kForever;
    bool rto_pending = false;
    bool ready = false;  // in its host's ready list
    std::uint32_t next_ready = kNone;
    // Messages not yet both delivered and acknowledged, oldest first.
    std::vector<Message> messages;
    std::size_t first_message = 0;  // messages before it are gone
    std::size_t send_message = 0;   // the message holding snd_nxt
    std::size_t recv_message = 0;   // the first message not yet delivered
    // Receiver.
    std::uint64_t rcv_nxt = 0;          // first packet not yet received
    std::vector<std::uint64_t> window;  // places: packets received past rcv_nxt (bitmap ring)
    std::uint32_t unacked = 0;          // data packets received since the last ACK
    std::uint32_t unacked_marked = 0;
    bool nak_sent = false;  // for the current hole (single path)
  };
  struct Host {
    std::uint32_t ready_head = kNone;
    std::uint32_t ready_tail = kNone;
  };
  // Event tags.
  static constexpr std::uint32_t kArrive =
      0;  // payload: port whose first packet on the wire arrives
  static constexpr std::uint32_t kTxDone = 1;  // payload: port done serialising
  static constexpr std::uint32_t kTimer = 2;   // payload: QP whose timeout may be due
  static constexpr std::uint32_t kPause = 3;   // payload: link * 2 + (1 pause, 0 resume)
  static constexpr std::uint32_t kPace = 4;    // payload: a DCQCN QP that may send again

  std::uint32_t alloc_packet();
  void free_packet(std::uint32_t p);
  QpId new_qp(topology::HostId src, topology::HostId dst);
  void set_window(Qp& qp, sim::Time rtt_ps, double gbps);
  // Port mechanics.
  void enqueue(topology::LinkId port, std::uint32_t p);
  void kick(topology::LinkId port);
  void serve(topology::LinkId port);
  // Serialises p from `start` (now, or when the packets ahead are out).
  void transmit(Port& port, std::uint32_t p, sim::Time start);
  [[nodiscard]] bool has_work(const Port& port) const;
  // Switch ports that hold their queue (PFC, shared buffers): admission,
  // joining, and leaving it for the wire.
  [[nodiscard]] bool admits_held(topology::LinkId port, const Packet& pkt, std::uint64_t wire,
                                 std::uint64_t backlog) const;
  void hold(topology::LinkId port, std::uint32_t p, std::uint64_t wire);
  void drop(topology::LinkId port, std::uint32_t p);
  // priority_queues: a control packet joins its port's control queue, which
  // has a buffer of buffer_bytes of its own; trimming cuts a data packet.
  void enqueue_control(topology::LinkId port, std::uint32_t p, std::uint64_t backlog);
  void trim(Packet& pkt);
  // The head of a switch port's queues (control first), taken off them.
  std::uint32_t dequeue(topology::LinkId port);
  void release(topology::LinkId port, const Packet& pkt, std::uint64_t wire);
  void send_pause(topology::LinkId link, PfcSignal signal);
  [[nodiscard]] std::uint64_t wire_bytes(const Packet& pkt) const {
    return pkt.kind == kData      ? pkt.payload + config_.header_bytes
           : pkt.kind == kTrimmed ? config_.header_bytes
                                  : config_.ack_bytes;
  }
  void arrive(std::uint32_t p);
  // Sender.
  [[nodiscard]] bool can_send(const Qp& qp) const;
  // Packets left to send, new or resent, whatever its window and pace allow.
  [[nodiscard]] static bool has_to_send(const Qp& qp) {
    return qp.snd_nxt < qp.end_seq || has_resends(qp);
  }
  // Holes (selective repeat) or NACKed packets (trimming) to resend.
  [[nodiscard]] static bool has_resends(const Qp& qp) {
    return qp.rtx_nxt < qp.rtx_end || qp.nacked_next < qp.nacked.size();
  }
  // Puts a QP that can send at the back of its host's ready list (and wakes
  // the NIC); false if it cannot send or is listed already.
  void make_ready(QpId id);
  bool append_ready(QpId id);
  std::uint32_t next_data_packet(topology::HostId host);
  std::uint32_t payload_of(Qp& qp, std::uint64_t seq);
  void on_ack(std::uint32_t p);
  void arm_timer(QpId id);
  // DCQCN: wake the QP when its pace allows the next packet (or its rate rises).
  void arm_pace(QpId id);
  void on_cnp(std::uint32_t p);
  void send_cnp(std::uint32_t data);
  void on_timer(QpId id);
  // Trimming: the sender resends a NACKed packet (go-back-N from it when
  // its receiver accepts in order only).
  void on_nack(std::uint32_t p);
  void go_back(Qp& qp, std::uint64_t seq);
  // cc: nscc (packet_nscc.cpp): the send time a data packet carries and
  // its ACK echoes, and the window's reactions.
  void stamp(Packet& pkt) const;
  [[nodiscard]] sim::Time rtt_of(const Packet& ack) const;
  void start_nscc(Qp& qp, sim::Time rtt_ps, double gbps);
  void on_nscc_ack(Qp& qp, const Packet& ack);
  void on_nscc_nack(Qp& qp);
  // DCTCP: alpha's update and the cut, once per window of packets.
  void end_dctcp_window(Qp& qp);
  // Selective repeat: resend the packets in [from, to) not SACKed.
  void resend_holes(Qp& qp, std::uint64_t from, std::uint64_t to);
  void on_sack(Qp& qp, std::uint64_t seq);
  // The next packet a QP sends: a hole to resend, else new data in its window.
  bool take_seq(Qp& qp, std::uint64_t& seq);
  [[nodiscard]] bool sacked(const Qp& qp, std::uint64_t seq) const;
  // Per-packet path choice (spray, reps; adaptive's is made at the first switch).
  std::uint32_t choose_path(Qp& qp);
  std::uint32_t random_path(Qp& qp, sim::Rng& rng);
  // entropies: the entropy of the next packet, and the path the switches
  // hash (flow, entropy) to (packet_entropies.cpp).
  std::uint32_t entropy_path(QpId id);
  void hash_entropies(QpId id);
  void route_adaptive(Packet& pkt);
  [[nodiscard]] std::uint64_t backlog_bytes(const Port& port) const;
  // Faults.
  [[nodiscard]] bool path_usable(const topology::HostPaths& paths, std::uint32_t i) const;
  [[nodiscard]] bool blocked(const Qp& qp) const;
  void drop_on_down_link(Port& port, std::uint32_t p);
  void unstall(QpId id);
  void route_ack(Packet& ack);  // off avoided links, when its way back crosses one
  void retire_messages(Qp& qp);
  // Receiver.
  void on_data(std::uint32_t p);
  void on_trimmed(std::uint32_t p);
  // Turns a packet that reached its receiver into a reply back along its path.
  void turn_around(std::uint32_t p, Kind kind);
  void send_ack(QpId id, Kind kind);
  void deliver_messages(Qp& qp);

  sim::Simulator& sim_;
  const topology::Topology& topology_;
  topology::Routing& routing_;
  PacketConfig config_;
  sim::HandlerId self_;
  sim::Rng ecn_rng_;
  sim::Rng spray_rng_;
  sim::Rng reps_rng_;
  std::uint64_t spray_seed_;
  std::vector<Port> ports_;
  // Switch ports keep a real queue only when something must look at or stop
  // it (PFC, a shared pool, priority queues); otherwise a packet's departure
  // is fixed the moment it joins (enqueue()).
  bool hold_ = false;
  // priority_queues: each switch port's control queue, served before its
  // data queue (Port::head); kept apart from the port's hot state.
  struct ControlQueue {
    std::uint32_t head = kNone;
    std::uint32_t tail = kNone;
    std::uint64_t bytes = 0;
  };
  std::vector<ControlQueue> control_;
  bool trim_ = false;
  bool dcqcn_on_ = false;
  bool nscc_on_ = false;
  Dcqcn dcqcn_;
  Pfc pfc_;
  std::vector<topology::NodeId> port_node_;  // shared buffers: the switch a port leaves
  std::vector<std::uint64_t> shared_used_;   // shared buffers: bytes held, per node
  std::vector<std::uint64_t> shared_pool_;   // and its pool
  std::unique_ptr<PortSeries> series_;       // output.timeseries, if asked for
  std::vector<Host> hosts_;
  std::vector<Qp> qps_;
  std::vector<RepsBuffer> reps_;
  std::uint32_t links_down_ = 0;
  std::uint32_t links_avoided_ = 0;
  std::uint32_t avoid_changes_ = 0;  // avoid_link/unavoid calls so far: entropies rehash then
  std::vector<Packet> packets_;
  std::uint32_t free_packets_ = kNone;
  std::uint64_t live_packets_ = 0;
  sim::Time last_activity_ps_ = 0;
  std::uint32_t reorder_words_ = 0;  // 64-bit words of each spray receiver's bitmap
  PacketTotals totals_;
};

}  // namespace spinel::transport
