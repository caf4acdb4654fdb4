#pragma once
// What the real-mode tests share: run lengths, a summary line, raw clients.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "workloads/pccl/loopback_group.hpp"
#include "workloads/pccl/wire.hpp"

namespace spinel::pccl {

// CI runs every test under ASan+UBSan, several times slower: shorter there.
inline sim::Time run_length(sim::Time normal) {
#if defined(__SANITIZE_ADDRESS__)
  return normal / 2;
#else
  if (const char* s = std::getenv("SPINEL_PCCL_REAL_SECONDS")) {
    return static_cast<sim::Time>(std::atof(s) * static_cast<double>(sim::kSecond));
  }
  return normal;
#endif
}

inline void print(const LoopbackResult& r) {
  std::printf(
      "steps %zu, aborted attempts %llu, peers spawned %llu, kills %llu, malformed drops %llu, "
      "unauthenticated drops %llu, links dropped %llu, longest gap %.3f s, checks %llu\n",
      r.steps.size(), static_cast<unsigned long long>(r.aborted_attempts),
      static_cast<unsigned long long>(r.spawned), static_cast<unsigned long long>(r.kills),
      static_cast<unsigned long long>(r.malformed_drops),
      static_cast<unsigned long long>(r.unauthenticated_drops),
      static_cast<unsigned long long>(r.links_dropped),
      static_cast<double>(r.longest_gap_ps) / sim::kSecond,
      static_cast<unsigned long long>(r.checks));
}

// Blocking raw-socket client: connect, write `bytes`, close.
inline void send_raw(std::uint16_t port, const std::vector<std::uint8_t>& bytes) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  boost::system::error_code ec;  // a keyed end may reset it first
  asio::write(s, asio::buffer(bytes), ec);
  s.close();
}

inline std::vector<std::uint8_t> hello(HelloRole role, PeerId peer = 0, PeerId target = 0,
                                       std::uint16_t port = 1) {
  std::vector<std::uint8_t> out;
  encode_into(DriverFrame(Hello{role, port, peer, 0, target}), out);
  return out;
}

inline std::vector<std::uint8_t> operator+(std::vector<std::uint8_t> a,
                                           const std::vector<std::uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace spinel::pccl
