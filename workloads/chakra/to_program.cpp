// Rank files -> one graph::Program: each rank's nodes in dependency order,
// skipped nodes bridged, collectives on their communicators, and the checks
// across ranks that name the files and nodes (graph::validate would name op
// indices only).
#include <algorithm>
#include <functional>
#include <map>
#include <queue>
#include <set>
#include <tuple>
#include <unordered_map>

#include "workloads/chakra/rank_nodes.hpp"

namespace spinel::workloads::chakra {

namespace {

using graph::Op;
using graph::OpKind;
using u32 = std::uint32_t;
using u64 = std::uint64_t;

constexpr u32 kMaxJobRanks = 1u << 20;
constexpr u32 kSkipped = ~0u;
constexpr u64 kMaxScaledBytes = 1ULL << 56;
// Dependencies carried through skipped nodes, summed over a rank (a guard
// against files built to blow them up).
constexpr u64 kMaxBridgedDeps = 50'000'000;

std::string node_at(const RankNodes& r, const RankNode& n) {
  return r.path + ": node " + std::to_string(n.id) + " (byte offset " + std::to_string(n.offset) +
         ")";
}

// The nodes of one rank in an order where every node comes after its
// dependencies, file order among the ready ones (so the issue order of
// collectives is the file's when the file is already in order).
std::vector<u32> dependency_order(const RankNodes& r) {
  const auto n = static_cast<u32>(r.nodes.size());
  std::unordered_map<u64, u32> index;
  index.reserve(n);
  for (u32 i = 0; i < n; ++i) {
    const auto [it, fresh] = index.emplace(r.nodes[i].id, i);
    if (!fresh) {
      throw ChakraError(node_at(r, r.nodes[i]) + ": node id " + std::to_string(r.nodes[i].id) +
                        " is used twice (first at byte offset " +
                        std::to_string(r.nodes[it->second].offset) + ")");
    }
  }
  std::vector<u32> waiting(n, 0);
  std::vector<u32> child_begin(n + 1, 0);
  std::vector<u32> deps_of;  // per node, its dependencies as indices (CSR by node)
  std::vector<u32> dep_begin(n + 1, 0);
  for (u32 i = 0; i < n; ++i) {
    for (const u64 d : r.nodes[i].deps) {
      const auto it = index.find(d);
      if (it == index.end()) {
        throw ChakraError(node_at(r, r.nodes[i]) + ": depends on node " + std::to_string(d) +
                          ", which the file does not have");
      }
      deps_of.push_back(it->second);
      ++child_begin[it->second + 1];
      ++waiting[i];
    }
    dep_begin[i + 1] = static_cast<u32>(deps_of.size());
  }
  for (u32 i = 0; i < n; ++i) child_begin[i + 1] += child_begin[i];
  std::vector<u32> children(deps_of.size());
  {
    std::vector<u32> fill(child_begin.begin(), child_begin.end() - 1);
    for (u32 i = 0; i < n; ++i) {
      for (u32 k = dep_begin[i]; k < dep_begin[i + 1]; ++k) children[fill[deps_of[k]]++] = i;
    }
  }
  std::priority_queue<u32, std::vector<u32>, std::greater<>> ready;
  for (u32 i = 0; i < n; ++i) {
    if (waiting[i] == 0) ready.push(i);
  }
  std::vector<u32> order;
  order.reserve(n);
  while (!ready.empty()) {
    const u32 i = ready.top();
    ready.pop();
    order.push_back(i);
    for (u32 k = child_begin[i]; k < child_begin[i + 1]; ++k) {
      if (--waiting[children[k]] == 0) ready.push(children[k]);
    }
  }
  if (order.size() == n) return order;
  // A cycle: walk back from a node left waiting along waiting dependencies
  // until a node repeats.
  u32 at = 0;
  while (waiting[at] == 0) ++at;
  std::vector<u32> seen(n, kSkipped);
  std::vector<u32> path;
  while (seen[at] == kSkipped) {
    seen[at] = static_cast<u32>(path.size());
    path.push_back(at);
    for (u32 k = dep_begin[at]; k < dep_begin[at + 1]; ++k) {
      if (waiting[deps_of[k]] != 0) {
        at = deps_of[k];
        break;
      }
    }
  }
  std::string cycle;
  const std::size_t first = seen[at];
  for (std::size_t k = first; k < path.size() && k < first + 8; ++k) {
    cycle += std::to_string(r.nodes[path[k]].id) + " <- ";
  }
  if (path.size() - first > 8) cycle += "... <- ";
  cycle += std::to_string(r.nodes[at].id);
  throw ChakraError(r.path + ": node " + std::to_string(r.nodes[at].id) +
                    ": a cycle of dependencies (each node waits for the next: " + cycle + ")");
}

struct GroupKey {
  std::string key;  // RankNode::group
  u32 index = 0;    // which group of a dimension mask
  bool operator<(const GroupKey& o) const {
    return std::tie(key, index) < std::tie(o.key, o.index);
  }
};

class Builder {
 public:
  Builder(std::vector<RankNodes> ranks, const ChakraOptions& options)
      : ranks_(std::move(ranks)), options_(options), traced_(static_cast<u32>(ranks_.size())) {}

