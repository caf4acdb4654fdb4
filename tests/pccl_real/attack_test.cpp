// Attacks on the real mode by a process without the group's key: a peer that
// biases its contribution, one that sends NaNs, one that claims a huge
// shared-state revision to take the weights over, one that reports a bogus
// abort for every attempt, and a ring Hello that claims another peer's id.
// Against a keyed group each one fails and the group steps on; against the
// same group without a key (the control) each one does its harm, which shows
// that the attacker is real.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "tests/pccl_real/real_test_support.hpp"

namespace spinel::pccl {
namespace {

enum class Attack { bias, nan, takeover, stall, impersonation };

std::string name_of(Attack a) {
  switch (a) {
    case Attack::bias:
      return "Bias";
    case Attack::nan:
      return "NaN";
    case Attack::takeover:
      return "Takeover";
    case Attack::stall:
      return "Stall";
    case Attack::impersonation:
      return "Impersonation";
  }
  return "";
}

constexpr std::uint64_t kHugeRevision = std::uint64_t{1} << 40;

// What the lying peer changes in what its (honest) state machine sends.
Tamper tamper_for(Attack attack) {
  switch (attack) {
    case Attack::bias:
      return [](Send& s, std::vector<Send>&) {
        if (auto* c = std::get_if<Chunk>(&s.message)) {
          for (float& v : c->values) v += 1.0F;
        }
      };
    case Attack::nan:
      return [](Send& s, std::vector<Send>&) {
        if (auto* c = std::get_if<Chunk>(&s.message)) {
          for (float& v : c->values) v = std::numeric_limits<float>::quiet_NaN();
        }
      };
    case Attack::takeover:
      return [](Send& s, std::vector<Send>&) {
        if (auto* v = std::get_if<VoteSync>(&s.message)) v->revision = kHugeRevision;
      };
    case Attack::stall:
      // As each attempt starts (its first part goes out), report it broken.
      return [](Send& s, std::vector<Send>& extra) {
        const auto* c = std::get_if<Chunk>(&s.message);
        if (c != nullptr && c->step == 0 && c->part == 0) {
          extra.push_back({kMaster, ReportAbort{c->op, c->attempt}});
        }
      };
    case Attack::impersonation:
      break;
  }
  return nullptr;
}

struct AttackRun {
  LoopbackResult result;
  sim::Time attack_from_ps = 0;
  bool attacker_welcomed = false;
  std::size_t impersonations = 0;
};

// Every 10 ms: a ring connection to one peer that says it is another peer
// (its id and listening port, as a real neighbour's Hello would), in either
// slot of the pool.
void impersonate(asio::io_context& io, LoopbackGroup& group, const ConnectionSettings& settings,
                 std::vector<std::shared_ptr<Connection>>& held, std::size_t& count,
                 sim::Time until_ps) {
  auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(10));
  timer->async_wait([&, timer, until_ps](const boost::system::error_code& ec) {
    if (ec || group.clock().now_ps() > until_ps) return;
    const auto peers = group.peers();
    if (peers.size() >= 2) {
      const auto& victim = peers[count % peers.size()];
      const auto& claimed = peers[(count + 1) % peers.size()];
      auto c = Connection::connect(io, tcp::endpoint(asio::ip::address_v4::loopback(), victim.port),
                                   settings);
      const auto slot = static_cast<std::uint32_t>(count / peers.size() % 2);
      c->send(DriverFrame(Hello{HelloRole::ring, claimed.port, claimed.id, slot, victim.id}));
      c->start({});
      held.push_back(c);
      ++count;
    }
    impersonate(io, group, settings, held, count, until_ps);
  });
}

AttackRun run(Attack attack, bool keyed) {
  asio::io_context io;
  LoopbackOptions o = loopback_defaults();
  o.peers = 3;
  o.churn_interval_max_ps = 0;
  o.duration_ps = run_length(2 * sim::kSecond);
  if (!keyed) o.key = nullptr;
  LoopbackGroup group(io, o);
  group.start();
  io.run_for(std::chrono::milliseconds(300));  // the honest group is stepping
  AttackRun out;
  out.attack_from_ps = group.clock().now_ps();
  // Against a keyed group: no key for some attacks, a key of its own for others.
  const bool own_key = attack == Attack::takeover || attack == Attack::impersonation;
  std::shared_ptr<const SharedKey> key = keyed && own_key ? SharedKey::random() : nullptr;
  std::shared_ptr<TcpPeer> attacker;
  std::vector<std::shared_ptr<Connection>> held;
  const ConnectionSettings settings = connection_settings(key, false, 16U << 20);
  if (attack == Attack::impersonation) {
    impersonate(io, group, settings, held, out.impersonations, o.duration_ps);
  } else {
    attacker = group.add_attacker(tamper_for(attack), key);
  }
  io.run();
  for (auto& c : held) c->close(true);
  if (attacker) {
    out.attacker_welcomed = attacker->peer() != nullptr;
    attacker->kill();
  }
  out.result = group.finish();
  print(out.result);
  if (out.result.failed) std::printf("violation: %s\n", out.result.violation.c_str());
  return out;
}

class PcclRealAttack : public ::testing::TestWithParam<Attack> {};

TEST_P(PcclRealAttack, FailsAgainstAKeyedGroupThatStepsOn) {
  const AttackRun a = run(GetParam(), true);
  const LoopbackResult& r = a.result;
  ASSERT_FALSE(r.failed) << r.violation;
  EXPECT_FALSE(a.attacker_welcomed);
  // Each of its connections failed the handshake, and was counted.
  EXPECT_GE(r.unauthenticated_drops, GetParam() == Attack::impersonation ? a.impersonations : 1U);
  EXPECT_EQ(r.malformed_drops, 0U);
  EXPECT_EQ(r.aborted_attempts, 0U);
  EXPECT_EQ(r.links_dropped, 0U);
  EXPECT_LT(r.max_revision, kHugeRevision);
  std::size_t after = 0;
  for (const auto& s : r.steps) {
    EXPECT_EQ(s.world, 3U) << "step " << s.op;
    after += s.at_ps > a.attack_from_ps ? 1 : 0;
  }
  EXPECT_GE(after, 10U);
}

// The control: the same attacker against the group without a key does harm.
TEST_P(PcclRealAttack, DoesHarmWithoutAKey) {
  const AttackRun a = run(GetParam(), false);
  const LoopbackResult& r = a.result;
  switch (GetParam()) {
    case Attack::bias:
    case Attack::nan:
      // The honest peers committed a result that is not the reduction over the participants.
      EXPECT_TRUE(a.attacker_welcomed);
      ASSERT_TRUE(r.failed);
      EXPECT_NE(r.violation.find("differs from the reduction"), std::string::npos) << r.violation;
      break;
    case Attack::takeover:
      EXPECT_GE(r.max_revision, kHugeRevision);
      break;
    case Attack::stall:
      EXPECT_GE(r.aborted_attempts, 10U);
      break;
    case Attack::impersonation:
      // Each accepted impersonation replaces the real neighbour's connection: the link drops.
      EXPECT_GE(r.links_dropped, 10U);
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(Attacks, PcclRealAttack,
                         ::testing::Values(Attack::bias, Attack::nan, Attack::takeover,
                                           Attack::stall, Attack::impersonation),
                         [](const auto& p) { return name_of(p.param); });

}  // namespace
}  // namespace spinel::pccl
