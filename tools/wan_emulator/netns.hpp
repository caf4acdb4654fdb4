// Network namespaces by name (as `ip netns add` makes them). A socket or TUN
// device belongs to the namespace its thread was in when it was opened, so the
// emulator opens each one inside a NetnsScope and works single-threaded.
#pragma once

#include <string>

namespace spinel::wan {

class NetnsScope {
 public:
  explicit NetnsScope(const std::string& name);  // throws when it cannot enter
  ~NetnsScope();                                 // back to the namespace it came from
  NetnsScope(const NetnsScope&) = delete;
  NetnsScope& operator=(const NetnsScope&) = delete;

 private:
  int home_ = -1;
};

}  // namespace spinel::wan
