#pragma once
// A tiny in-memory network for the PCCL state machines: every message and
// connection event arrives after a fixed latency, in send order; timers fire
// in time order. Enough to test the protocol without the flow model.
#include <cstdint>
#include <map>
#include <memory>
#include <queue>
#include <set>
#include <tuple>
#include <vector>

#include "workloads/pccl/checker.hpp"
#include "workloads/pccl/master.hpp"
#include "workloads/pccl/peer.hpp"

namespace spinel::pccl::test {

class Harness {
 public:
  explicit Harness(PeerConfig peer_config = {}, MasterConfig master_config = {})
      : peer_config_(peer_config),
        master_(master_config),
        checker_(
            master_, [this](PeerId id) { return find(id); }, 1000 * sim::kSecond) {
    apply(kMaster, master_.start(0));
  }

  PeerId spawn() {
    const auto id = static_cast<PeerId>(peers_.size());
    peers_.push_back(std::make_unique<Peer>(id, peer_config_));
    alive_.push_back(true);
    apply(id, peers_.back()->start(now_));
    return id;
  }
  // Abrupt death: connections close, the others hear of it after the latency.
  void kill(PeerId id) {
    alive_[id] = false;
    close_all(id);
  }
  // Alive but silent: inputs are dropped, nothing comes out.
  void stall(PeerId id) { stalled_.insert(id); }

  void run_until(sim::Time until) {
    while (!queue_.empty() && queue_.top().at <= until) {
      Event e = queue_.top();
      queue_.pop();
      now_ = e.at;
      dispatch(e);
    }
    now_ = until;
  }

  [[nodiscard]] Master& master() { return master_; }
  [[nodiscard]] Peer& peer(PeerId id) { return *peers_[id]; }
  [[nodiscard]] const Checker& checker() const { return checker_; }
  [[nodiscard]] sim::Time now() const { return now_; }
  // Every message of a kind that went to `to` (kMaster included).
  [[nodiscard]] std::size_t received(PeerId to, std::size_t message_index) const {
    auto it = received_.find({to, message_index});
    return it == received_.end() ? 0 : it->second;
  }
  std::uint64_t steps = 0;
  std::uint64_t aborts = 0;
  std::vector<Notice> notices;
  std::vector<sim::Time> notice_times;  // when each of `notices` came

  static constexpr sim::Time kLatency = sim::kMillisecond;

 private:
  enum class Kind { message, disconnect, timer };
  struct Event {
    sim::Time at;
    std::uint64_t seq;
    Kind kind;
    PeerId to;
    PeerId from;
    std::shared_ptr<Message> message;
    std::uint32_t timer = 0;
    bool operator>(const Event& o) const { return std::tie(at, seq) > std::tie(o.at, o.seq); }
  };

  const Peer* find(PeerId id) const { return id < peers_.size() ? peers_[id].get() : nullptr; }
  bool usable(PeerId id) const { return id == kMaster || (alive_[id] && stalled_.count(id) == 0); }
  void push(Event e) {
    e.seq = seq_++;
    queue_.push(std::move(e));
  }
  void close_all(PeerId id) {
    for (auto it = links_.begin(); it != links_.end();) {
      if (it->first == id || it->second == id) {
        const PeerId other = it->first == id ? it->second : it->first;
        push({now_ + kLatency, 0, Kind::disconnect, other, id, nullptr});
        it = links_.erase(it);
      } else {
        ++it;
      }
    }
    push({now_ + kLatency, 0, Kind::disconnect, kMaster, id, nullptr});
  }
  void dispatch(const Event& e) {
    if (!usable(e.to)) return;
    Output out;
    if (e.kind == Kind::message) {
      ++received_[{e.to, e.message->index()}];
      out = e.to == kMaster ? master_.on_message(now_, e.from, *e.message)
                            : peers_[e.to]->on_message(now_, e.from, *e.message);
    } else if (e.kind == Kind::disconnect) {
      out = e.to == kMaster ? master_.on_disconnect(now_, e.from)
                            : peers_[e.to]->on_disconnect(now_, e.from);
    } else {
      out =
          e.to == kMaster ? master_.on_timer(now_, e.timer) : peers_[e.to]->on_timer(now_, e.timer);
    }
    apply(e.to, std::move(out));
  }
  void apply(PeerId self, Output out) {
    for (PeerId c : out.connects) links_.insert({std::min(self, c), std::max(self, c)});
    for (Send& s : out.sends) {
      push({now_ + kLatency, 0, Kind::message, s.to, self,
            std::make_shared<Message>(std::move(s.message))});
    }
    for (const Timer& t : out.timers) push({t.at_ps, 0, Kind::timer, self, self, nullptr, t.kind});
    for (PeerId d : out.disconnects) {
      if (self == kMaster) {  // the master drops a peer: it is as good as dead
        if (d < alive_.size() && alive_[d]) {
          alive_[d] = false;
          for (auto it = links_.begin(); it != links_.end();) {
            if (it->first == d || it->second == d) {
              push({now_ + kLatency, 0, Kind::disconnect, it->first == d ? it->second : it->first,
                    d, nullptr});
              it = links_.erase(it);
            } else {
              ++it;
            }
          }
        }
      } else if (d == kMaster) {
        alive_[self] = false;
        close_all(self);
      }
    }
    for (const Notice& n : out.notices) {
      notices.push_back(n);
      notice_times.push_back(now_);
      checker_.on_notice(now_, n);
      if (n.kind == NoticeKind::collective_complete) ++steps;
      if (n.kind == NoticeKind::collective_abort) ++aborts;
    }
  }

  PeerConfig peer_config_;
  Master master_;
  Checker checker_;
  std::vector<std::unique_ptr<Peer>> peers_;
  std::vector<bool> alive_;
  std::set<PeerId> stalled_;
  std::set<std::pair<PeerId, PeerId>> links_;
  std::map<std::pair<PeerId, std::size_t>, std::size_t> received_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
  sim::Time now_ = 0;
  std::uint64_t seq_ = 0;
};

}  // namespace spinel::pccl::test
