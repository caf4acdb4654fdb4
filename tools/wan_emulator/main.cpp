// spinel-wan-emulator CONFIG: the emulated WAN of tools/pccl_wan (see config.hpp
// for the file, router.hpp and forwarder.hpp for what it does). Needs root (it
// enters network namespaces). Prints "ready" once every device and listener is
// open; on SIGTERM or SIGINT prints each link's packets, bytes and drops and exits.
#include <utility>  // before Boost.Asio: its awaitable.hpp uses std::exchange

#include <boost/asio.hpp>
#include <cstdio>
#include <exception>
#include <iostream>
#include <list>

#include "tools/wan_emulator/config.hpp"
#include "tools/wan_emulator/forwarder.hpp"
#include "tools/wan_emulator/router.hpp"

int main(int argc, char** argv) {
  using namespace spinel::wan;
  if (argc != 2) {
    std::cerr << "usage: spinel-wan-emulator CONFIG\n";
    return 2;
  }
  try {
    const Config config = load_config(argv[1]);
    boost::asio::io_context io;
    Router router(io, config);
    std::list<Forwarder> forwarders;
    for (const ForwardSpec& f : config.forwards)
      forwarders.emplace_back(io, f, config.congestion_control);
    boost::asio::signal_set stop(io, SIGTERM, SIGINT);
    stop.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
    router.start();
    for (Forwarder& f : forwarders) f.start();
    std::printf("ready\n");
    std::fflush(stdout);
    io.run();
    const WanModel& m = router.model();
    for (std::size_t d = 0; d < m.directed_links(); ++d) {
      const LinkSpec& l = m.link(d);
      const auto& c = m.counters(d);
      const std::size_t from = d % 2 == 0 ? l.a : l.b;
      const std::size_t to = d % 2 == 0 ? l.b : l.a;
      std::printf(
          "link %s>%s packets %llu bytes %llu dropped %llu\n", config.sites[from].name.c_str(),
          config.sites[to].name.c_str(), static_cast<unsigned long long>(c.packets),
          static_cast<unsigned long long>(c.bytes), static_cast<unsigned long long>(c.dropped));
    }
    std::printf("undelivered %llu\n", static_cast<unsigned long long>(router.undelivered()));
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "spinel-wan-emulator: " << e.what() << "\n";
    return 1;
  }
}
