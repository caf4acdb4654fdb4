#include "workloads/graph/spmd.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "sim/error.hpp"

namespace spinel::workloads::graph {

namespace {

// Per rank, the communicator it uses for each group name or kind.
struct GroupIndex {
  // group kind or name -> per rank, communicator index (or kNoCommunicator)
  std::map<std::string, std::vector<std::uint32_t>> of;

  GroupIndex(std::uint32_t ranks, const std::vector<Communicator>& groups) {
    for (std::uint32_t c = 0; c < groups.size(); ++c) {
      for (const std::string& key : {groups[c].name, group_kind(groups[c].name)}) {
        auto& per_rank = of.try_emplace(key, ranks, kNoCommunicator).first->second;
        for (const std::uint32_t r : groups[c].ranks) per_rank[r] = c;
      }
    }
  }
};

}  // namespace

Program make_spmd(std::uint32_t ranks, const std::vector<Communicator>& groups,
                  const std::vector<OpTemplate>& ops) {
  Program p;
  p.communicators = groups;
  p.ranks.resize(ranks);
  const GroupIndex index(ranks, groups);
  // Tags of sends and receives: the k-th of (group, direction) is tag k there.
  std::vector<std::uint32_t> tag(ops.size(), 0);
  {
    // (is a send, group, direction of the data), counted apart for sends and receives.
    std::map<std::tuple<bool, std::string, int>, std::uint32_t> count;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const OpTemplate& t = ops[i];
      if (t.kind == OpKind::send) tag[i] = count[{true, t.group, t.direction}]++;
      if (t.kind == OpKind::recv) tag[i] = count[{false, t.group, -t.direction}]++;
    }
  }
  std::vector<std::uint32_t> matrix(ops.size(), kNoMatrix);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].matrix_bytes.empty()) continue;
    matrix[i] = static_cast<std::uint32_t>(p.matrices.size());
    p.matrices.push_back(ops[i].matrix_bytes);
  }
  std::vector<std::uint32_t> labels(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    labels[i] = p.label(ops[i].name.empty() ? "op" + std::to_string(i) : ops[i].name);
  }
  // Per rank: each template's op index, or (skipped) the ops it stands for.
  std::vector<std::vector<std::uint32_t>> stands_for(ops.size());
  std::vector<std::uint32_t> after;
  for (std::uint32_t r = 0; r < ranks; ++r) {
    RankProgram& rp = p.ranks[r];
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const OpTemplate& t = ops[i];
      after.clear();
      if (t.after) {
        for (const std::uint32_t a : *t.after) {
          after.insert(after.end(), stands_for[a].begin(), stands_for[a].end());
        }
      } else if (i > 0) {
        after = stands_for[i - 1];
      }
      std::sort(after.begin(), after.end());
      after.erase(std::unique(after.begin(), after.end()), after.end());
      Op op;
      op.kind = t.kind;
      op.label = labels[i];
      op.duration_ps = t.duration_ps;
      op.collective = t.collective;
      op.size_bytes = t.size_bytes;
      op.root = t.root;
      op.matrix = matrix[i];
      bool skip = false;
      if (t.kind != OpKind::compute) {
        const auto it = index.of.find(t.group);
        if (it == index.of.end()) throw sim::InternalError("spmd: unknown group " + t.group);
        op.communicator = it->second[r];
        skip = op.communicator == kNoCommunicator;
      }
      if (!skip && (t.kind == OpKind::send || t.kind == OpKind::recv)) {
        const auto& members = groups[op.communicator].ranks;
        const auto pos = static_cast<std::int64_t>(std::find(members.begin(), members.end(), r) -
                                                   members.begin());
        const std::int64_t peer = pos + t.direction;
        skip = peer < 0 || peer >= static_cast<std::int64_t>(members.size());
        if (!skip) {
          op.peer = members[static_cast<std::size_t>(peer)];
          op.tag = tag[i];
        }
      }
      if (skip) {
        stands_for[i] = after;
      } else {
        stands_for[i].assign(1, rp.add(op, after));
      }
    }
  }
  return p;
}

}  // namespace spinel::workloads::graph