  graph::Program build(const std::string& prefix) {
    find_pg_members();
    std::vector<graph::RankProgram> traced(traced_);
    node_of_.resize(traced_);
    for (u32 r = 0; r < traced_; ++r) traced[r] = rank_program(r);
    check_collectives(traced);
    check_point_to_point(traced);
    const u32 copies = options_.replicate;
    program_.ranks.resize(std::size_t{traced_} * copies);
    for (u32 c = 0; c < copies; ++c) {
      for (u32 r = 0; r < traced_; ++r) {
        graph::RankProgram& out = program_.ranks[c * traced_ + r];
        out = c + 1 == copies ? std::move(traced[r]) : traced[r];
        for (Op& op : out.ops) {
          if (op.kind == OpKind::send || op.kind == OpKind::recv) op.peer += c * traced_;
        }
      }
    }
    if (const std::string e = graph::validate(program_); !e.empty()) {
      throw ChakraError(prefix + ": " + e);
    }
    return std::move(program_);
  }

 private:
  // pg_name groups are the ranks whose traces use the name.
  void find_pg_members() {
    for (u32 r = 0; r < traced_; ++r) {
      for (const RankNode& n : ranks_[r].nodes) {
        if (n.role == NodeRole::collective && n.group.rfind("pg:", 0) == 0) {
          auto& members = pg_members_[n.group];
          if (members.empty() || members.back() != r) members.push_back(r);
        }
      }
    }
  }

  // The communicator of traced rank r's collective node n, made on first use.
  u32 communicator(u32 r, const RankNode& n) {
    std::vector<u32> traced_members;
    GroupKey key{n.group, 0};
    std::string name;
    // Every rank's collectives on world or a pg_name are on one group.
    if (n.group.rfind("dim:", 0) != 0) {
      const auto known = groups_.find(key);
      if (known != groups_.end()) return known->second;
    }
    if (n.group.empty()) {
      name = "world";
      traced_members.resize(traced_);
      for (u32 i = 0; i < traced_; ++i) traced_members[i] = i;
    } else if (n.group.rfind("pg:", 0) == 0) {
      name = n.group.substr(3);
      std::replace(name.begin(), name.end(), ',', '_');
      traced_members = pg_members_.at(n.group);
    } else {
      traced_members = dimension_group(r, n, key.index, name);
    }
    const auto it = groups_.find(key);
    if (it != groups_.end()) return it->second;
    std::vector<u32> members;
    for (u32 c = 0; c < options_.replicate; ++c) {
      for (const u32 m : traced_members) members.push_back(c * traced_ + m);
    }
    const auto index = static_cast<u32>(program_.communicators.size());
    program_.communicators.push_back(graph::Communicator{name, std::move(members)});
    groups_.emplace(key, index);
    return index;
  }

