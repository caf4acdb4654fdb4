// The emulated WAN's link model and its configuration file, without devices.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tools/wan_emulator/config.hpp"
#include "tools/wan_emulator/wan_model.hpp"

namespace spinel::wan {
namespace {

LinkSpec link(std::size_t a, std::size_t b, double rate_bps = 1e9, std::int64_t latency_ns = 0,
              std::size_t queue_bytes = 1 << 20) {
  return {a, b, rate_bps, latency_ns, queue_bytes};
}

TEST(WanModel, RoutesOverTheFewestLinksAndNeverThroughAStub) {
  // Sites 0-1-2-3 in a chain; site 4 (the master's) hangs off all of them and
  // is listed first, so without the stub rule 0 -> 2 could go 0-4-2.
  const WanModel m(
      5, {link(4, 0), link(4, 1), link(4, 2), link(4, 3), link(0, 1), link(1, 2), link(2, 3)},
      {true, true, true, true, false});
  EXPECT_EQ(m.path(0, 3), (std::vector<std::size_t>{2 * 4, 2 * 5, 2 * 6}));
  EXPECT_EQ(m.path(3, 0), (std::vector<std::size_t>{2 * 6 + 1, 2 * 5 + 1, 2 * 4 + 1}));
  EXPECT_EQ(m.path(2, 4), (std::vector<std::size_t>{2 * 2 + 1}));
  EXPECT_EQ(m.path(4, 2), (std::vector<std::size_t>{2 * 2}));
  EXPECT_TRUE(m.path(1, 1).empty());
}

TEST(WanModel, SerialisesAtTheRateQueuesAndDropsAtTheTail) {
  // 8 Mbit/s: a byte a microsecond; 1 ms one way; room for 2,500 bytes.
  WanModel m(2, {link(0, 1, 8e6, 1'000'000, 2500)}, {true, true});
  EXPECT_EQ(m.traverse(0, 0, 1000), std::optional<std::int64_t>(2'000'000));
  EXPECT_EQ(m.traverse(0, 0, 1000), std::optional<std::int64_t>(3'000'000));  // behind the first
  EXPECT_EQ(m.traverse(0, 0, 1000), std::nullopt);  // 2,000 waiting + 1,000 > 2,500
  EXPECT_EQ(m.traverse(1, 0, 1000),
            std::optional<std::int64_t>(2'000'000));  // the other way is free
  // At 1.5 ms 500 bytes still wait: room again, sent after them.
  EXPECT_EQ(m.traverse(0, 1'500'000, 1000), std::optional<std::int64_t>(4'000'000));
  // Idle: only serialisation and latency.
  EXPECT_EQ(m.traverse(0, 10'000'000, 500), std::optional<std::int64_t>(11'500'000));
  EXPECT_EQ(m.counters(0).packets, 4u);
  EXPECT_EQ(m.counters(0).dropped, 1u);
  EXPECT_EQ(m.counters(0).bytes, 3500u);
}

std::string write_config(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("spinel_wan_config_" + std::to_string(::getpid()) + ".conf");
  std::ofstream(path) << text;
  return path.string();
}

TEST(WanConfig, LoadsSitesLinksAndForwards) {
  const std::string path = write_config(
      "# two sites and the master\n"
      "site a ns-a wan0 10.1.0.1\n"
      "site b ns-b wan0 10.1.0.2\n"
      "site master ns-m wan0 10.1.0.3 stub\n"
      "link a b 50000000 20000 250000   # 50 Mbit/s, 20 ms\n"
      "forward ns-a 127.0.0.1:7101 10.1.0.2:7101\n"
      "congestion_control cubic\n");
  const Config c = load_config(path);
  std::filesystem::remove(path);
  ASSERT_EQ(c.sites.size(), 3u);
  EXPECT_TRUE(c.sites[2].stub);
  EXPECT_EQ(c.sites[1].ipv4, 0x0A010002u);
  ASSERT_EQ(c.links.size(), 1u);
  EXPECT_EQ(c.links[0].latency_ns, 20'000'000);
  EXPECT_EQ(c.links[0].queue_bytes, 250'000u);
  ASSERT_EQ(c.forwards.size(), 1u);
  EXPECT_EQ(c.forwards[0].listen_port, 7101);
  EXPECT_EQ(c.forwards[0].to_ipv4, 0x0A010002u);
  EXPECT_EQ(c.congestion_control, "cubic");
}

TEST(WanConfig, ErrorsNameTheLineAndField) {
  const auto error_of = [](const std::string& text) {
    const std::string path = write_config(text);
    try {
      load_config(path);
    } catch (const std::runtime_error& e) {
      std::filesystem::remove(path);
      return std::string(e.what());
    }
    std::filesystem::remove(path);
    return std::string("no error");
  };
  EXPECT_NE(error_of("site a n d 10.0.0.1\nlink a z 1 1 1\n").find(":2: no site named z"),
            std::string::npos);
  EXPECT_NE(error_of("site a n d 10.0.0.300\n").find(":1: site address: not an IPv4"),
            std::string::npos);
  EXPECT_NE(error_of("site a n d 10.0.0.1\nsite b n d 10.0.0.2\nlink a b fast 1 1\n")
                .find(":3: link rate_bps: not a number"),
            std::string::npos);
  EXPECT_NE(error_of("route a b\n").find(":1: expected"), std::string::npos);
  EXPECT_NE(error_of("# nothing\n").find("no site"), std::string::npos);
}

}  // namespace
}  // namespace spinel::wan
