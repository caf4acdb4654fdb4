#include "api/scenario/pccl_section.hpp"

#include <charconv>
#include <optional>
#include <string>

namespace spinel::scenario {

namespace {

constexpr sim::Time kMaxDuration = 1000LL * 3600 * sim::kSecond;  // 1000 simulated hours

// A rate: a non-negative decimal number of events per hour.
double read_rate_per_hour(const Value& x) {
  const std::string expected =
      "expected events per hour, a number from 0 to 1e9 such as 2 or 0.5, got ";
  if (!x.is_scalar()) x.fail(expected + x.describe());
  const std::string text = x.scalar();
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !(value >= 0) || value > 1e9) {
    x.fail(expected + x.describe());
  }
  return value;
}

void read_churn(const Value& v, pccl::PcclConfig& c) {
  v.read_map({
      {"interval", Need::optional,
       [&](const Value& x) {
         x.read_map({
             {"min", Need::required,
              [&](const Value& y) { c.churn_interval_min_ps = y.to_duration_ps(kMaxDuration); }},
             {"max", Need::required,
              [&](const Value& y) {
                c.churn_interval_max_ps = y.to_duration_ps(kMaxDuration);
                if (c.churn_interval_max_ps < c.churn_interval_min_ps) {
                  y.fail("max must be at least min");
                }
                if (c.churn_interval_max_ps == 0) y.fail("expected a duration above 0");
              }},
         });
       }},
      {"kill_probability", Need::optional,
       [&](const Value& x) { c.kill_probability = x.to_fraction(); }},
      {"kinds", Need::optional,
       [&](const Value& x) {
         c.death_weight = 0;
         x.read_map({
             {"death", Need::optional, [&](const Value& y) { c.death_weight = y.to_fraction(); }},
             {"stall", Need::optional, [&](const Value& y) { c.stall_weight = y.to_fraction(); }},
             {"leave", Need::optional, [&](const Value& y) { c.leave_weight = y.to_fraction(); }},
         });
         if (c.death_weight + c.stall_weight + c.leave_weight <= 0) {
           x.fail("at least one of death, stall, leave needs a weight above 0");
         }
       }},
      {"joins_per_hour", Need::optional,
       [&](const Value& x) { c.joins_per_hour = read_rate_per_hour(x); }},
      {"deaths_per_peer_hour", Need::optional,
       [&](const Value& x) { c.deaths_per_peer_hour = read_rate_per_hour(x); }},
      {"stalls_per_peer_hour", Need::optional,
       [&](const Value& x) { c.stalls_per_peer_hour = read_rate_per_hour(x); }},
      {"leaves_per_peer_hour", Need::optional,
       [&](const Value& x) { c.leaves_per_peer_hour = read_rate_per_hour(x); }},
  });
  if (c.churn_interval_max_ps == 0 &&
      c.joins_per_hour + c.deaths_per_peer_hour + c.stalls_per_peer_hour + c.leaves_per_peer_hour <=
          0) {
    v.fail(
        "churn needs an interval (a process like PCCL's stress test) or a rate above 0 "
        "(joins_per_hour, deaths_per_peer_hour, stalls_per_peer_hour, leaves_per_peer_hour)");
  }
}

void read_events(const Value& v, pccl::PcclConfig& c) {
  sim::Time last = 0;
  for (const Value& item : v.to_list()) {
    pccl::ChurnEvent e;
    std::optional<Value> peer;
    item.read_map({
        {"at", Need::required,
         [&](const Value& x) {
           e.at_ps = x.to_duration_ps(kMaxDuration);
           if (e.at_ps < last) x.fail("events must be in time order");
           last = e.at_ps;
         }},
        {"kind", Need::required,
         [&](const Value& x) {
           e.kind = x.to_enum<pccl::ChurnKind>({{"join", pccl::ChurnKind::join},
                                                {"leave", pccl::ChurnKind::leave},
                                                {"death", pccl::ChurnKind::death},
                                                {"stall", pccl::ChurnKind::stall}});
         }},
        {"peer", Need::optional,
         [&](const Value& x) {
           e.peer = x.to_uint<std::uint32_t>(0, 1'000'000, "a peer id");
           peer = x;
         }},
    });
    if (e.kind == pccl::ChurnKind::join && peer) {
      peer->fail_at_key(
          "a join starts a new peer (ids count spawns from 0); peer goes with "
          "leave, death and stall");
    }
    if (e.kind != pccl::ChurnKind::join && !peer) {
      item.fail(std::string("a ") + std::string(pccl::to_string(e.kind)) +
                " needs the peer it hits, e.g. {at: 10s, kind: death, peer: 2}");
    }
    c.events.push_back(e);
  }
}

}  // namespace