  // involved_dim: the ranks that share r's coordinates in the dimensions not involved.
  std::vector<u32> dimension_group(u32 r, const RankNode& n, u32& index, std::string& name) const {
    const std::string mask = n.group.substr(4);
    const auto& dims = options_.dimensions;
    const std::string where = node_at(ranks_[r], n);
    if (dims.empty()) {
      throw ChakraError(where + ": involved_dim [" + mask +
                        "] spans only some of the network's dimensions; give their sizes "
                        "(the workload's dimensions key) to say which ranks that is");
    }
    if (mask.size() != dims.size()) {
      throw ChakraError(where + ": involved_dim has " + std::to_string(mask.size()) +
                        " entries, the network " + std::to_string(dims.size()) + " dimensions");
    }
    std::vector<u32> coordinate(dims.size());
    u32 rest = r;
    for (std::size_t d = 0; d < dims.size(); ++d) {
      coordinate[d] = rest % dims[d];
      rest /= dims[d];
    }
    name = "dim";
    index = 0;
    for (std::size_t d = dims.size(); d-- > 0;) {
      if (mask[d] == '0') index = index * dims[d] + coordinate[d];
    }
    for (std::size_t d = 0; d < dims.size(); ++d) {
      if (mask[d] == '1') name += std::to_string(d);
    }
    name += "." + std::to_string(index);
    std::vector<u32> members;
    for (u32 m = 0; m < traced_; ++m) {
      u32 left = m;
      bool same = true;
      for (std::size_t d = 0; d < dims.size(); ++d) {
        if (mask[d] == '0' && left % dims[d] != coordinate[d]) same = false;
        left /= dims[d];
      }
      if (same) members.push_back(m);
    }
    return members;
  }

  u32 label(const std::string& text) {
    const auto [it, fresh] = labels_.emplace(text, static_cast<u32>(program_.labels.size()));
    if (fresh) program_.labels.push_back(text);
    return it->second;
  }

  graph::RankProgram rank_program(u32 r) {
    const RankNodes& rank = ranks_[r];
    const std::vector<u32> order = dependency_order(rank);
    const auto n = static_cast<u32>(rank.nodes.size());
    std::vector<u32> op_of(n, kSkipped);
    std::vector<std::vector<u32>> bridged(n);  // a skipped node's nearest kept ancestors
    std::unordered_map<u64, u32> index;
    index.reserve(n);
    for (u32 i = 0; i < n; ++i) index.emplace(rank.nodes[i].id, i);
    graph::RankProgram out;
    out.ops.reserve(n);
    std::vector<u32> after;
    u64 bridged_total = 0;
    for (const u32 i : order) {
      const RankNode& node = rank.nodes[i];
      after.clear();
      for (const u64 d : node.deps) {
        const u32 j = index.at(d);
        if (op_of[j] != kSkipped) {
          after.push_back(op_of[j]);
        } else {
          after.insert(after.end(), bridged[j].begin(), bridged[j].end());
        }
      }
      std::sort(after.begin(), after.end());
      after.erase(std::unique(after.begin(), after.end()), after.end());
      if (node.role == NodeRole::skipped) {
        bridged_total += after.size();
        if (bridged_total > kMaxBridgedDeps) {
          throw ChakraError(node_at(rank, node) + ": more than " + std::to_string(kMaxBridgedDeps) +
                            " dependencies through skipped nodes in this file");
        }
        bridged[i] = after;
        continue;
      }
      op_of[i] = out.add(op(r, node), after);
      node_of_[r].push_back(i);
    }
    return out;
  }

