#include "tools/wan_emulator/netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace spinel::wan {

NetnsScope::NetnsScope(const std::string& name) {
  home_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home_ < 0)
    throw std::runtime_error(std::string("/proc/self/ns/net: ") + std::strerror(errno));
  const std::string path = "/var/run/netns/" + name;
  const int target = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    const int e = errno;
    ::close(home_);
    throw std::runtime_error(path + ": " + std::strerror(e));
  }
  const int done = ::setns(target, CLONE_NEWNET);
  const int e = errno;
  ::close(target);
  if (done != 0) {
    ::close(home_);
    throw std::runtime_error("setns " + name + ": " + std::strerror(e));
  }
}

NetnsScope::~NetnsScope() {
  ::setns(home_, CLONE_NEWNET);
  ::close(home_);
}

}  // namespace spinel::wan
