#include "tools/simgrid_check/simgrid_side.hpp"

#include <simgrid/s4u.hpp>
// Not self-contained: needs the macros s4u.hpp brings (XBT_PUBLIC, ...).
#include <simgrid/version.h>

#include <algorithm>
#include <cstdint>
#include <queue>
#include <stdexcept>
#include <string>
#include <vector>

namespace spinel::simgrid_check {

namespace sg4 = simgrid::s4u;

namespace {

constexpr double kPsPerSecond = 1e12;

// One rank-to-rank transfer in flight, or waiting to be delivered.
struct InFlight {
  TransferKey key;
  std::uint32_t index = 0;  // into the driver's flights_
};

struct Delivery {
  double at_s = 0;
  double started_s = 0;
  std::uint64_t order = 0;  // ties deliver in the order they were scheduled
  TransferKey key;
  bool operator>(const Delivery& other) const {
    return at_s != other.at_s ? at_s > other.at_s : order > other.order;
  }
};

// The step model of workloads/schedule.hpp, driven by SimGrid's clock: one
// actor starts every comm and waits for whichever finishes first, so that
// SimGrid's own completions decide when each rank moves on.
class Driver {
 public:
  Driver(const Platform& platform, const Replay& replay, std::vector<sg4::Host*> hosts,
         LatencyMode latency)
      : replay_(replay), hosts_(std::move(hosts)), latency_(latency) {
    const workloads::Schedule& schedule = *replay.schedule;
    ranks_ = schedule.ranks();
    steps_ = schedule.steps();
    if (replay.hosts.size() != ranks_) {
      throw std::logic_error("replay: one host per rank is needed");
    }
    // The route latency per host pair, for LatencyMode::delivery.
    route_latency_s_.assign(static_cast<std::size_t>(platform.hosts) * platform.hosts, -1.0);
    for (const PlatformRoute& route : platform.routes) {
      route_latency_s_[static_cast<std::size_t>(route.src) * platform.hosts + route.dst] =
          static_cast<double>(route.latency_ps) / kPsPerSecond;
    }
    host_count_ = platform.hosts;
  }

  void operator()() {
    if (replay_.start_ps > 0) {
      sg4::this_actor::sleep_for(static_cast<double>(replay_.start_ps) / kPsPerSecond);
    }
    for (std::uint32_t iteration = 0; iteration < replay_.iterations; ++iteration) {
      if (iteration > 0 && replay_.compute_gap_ps > 0) {
        sg4::this_actor::sleep_for(static_cast<double>(replay_.compute_gap_ps) / kPsPerSecond);
      }
      run_iteration(iteration);
      outcome_.iteration_end_s.push_back(last_delivery_s_);
    }
  }

  [[nodiscard]] const Outcome& outcome() const { return outcome_; }

 private:
  void run_iteration(std::uint32_t iteration) {
    iteration_ = iteration;
    step_.assign(ranks_, 0);
    sends_left_.assign(ranks_, 0);
    received_.assign(static_cast<std::size_t>(ranks_) * steps_, 0);
    finished_ = 0;
    for (std::uint32_t r = 0; r < ranks_; ++r) enter(r);
    while (finished_ < ranks_) {
      if (!deliveries_.empty() && deliveries_.top().at_s <= sg4::Engine::get_clock()) {
        deliver_top();
        continue;
      }
      if (comms_.empty()) {
        if (deliveries_.empty()) throw std::logic_error("replay: the schedule deadlocks");
        sg4::this_actor::sleep_until(deliveries_.top().at_s);
        deliver_top();
        continue;
      }
      const double timeout =
          deliveries_.empty() ? -1.0 : deliveries_.top().at_s - sg4::Engine::get_clock();
      const ssize_t done = sg4::Comm::wait_any_for(comms_, timeout);
      if (done < 0) {
        // The timeout was the next delivery; the clock may sit an ulp short of it.
        deliver_top();
        continue;
      }
      const auto i = static_cast<std::size_t>(done);
      const TransferKey key = keys_[i];
      const double started = started_s_[i];
      comms_[i] = comms_.back();
      comms_.pop_back();
      keys_[i] = keys_.back();
      keys_.pop_back();
      started_s_[i] = started_s_.back();
      started_s_.pop_back();
      const double now = sg4::Engine::get_clock();
      double at = now;
      if (latency_ == LatencyMode::delivery) {
        at += route_latency_s_[static_cast<std::size_t>(replay_.hosts[key.src]) * host_count_ +
                               replay_.hosts[key.dst]];
      }
      deliveries_.push(Delivery{at, started, next_order_++, key});
    }
    if (!comms_.empty() || !deliveries_.empty()) {
      throw std::logic_error("replay: transfers outlived their iteration");
    }
  }

  void deliver_top() {
    const Delivery d = deliveries_.top();
    deliveries_.pop();
    outcome_.transfers.push_back(TransferTime{d.key, d.started_s, d.at_s});
    // The clock may sit an ulp off a delivery that waited for a timeout.
    last_delivery_s_ = d.at_s;
    --sends_left_[d.key.src];
    ++received_[static_cast<std::size_t>(d.key.dst) * steps_ + d.key.step];
    advance(d.key.src);
    advance(d.key.dst);
  }

  // `rank` has just entered step_[rank]: it starts that step's sends, then
  // leaves every step it already can (early arrivals count for later steps).
  void enter(std::uint32_t rank) {
    for (;;) {
      if (step_[rank] == steps_) {
        ++finished_;
        return;
      }
      start_sends(rank, step_[rank]);
      if (!can_leave(rank)) return;
      ++step_[rank];
    }
  }

  // After a delivery to or from `rank`.
  void advance(std::uint32_t rank) {
    if (step_[rank] < steps_ && can_leave(rank)) {
      ++step_[rank];
      enter(rank);
    }
  }