  Op op(u32 r, const RankNode& node) {
    Op op;
    op.label = label(node.name);
    op.size_bytes = node.comm_size;
    switch (node.role) {
      case NodeRole::compute:
        op.kind = OpKind::compute;
        op.duration_ps = static_cast<sim::Time>(node.duration_us) * sim::kMicrosecond;
        break;
      case NodeRole::collective: {
        op.kind = OpKind::collective;
        op.collective = node.collective;
        op.communicator = communicator(r, node);
        const u64 members = program_.communicators[op.communicator].ranks.size();
        if (node.per_member_size) {
          if (node.comm_size > kMaxScaledBytes / members) {
            throw ChakraError(node_at(ranks_[r], node) + ": comm_size " +
                              std::to_string(node.comm_size) + " times " + std::to_string(members) +
                              " ranks is too large");
          }
          op.size_bytes = node.comm_size * members;
        }
        break;
      }
      case NodeRole::send:
      case NodeRole::recv:
        op.kind = node.role == NodeRole::send ? OpKind::send : OpKind::recv;
        op.peer = node.peer;
        op.tag = node.tag;
        break;
      case NodeRole::skipped:
        break;
    }
    return op;
  }

  const RankNode& node(u32 r, u32 op) const { return ranks_[r].nodes[node_of_[r][op]]; }

  std::string describe(const Op& op) const {
    return std::string(to_string(op.collective)) + " of " + std::to_string(op.size_bytes) +
           " bytes";
  }

  // The k-th collective of every member of a group is the same collective.
  void check_collectives(const std::vector<graph::RankProgram>& traced) const {
    std::map<std::pair<u32, u32>, std::vector<u32>> calls;  // (communicator, rank) -> ops
    for (u32 r = 0; r < traced_; ++r) {
      for (u32 i = 0; i < traced[r].ops.size(); ++i) {
        const Op& op = traced[r].ops[i];
        if (op.kind == OpKind::collective) calls[{op.communicator, r}].push_back(i);
      }
    }
    for (u32 c = 0; c < program_.communicators.size(); ++c) {
      const graph::Communicator& comm = program_.communicators[c];
      const u32 first = comm.ranks.front();
      const std::vector<u32>& want = calls[{c, first}];
      for (const u32 m : comm.ranks) {
        if (m >= traced_ || m == first) continue;
        const std::vector<u32>& got = calls[{c, m}];
        const std::size_t common = std::min(want.size(), got.size());
        for (std::size_t k = 0; k < common; ++k) {
          const Op& a = traced[first].ops[want[k]];
          const Op& b = traced[m].ops[got[k]];
          if (a.collective != b.collective || a.size_bytes != b.size_bytes) {
            throw ChakraError(node_at(ranks_[m], node(m, got[k])) + ": collective " +
                              std::to_string(k + 1) + " on group " + comm.name + " is " +
                              describe(b) + ", but rank " + std::to_string(first) + "'s (" +
                              node_at(ranks_[first], node(first, want[k])) + ") is " + describe(a) +
                              "; the k-th collective of a group must be the same on every member");
          }
        }
        if (want.size() != got.size()) {
          const bool more = got.size() > want.size();
          const u32 r = more ? m : first;
          const auto& list = more ? got : want;
          throw ChakraError(node_at(ranks_[r], node(r, list[common])) + ": rank " +
                            std::to_string(r) + " calls " + std::to_string(list.size()) +
                            " collectives on group " + comm.name + ", rank " +
                            std::to_string(more ? first : m) + " only " + std::to_string(common) +
                            "; this one has no partner");
        }
      }
    }
  }

