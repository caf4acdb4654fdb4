#include "api/scenario/graph_section.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/units.hpp"
#include "workloads/graph/spmd.hpp"
#include "workloads/graph/transformer.hpp"

namespace spinel::scenario {

namespace {

using workloads::Collective;
using workloads::graph::Communicator;
using workloads::graph::OpKind;
using workloads::graph::OpTemplate;
using workloads::graph::ParallelDegrees;
using u32 = std::uint32_t;

constexpr std::size_t kMaxOps = 100'000;  // templates in one program

ParallelDegrees read_parallel(const Value& v, u32 ranks) {
  ParallelDegrees p;
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
      {"broadcast", Collective::broadcast},
      {"reduce", Collective::reduce},
      {"gather", Collective::gather},
      {"scatter", Collective::scatter},
      {"barrier", Collective::barrier},
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

// An all-to-allv's matrix: N rows of N sizes (N >= 2), each a byte count.
std::vector<std::vector<std::uint64_t>> read_matrix_bytes(const Value& v) {
  const std::string want =
      "expected a square matrix of sizes, a list of rows such as [[0, 1MiB], [2MiB, 0]]";
  if (!v.is_list() || v.to_list().size() < 2) v.fail(want + ", got " + v.describe());
  const std::vector<Value> rows = v.to_list();
  std::vector<std::vector<std::uint64_t>> m;
  for (const Value& row : rows) {
    if (!row.is_list() || row.to_list().size() != rows.size()) {
      row.fail("expected a row of " + std::to_string(rows.size()) +
               " sizes (one per rank: the matrix is square), got " + row.describe());
    }
    std::vector<std::uint64_t> sizes;
    for (const Value& x : row.to_list()) sizes.push_back(x.to_bytes(0, kMaxSizeBytes));
    m.push_back(std::move(sizes));
  }
  return m;
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
    std::optional<Value> root;
    std::optional<Value> matrix;
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
           // all_to_allv only in programs: its matrix is an op's.
           t.collective = x.is_scalar() && x.to_string() == "all_to_allv" ? Collective::all_to_allv
                                                                          : read_collective(x);
           kind_key = x;
           ++kinds;
         }},
        {"send", Need::optional, [&](const Value& x) { peer(x, OpKind::send); }},
        {"recv", Need::optional, [&](const Value& x) { peer(x, OpKind::recv); }},
        {"group", Need::optional, [&](const Value& x) { group = x; }},
        {"size_bytes", Need::optional,
         [&](const Value& x) {
           t.size_bytes = x.to_bytes(1, kMaxSizeBytes);
           size = x;
         }},
        {"after", Need::optional, [&](const Value& x) { after = x; }},
        {"root", Need::optional,
         [&](const Value& x) {
           t.root = x.to_uint<u32>(0, 1u << 20, "a rank of the group");
           root = x;
         }},
        {"matrix_bytes", Need::optional, [&](const Value& x) { matrix = x; }},
    });
    if (kinds != 1) {
      item.fail(std::string(kinds == 0 ? "an op needs one of" : "an op is only one of") +
                " compute (a duration), collective (a kind), send or recv (next or prev)");
    }
    const bool rooted =
        t.kind == OpKind::collective &&
        (t.collective == Collective::broadcast || t.collective == Collective::reduce ||
         t.collective == Collective::gather || t.collective == Collective::scatter);
    if (root && !rooted) {
      root->fail_at_key("only broadcast, reduce, gather and scatter have a root");
    }
    if (matrix && !(t.kind == OpKind::collective && t.collective == Collective::all_to_allv)) {
      matrix->fail_at_key("only an all_to_allv has a size matrix");
    }
    if (t.kind == OpKind::compute) {
      if (group) group->fail_at_key("a compute op has no group");
      if (size) size->fail_at_key("a compute op has no size_bytes");
    } else {
      if (!group) item.fail("missing group: the tp, pp, dp or ep groups, or a group's name");
      const bool barrier = t.kind == OpKind::collective && t.collective == Collective::barrier;
      if (barrier && size) size->fail_at_key("a barrier moves no data; remove size_bytes");
      if (t.kind == OpKind::collective && t.collective == Collective::all_to_allv) {
        if (size) {
          size->fail_at_key(
              "an all_to_allv's sizes are its matrix_bytes (rank i sends row i); remove "
              "size_bytes");
        }
        if (!matrix) {
          item.fail(
              "missing matrix_bytes: an all_to_allv's N x N matrix, row i the bytes group rank i "
              "sends to each rank");
        }
        t.matrix_bytes = read_matrix_bytes(*matrix);
        std::uint64_t total = 0;
        for (const auto& row : t.matrix_bytes) {
          for (const std::uint64_t b : row) {
            if (b > kMaxSizeBytes - total) {
              matrix->fail("the matrix sends over " + std::to_string(kMaxSizeBytes) +
                           " bytes in all; give smaller sizes");
            }
            total += b;
          }
        }
        t.size_bytes = total / t.matrix_bytes.size();
      } else if (!barrier && !size) {
        item.fail("missing size_bytes: the bytes of the collective or transfer");
      }
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
      for (const Communicator* c : matching) {
        const auto n = static_cast<u32>(c->ranks.size());
        if (root && t.root >= n) {
          root->fail("root " + std::to_string(t.root) + " is not a rank of group " + c->name +
                     " (" + std::to_string(n) + " ranks: the root is a group rank, 0 to " +
                     std::to_string(n - 1) + ")");
        }
        if (matrix && t.matrix_bytes.size() != n) {
          matrix->fail("a " + std::to_string(t.matrix_bytes.size()) + " x " +
                       std::to_string(t.matrix_bytes.size()) + " matrix, but group " + c->name +
                       " has " + std::to_string(n) + " ranks; give one row and column per rank");
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

// The generator's keys, each remembered so that the generator's own checks
// (which name a field) are located too.
std::shared_ptr<const workloads::graph::Program> read_transformer(const Value& v,
                                                                  const std::optional<Value>& par,
                                                                  u32 ranks) {
  using workloads::graph::PipelineSchedule;
  workloads::graph::TransformerConfig c;
  std::map<std::string, Value> where;
  auto at = [&](const std::string& field, const Value& x) { where.emplace(field, x); };
  auto precision = [](const Value& x) {
    return x.to_enum<u32>({{"bf16", 2}, {"fp16", 2}, {"fp32", 4}});
  };
  v.read_map({
      {"layers", Need::required,
       [&](const Value& x) {
         c.layers = x.to_uint<u32>(1, 100'000);
         at("layers", x);
       }},
      {"hidden_size", Need::required,
       [&](const Value& x) {
         c.hidden_size = x.to_uint<u32>(1, 1u << 20);
         at("hidden_size", x);
       }},
      {"ffn_hidden_size", Need::optional,
       [&](const Value& x) {
         c.ffn_hidden_size = x.to_uint<u32>(1, 1u << 22);
         at("ffn_hidden_size", x);
       }},
      {"heads", Need::optional,
       [&](const Value& x) {
         c.heads = x.to_uint<u32>(1, 1u << 16);
         at("heads", x);
       }},
      {"vocabulary_size", Need::optional,
       [&](const Value& x) {
         c.vocabulary_size = x.to_uint<std::uint64_t>(1, 1ULL << 24);
         at("vocabulary_size", x);
       }},
      {"sequence_length", Need::required,
       [&](const Value& x) {
         c.sequence_length = x.to_uint<u32>(1, 1u << 22);
         at("sequence_length", x);
       }},
      {"micro_batch_size", Need::optional,
       [&](const Value& x) {
         c.micro_batch_size = x.to_uint<u32>(1, 1u << 16);
         at("micro_batch_size", x);
       }},
      {"global_batch_size", Need::required,
       [&](const Value& x) {
         c.global_batch_size = x.to_uint<u32>(1, 1u << 24);
         at("global_batch_size", x);
       }},
      {"precision", Need::optional,
       [&](const Value& x) {
         c.precision_bytes = precision(x);
         at("precision_bytes", x);
       }},
      {"gradient_precision", Need::optional,
       [&](const Value& x) {
         c.gradient_bytes = precision(x);
         at("gradient_bytes", x);
       }},
      {"schedule", Need::optional,
       [&](const Value& x) {
         c.schedule = x.to_enum<PipelineSchedule>(
             {{"one_f_one_b", PipelineSchedule::one_f_one_b}, {"gpipe", PipelineSchedule::gpipe}});
         at("schedule", x);
       }},
      {"sequence_parallel", Need::optional,
       [&](const Value& x) {
         c.sequence_parallel = x.to_bool();
         at("sequence_parallel", x);
       }},
      {"zero", Need::optional, [&](const Value& x) { c.zero = x.to_bool(); }},
      {"dp_buckets", Need::optional,
       [&](const Value& x) {
         c.dp_buckets = x.to_uint<u32>(1, 1024);
         at("dp_buckets", x);
       }},
      {"moe", Need::optional,
       [&](const Value& x) {
         at("moe", x);
         x.read_map({
             {"experts", Need::required,
              [&](const Value& y) {
                c.moe.experts = y.to_uint<u32>(1, 1u << 16);
                at("moe.experts", y);
              }},
             {"top_k", Need::optional,
              [&](const Value& y) {
                c.moe.top_k = y.to_uint<u32>(1, 1u << 16);
                at("moe.top_k", y);
              }},
             {"every", Need::optional,
              [&](const Value& y) {
                c.moe.every = y.to_uint<u32>(1, 100'000);
                at("moe.every", y);
              }},
             {"layers", Need::optional,
              [&](const Value& y) {
                if (!y.is_list()) y.fail("expected a list of layer indices, got " + y.describe());
                for (const Value& l : y.to_list()) c.moe.layers.push_back(l.to_uint<u32>());
                at("moe.layers", y);
              }},
         });
       }},
      {"layer_forward", Need::optional,
       [&](const Value& x) {
         if (x.is_list()) {
           for (const Value& t : x.to_list()) {
             c.layer_forward_ps.push_back(t.to_duration_ps(sim::kSecond * 3600));
           }
         } else {
           c.layer_forward_ps.push_back(x.to_duration_ps(sim::kSecond * 3600));
         }
         at("layer_forward_ps", x);
       }},
      {"gpu_peak_tflops", Need::optional,
       [&](const Value& x) {
         c.gpu_peak_tflops = x.to_decimal(1e-3, 1e6);
         at("gpu_peak_tflops", x);
       }},
      {"compute_efficiency", Need::optional,
       [&](const Value& x) {
         c.compute_efficiency = x.to_fraction();
         at("compute_efficiency", x);
       }},
      {"backward_factor", Need::optional,
       [&](const Value& x) {
         c.backward_factor = x.to_decimal(0, 1000);
         at("backward_factor", x);
       }},
      {"tp_allreduce", Need::optional,
       [&](const Value& x) {
         c.tp_allreduce = read_collective(x);
         at("tp_allreduce", x);
       }},
      {"dp_allreduce", Need::optional,
       [&](const Value& x) {
         c.dp_allreduce = read_collective(x);
         at("dp_allreduce", x);
       }},
      {"ep_all_to_all", Need::optional,
       [&](const Value& x) {
         c.ep_all_to_all = read_collective(x);
         at("ep_all_to_all", x);
       }},
  });
  if (!par) v.fail_at_key("the transformer needs parallel: {tp, pp, dp} (and ep with moe)");
  c.parallel = read_parallel(*par, ranks);
  c.gpus = ranks;
  if (const auto problem = workloads::graph::check(c)) {
    // A parallel degree's problem at its key, others at theirs (or the map).
    const std::string& f = problem->field;
    if (f.rfind("parallel", 0) == 0) par->fail(f.substr(f.find('.') + 1) + ": " + problem->message);
    const auto it = where.find(f);
    (it != where.end() ? it->second : v).fail(problem->message);
  }
  return std::make_shared<workloads::graph::Program>(workloads::graph::make_transformer(c));
}

}  // namespace

std::shared_ptr<const workloads::graph::Program> read_graph(const GraphKeys& keys, u32 ranks) {
  if (keys.transformer) {
    if (keys.program) keys.program->fail_at_key("give either a program or a transformer, not both");
    if (keys.groups)
      keys.groups->fail_at_key("groups are for a program; the transformer makes its own");
    return read_transformer(*keys.transformer, keys.parallel, ranks);
  }
  std::vector<Communicator> groups;
  if (keys.parallel) {
    const ParallelDegrees degrees = read_parallel(*keys.parallel, ranks);
    groups = workloads::graph::parallel_groups(degrees, degrees.ep > 1, degrees.ep > 1);
  }
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
