#include "api/scenario/graph_section.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/units.hpp"
#include "workloads/graph/spmd.hpp"

namespace spinel::scenario {

namespace {

using workloads::Collective;
using workloads::graph::Communicator;
using workloads::graph::OpKind;
using workloads::graph::OpTemplate;
using workloads::graph::Parallel;
using u32 = std::uint32_t;

constexpr std::uint64_t kMaxBytes = 1ULL << 50;
constexpr std::size_t kMaxOps = 100'000;  // templates in one program

Parallel read_parallel(const Value& v, u32 ranks) {
  Parallel p;
  std::optional<Value> ep;
  v.read_map({
      {"tp", Need::optional, [&](const Value& x) { p.tp = x.to_uint<u32>(1, ranks); }},
      {"pp", Need::optional, [&](const Value& x) { p.pp = x.to_uint<u32>(1, ranks); }},
      {"dp", Need::optional, [&](const Value& x) { p.dp = x.to_uint<u32>(1, ranks); }},
      {"ep", Need::optional,
       [&](const Value& x) {
         p.ep = x.to_uint<u32>(1, ranks);
         ep = x;
       }},
  });
  if (std::uint64_t{p.tp} * p.pp * p.dp != ranks) {
    v.fail("tp * pp * dp = " + std::to_string(std::uint64_t{p.tp} * p.pp * p.dp) +
           ", but the job has " + std::to_string(ranks) +
           " ranks (hosts times GPUs per server); make the product match");
  }
  if (ep && p.dp % p.ep != 0) {
    ep->fail("expert-parallel groups are made of data-parallel replicas: ep (" +
             std::to_string(p.ep) + ") must divide dp (" + std::to_string(p.dp) + ")");
  }
  return p;
}

void read_groups(const Value& v, u32 ranks, std::vector<Communicator>& out) {
  if (!v.is_list() || v.to_list().empty()) {
    v.fail("expected a list of groups such as [{name: pair, ranks: [0, 4]}], got " + v.describe());
  }
  std::set<std::string> names;
  for (const Communicator& c : out) names.insert(c.name);
  for (const Value& item : v.to_list()) {
    Communicator c;
    std::optional<Value> name;
    std::optional<Value> list;
    item.read_map({
        {"name", Need::required,
         [&](const Value& x) {
           c.name = x.to_string();
           name = x;
         }},
        {"ranks", Need::required, [&](const Value& x) { list = x; }},
    });
    if (c.name.empty() || c.name.find(',') != std::string::npos) {
      name->fail("expected a group name without commas, got " + name->describe());
    }
    if (!names.insert(c.name).second) {
      name->fail("two groups are named " + c.name +
                 " (parallel makes tp.N, pp.N, dp.N and ep.N); group names must differ");
    }
    if (!list->is_list() || list->to_list().size() < 2) {
      list->fail("expected a list of at least 2 ranks, got " + list->describe());
    }
    std::set<u32> seen;
    for (const Value& r : list->to_list()) {
      const u32 rank = r.to_uint<u32>(0, ranks - 1, "a rank of the job");
      if (!seen.insert(rank).second) r.fail("rank " + std::to_string(rank) + " is listed twice");
      c.ranks.push_back(rank);
    }
    out.push_back(std::move(c));
  }
}

}  // namespace

Collective read_collective(const Value& x) {
  return x.to_enum<Collective>({
      {"ring_allreduce", Collective::ring_allreduce},
      {"tree_allreduce", Collective::tree_allreduce},
      {"halving_doubling_allreduce", Collective::halving_doubling_allreduce},
      {"reduce_scatter", Collective::reduce_scatter},
      {"all_gather", Collective::all_gather},
      {"all_to_all", Collective::all_to_all},
      {"pairwise_all_to_all", Collective::pairwise_all_to_all},
      {"hierarchical_allreduce", Collective::hierarchical_allreduce},
  });
}

namespace {

// The groups a name or kind stands for: every group of a kind, or the one named.
std::vector<const Communicator*> groups_for(const std::string& key,
                                            const std::vector<Communicator>& groups) {
  std::vector<const Communicator*> out;
  for (const Communicator& c : groups) {
    if (c.name == key || workloads::graph::group_kind(c.name) == key) out.push_back(&c);
  }
  return out;
}

std::vector<OpTemplate> read_program(const Value& v, const std::vector<Communicator>& groups) {
  if (!v.is_list() || v.to_list().empty()) {
    v.fail(
        "expected a list of ops such as [{compute: 5ms}, {collective: ring_allreduce, group: "
        "dp, size_bytes: 64MiB}], got " +
        v.describe());
  }
  const std::vector<Value> items = v.to_list();
  if (items.size() > kMaxOps) {
    v.fail("a program of at most " + std::to_string(kMaxOps) + " ops, got " +
           std::to_string(items.size()));
  }
  std::vector<OpTemplate> ops;
  std::map<std::string, u32> by_name;
  // Per (group, direction of the data), the sizes of the sends and of the receives.
  std::map<std::pair<std::string, int>, std::vector<std::pair<std::uint64_t, Value>>> sends;
  std::map<std::pair<std::string, int>, std::vector<std::pair<std::uint64_t, Value>>> recvs;
  for (const Value& item : items) {
    OpTemplate t;
    std::optional<Value> kind_key;
    std::optional<Value> group;
    std::optional<Value> size;
    std::optional<Value> after;
    std::optional<Value> name;
    int kinds = 0;
    auto peer = [&](const Value& x, OpKind kind) {
      t.kind = kind;
      t.direction = x.to_enum<int>({{"next", +1}, {"prev", -1}});
      kind_key = x;
      ++kinds;
    };
    item.read_map({
        {"name", Need::optional,
         [&](const Value& x) {
           t.name = x.to_string();
           name = x;
         }},
        {"compute", Need::optional,
         [&](const Value& x) {
           t.kind = OpKind::compute;
           t.duration_ps = x.to_duration_ps(sim::kSecond * 3600);
           kind_key = x;
           ++kinds;
         }},
        {"collective", Need::optional,
         [&](const Value& x) {
           t.kind = OpKind::collective;
           t.collective = read_collective(x);
           kind_key = x;
           ++kinds;
         }},
        {"send", Need::optional, [&](const Value& x) { peer(x, OpKind::send); }},
        {"recv", Need::optional, [&](const Value& x) { peer(x, OpKind::recv); }},
        {"group", Need::optional, [&](const Value& x) { group = x; }},
        {"size_bytes", Need::optional,
         [&](const Value& x) {
           t.size_bytes = x.to_bytes(1, kMaxBytes);
           size = x;
         }},
        {"after", Need::optional, [&](const Value& x) { after = x; }},
    });
    if (kinds != 1) {
      item.fail(std::string(kinds == 0 ? "an op needs one of" : "an op is only one of") +
                " compute (a duration), collective (a kind), send or recv (next or prev)");
    }
    if (t.kind == OpKind::compute) {
      if (group) group->fail_at_key("a compute op has no group");
      if (size) size->fail_at_key("a compute op has no size_bytes");
    } else {
      if (!group) item.fail("missing group: the tp, pp, dp or ep groups, or a group's name");
      if (!size) item.fail("missing size_bytes: the bytes of the collective or transfer");
      t.group = group->to_string();
      const auto matching = groups_for(t.group, groups);
      if (matching.empty()) {
        std::string known;
        std::set<std::string> kinds_seen;
        for (const Communicator& c : groups) {
          const std::string k = workloads::graph::group_kind(c.name);
          if (kinds_seen.insert(k).second) known += (known.empty() ? "" : ", ") + k;
        }
        group->fail("no group " + sim::quote_for_message(t.group) + "; this job has " +
                    (known.empty() ? std::string("none (give parallel or groups)") : known));
      }
      if (t.kind == OpKind::collective && t.collective == Collective::halving_doubling_allreduce) {
        for (const Communicator* c : matching) {
          const auto n = c->ranks.size();
          if ((n & (n - 1)) != 0) {
            kind_key->fail("halving_doubling_allreduce needs a power-of-two group; " + c->name +
                           " has " + std::to_string(n) + " ranks");
          }
        }
      }
      if (t.kind == OpKind::send) sends[{t.group, t.direction}].emplace_back(t.size_bytes, item);
      if (t.kind == OpKind::recv) recvs[{t.group, -t.direction}].emplace_back(t.size_bytes, item);
    }
    if (after) {
      std::vector<u32> list;
      const std::vector<Value> names =
          after->is_list() ? after->to_list() : std::vector<Value>{*after};
      for (const Value& n : names) {
        const auto it = by_name.find(n.to_string());
        if (it == by_name.end()) {
          n.fail("no earlier op is named " + sim::quote_for_message(n.to_string()) +
                 "; after names ops above this one (a dependency on a later op would be a cycle)");
        }
        list.push_back(it->second);
      }
      t.after = std::move(list);
    }
    if (name && !t.name.empty()) {
      if (!by_name.emplace(t.name, static_cast<u32>(ops.size())).second) {
        name->fail("two ops are named " + t.name + "; op names must differ");
      }
    }
    ops.push_back(std::move(t));
  }
  // The k-th send to next pairs with the k-th receive from prev (and the
  // other way round): as many, of the same sizes.
  for (const auto& [key, list] : sends) {
    const auto it = recvs.find(key);
    const std::size_t matched = it == recvs.end() ? 0 : it->second.size();
    const std::string want = key.second > 0 ? "recv: prev" : "recv: next";
    if (matched < list.size()) {
      list[matched].second.fail("this send has no matching receive: add a `" + want +
                                "` on group " + key.first +
                                " (the k-th send pairs with the k-th "
                                "receive)");
    }
    for (std::size_t k = 0; k < list.size(); ++k) {
      if (list[k].first != it->second[k].first) {
        it->second[k].second.fail("this receive expects " + std::to_string(it->second[k].first) +
                                  " bytes, but its send (the " + std::to_string(k + 1) +
                                  "th on group " + key.first + ") sends " +
                                  std::to_string(list[k].first));
      }
    }
  }
  for (const auto& [key, list] : recvs) {
    const auto it = sends.find(key);
    const std::size_t matched = it == sends.end() ? 0 : it->second.size();
    if (matched < list.size()) {
      list[matched].second.fail("this receive has no matching send: add a `send: " +
                                std::string(key.second > 0 ? "next" : "prev") + "` on group " +
                                key.first + " (the k-th receive pairs with the k-th send)");
    }
  }
  return ops;
}

}  // namespace

std::shared_ptr<const workloads::graph::Program> read_graph(const GraphKeys& keys, u32 ranks) {
  std::vector<Communicator> groups;
  if (keys.parallel)
    groups = workloads::graph::parallel_groups(read_parallel(*keys.parallel, ranks));
  if (keys.groups) read_groups(*keys.groups, ranks, groups);
  const std::vector<OpTemplate> ops = read_program(*keys.program, groups);
  auto program =
      std::make_shared<workloads::graph::Program>(workloads::graph::make_spmd(ranks, groups, ops));
  // What the keys above cannot see (a send whose peer skips its receive).
  if (const std::string e = workloads::graph::validate(*program); !e.empty()) {
    keys.program->fail("the program does not pair up on every rank: " + e);
  }
  return program;
}

sim::Json graph_to_json(const workloads::graph::Program& program) {
  sim::Json j = sim::Json::object();
  j["ranks"] = program.rank_count();
  j["ops_per_iteration"] = static_cast<std::uint64_t>(program.op_count());
  sim::Json groups = sim::Json::array();
  for (const Communicator& c : program.communicators) groups.push_back(c.name);
  j["groups"] = std::move(groups);
  return j;
}

}  // namespace spinel::scenario
