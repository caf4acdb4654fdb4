// The emulator's configuration file, written by tools/pccl_wan (one line each,
// '#' starts a comment):
//   site NAME NETNS DEVICE IPV4 [stub]       a site: its namespace, TUN device, address
//   link SITE SITE RATE_BPS LATENCY_US QUEUE_BYTES
//   forward NETNS LISTEN_IPV4:PORT TO_IPV4:PORT
//   congestion_control NAME                  of every forwarded connection (cubic,
//                                            bbr, ...; default the namespace's)
// `stub` sites are never crossed between two others (the master's).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/wan_emulator/wan_model.hpp"

namespace spinel::wan {

struct SiteSpec {
  std::string name;
  std::string netns;
  std::string device;
  std::uint32_t ipv4 = 0;  // host order
  bool stub = false;
};

struct ForwardSpec {
  std::string netns;
  std::uint32_t listen_ipv4 = 0;
  std::uint16_t listen_port = 0;
  std::uint32_t to_ipv4 = 0;
  std::uint16_t to_port = 0;
};

struct Config {
  std::vector<SiteSpec> sites;
  std::vector<LinkSpec> links;
  std::vector<ForwardSpec> forwards;
  std::string congestion_control;  // empty: the kernel's default
};

// Throws std::runtime_error naming the file, line and field.
Config load_config(const std::string& path);

}  // namespace spinel::wan
