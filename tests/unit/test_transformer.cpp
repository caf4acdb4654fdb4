// The hybrid-parallel transformer generator: the communication volumes of
// one iteration equal the textbook ones per group (shared/WORKLOAD-FORMATS.md),
// ranks sit where the placement rule says, the pipeline schedules run in
// their order with the textbook bubble when communication is free, and bad
// configurations name their field.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "workloads/graph/transformer.hpp"

namespace spinel::workloads::graph {
namespace {

constexpr sim::Time kLayerForward = 300 * sim::kMicrosecond;

// h = 1024, s = 512, b = 2, 8 layers, bf16, one forward time for every layer.
TransformerConfig dense(std::uint32_t t, std::uint32_t p, std::uint32_t d, std::uint32_t m) {
  TransformerConfig c;
  c.layers = 8;
  c.hidden_size = 1024;
  c.heads = 16;
  c.sequence_length = 512;
  c.micro_batch_size = 2;
  c.global_batch_size = 2 * d * m;
  c.parallel = {t, p, d, 1};
  c.layer_forward_ps = {kLayerForward};
  return c;
}

// b * s * h * 2 bytes.
std::uint64_t activation_bytes(const TransformerConfig& c) {
  return std::uint64_t{c.micro_batch_size} * c.sequence_length * c.hidden_size * c.precision_bytes;
}

// --- Graph-walking helpers ---------------------------------------------------

std::string group_kind(const Program& program, std::uint32_t communicator) {
  const std::string& name = program.communicators.at(communicator).name;
  return name.substr(0, name.find('.'));
}

struct Tally {
  std::uint64_t bytes = 0;
  std::uint32_t ops = 0;
};

// The collectives of `kind` that `rank` runs on its communicator of `group`.
Tally collectives(const Program& program, std::uint32_t rank, const std::string& group,
                  Collective kind) {
  Tally t;
  for (const Op& op : program.ranks.at(rank).ops) {
    if (op.kind != OpKind::collective || op.collective != kind) continue;
    if (group_kind(program, op.communicator) != group) continue;
    t.bytes += op.size_bytes;
    ++t.ops;
  }
  return t;
}

Tally point_to_point(const Program& program, std::uint32_t rank, OpKind kind) {
  Tally t;
  for (const Op& op : program.ranks.at(rank).ops) {
    if (op.kind != kind) continue;
    t.bytes += op.size_bytes;
    ++t.ops;
  }
  return t;
}

// Bytes that leave each rank of an n-rank group for a collective of `size`
// (as make_schedule reads a size): what "same total volume" compares.
double wire_bytes(Collective kind, std::uint64_t size, std::size_t n) {
  const double share = static_cast<double>(n - 1) / static_cast<double>(n);
  const double s = static_cast<double>(size);
  switch (kind) {
    case Collective::reduce_scatter:
    case Collective::all_gather:
    case Collective::all_to_all:
    case Collective::pairwise_all_to_all:
      return share * s;
    default:
      return 2 * share * s;
  }
}

// Wire bytes per rank on its groups of kind `group`, over the iteration.
double wire_bytes(const Program& program, std::uint32_t rank, const std::string& group) {
  double total = 0;
  for (const Op& op : program.ranks.at(rank).ops) {
    if (op.kind != OpKind::collective || group_kind(program, op.communicator) != group) continue;
    total += wire_bytes(op.collective, op.size_bytes,
                        program.communicators[op.communicator].ranks.size());
  }
  return total;
}

// The ranks of the communicator called `name` (empty if there is none).
std::vector<std::uint32_t> members(const Program& program, const std::string& name) {
  for (const Communicator& comm : program.communicators) {
    if (comm.name == name) return comm.ranks;
  }
  ADD_FAILURE() << "no communicator " << name;
  return {};
}

std::string label(const Program& program, const Op& op) {
  return program.labels.at(op.label);
}

// What the executor needs of a program (until graph::validate lands): deps
// on earlier ops; a rank's collectives on communicators it is in, whose
// members all run the same sequence (kind, size); every send matched by a
// receive of the same size.
void expect_well_formed(const Program& program) {
  const std::uint32_t n = program.rank_count();
  std::map<std::uint32_t, std::vector<std::pair<Collective, std::uint64_t>>> sequence;
  std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>, std::vector<std::uint64_t>>
      sent, received;
  for (std::uint32_t r = 0; r < n; ++r) {
    const RankProgram& rp = program.ranks[r];
    ASSERT_EQ(rp.dep_begin.size(), rp.ops.size() + 1);
    ASSERT_EQ(rp.dep_begin.back(), rp.deps.size());
    for (std::uint32_t i = 0; i < rp.size(); ++i) {
      for (std::uint32_t k = rp.dep_begin[i]; k < rp.dep_begin[i + 1]; ++k)
        ASSERT_LT(rp.deps[k], i) << "rank " << r << " op " << i;
      const Op& op = rp.ops[i];
      ASSERT_LT(op.label, program.labels.size());
      if (op.kind == OpKind::collective) {
        ASSERT_LT(op.communicator, program.communicators.size());
        const auto& members = program.communicators[op.communicator].ranks;
        ASSERT_GE(members.size(), 2u) << label(program, op);
        ASSERT_NE(std::find(members.begin(), members.end(), r), members.end());
        if (members.front() == r)
          sequence[op.communicator].emplace_back(op.collective, op.size_bytes);
      } else if (op.kind == OpKind::send) {
        ASSERT_LT(op.peer, n);
        sent[{r, op.peer, op.tag}].push_back(op.size_bytes);
      } else if (op.kind == OpKind::recv) {
        ASSERT_LT(op.peer, n);
        received[{op.peer, r, op.tag}].push_back(op.size_bytes);
      }
    }
  }
  EXPECT_EQ(sent, received);
  for (std::uint32_t r = 0; r < n; ++r) {
    std::map<std::uint32_t, std::vector<std::pair<Collective, std::uint64_t>>> mine;
    for (const Op& op : program.ranks[r].ops) {
      if (op.kind == OpKind::collective)
        mine[op.communicator].emplace_back(op.collective, op.size_bytes);
    }
    for (const auto& [comm, seq] : mine) EXPECT_EQ(seq, sequence[comm]) << "rank " << r;
  }
}

// Runs a program with free communication: compute ops take their duration,
// one at a time per rank in program order; a send is done when ready, a
// receive when ready and its send is done; the k-th collective on a
// communicator is done when every member has reached it and instance k - 1
// is done. Returns each op's end time; fails on a deadlock.
using Key = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>;  // (from, to, tag)

std::vector<std::vector<sim::Time>> run_free(const Program& program) {
  const std::uint32_t n = program.rank_count();
  constexpr sim::Time kPending = -1;
  std::vector<std::vector<sim::Time>> end(n);
  std::vector<sim::Time> gpu_free(n, 0);
  std::vector<std::vector<std::uint32_t>> computes(n);  // compute ops in program order
  std::vector<std::size_t> next_compute(n, 0);
  std::size_t pending = 0;
  for (std::uint32_t r = 0; r < n; ++r) {
    const RankProgram& rp = program.ranks[r];
    end[r].assign(rp.size(), kPending);
    pending += rp.size();
    for (std::uint32_t i = 0; i < rp.size(); ++i) {
      if (rp.ops[i].kind == OpKind::compute) computes[r].push_back(i);
    }
  }
  // Per communicator and member: the member's collective ops on it, in order.
  const std::size_t comms = program.communicators.size();
  std::vector<std::vector<std::vector<std::uint32_t>>> member_ops(comms);
  for (std::size_t c = 0; c < comms; ++c) {
    for (const std::uint32_t r : program.communicators[c].ranks) {
      member_ops[c].emplace_back();
      const RankProgram& rp = program.ranks[r];
      for (std::uint32_t i = 0; i < rp.size(); ++i) {
        if (rp.ops[i].kind == OpKind::collective && rp.ops[i].communicator == c)
          member_ops[c].back().push_back(i);
      }
    }
  }
  std::vector<std::size_t> instance(comms, 0);
  std::vector<sim::Time> instance_end(comms, 0);
  std::map<Key, std::vector<sim::Time>> sent;
  std::map<Key, std::size_t> received;
  // When op i of rank r may start, or kPending while a dependency is.
  const auto ready = [&](std::uint32_t r, std::uint32_t i) {
    const RankProgram& rp = program.ranks[r];
    sim::Time t = 0;
    for (std::uint32_t k = rp.dep_begin[i]; k < rp.dep_begin[i + 1]; ++k) {
      if (end[r][rp.deps[k]] == kPending) return kPending;
      t = std::max(t, end[r][rp.deps[k]]);
    }
    return t;
  };
  while (pending > 0) {
    const std::size_t before = pending;
    for (std::uint32_t r = 0; r < n; ++r) {
      const RankProgram& rp = program.ranks[r];
      for (std::uint32_t i = 0; i < rp.size(); ++i) {
        const Op& op = rp.ops[i];
        if (end[r][i] != kPending || op.kind == OpKind::collective) continue;
        const sim::Time at = ready(r, i);
        if (at == kPending) continue;
        if (op.kind == OpKind::compute) {
          if (computes[r][next_compute[r]] != i) continue;
          ++next_compute[r];
          gpu_free[r] = end[r][i] = std::max(at, gpu_free[r]) + op.duration_ps;
        } else if (op.kind == OpKind::send) {
          end[r][i] = at;
          sent[{r, op.peer, op.tag}].push_back(at);
        } else {
          const Key key{op.peer, r, op.tag};
          const std::size_t k = received[key];
          if (sent[key].size() <= k) continue;
          end[r][i] = std::max(at, sent[key][k]);
          ++received[key];
        }
        --pending;
      }
    }
    for (std::size_t c = 0; c < comms; ++c) {
      const auto& ranks = program.communicators[c].ranks;
      while (!member_ops[c].empty() && instance[c] < member_ops[c][0].size()) {
        sim::Time t = instance_end[c];
        for (std::size_t m = 0; m < ranks.size() && t != kPending; ++m) {
          const sim::Time at = ready(ranks[m], member_ops[c][m][instance[c]]);
          t = at == kPending ? kPending : std::max(t, at);
        }
        if (t == kPending) break;
        for (std::size_t m = 0; m < ranks.size(); ++m)
          end[ranks[m]][member_ops[c][m][instance[c]]] = t;
        instance_end[c] = t;
        ++instance[c];
        pending -= ranks.size();
      }
    }
    if (pending == before) {
      ADD_FAILURE() << "deadlock with " << pending << " ops left";
      break;
    }
  }
  return end;
}

// The iteration time: when the last op of any rank ends.
sim::Time iteration_ps(const std::vector<std::vector<sim::Time>>& end) {
  sim::Time t = 0;
  for (const auto& rank : end) {
    for (const sim::Time e : rank) t = std::max(t, e);
  }
  return t;
}

// The micro-batches a stage's ranks run, in order: +i for F(i), -(i+1) for
// B(i), read from the labels of the first layer's attn compute ops.
std::vector<int> task_order(const Program& program, std::uint32_t rank) {
  std::vector<int> order;
  for (const Op& op : program.ranks.at(rank).ops) {
    if (op.kind != OpKind::compute) continue;
    const std::string text = label(program, op);
    const bool forward = text.rfind("fwd.", 0) == 0;
    // Forward tasks start with their first layer, backward ones end with it:
    // count each task at the first attn op seen of that micro-batch.
    const std::size_t mb_at = text.find(".mb") + 3;
    const int mb = std::stoi(text.substr(mb_at, text.find('.', mb_at) - mb_at));
    const int code = forward ? mb : -(mb + 1);
    if (order.empty() || order.back() != code) order.push_back(code);
  }
  return order;
}

// Sum of the compute durations of a rank whose labels start with `prefix`.
sim::Time compute_ps(const Program& program, std::uint32_t rank, const std::string& prefix) {
  sim::Time t = 0;
  for (const Op& op : program.ranks.at(rank).ops) {
    if (op.kind == OpKind::compute && label(program, op).rfind(prefix, 0) == 0) t += op.duration_ps;
  }
  return t;
}

// --- Volumes -------------------------------------------------------------------

// TP: 2 all-reduces of b*s*h*2 per layer forward and 2 backward; PP: one
// send per micro-batch each way between neighbours; DP: the 12h^2 * L / p
// parameters of a stage, / t, all-reduced once.
TEST(Transformer, DenseVolumesPerGroupAreTheTextbookOnes) {
  const TransformerConfig c = dense(4, 4, 2, 6);
  const Program program = make_transformer(c);
  expect_well_formed(program);
  ASSERT_EQ(program.rank_count(), 32u);
  const std::uint64_t a = activation_bytes(c), h = c.hidden_size;
  const std::uint32_t m = 6, layers_per_stage = 2;
  for (std::uint32_t r = 0; r < program.rank_count(); ++r) {
    SCOPED_TRACE("rank " + std::to_string(r));
    const std::uint32_t stage = r / 4 % 4;
    const Tally tp = collectives(program, r, "tp", Collective::ring_allreduce);
    EXPECT_EQ(tp.ops, 4 * layers_per_stage * m);
    EXPECT_EQ(tp.bytes, 4ULL * layers_per_stage * m * a);
    const Tally dp = collectives(program, r, "dp", Collective::ring_allreduce);
    EXPECT_EQ(dp.ops, 1u);
    EXPECT_EQ(dp.bytes, 12 * h * h * layers_per_stage / 4 * 2);
    const std::uint32_t neighbours = (stage > 0 ? 1 : 0) + (stage < 3 ? 1 : 0);
    const Tally sends = point_to_point(program, r, OpKind::send);
    EXPECT_EQ(sends.ops, neighbours * m);
    EXPECT_EQ(sends.bytes, neighbours * m * a);
    EXPECT_EQ(point_to_point(program, r, OpKind::recv).bytes, neighbours * m * a);
    // Compute, TP all-reduces, sends and receives, the DP all-reduce.
    EXPECT_EQ(program.ranks[r].size(), 4 * layers_per_stage * m + tp.ops + 2 * neighbours * m + 1);
  }
  // Summed over a DP group's shard owners, the gradients are the model's.
  std::uint64_t dp_total = 0;
  for (std::uint32_t r = 0; r < 16; ++r)
    dp_total += collectives(program, r, "dp", Collective::ring_allreduce).bytes;
  EXPECT_EQ(dp_total, 12 * h * h * c.layers * 2);
}

// Each micro-batch crosses each stage boundary once forward (tag 2i) and once
// backward (tag 2i + 1), between ranks of the same tp_i and dp_i.
TEST(Transformer, PipelineSendsOneActivationPerMicroBatchEachWay) {
  const TransformerConfig c = dense(2, 4, 2, 5);
  const Program program = make_transformer(c);
  std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>, std::uint64_t> sends;
  for (std::uint32_t r = 0; r < program.rank_count(); ++r) {
    for (const Op& op : program.ranks[r].ops) {
      if (op.kind != OpKind::send) continue;
      sends[{r, op.peer, op.tag}] += op.size_bytes;
      EXPECT_EQ(group_kind(program, op.communicator), "pp");
      const auto& pp = program.communicators[op.communicator].ranks;
      EXPECT_NE(std::find(pp.begin(), pp.end(), op.peer), pp.end());
      const std::string way = op.tag % 2 == 0 ? "fwd" : "bwd";
      EXPECT_EQ(label(program, op), way + ".mb" + std::to_string(op.tag / 2) + ".send");
    }
  }
  std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>, std::uint64_t> expected;
  for (std::uint32_t d = 0; d < 2; ++d) {
    for (std::uint32_t t = 0; t < 2; ++t) {
      for (std::uint32_t j = 0; j + 1 < 4; ++j) {
        const std::uint32_t from = rank_of(c.parallel, t, j, d),
                            to = rank_of(c.parallel, t, j + 1, d);
        for (std::uint32_t i = 0; i < 5; ++i) {
          expected[{from, to, 2 * i}] = activation_bytes(c);
          expected[{to, from, 2 * i + 1}] = activation_bytes(c);
        }
      }
    }
  }
  EXPECT_EQ(sends, expected);
  expect_well_formed(program);
}

// With sequence parallelism each TP all-reduce becomes an all-gather before
// the compute and a reduce-scatter after it: the same bytes on the wire.
TEST(Transformer, SequenceParallelismKeepsTheTensorParallelVolume) {
  TransformerConfig c = dense(4, 2, 1, 4);
  const Program plain = make_transformer(c);
  c.sequence_parallel = true;
  const Program sp = make_transformer(c);
  expect_well_formed(sp);
  const std::uint64_t a = activation_bytes(c);
  for (std::uint32_t r = 0; r < sp.rank_count(); ++r) {
    EXPECT_EQ(collectives(sp, r, "tp", Collective::ring_allreduce).ops, 0u);
    EXPECT_EQ(collectives(sp, r, "tp", Collective::all_gather).bytes, 4 * 4 * 4 * a);
    EXPECT_EQ(collectives(sp, r, "tp", Collective::reduce_scatter).bytes, 4 * 4 * 4 * a);
    EXPECT_DOUBLE_EQ(wire_bytes(sp, r, "tp"), wire_bytes(plain, r, "tp"));
    EXPECT_GT(wire_bytes(sp, r, "tp"), 0);
  }
  // A layer's forward on stage 0: gather, attention, scatter, gather, MLP, scatter.
  std::vector<std::string> first;
  for (std::size_t i = 0; i < 6; ++i) first.push_back(label(sp, sp.ranks[0].ops[i]));
  EXPECT_EQ(first,
            (std::vector<std::string>{
                "fwd.mb0.l0.tp_all_gather.0", "fwd.mb0.l0.attn", "fwd.mb0.l0.tp_reduce_scatter.0",
                "fwd.mb0.l0.tp_all_gather.1", "fwd.mb0.l0.mlp", "fwd.mb0.l0.tp_reduce_scatter.1"}));
}

// ZeRO: a reduce-scatter of the gradients and an all-gather of the
// parameters move what the all-reduce did; the all-gather waits for it.
TEST(Transformer, ZeroShardingKeepsTheDataParallelVolume) {
  TransformerConfig c = dense(2, 2, 4, 4);
  c.vocabulary_size = 50'001;  // padded to 25'001 rows per TP rank
  const Program plain = make_transformer(c);
  c.zero = true;
  const Program zero = make_transformer(c);
  expect_well_formed(zero);
  const std::uint64_t h = c.hidden_size;
  const std::uint64_t shard = (12 * h * h * 4 / 2 + 25'001 * h) * 2;  // stage 0 or 1 alike
  for (std::uint32_t r = 0; r < zero.rank_count(); ++r) {
    EXPECT_EQ(collectives(plain, r, "dp", Collective::ring_allreduce).bytes, shard);
    EXPECT_EQ(collectives(zero, r, "dp", Collective::ring_allreduce).ops, 0u);
    EXPECT_EQ(collectives(zero, r, "dp", Collective::reduce_scatter).bytes, shard);
    EXPECT_EQ(collectives(zero, r, "dp", Collective::all_gather).bytes, shard);
    EXPECT_DOUBLE_EQ(wire_bytes(zero, r, "dp"), wire_bytes(plain, r, "dp"));
    const Op& last = zero.ranks[r].ops.back();
    EXPECT_EQ(last.collective, Collective::all_gather);
    EXPECT_EQ(label(zero, last), "dp.bucket0.all_gather");
  }
  // fp32 gradients, bf16 parameters.
  c.gradient_bytes = 4;
  const Program fp32 = make_transformer(c);
  EXPECT_EQ(collectives(fp32, 0, "dp", Collective::reduce_scatter).bytes, 2 * shard);
  EXPECT_EQ(collectives(fp32, 0, "dp", Collective::all_gather).bytes, shard);
}

// Buckets split the stage's gradients in backward order; the first is
// reduced while the backward pass goes on.
TEST(Transformer, GradientBucketsOverlapTheLastBackward) {
  TransformerConfig c = dense(1, 2, 2, 4);
  c.dp_buckets = 2;
  const Program program = make_transformer(c);
  expect_well_formed(program);
  const std::uint64_t h = c.hidden_size;
  const auto end = run_free(program);
  for (std::uint32_t r = 0; r < program.rank_count(); ++r) {
    std::vector<std::uint64_t> sizes;
    std::vector<sim::Time> ends;
    sim::Time last_compute = 0;
    for (std::uint32_t i = 0; i < program.ranks[r].size(); ++i) {
      const Op& op = program.ranks[r].ops[i];
      if (op.kind == OpKind::compute) last_compute = std::max(last_compute, end[r][i]);
      if (op.kind != OpKind::collective) continue;
      sizes.push_back(op.size_bytes);
      ends.push_back(end[r][i]);
    }
    EXPECT_EQ(sizes, (std::vector<std::uint64_t>{12 * h * h * 2 * 2, 12 * h * h * 2 * 2}));
    ASSERT_EQ(ends.size(), 2u);
    EXPECT_LT(ends[0], last_compute);
    EXPECT_EQ(ends[1], last_compute);
  }
}

// MoE: per MoE layer and micro-batch, a dispatch and a combine all-to-all
// of b*s*k*h*2 bytes forward and again backward, over the ep group; expert
// gradients over the edp group, the rest over dp.
TEST(Transformer, MixtureOfExpertsAllToAllsAndExpertGradients) {
  TransformerConfig c = dense(2, 2, 4, 4);
  c.moe.experts = 8;
  c.moe.top_k = 2;
  c.moe.every = 2;  // layers 0, 2, 4, 6
  c.parallel.ep = 2;
  const Program program = make_transformer(c);
  expect_well_formed(program);
  const std::uint64_t a = activation_bytes(c), h = c.hidden_size;
  std::map<std::string, std::uint32_t> groups;
  for (const Communicator& comm : program.communicators) {
    ++groups[comm.name.substr(0, comm.name.find('.'))];
    if (comm.name.rfind("ep.", 0) == 0 || comm.name.rfind("edp.", 0) == 0) {
      EXPECT_EQ(comm.ranks.size(), 2u) << comm.name;
    }
  }
  EXPECT_EQ(groups, (std::map<std::string, std::uint32_t>{
                        {"dp", 4}, {"edp", 8}, {"ep", 8}, {"pp", 8}, {"tp", 8}}));
  for (std::uint32_t r = 0; r < program.rank_count(); ++r) {
    // Two MoE layers per stage, 4 micro-batches, 4 all-to-alls each.
    const Tally a2a = collectives(program, r, "ep", Collective::all_to_all);
    EXPECT_EQ(a2a.ops, 2 * 4 * 4u);
    EXPECT_EQ(a2a.bytes, 2 * 4 * 4 * 2 * a);
    // Dense: 2 dense layers (12h^2) and 2 attentions (4h^2), / t; experts:
    // 2 layers x 4 experts x 8h^2, / t.
    EXPECT_EQ(collectives(program, r, "dp", Collective::ring_allreduce).bytes,
              (2 * 12 + 2 * 4) * h * h / 2 * 2);
    EXPECT_EQ(collectives(program, r, "edp", Collective::ring_allreduce).bytes,
              2 * 4 * 8 * h * h / 2 * 2);
  }
  // EP groups within DP: consecutive replicas of one shard.
  const ParallelDegrees& par = c.parallel;
  EXPECT_EQ(members(program, "ep.0"),
            (std::vector<std::uint32_t>{rank_of(par, 0, 0, 0), rank_of(par, 0, 0, 1)}));
  EXPECT_EQ(members(program, "edp.0"),
            (std::vector<std::uint32_t>{rank_of(par, 0, 0, 0), rank_of(par, 0, 0, 2)}));
  // Without expert parallelism, the experts are local and their gradients
  // go with the rest over dp.
  c.parallel.ep = 1;
  const Program local = make_transformer(c);
  EXPECT_EQ(collectives(local, 0, "ep", Collective::all_to_all).ops, 0u);
  EXPECT_EQ(collectives(local, 0, "dp", Collective::ring_allreduce).bytes,
            (2 * 12 + 2 * 4 + 2 * 8 * 8) * h * h / 2 * 2);
}

// MoE, sequence parallelism, ZeRO, buckets, a vocabulary and derived
// compute together, under both schedules: well formed, and it runs to the
// end with free communication.
TEST(Transformer, EveryFeatureTogetherIsWellFormedAndRuns) {
  for (const PipelineSchedule schedule : {PipelineSchedule::one_f_one_b, PipelineSchedule::gpipe}) {
    SCOPED_TRACE(to_string(schedule));
    TransformerConfig c = dense(2, 2, 4, 3);
    c.schedule = schedule;
    c.moe.experts = 4;
    c.moe.top_k = 2;
    c.moe.layers = {1, 6};
    c.parallel.ep = 2;
    c.sequence_parallel = true;
    c.zero = true;
    c.dp_buckets = 2;
    c.vocabulary_size = 32'000;
    c.layer_forward_ps.clear();
    c.gpu_peak_tflops = 312;
    const Program program = make_transformer(c);
    expect_well_formed(program);
    const auto end = run_free(program);
    for (const auto& rank : end) {
      for (const sim::Time t : rank) EXPECT_GE(t, 0);
    }
    EXPECT_GT(iteration_ps(end), 0);
  }
}

// --- Placement -----------------------------------------------------------------

// TP groups fill a server of 8 GPUs; DP and PP groups keep one GPU index
// (one rail); every rank is in one group of each kind.
TEST(Transformer, TensorParallelGroupsFillAServerAndTheOthersKeepARail) {
  const Program program = make_transformer(dense(8, 2, 4, 2));
  ASSERT_EQ(program.rank_count(), 64u);
  std::map<std::string, std::vector<std::uint32_t>> membership;  // kind -> groups per rank
  for (const Communicator& comm : program.communicators) {
    const std::string kind = comm.name.substr(0, comm.name.find('.'));
    auto& count = membership[kind];
    count.resize(64);
    for (const std::uint32_t r : comm.ranks) ++count[r];
    const std::uint32_t first = comm.ranks.front();
    for (std::size_t i = 0; i < comm.ranks.size(); ++i) {
      const std::uint32_t r = comm.ranks[i];
      if (kind == "tp") {
        EXPECT_EQ(r / 8, first / 8) << comm.name;
        EXPECT_EQ(r % 8, i) << comm.name;
      } else {
        EXPECT_EQ(r % 8, first % 8) << comm.name;
      }
    }
  }
  ASSERT_EQ(membership.size(), 3u);
  for (const auto& [kind, count] : membership) {
    EXPECT_EQ(count, std::vector<std::uint32_t>(64, 1)) << kind;
  }
  // rank = (dp_i * pp + pp_i) * tp + tp_i, and groups are named by their
  // fixed coordinates.
  EXPECT_EQ(rank_of({8, 2, 4, 1}, 3, 1, 2), 43u);
  EXPECT_EQ(members(program, "tp.5").front(), rank_of({8, 2, 4, 1}, 0, 1, 2));
  EXPECT_EQ(members(program, "pp.13"), (std::vector<std::uint32_t>{21, 29}));
  EXPECT_EQ(members(program, "dp.9"), (std::vector<std::uint32_t>{9, 25, 41, 57}));
}

// --- Schedules -----------------------------------------------------------------

TEST(Transformer, OneFOneBRunsWarmUpSteadyStateAndCoolDown) {
  const Program program = make_transformer(dense(1, 4, 1, 8));
  EXPECT_EQ(task_order(program, 0),
            (std::vector<int>{0, 1, 2, 3, -1, 4, -2, 5, -3, 6, -4, 7, -5, -6, -7, -8}));
  EXPECT_EQ(task_order(program, 2),
            (std::vector<int>{0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, -8}));
  EXPECT_EQ(task_order(program, 3),
            (std::vector<int>{0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -6, 6, -7, 7, -8}));
  TransformerConfig c = dense(1, 4, 1, 3);
  c.schedule = PipelineSchedule::gpipe;  // fewer micro-batches than stages is fine here
  EXPECT_EQ(task_order(make_transformer(c), 1), (std::vector<int>{0, 1, 2, -1, -2, -3}));
}

// The most micro-batches whose forward has run on `rank` and whose backward
// has not: the activations a stage holds.
int most_in_flight(const std::vector<int>& order) {
  int now = 0, most = 0;
  for (const int code : order) {
    now += code >= 0 ? 1 : -1;
    most = std::max(most, now);
  }
  return most;
}

// With free communication and equal stages, both schedules take
// (m + p - 1) (f + b): the bubble is (p - 1) / (m + p - 1). 1F1B holds at
// most p - j micro-batches on stage j, GPipe all m.
TEST(Transformer, FreeCommunicationGivesTheTextbookBubble) {
  for (const PipelineSchedule schedule : {PipelineSchedule::one_f_one_b, PipelineSchedule::gpipe}) {
    SCOPED_TRACE(to_string(schedule));
    TransformerConfig c = dense(2, 4, 2, 8);
    c.schedule = schedule;
    const Program program = make_transformer(c);
    const auto end = run_free(program);
    const sim::Time f = 2 * kLayerForward, b = 2 * f;  // per stage and micro-batch
    const sim::Time total = iteration_ps(end);
    EXPECT_EQ(total, (8 + 4 - 1) * (f + b));
    const double bubble = 1.0 - 8.0 * static_cast<double>(f + b) / static_cast<double>(total);
    EXPECT_NEAR(bubble, 3.0 / 11.0, 1e-12);
    for (std::uint32_t j = 0; j < 4; ++j) {
      const int in_flight = most_in_flight(task_order(program, rank_of(c.parallel, 0, j, 0)));
      EXPECT_EQ(in_flight, schedule == PipelineSchedule::gpipe ? 8 : static_cast<int>(4 - j));
    }
  }
}

// --- Compute times -----------------------------------------------------------------

// Derived: forward FLOPs 24bsh^2 (1 + s/(6h)) per layer (F = 4h) and 2bshV
// for the logits, / t, at peak * efficiency; backward twice that.
TEST(Transformer, ComputeTimesFromFlops) {
  TransformerConfig c;
  c.layers = 4;
  c.hidden_size = 4096;
  c.sequence_length = 2048;
  c.micro_batch_size = 1;
  c.global_batch_size = 1;
  c.vocabulary_size = 51'200;
  c.parallel = {8, 1, 1, 1};
  c.gpu_peak_tflops = 1000;
  c.compute_efficiency = 0.5;  // 500 FLOP per picosecond
  const Program program = make_transformer(c);
  const double b = 1, s = 2048, h = 4096;
  const double layer = 24 * b * s * h * h * (1 + s / (6 * h)) / 8 / 500;
  EXPECT_NEAR(static_cast<double>(compute_ps(program, 0, "fwd.mb0.l2.")), layer, 1.0);
  EXPECT_NEAR(static_cast<double>(compute_ps(program, 0, "bwd.mb0.l2.")), 2 * layer, 2.0);
  EXPECT_NEAR(static_cast<double>(compute_ps(program, 0, "fwd.mb0.logits")),
              2 * b * s * h * 51'200 / 8 / 500, 1.0);
  // MoE layers compute their top-k experts per token.
  c.moe.experts = 4;
  c.moe.top_k = 2;
  c.moe.layers = {1};
  const Program moe = make_transformer(c);
  const double attention = (8 * b * s * h * h + 4 * b * s * s * h) / 8 / 500;
  EXPECT_NEAR(static_cast<double>(compute_ps(moe, 0, "fwd.mb0.l1.")),
              attention + 2 * 16 * b * s * h * h / 8 / 500, 1.0);
  EXPECT_EQ(compute_ps(moe, 0, "fwd.mb0.l1."),
            compute_ps(moe, 0, "fwd.mb0.l1.attn") + compute_ps(moe, 0, "fwd.mb0.l1.experts"));
}

// Given: one forward time per layer, split between attention and MLP; the
// backward takes backward_factor times as long.
TEST(Transformer, GivenLayerTimes) {
  TransformerConfig c = dense(1, 2, 1, 2);
  c.layer_forward_ps.clear();
  for (sim::Time l = 1; l <= 8; ++l) c.layer_forward_ps.push_back(l * 100 * sim::kMicrosecond);
  c.backward_factor = 3;
  const Program program = make_transformer(c);
  for (std::uint32_t l = 0; l < 8; ++l) {
    const std::uint32_t rank = l < 4 ? 0 : 1;
    const std::string layer = ".l" + std::to_string(l) + ".";
    EXPECT_EQ(compute_ps(program, rank, "fwd.mb1" + layer), c.layer_forward_ps[l]);
    EXPECT_EQ(compute_ps(program, rank, "bwd.mb1" + layer), 3 * c.layer_forward_ps[l]);
    EXPECT_GT(compute_ps(program, rank, "fwd.mb1" + layer + "attn"), 0);
  }
}

// --- The benchmark's size -----------------------------------------------------------

// 1,024 GPUs, TP 8, PP 8, DP 16, 32 layers, 8 micro-batches: a well-formed
// program (its generation time is measured outside the unit tests).
TEST(Transformer, TheBenchmarkJobIsWellFormed) {
  TransformerConfig c;
  c.layers = 32;
  c.hidden_size = 8192;
  c.heads = 64;
  c.sequence_length = 4096;
  c.micro_batch_size = 1;
  c.global_batch_size = 128;  // 8 micro-batches per replica
  c.parallel = {8, 8, 16, 1};
  c.gpus = 1024;
  c.gpu_peak_tflops = 989;
  c.vocabulary_size = 128'000;
  c.sequence_parallel = true;
  const Program program = make_transformer(c);
  ASSERT_EQ(program.rank_count(), 1024u);
  std::size_t ops = 0;
  for (const RankProgram& rp : program.ranks) ops += rp.size();
  // Per rank: 8 micro-batches x 4 layers x (2 compute + 4 TP) x 2 ways, the
  // logits forward and backward (last stage), sends and receives, one DP
  // all-reduce.
  const std::size_t layers = 8 * 4 * 6 * 2;
  EXPECT_EQ(program.ranks[0].size(), layers + 2 * 8 + 1);
  EXPECT_EQ(program.ranks[rank_of(c.parallel, 0, 7, 0)].size(), layers + 2 * 8 + 2 * 8 + 1);
  EXPECT_EQ(program.ranks[rank_of(c.parallel, 0, 3, 0)].size(), layers + 4 * 8 + 1);
  EXPECT_EQ(ops, 128 * ((layers + 2 * 8 + 1) + 7 * (layers + 4 * 8 + 1)));
  expect_well_formed(program);
}

// --- Bad configurations -----------------------------------------------------------------

TEST(Transformer, BadConfigurationsNameTheirField) {
  struct Case {
    void (*change)(TransformerConfig&);
    const char* field;
    const char* says;
  };
  const std::vector<Case> cases = {
      {[](TransformerConfig& c) { c.gpus = 30; }, "parallel", "= 16 but the job has 30 GPUs"},
      {[](TransformerConfig& c) { c.parallel.tp = 3; }, "parallel.tp",
       "does not divide hidden_size"},
      {[](TransformerConfig& c) {
         c.hidden_size = 1536;
         c.heads = 20;
         c.parallel.tp = 3;
       },
       "parallel.tp", "does not divide heads (20)"},
      {[](TransformerConfig& c) {
         c.sequence_parallel = true;
         c.sequence_length = 511;
       },
       "parallel.tp", "sequence_parallel"},
      {[](TransformerConfig& c) { c.parallel.pp = 3; }, "parallel.pp", "does not divide layers"},
      {[](TransformerConfig& c) { c.global_batch_size = 2 * 2 * 3; }, "global_batch_size",
       "gives 3 micro-batches per iteration, fewer than parallel.pp (4)"},
      {[](TransformerConfig& c) { c.global_batch_size = 17; }, "global_batch_size",
       "multiple of micro_batch_size * dp = 4"},
      {[](TransformerConfig& c) { c.parallel.ep = 2; }, "parallel.ep", "needs moe.experts"},
      {[](TransformerConfig& c) {
         c.moe.experts = 8;
         c.parallel.ep = 4;
       },
       "parallel.ep", "does not divide parallel.dp (2)"},
      {[](TransformerConfig& c) {
         c.moe.experts = 6;
         c.parallel.dp = 4;
         c.global_batch_size = 32;
         c.parallel.ep = 4;
       },
       "parallel.ep", "does not divide moe.experts (6)"},
      {[](TransformerConfig& c) {
         c.moe.experts = 4;
         c.moe.top_k = 5;
       },
       "moe.top_k", "between 1 and moe.experts"},
      {[](TransformerConfig& c) {
         c.moe.experts = 4;
         c.moe.layers = {8};
       },
       "moe.layers", "layer 8 is not below layers (8)"},
      {[](TransformerConfig& c) { c.dp_buckets = 3; }, "dp_buckets", "layers of a stage (2)"},
      {[](TransformerConfig& c) {
         c.layer_forward_ps = {1, 2, 3};
       },
       "layer_forward_ps", "3 values for 8 layers"},
      {[](TransformerConfig& c) { c.layer_forward_ps.clear(); }, "layer_forward_ps",
       "gpu_peak_tflops"},
      {[](TransformerConfig& c) { c.gpu_peak_tflops = 900; }, "gpu_peak_tflops", "not both"},
      {[](TransformerConfig& c) { c.hidden_size = 1U << 25; }, "hidden_size", "at most 2^24"},
      {[](TransformerConfig& c) { c.layer_forward_ps = {sim::Time{1} << 60}; }, "layer_forward_ps",
       "would not fit in simulated time"},
      {[](TransformerConfig& c) { c.precision_bytes = 3; }, "precision_bytes", "1, 2 or 4"},
      {[](TransformerConfig& c) { c.dp_allreduce = Collective::all_gather; }, "dp_allreduce",
       "all_gather is not an all-reduce"},
      {[](TransformerConfig& c) { c.global_batch_size = 2'000'000'000; }, "global_batch_size",
       "more than a run can hold"},
  };
  ASSERT_FALSE(check(dense(2, 4, 2, 4)).has_value());
  for (const Case& k : cases) {
    TransformerConfig c = dense(2, 4, 2, 4);
    k.change(c);
    const auto p = check(c);
    ASSERT_TRUE(p.has_value()) << k.field;
    EXPECT_EQ(p->field, k.field) << p->message;
    EXPECT_NE(p->message.find(k.says), std::string::npos) << p->message;
    try {
      (void)make_transformer(c);
      ADD_FAILURE() << "no error for " << k.field;
    } catch (const TransformerConfigError& e) {
      EXPECT_EQ(e.problem().field, p->field);
      EXPECT_EQ(std::string(e.what()), p->field + ": " + p->message);
    }
  }
}

}  // namespace
}  // namespace spinel::workloads::graph
