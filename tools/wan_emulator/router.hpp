// Moves IP packets between the sites' TUN devices through the WanModel: a
// packet read from site A's device addressed to site B's address is held for
// every link on the way (queueing, serialisation at the link's rate,
// propagation latency; tail drop when a queue is full) and then written into
// B's device, so the kernels' TCP sees the WAN's round trips, rates and losses.
#pragma once

#include <utility>  // before Boost.Asio: its awaitable.hpp uses std::exchange

#include <boost/asio.hpp>
#include <cstdint>
#include <memory>
#include <queue>
#include <unordered_map>
#include <vector>

#include "tools/wan_emulator/config.hpp"
#include "tools/wan_emulator/wan_model.hpp"

namespace spinel::wan {

class Router {
 public:
  Router(boost::asio::io_context& io, const Config& config);  // opens the TUN devices
  void start();
  const WanModel& model() const { return model_; }
  // Packets to no site, and packets a full device queue refused.
  std::uint64_t undelivered() const { return undelivered_; }

 private:
  struct Packet {
    std::vector<unsigned char> bytes;
    std::size_t to_site = 0;
    std::vector<std::size_t> const* path = nullptr;
    std::size_t hop = 0;  // links crossed so far
  };
  struct Event {
    std::int64_t at_ns;
    std::uint64_t seq;  // FIFO among equal times
    std::shared_ptr<Packet> packet;
    bool operator>(const Event& o) const {
      return at_ns != o.at_ns ? at_ns > o.at_ns : seq > o.seq;
    }
  };

  void read(std::size_t site);
  void arrive(Event e);  // the packet reached the end of its hop'th link (or entered the WAN)
  void schedule();
  void fire();
  void run_due(std::int64_t now);  // every event due by `now`, in time order

  WanModel model_;
  std::vector<boost::asio::posix::stream_descriptor> devices_;
  std::vector<std::vector<unsigned char>> buffers_;
  std::unordered_map<std::uint32_t, std::size_t> site_of_address_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  boost::asio::steady_timer timer_;
  std::int64_t armed_ns_ = -1;
  std::uint64_t seq_ = 0;
  std::uint64_t undelivered_ = 0;
};

std::int64_t now_ns();

}  // namespace spinel::wan