  [[nodiscard]] bool can_leave(std::uint32_t rank) const {
    const std::uint32_t step = step_[rank];
    return sends_left_[rank] == 0 && received_[static_cast<std::size_t>(rank) * steps_ + step] >=
                                         replay_.schedule->receives(step, rank);
  }

  void start_sends(std::uint32_t rank, std::uint32_t step) {
    sends_.clear();
    replay_.schedule->sends(step, rank, sends_);
    for (const workloads::Transfer& t : sends_) {
      if (t.src != rank || t.dst >= ranks_ || t.dst == rank) {
        throw std::logic_error("replay: a schedule send does not leave its rank");
      }
      comms_.push_back(sg4::Comm::sendto_async(hosts_[replay_.hosts[t.src]],
                                               hosts_[replay_.hosts[t.dst]], t.bytes));
      keys_.push_back(TransferKey{iteration_, step, t.src, t.dst});
      started_s_.push_back(sg4::Engine::get_clock());
    }
    sends_left_[rank] = static_cast<std::uint32_t>(sends_.size());
  }

  const Replay& replay_;
  std::vector<sg4::Host*> hosts_;
  LatencyMode latency_;
  std::uint32_t ranks_ = 0;
  std::uint32_t steps_ = 0;
  std::uint32_t host_count_ = 0;
  std::vector<double> route_latency_s_;

  std::uint32_t iteration_ = 0;
  std::vector<std::uint32_t> step_;        // the step each rank is in
  std::vector<std::uint32_t> sends_left_;  // its sends of that step not yet delivered
  std::vector<std::uint32_t> received_;    // per rank and step: transfers delivered to it
  std::uint32_t finished_ = 0;
  std::vector<workloads::Transfer> sends_;

  std::vector<sg4::CommPtr> comms_;  // in flight, and which transfer each carries
  std::vector<TransferKey> keys_;
  std::vector<double> started_s_;
  std::priority_queue<Delivery, std::vector<Delivery>, std::greater<>> deliveries_;
  std::uint64_t next_order_ = 0;
  double last_delivery_s_ = 0;
  Outcome outcome_;
};

}  // namespace

std::string simgrid_version() {
  int major = 0;
  int minor = 0;
  int patch = 0;
  sg_version_get(&major, &minor, &patch);
  std::string version = std::to_string(major) + "." + std::to_string(minor);
  if (patch != 0) version += "." + std::to_string(patch);
  return version;
}

std::vector<std::string> simgrid_arguments() {
  return {
      // Quiet: only SimGrid's own failures reach stderr. Logs are set up
      // before the --cfg arguments are read, so these silence their echo too.
      "--log=root.thres:critical",
      // The plain max-min model: no bandwidth or latency correction factors,
      // no TCP window bound (gamma 0 means unbounded), no 5% ACK load on the
      // reverse path, no weighting of shares by bandwidth (weight-S).
      "--cfg=network/model:CM02",
      "--cfg=network/crosstraffic:0",
      "--cfg=network/TCP-gamma:0",
      "--cfg=network/weight-S:0",
      "--cfg=network/bandwidth-factor:1",
      "--cfg=network/latency-factor:1",
      // One actor only, so real threads cost nothing; unlike SimGrid's
      // hand-written context switches they never confuse AddressSanitizer.
      "--cfg=contexts/factory:thread",
  };
}

Outcome run_simgrid(const Platform& platform, const Replay& replay, const SimGridOptions& options) {
  std::vector<std::string> args = {"spinel-simgrid-check"};
  for (const std::string& a : simgrid_arguments()) args.push_back(a);
  for (const std::string& a : options.extra_args) args.push_back(a);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  sg4::Engine engine(&argc, argv.data());

  sg4::NetZone* zone = sg4::create_full_zone("fabric");
  std::vector<sg4::Host*> hosts;
  hosts.reserve(platform.hosts);
  for (std::uint32_t h = 0; h < platform.hosts; ++h) {
    // Hosts only send: their compute speed never matters.
    hosts.push_back(zone->create_host("h" + std::to_string(h), 1e9));
  }
  std::vector<sg4::Link*> links;
  links.reserve(platform.links.size());
  for (const PlatformLink& link : platform.links) {
    const double bytes_per_s = link.rate_gbps * 1e9 / 8.0 * options.capacity_scale;
    const double latency_s = options.latency == LatencyMode::links
                                 ? static_cast<double>(link.latency_ps) / kPsPerSecond
                                 : 0.0;
    // One SimGrid link per direction: SHARED is one capacity shared by all
    // comms crossing it, which is what a direction of a full-duplex cable is.
    links.push_back(zone->create_link(link.name, bytes_per_s)
                        ->set_latency(latency_s)
                        ->set_sharing_policy(sg4::Link::SharingPolicy::SHARED)
                        ->seal());
  }
  for (const PlatformRoute& route : platform.routes) {
    std::vector<sg4::LinkInRoute> path;
    path.reserve(route.links.size());
    for (std::uint32_t l : route.links) path.emplace_back(links[l]);
    zone->add_route(hosts[route.src]->get_netpoint(), hosts[route.dst]->get_netpoint(), nullptr,
                    nullptr, path, /*symmetrical=*/false);
  }
  zone->seal();

  Driver driver(platform, replay, hosts, options.latency);
  sg4::Actor::create("replay", hosts.front(), [&driver] { driver(); });
  engine.run();
  if (driver.outcome().iteration_end_s.size() != replay.iterations) {
    throw std::logic_error("replay: SimGrid stopped before the collective finished");
  }
  return driver.outcome();
}

}  // namespace spinel::simgrid_check
