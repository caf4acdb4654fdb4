#include "tools/wan_emulator/config.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace spinel::wan {
namespace {

struct Line {
  std::string file;
  int number = 0;
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(file + ":" + std::to_string(number) + ": " + what);
  }
};

std::uint32_t parse_ipv4(const Line& at, const std::string& text, const char* field) {
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1)
    at.fail(std::string(field) + ": not an IPv4 address: " + text);
  return ntohl(a.s_addr);
}

template <typename T>
T parse_number(const Line& at, const std::string& text, const char* field) {
  T v{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    at.fail(std::string(field) + ": not a number: " + text);
  }
  return v;
}

void parse_endpoint(const Line& at, const std::string& text, const char* field, std::uint32_t& ipv4,
                    std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) at.fail(std::string(field) + ": IPV4:PORT expected, got " + text);
  ipv4 = parse_ipv4(at, text.substr(0, colon), field);
  port = parse_number<std::uint16_t>(at, text.substr(colon + 1), field);
}

std::size_t site_index(const Line& at, const Config& c, const std::string& name) {
  for (std::size_t i = 0; i < c.sites.size(); ++i) {
    if (c.sites[i].name == name) return i;
  }
  at.fail("no site named " + name + " above");
}

}  // namespace

Config load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read");
  Config c;
  Line at{path, 0};
  std::string text;
  while (std::getline(in, text)) {
    ++at.number;
    if (const auto hash = text.find('#'); hash != std::string::npos) text.erase(hash);
    std::istringstream words(text);
    std::vector<std::string> w;
    for (std::string x; words >> x;) w.push_back(x);
    if (w.empty()) continue;
    if (w[0] == "site" && (w.size() == 5 || (w.size() == 6 && w[5] == "stub"))) {
      c.sites.push_back({w[1], w[2], w[3], parse_ipv4(at, w[4], "site address"), w.size() == 6});
    } else if (w[0] == "link" && w.size() == 6) {
      LinkSpec l;
      l.a = site_index(at, c, w[1]);
      l.b = site_index(at, c, w[2]);
      if (l.a == l.b) at.fail("link: a site to itself");
      l.rate_bps = parse_number<double>(at, w[3], "link rate_bps");
      if (!(l.rate_bps > 0)) at.fail("link rate_bps: must be > 0");
      l.latency_ns = 1000 * parse_number<std::int64_t>(at, w[4], "link latency_us");
      if (l.latency_ns < 0) at.fail("link latency_us: negative");
      l.queue_bytes = parse_number<std::size_t>(at, w[5], "link queue_bytes");
      c.links.push_back(l);
    } else if (w[0] == "congestion_control" && w.size() == 2) {
      c.congestion_control = w[1];
    } else if (w[0] == "forward" && w.size() == 4) {
      ForwardSpec f;
      f.netns = w[1];
      parse_endpoint(at, w[2], "forward listen", f.listen_ipv4, f.listen_port);
      parse_endpoint(at, w[3], "forward to", f.to_ipv4, f.to_port);
      c.forwards.push_back(f);
    } else {
      at.fail(
          "expected 'site NAME NETNS DEVICE IPV4 [stub]', 'link A B RATE_BPS LATENCY_US "
          "QUEUE_BYTES', 'forward NETNS IP:PORT IP:PORT' or 'congestion_control NAME', got: " +
          text);
    }
  }
  if (c.sites.empty()) throw std::runtime_error(path + ": no site");
  return c;
}

}  // namespace spinel::wan