  // The k-th send from a to b with tag t pairs with the k-th receive at b
  // from a with tag t, of the same size.
  void check_point_to_point(const std::vector<graph::RankProgram>& traced) const {
    using Key = std::tuple<u32, u32, u32>;                  // src, dst, tag
    std::map<Key, std::vector<std::pair<u32, u32>>> sends;  // (rank, op)
    std::map<Key, std::vector<std::pair<u32, u32>>> recvs;
    for (u32 r = 0; r < traced_; ++r) {
      for (u32 i = 0; i < traced[r].ops.size(); ++i) {
        const Op& op = traced[r].ops[i];
        if (op.kind == OpKind::send) sends[{r, op.peer, op.tag}].emplace_back(r, i);
        if (op.kind == OpKind::recv) recvs[{op.peer, r, op.tag}].emplace_back(r, i);
      }
    }
    auto unmatched = [&](const std::pair<u32, u32>& at, const Key& key, bool send) {
      const auto [src, dst, tag] = key;
      throw ChakraError(node_at(ranks_[at.first], node(at.first, at.second)) +
                        (send ? ": a send to rank " + std::to_string(dst)
                              : ": a receive from rank " + std::to_string(src)) +
                        " (tag " + std::to_string(tag) + ") that rank " +
                        std::to_string(send ? dst : src) + "'s trace has no matching " +
                        (send ? "receive" : "send") + " for (the k-th send pairs with the k-th " +
                        "receive of the same ranks and tag)");
    };
    for (const auto& [key, list] : sends) {
      const auto it = recvs.find(key);
      const std::size_t matched = it == recvs.end() ? 0 : std::min(list.size(), it->second.size());
      for (std::size_t k = 0; k < matched; ++k) {
        const auto [sr, si] = list[k];
        const auto [rr, ri] = it->second[k];
        const u64 sent = traced[sr].ops[si].size_bytes;
        const u64 expected = traced[rr].ops[ri].size_bytes;
        if (sent != expected) {
          throw ChakraError(node_at(ranks_[rr], node(rr, ri)) + ": receives " +
                            std::to_string(expected) + " bytes, but its send (" +
                            node_at(ranks_[sr], node(sr, si)) + ") sends " + std::to_string(sent));
        }
      }
      if (matched < list.size()) unmatched(list[matched], key, true);
    }
    for (const auto& [key, list] : recvs) {
      const auto it = sends.find(key);
      const std::size_t matched = it == sends.end() ? 0 : it->second.size();
      if (matched < list.size()) unmatched(list[matched], key, false);
    }
  }

  std::vector<RankNodes> ranks_;
  const ChakraOptions& options_;
  u32 traced_;
  graph::Program program_;
  std::map<std::string, std::vector<u32>> pg_members_;
  std::map<GroupKey, u32> groups_;
  std::unordered_map<std::string, u32> labels_{{"", 0}};
  std::vector<std::vector<u32>> node_of_;  // per traced rank, op -> node index
};

}  // namespace

Trace read_trace(const std::string& prefix, const ChakraOptions& options) {
  const std::vector<std::string> files = trace_files(prefix);
  const auto traced = static_cast<u32>(files.size());
  if (options.replicate == 0 || u64{traced} * options.replicate > kMaxJobRanks) {
    throw ChakraError(prefix + ": replicate " + std::to_string(options.replicate) + " times " +
                      std::to_string(traced) + " traced ranks is not from 1 to " +
                      std::to_string(kMaxJobRanks) + " ranks");
  }
  if (!options.dimensions.empty()) {
    u64 product = 1;
    for (const u32 d : options.dimensions) {
      product *= d;  // at most 2^20 * 2^32 before the next check
      if (product > kMaxJobRanks) break;
    }
    if (options.replicate != 1 || product != traced) {
      throw ChakraError(
          prefix + ": the dimensions' sizes multiply to " + std::to_string(product) +
          ", but the trace has " + std::to_string(traced) + " ranks" +
          (options.replicate != 1 ? " (and dimensions do not go with replicate)" : ""));
    }
  }
  Trace trace;
  trace.stats.traced_ranks = traced;
  std::vector<RankNodes> ranks;
  ranks.reserve(traced);
  for (u32 r = 0; r < traced; ++r)
    ranks.push_back(read_rank_nodes(files[r], r, traced, trace.stats));
  trace.stats.version = ranks.front().version;
  trace.program = Builder(std::move(ranks), options).build(prefix);
  return trace;
}

}  // namespace spinel::workloads::chakra
