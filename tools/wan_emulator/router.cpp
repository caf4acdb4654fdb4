#include "tools/wan_emulator/router.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include "tools/wan_emulator/netns.hpp"

namespace spinel::wan {
namespace asio = boost::asio;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

constexpr std::size_t kMaxPacketBytes = 65536;

std::vector<bool> transit_of(const Config& c) {
  std::vector<bool> t;
  for (const SiteSpec& s : c.sites) t.push_back(!s.stub);
  return t;
}

// Attaches to the TUN device `device` that tools/pccl_wan made in `netns`.
int open_tun(const SiteSpec& s) {
  const NetnsScope inside(s.netns);
  const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("/dev/net/tun: ") + std::strerror(errno));
  ifreq request{};
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::strncpy(request.ifr_name, s.device.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, TUNSETIFF, &request) != 0) {
    const int e = errno;
    ::close(fd);
    throw std::runtime_error("TUN " + s.device + " in " + s.netns + ": " + std::strerror(e));
  }
  return fd;
}

}  // namespace

Router::Router(asio::io_context& io, const Config& config)
    : model_(config.sites.size(), config.links, transit_of(config)), timer_(io) {
  for (std::size_t i = 0; i < config.sites.size(); ++i) {
    devices_.emplace_back(io, open_tun(config.sites[i]));
    buffers_.emplace_back(kMaxPacketBytes);
    site_of_address_[config.sites[i].ipv4] = i;
  }
}

void Router::start() {
  for (std::size_t i = 0; i < devices_.size(); ++i) read(i);
}

void Router::read(std::size_t site) {
  devices_[site].async_read_some(
      asio::buffer(buffers_[site]),
      [this, site](const boost::system::error_code& ec, std::size_t n) {
        if (ec) {
          if (ec != asio::error::operation_aborted) {
            std::cerr << "wan emulator: reading site " << site << ": " << ec.message() << "\n";
          }
          return;
        }
        const std::vector<unsigned char>& b = buffers_[site];
        // IPv4 only (the harness gives no IPv6 address); the destination at bytes 16..19.
        if (n >= 20 && (b[0] >> 4) == 4) {
          const std::uint32_t dst = (std::uint32_t{b[16]} << 24) | (std::uint32_t{b[17]} << 16) |
                                    (std::uint32_t{b[18]} << 8) | std::uint32_t{b[19]};
          const auto to = site_of_address_.find(dst);
          if (to != site_of_address_.end() && !model_.path(site, to->second).empty()) {
            auto p = std::make_shared<Packet>();
            p->bytes.assign(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
            p->to_site = to->second;
            p->path = &model_.path(site, to->second);
            // Packets due on the way first, so that each link serves in model-time order.
            const std::int64_t now = now_ns();
            run_due(now);
            arrive({now, seq_++, std::move(p)});
          } else {
            ++undelivered_;
          }
        }
        read(site);
      });
}

void Router::arrive(Event e) {
  Packet& p = *e.packet;
  if (p.hop == p.path->size()) {
    // A full device queue drops the packet, as a NIC's would; TCP recovers.
    if (::write(devices_[p.to_site].native_handle(), p.bytes.data(), p.bytes.size()) < 0) {
      ++undelivered_;
    }
    return;
  }
  const auto done = model_.traverse((*p.path)[p.hop], e.at_ns, p.bytes.size());
  if (!done) return;  // tail drop
  ++p.hop;
  events_.push({*done, seq_++, std::move(e.packet)});
  schedule();
}

void Router::schedule() {
  if (events_.empty()) return;
  const std::int64_t next = events_.top().at_ns;
  if (armed_ns_ >= 0 && armed_ns_ <= next) return;
  armed_ns_ = next;
  timer_.expires_at(asio::steady_timer::time_point(std::chrono::nanoseconds(next)));
  timer_.async_wait([this, next](const boost::system::error_code& ec) {
    if (ec || armed_ns_ != next) return;  // re-armed earlier meanwhile
    armed_ns_ = -1;
    fire();
  });
}

void Router::fire() {
  run_due(now_ns());
  schedule();
}

void Router::run_due(std::int64_t now) {
  // Events run at their model time, not at the (later) time the timer woke, so
  // the links' queues stay exact; only the hand-over to the kernel is late.
  while (!events_.empty() && events_.top().at_ns <= now) {
    Event e = events_.top();
    events_.pop();
    arrive(std::move(e));
  }
}

}  // namespace spinel::wan
