// The real mode's master and peers under resource pressure: many
// connections sending huge frames, a budget smaller than what they send, the
// process out of file descriptors, a connection that comes and goes just
// before another one, and TLS.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "tests/pccl_real/real_test_support.hpp"

namespace spinel::pccl {
namespace {

// `clients` connections at once, each sending `first` then up to
// `payload_bytes` more (a frame far bigger than any limit), held open until
// all have written; the master may drop them at any point.
void flood(std::uint16_t port, std::size_t clients, const std::vector<std::uint8_t>& first,
           std::size_t payload_bytes) {
  asio::io_context io;
  std::vector<tcp::socket> sockets;
  for (std::size_t i = 0; i < clients; ++i) {
    sockets.emplace_back(io);
    boost::system::error_code ec;
    sockets.back().connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
  }
  boost::system::error_code ec;
  for (auto& s : sockets) asio::write(s, asio::buffer(first), ec);
  const std::vector<std::uint8_t> chunk(64U << 10, 0x5a);
  for (std::size_t sent = 0; sent < payload_bytes; sent += chunk.size()) {
    for (auto& s : sockets) {
      if (s.is_open()) asio::write(s, asio::buffer(chunk), ec);
      if (ec) s.close(ec);
    }
  }
  for (auto& s : sockets) s.close(ec);
}

// A frame header that announces 64 MiB.
std::vector<std::uint8_t> huge_header() {
  return {0x00, 0x00, 0x00, 0x04, static_cast<std::uint8_t>(kFirstDriverType)};
}

class PcclRealFlood : public ::testing::TestWithParam<bool> {};

// 49 connections each send a Hello and then 1 MiB of a 64 MiB frame: each one
// is dropped at its first frame that is over its limit (or, with a key, at
// its Hello), the master never holds more than a few MiB, and the group steps on.
TEST_P(PcclRealFlood, HugeFramesFromManyConnectionsAreDroppedAndTheGroupStepsOn) {
  const bool keyed = GetParam();
  asio::io_context io;
  LoopbackOptions o = loopback_defaults();
  o.peers = 3;
  o.churn_interval_max_ps = 0;
  o.duration_ps = run_length(3 * sim::kSecond);
  if (!keyed) o.key = nullptr;
  LoopbackGroup group(io, o);
  group.start();
  io.run_for(std::chrono::milliseconds(300));
  const sim::Time flood_from_ps = group.clock().now_ps();
  const std::uint16_t port = group.master_port();
  std::thread attacker(
      [port] { flood(port, 49, hello(HelloRole::control) + huge_header(), 1U << 20); });
  io.run();
  attacker.join();
  const std::size_t peak = group.master().budget().peak_bytes();
  const LoopbackResult r = group.finish();
  print(r);
  std::printf("master's connections held at most %zu bytes (budget %zu)\n", peak,
              group.master().budget().limit_bytes());
  ASSERT_FALSE(r.failed) << r.violation;
  EXPECT_EQ(keyed ? r.unauthenticated_drops : r.malformed_drops, 49U);
  EXPECT_LT(peak, std::size_t{8} << 20);
  std::size_t after = 0;
  for (const auto& s : r.steps) after += s.at_ps > flood_from_ps ? 1 : 0;
  EXPECT_GE(after, 10U);
}

INSTANTIATE_TEST_SUITE_P(Keys, PcclRealFlood, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "Keyed" : "Insecure"; });

// Without a key, 49 named connections each hold an unfinished frame just under
// the control limit: together more than the master's budget. The ones that do
// not fit are dropped, the budget is never exceeded, every byte comes back
// once they close, and a peer can still join.
TEST(PcclReal, AllConnectionsTogetherStayWithinTheBudget) {
  asio::io_context io;
  TcpMasterOptions mo;
  mo.group = loopback_defaults().group;
  mo.max_buffered_bytes = 1U << 20;
  auto master = std::make_shared<TcpMaster>(io, mo, TcpClock{});
  master->start();
  // A 61,440-byte frame (length 0xf000, a protocol type), 56 KiB of it sent.
  std::vector<std::uint8_t> almost_full(5 + 56U * 1024, 0);
  almost_full[1] = 0xf0;
  almost_full[4] = 0x0c;
  std::atomic<bool> sent{false};
  std::atomic<bool> release{false};
  std::thread clients([&, port = master->port()] {
    asio::io_context cio;
    std::vector<tcp::socket> sockets;
    boost::system::error_code ec;
    const auto first = hello(HelloRole::control) + almost_full;
    for (int i = 0; i < 49; ++i) {
      sockets.emplace_back(cio);
      sockets.back().connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
      asio::write(sockets.back(), asio::buffer(first), ec);
    }
    sent = true;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    for (auto& s : sockets) s.close(ec);
  });
  for (int i = 0; i < 300 && !sent; ++i) io.run_for(std::chrono::milliseconds(10));
  io.run_for(std::chrono::milliseconds(500));
  const ByteBudget& budget = master->budget();
  const std::size_t held = budget.used_bytes();
  release = true;
  clients.join();
  io.run_for(std::chrono::milliseconds(500));
  std::printf(
      "49 connections: %llu dropped over the budget, %zu bytes held (peak %zu, limit %zu)\n",
      static_cast<unsigned long long>(master->drops().over_limit), held, budget.peak_bytes(),
      budget.limit_bytes());
  EXPECT_GE(master->drops().over_limit, 20U);
  EXPECT_LE(budget.peak_bytes(), budget.limit_bytes());
  EXPECT_GT(held, budget.limit_bytes() / 2);  // the budget was what stopped them
  EXPECT_EQ(budget.used_bytes(), 0U);         // closed connections hold nothing

  // Still open for business.
  TcpPeerOptions po;
  po.master = tcp::endpoint(asio::ip::address_v4::loopback(), master->port());
  auto peer = std::make_shared<TcpPeer>(io, po, TcpClock{});
  peer->start();
  for (int i = 0; i < 100 && !peer->peer(); ++i) io.run_for(std::chrono::milliseconds(10));
  EXPECT_NE(peer->peer(), nullptr);
  peer->kill();
  master->stop();
}

// Connections that never introduce themselves: at most max_pending wait at
// once, the rest are closed at once, and a peer gets in once they are gone.
TEST(PcclReal, AtMostMaxPendingConnectionsWaitToIntroduceThemselves) {
  asio::io_context io;
  TcpMasterOptions mo;
  mo.group = loopback_defaults().group;
  mo.key = SharedKey::random();
  mo.max_pending = 4;
  auto master = std::make_shared<TcpMaster>(io, mo, TcpClock{});
  master->start();
  std::vector<tcp::socket> silent;
  for (int i = 0; i < 10; ++i) {
    silent.emplace_back(io);
    silent.back().connect(tcp::endpoint(asio::ip::address_v4::loopback(), master->port()));
  }
  io.run_for(std::chrono::milliseconds(300));
  EXPECT_EQ(master->listener().refused(), 6U);
  for (auto& s : silent) s.close();
  io.run_for(std::chrono::milliseconds(100));
  TcpPeerOptions po;
  po.master = tcp::endpoint(asio::ip::address_v4::loopback(), master->port());
  po.key = mo.key;
  auto peer = std::make_shared<TcpPeer>(io, po, TcpClock{});
  peer->start();
  for (int i = 0; i < 100 && !peer->peer(); ++i) io.run_for(std::chrono::milliseconds(10));
  EXPECT_NE(peer->peer(), nullptr);
  peer->kill();
  master->stop();
}

std::size_t open_descriptors() {
  return static_cast<std::size_t>(std::distance(
      std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator()));
}

// The master at its descriptor limit: accept fails with EMFILE. It backs off
// instead of retrying in a loop, the admitted peers go on stepping, and the
// peer that waited in the backlog gets in once descriptors are free again.
TEST(PcclReal, OutOfDescriptorsTheMasterBacksOffAndServesItsPeers) {
  asio::io_context io;
  LoopbackOptions o = loopback_defaults();
  o.peers = 3;
  o.churn_interval_max_ps = 0;
  o.duration_ps = 30 * sim::kSecond;  // stopped by hand below
  LoopbackGroup group(io, o);
  group.start();
  io.run_for(std::chrono::milliseconds(800));

  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = std::min<rlim_t>(saved.rlim_cur, open_descriptors() + 64);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<int> filler;
  for (int fd = ::open("/dev/null", O_RDONLY); fd >= 0; fd = ::open("/dev/null", O_RDONLY)) {
    filler.push_back(fd);
  }
  // Two left: the newcomer's listening socket and its connection to the master.
  for (int i = 0; i < 2 && !filler.empty(); ++i) {
    ::close(filler.back());
    filler.pop_back();
  }
  const sim::Time full_from_ps = group.clock().now_ps();
  const auto newcomer = group.join();
  io.run_for(std::chrono::milliseconds(1500));
  const sim::Time full_until_ps = group.clock().now_ps();
  const std::uint64_t errors = group.master().listener().accept_errors();
  const bool welcomed_while_full = newcomer->peer() != nullptr;
  for (int fd : filler) ::close(fd);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  io.run_for(std::chrono::milliseconds(2000));
  const bool welcomed = newcomer->peer() != nullptr;
  const LoopbackResult r = group.finish();
  print(r);
  std::printf("accept failed %llu times in 1.5 s at the descriptor limit\n",
              static_cast<unsigned long long>(errors));
  ASSERT_FALSE(r.failed) << r.violation;
  EXPECT_FALSE(welcomed_while_full);
  EXPECT_GE(errors, 1U);
  EXPECT_LE(errors, 20U);  // backing off (10 ms doubling), not thousands of retries
  std::size_t while_full = 0;
  bool four = false;
  for (const auto& s : r.steps) {
    while_full += s.at_ps > full_from_ps && s.at_ps < full_until_ps ? 1 : 0;
    four = four || (s.at_ps > full_until_ps && s.world == 4);
  }
  EXPECT_GE(while_full, 10U);
  EXPECT_TRUE(welcomed);
  EXPECT_TRUE(four);
}

// A connection that closes before saying Hello leaves a hello timer behind. A
// later connection, whose state the allocator may place where the first one's
// was, is timed from its own accept: it may say Hello after the first one's
// deadline, and one that never says Hello is still dropped at its own. (Raw
// clients, so that the master's connections are the only ones allocated.)
TEST(PcclReal, HelloTimersBelongToTheirOwnConnection) {
  asio::io_context io;
  TcpMasterOptions mo;
  mo.group = loopback_defaults().group;
  mo.hello_timeout_ps = sim::kSecond;
  auto master = std::make_shared<TcpMaster>(io, mo, TcpClock{});
  master->start();
  const tcp::endpoint at(asio::ip::address_v4::loopback(), master->port());
  const auto started = std::chrono::steady_clock::now();
  const auto run_until = [&](int ms) { io.run_until(started + std::chrono::milliseconds(ms)); };

  tcp::socket first(io);
  first.connect(at);
  run_until(50);
  first.close();
  run_until(400);
  tcp::socket late(io);
  late.connect(at);
  std::array<std::uint8_t, 512> late_bytes{};
  ConnectionDecoder from_master;
  bool welcomed = false;
  late.async_read_some(asio::buffer(late_bytes),
                       [&](const boost::system::error_code& ec, std::size_t n) {
                         if (ec) return;
                         from_master.feed(std::span<const std::uint8_t>(late_bytes.data(), n));
                         const auto frame = from_master.next();
                         const auto* d = frame ? std::get_if<DriverFrame>(&*frame) : nullptr;
                         welcomed = d != nullptr && std::holds_alternative<Welcome>(*d);
                       });
  run_until(450);
  tcp::socket silent(io);
  silent.connect(at);
  std::array<std::uint8_t, 64> silent_bytes{};
  bool silent_dropped = false;
  silent.async_read_some(asio::buffer(silent_bytes),
                         [&](const boost::system::error_code& ec, std::size_t) {
                           silent_dropped = static_cast<bool>(ec);
                         });
  run_until(1200);  // past the first one's deadline (1.05 s), before the late one's (1.4 s)
  EXPECT_FALSE(silent_dropped);
  asio::write(late, asio::buffer(hello(HelloRole::control)));
  run_until(1300);
  EXPECT_TRUE(welcomed);
  run_until(1800);  // past the silent one's deadline (1.45 s)
  EXPECT_TRUE(silent_dropped);
  master->stop();
}

// TLS on every connection: the group steps; a client that speaks plain TCP,
// even one with the key, is dropped before anything else.
TEST(PcclReal, OverTlsTheGroupStepsAndPlainClientsAreDropped) {
  asio::io_context io;
  LoopbackOptions o = loopback_defaults();
  o.peers = 3;
  o.churn_interval_max_ps = 0;
  o.duration_ps = run_length(2 * sim::kSecond);
  o.tls = true;
  LoopbackGroup group(io, o);
  group.start();
  io.run_for(std::chrono::milliseconds(300));
  const tcp::endpoint at(asio::ip::address_v4::loopback(), group.master_port());
  auto plain = Connection::connect(io, at, connection_settings(o.key, false, 16U << 20));
  plain->send(DriverFrame(Hello{HelloRole::control, 1, 0, 0, 0}));
  plain->start({});
  auto other_key =
      Connection::connect(io, at, connection_settings(SharedKey::random(), true, 16U << 20));
  other_key->send(DriverFrame(Hello{HelloRole::control, 1, 0, 0, 0}));
  other_key->start({});
  io.run();
  const LoopbackResult r = group.finish();
  print(r);
  ASSERT_FALSE(r.failed) << r.violation;
  EXPECT_EQ(r.unauthenticated_drops, 2U);
  EXPECT_GE(r.steps.size(), 10U);
  for (const auto& s : r.steps) EXPECT_EQ(s.world, 3U);
}

}  // namespace
}  // namespace spinel::pccl