pccl::PcclConfig read_pccl(const Value& v) {
  pccl::PcclConfig c;
  std::optional<Value> inner_steps;
  v.read_map({
      {"max_peers", Need::optional,
       [&](const Value& x) { c.max_peers = x.to_uint<std::uint32_t>(2, 4096, "a peer count"); }},
      {"peers", Need::required,
       [&](const Value& x) {
         c.peers = x.to_uint<std::uint32_t>(1, c.max_peers, "a peer count (up to max_peers)");
       }},
      {"floats", Need::optional,
       [&](const Value& x) {
         c.floats = x.to_uint<std::uint32_t>(1, 1'000'000, "an element count");
       }},
      {"size_bytes", Need::optional,
       [&](const Value& x) { c.size_bytes = x.to_bytes(1, 1ULL << 50); }},
      {"connections_per_neighbour", Need::optional,
       [&](const Value& x) {
         c.connections_per_neighbour = x.to_uint<std::uint32_t>(1, 256, "a connection count");
       }},
      {"window_bytes", Need::optional,
       [&](const Value& x) { c.window_bytes = x.to_bytes(0, 1ULL << 40); }},
      {"ring_order", Need::optional,
       [&](const Value& x) {
         c.ring_order = x.to_enum<pccl::RingOrder>(
             {{"id", pccl::RingOrder::id}, {"optimised", pccl::RingOrder::optimised}});
       }},
      {"step_compute", Need::optional,
       [&](const Value& x) { c.step_compute_ps = x.to_duration_ps(kMaxDuration); }},
      {"inner_steps", Need::optional,
       [&](const Value& x) {
         c.loop.inner_steps = x.to_uint<std::uint32_t>(1, 100'000, "a count of inner steps");
         inner_steps = x;
       }},
      {"async", Need::optional, [&](const Value& x) { c.loop.async = x.to_bool(); }},
      {"quantisation", Need::optional,
       [&](const Value& x) {
         c.loop.quantisation = x.to_enum<pccl::Quantisation>({{"none", pccl::Quantisation::none},
                                                              {"fp16", pccl::Quantisation::fp16},
                                                              {"int8", pccl::Quantisation::int8}});
       }},
      {"concurrent_collectives", Need::optional,
       [&](const Value& x) {
         c.loop.concurrent_collectives =
             x.to_uint<std::uint32_t>(1, 256, "a count of concurrent collectives");
       }},
      {"retry_backoff", Need::optional,
       [&](const Value& x) {
         c.retry_backoff_ps = x.to_duration_ps(kMaxDuration);
         if (c.retry_backoff_ps == 0) x.fail("expected a duration above 0");
       }},
      {"duration", Need::required,
       [&](const Value& x) {
         c.duration_ps = x.to_duration_ps(kMaxDuration);
         if (c.duration_ps == 0) x.fail("expected a duration above 0");
       }},
      {"keepalive_interval", Need::optional,
       [&](const Value& x) {
         c.keepalive_interval_ps = x.to_duration_ps(kMaxDuration);
         if (c.keepalive_interval_ps == 0) x.fail("expected a duration above 0");
       }},
      {"keepalive_timeout", Need::optional,
       [&](const Value& x) {
         c.keepalive_timeout_ps = x.to_duration_ps(kMaxDuration);
         if (c.keepalive_timeout_ps < c.keepalive_interval_ps) {
           x.fail("the timeout must be at least the keepalive_interval");
         }
       }},
      {"control_latency", Need::optional,
       [&](const Value& x) { c.control_latency_ps = x.to_duration_ps(sim::kSecond * 10); }},
      {"liveness_bound", Need::optional,
       [&](const Value& x) {
         c.liveness_bound_ps = x.to_duration_ps(kMaxDuration);
         if (c.liveness_bound_ps == 0) x.fail("expected a duration above 0");
       }},
      {"churn", Need::optional, [&](const Value& x) { read_churn(x, c); }},
      {"events", Need::optional, [&](const Value& x) { read_events(x, c); }},
  });
  // The pseudo-gradient sums every inner step's floats; an outer step's
  // compute must stay a duration.
  if (inner_steps && static_cast<std::uint64_t>(c.loop.inner_steps) * c.floats > 100'000'000) {
    inner_steps->fail("inner_steps times floats must be at most 100000000 (each inner step's " +
                      std::to_string(c.floats) + " floats are summed into the pseudo-gradient)");
  }
  if (inner_steps && c.step_compute_ps > kMaxDuration / c.loop.inner_steps) {
    inner_steps->fail("inner_steps times step_compute must be at most 1000 hours");
  }
  return c;
}

sim::Json pccl_to_json(const pccl::PcclConfig& c) {
  sim::Json j = sim::Json::object();
  j["peers"] = c.peers;
  j["max_peers"] = c.max_peers;
  j["floats"] = c.floats;
  j["size_bytes"] = c.size_bytes;
  j["connections_per_neighbour"] = c.connections_per_neighbour;
  j["window_bytes"] = c.window_bytes;  // 0: no per-connection cap
  j["ring_order"] = pccl::to_string(c.ring_order);
  j["step_compute_ps"] = static_cast<std::int64_t>(c.step_compute_ps);
  j["inner_steps"] = c.loop.inner_steps;
  j["async"] = c.loop.async;
  j["quantisation"] = pccl::to_string(c.loop.quantisation);
  j["concurrent_collectives"] = c.loop.concurrent_collectives;
  j["retry_backoff_ps"] = static_cast<std::int64_t>(c.retry_backoff_ps);
  j["duration_ps"] = static_cast<std::int64_t>(c.duration_ps);
  j["keepalive_interval_ps"] = static_cast<std::int64_t>(c.keepalive_interval_ps);
  j["keepalive_timeout_ps"] = static_cast<std::int64_t>(c.keepalive_timeout_ps);
  j["control_latency_ps"] = static_cast<std::int64_t>(c.control_latency_ps);
  j["liveness_bound_ps"] = static_cast<std::int64_t>(c.liveness_bound_ps);  // 0: derived
  sim::Json churn = sim::Json::object();
  churn["interval_min_ps"] = static_cast<std::int64_t>(c.churn_interval_min_ps);
  churn["interval_max_ps"] = static_cast<std::int64_t>(c.churn_interval_max_ps);
  churn["kill_probability"] = c.kill_probability;
  churn["death"] = c.death_weight;
  churn["stall"] = c.stall_weight;
  churn["leave"] = c.leave_weight;
  churn["joins_per_hour"] = c.joins_per_hour;
  churn["deaths_per_peer_hour"] = c.deaths_per_peer_hour;
  churn["stalls_per_peer_hour"] = c.stalls_per_peer_hour;
  churn["leaves_per_peer_hour"] = c.leaves_per_peer_hour;
  j["churn"] = std::move(churn);
  sim::Json events = sim::Json::array();
  for (const pccl::ChurnEvent& e : c.events) {
    sim::Json ev = sim::Json::object();
    ev["at_ps"] = static_cast<std::int64_t>(e.at_ps);
    ev["kind"] = pccl::to_string(e.kind);
    if (e.kind != pccl::ChurnKind::join) ev["peer"] = e.peer;
    events.push_back(std::move(ev));
  }
  j["events"] = std::move(events);
  return j;
}

}  // namespace spinel::scenario
