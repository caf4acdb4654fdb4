#include "transport/packet_transport.hpp"

#include "sim/error.hpp"
#include "transport/output_columns.hpp"

namespace spinel::transport {

PacketTransport::PacketTransport(sim::Simulator& sim, const topology::Topology& topology,
                                 FlowModel& router, PacketModel& engine,
                                 const TransportConfig& config, sim::Recorder& recorder,
                                 bool record_flows)
    : sim_(sim),
      topology_(topology),
      router_(router),
      engine_(engine),
      config_(config),
      self_(sim.add_handler(*this)) {
  if (record_flows) {
    // The same columns as at flow level: one row per part (subflow) delivered.
    flows_csv_ = recorder.table(columns::flows);
  }
}

ConnectionId PacketTransport::connect(const ConnectionSpec& spec) {
  return connect_group(std::span<const ConnectionSpec>(&spec, 1)).front();
}

std::vector<ConnectionId> PacketTransport::connect_group(std::span<const ConnectionSpec> specs) {
  std::vector<ConnectionId> ids = router_.connect_group(specs);
  for (std::size_t i = 0; i < ids.size(); ++i) open(ids[i], specs[i]);
  return ids;
}

void PacketTransport::open(ConnectionId id, const ConnectionSpec& spec) {
  if (connections_.size() <= id) connections_.resize(id + 1);
  Connection& c = connections_[id];
  c.spec = spec;
  c.first_qp = static_cast<std::uint32_t>(qps_.size());
  if (spec.src == spec.dst) return;
  if (per_packet(config_.policy)) {
    const PerPacket how = config_.policy == PathPolicy::reps       ? PerPacket::reps
                          : config_.policy == PathPolicy::adaptive ? PerPacket::adaptive
                                                                   : PerPacket::spray;
    qps_.push_back(engine_.add_spray_qp(spec.src, spec.dst, how));
    qp_paths_.emplace_back(to_string(config_.policy));
    c.qps = 1;
    return;
  }
  // One queue pair per subflow, on the subflow's route (physical links).
  for (const Subflow& subflow : router_.connection_route(id)) {
    const std::vector<topology::LinkId> links = route_links(subflow);
    qps_.push_back(engine_.add_qp(spec.src, spec.dst, links));
    qp_paths_.push_back(path_name(links));
    ++c.qps;
  }
}

std::vector<topology::LinkId> PacketTransport::route_links(const Subflow& subflow) const {
  std::vector<topology::LinkId> links;
  for (const Hop& hop : subflow.hops) {
    if (hop.link >= topology_.link_count() || hop.weight != 1.0) {
      throw sim::InternalError("packet transport: a subflow's route is not a single path");
    }
    links.push_back(hop.link);
  }
  return links;
}

std::string PacketTransport::path_name(std::span<const topology::LinkId> links) const {
  std::string path = topology_.node_name(topology_.link(links.front()).src);
  for (const topology::LinkId l : links) {
    path += '>';
    path += topology_.node_name(topology_.link(l).dst);
  }
  return path;
}

void PacketTransport::set_link_rate(topology::LinkId link, double gbps) {
  engine_.set_link_rate(link, gbps);
  if (gbps != 0) return;
  if (config_.convergence_ps == 0) {
    converge(link);
  } else {
    // After the router's own convergence event for it (scheduled first).
    sim_.schedule_in(config_.convergence_ps, self_, kConverge, link);
  }
}

// The router has moved its connections off the link (if it is still down):
// single-path queue pairs follow their subflow's new route.
void PacketTransport::converge(topology::LinkId link) {
  if (!router_.link_down(link)) return;
  engine_.avoid_link(link);
  if (per_packet(config_.policy)) return;
  for (ConnectionId id = 0; id < connections_.size(); ++id) {
    const Connection& c = connections_[id];
    if (c.qps == 0) continue;
    const std::vector<Subflow> route = router_.connection_route(id);
    for (std::uint32_t k = 0; k < c.qps; ++k) {
      const std::vector<topology::LinkId> links = route_links(route.at(k));
      const std::string name = path_name(links);
      if (name == qp_paths_[c.first_qp + k]) continue;
      engine_.set_qp_path(qps_[c.first_qp + k], links);
      qp_paths_[c.first_qp + k] = name;
    }
  }
}

FlowId PacketTransport::start_flow(const FlowSpec& spec) {
  if (spec.connection >= connections_.size()) {
    throw sim::InternalError("start_flow on a connection that was never opened");
  }
  const Connection& c = connections_[spec.connection];
  ++totals_.transfers_started;
  totals_.bytes_sent += spec.size_bytes;
  std::uint32_t t;
  if (!free_transfers_.empty()) {
    t = free_transfers_.back();
    free_transfers_.pop_back();
  } else {
    t = static_cast<std::uint32_t>(transfers_.size());
    transfers_.emplace_back();
  }
  const std::uint32_t parts = std::max<std::uint32_t>(c.qps, 1);
  transfers_[t] = Transfer{spec, next_serial_++, sim_.now(), parts};
  totals_.started += parts;
  if (c.qps == 0) {
    sim_.schedule_at(sim_.now(), self_, kLocal, t);  // nothing crosses the fabric
    return static_cast<FlowId>(transfers_[t].serial);
  }
  // B bytes on k queue pairs: B / k on each, the remainder on the last.
  const std::uint64_t base = spec.size_bytes / c.qps;
  for (std::uint32_t k = 0; k < c.qps; ++k) {
    const std::uint64_t size = k + 1 < c.qps ? base : spec.size_bytes - base * (c.qps - 1);
    std::uint32_t part;
    if (!free_parts_.empty()) {
      part = free_parts_.back();
      free_parts_.pop_back();
    } else {
      part = static_cast<std::uint32_t>(parts_.size());
      parts_.emplace_back();
    }
    parts_[part] = Part{t, k, size};
    if (size == 0) {
      sim_.schedule_at(sim_.now(), self_, kPart, part);
    } else {
      engine_.send(qps_[c.first_qp + k], size, self_, kPart, part);
    }
  }
  return static_cast<FlowId>(transfers_[t].serial);
}

void PacketTransport::handle(const sim::Event& event) {
  const auto index = static_cast<std::uint32_t>(event.payload);
  if (event.tag == kConverge) {
    converge(static_cast<topology::LinkId>(event.payload));
    return;
  }
  if (event.tag == kLocal) {
    part_done(index, 0, transfers_[index].spec.size_bytes);
    return;
  }
  const Part part = parts_[index];
  free_parts_.push_back(index);
  part_done(part.transfer, part.subflow, part.size_bytes);
}

void PacketTransport::part_done(std::uint32_t t, std::uint32_t subflow, std::uint64_t size_bytes) {
  Transfer& transfer = transfers_[t];
  ++totals_.completed;
  totals_.bytes_delivered += size_bytes;
  if (flows_csv_ != nullptr) record_part(transfer, subflow, size_bytes);
  if (--transfer.parts_left > 0) return;
  ++totals_.transfers_completed;
  sim_.schedule_at(sim_.now(), transfer.spec.notify, transfer.spec.notify_tag,
                   transfer.spec.notify_payload);
  free_transfers_.push_back(t);
}

void PacketTransport::record_part(const Transfer& t, std::uint32_t subflow,
                                  std::uint64_t size_bytes) {
  const Connection& c = connections_[t.spec.connection];
  flows_csv_->cell(t.serial)
      .cell(subflow)
      .cell(t.spec.collective)
      .cell(t.spec.step)
      .cell(t.spec.tag)
      .cell(c.spec.src)
      .cell(c.spec.dst)
      .cell(size_bytes)
      .cell(c.qps == 0 ? std::string_view("local")
                       : std::string_view(qp_paths_[c.first_qp + subflow]))
      .cell(t.start)
      .cell(sim_.now())
      .end_row();
}

}  // namespace spinel::transport
