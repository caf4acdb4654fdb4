#pragma once
// What is still to happen to the fabric or the job, at real times: a host
// fault, a link change, the failure process's next arrival (drawn into a
// fault when its turn comes), or a link's repair. Ties land in the order
// they were added.
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "sim/time.hpp"
#include "topology/topology.hpp"

namespace spinel::recovery {

struct Action {
  enum Type { host_fault, link_change, arrival, repair } type = host_fault;
  std::size_t fault = 0;
  std::vector<topology::LinkId> links;  // a link change: these, at once
  double gbps = 0;
};
using ActionKey = std::pair<sim::Time, std::uint64_t>;  // (real time, sequence)

class Calendar {
 public:
  using Entry = std::map<ActionKey, Action>::value_type;

  void push(sim::Time at, Action a) { actions_.emplace(ActionKey{at, next_seq_++}, std::move(a)); }
  [[nodiscard]] bool empty() const { return actions_.empty(); }
  // The first action still to land (the calendar is not empty).
  [[nodiscard]] const Entry& first() const { return *actions_.begin(); }
  // The first action after `key`, or null.
  [[nodiscard]] const Entry* after(ActionKey key) const {
    const auto it = actions_.upper_bound(key);
    return it == actions_.end() ? nullptr : &*it;
  }
  // Removes the action at `key` and returns it.
  Action take(ActionKey key) {
    const auto it = actions_.find(key);
    Action a = std::move(it->second);
    actions_.erase(it);
    return a;
  }

 private:
  std::map<ActionKey, Action> actions_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace spinel::recovery
