#include "workloads/graph/program.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "sim/error.hpp"

namespace spinel::workloads::graph {

std::uint32_t RankProgram::add(const Op& op, std::initializer_list<std::uint32_t> after) {
  return add(op, std::vector<std::uint32_t>(after));
}

std::uint32_t RankProgram::add(const Op& op, const std::vector<std::uint32_t>& after) {
  const auto index = static_cast<std::uint32_t>(ops.size());
  ops.push_back(op);
  deps.insert(deps.end(), after.begin(), after.end());
  dep_begin.push_back(static_cast<std::uint32_t>(deps.size()));
  return index;
}

std::uint32_t Program::communicator(const std::string& name, std::vector<std::uint32_t> members) {
  for (std::size_t i = 0; i < communicators.size(); ++i) {
    if (communicators[i].name == name) return static_cast<std::uint32_t>(i);
  }
  communicators.push_back(Communicator{name, std::move(members)});
  return static_cast<std::uint32_t>(communicators.size() - 1);
}

std::uint32_t Program::label(const std::string& text) {
  // Front-ends add labels in runs of the same few texts: look from the end.
  for (std::size_t i = labels.size(); i-- > 0;) {
    if (labels[i] == text) return static_cast<std::uint32_t>(i);
  }
  labels.push_back(text);
  return static_cast<std::uint32_t>(labels.size() - 1);
}

std::size_t Program::op_count() const {
  std::size_t n = 0;
  for (const RankProgram& r : ranks) n += r.size();
  return n;
}

Program repeat(const Program& once, std::uint32_t times) {
  Program p;
  p.communicators = once.communicators;
  p.labels = once.labels;
  p.matrices = once.matrices;
  p.iterations = once.iterations * times;
  p.iteration_gap_ps = once.iteration_gap_ps;
  p.connection_per_tag = once.connection_per_tag;
  for (const RankProgram& r : once.ranks) {
    for (const Op& op : r.ops) {
      if (op.needs != 0 && times > 1) {
        throw sim::InternalError(
            "graph: a program with ops that need some of their "
            "dependencies is not repeated");
      }
    }
  }
  p.ranks.resize(once.ranks.size());
  for (std::uint32_t k = 0; k < times; ++k) {
    for (const CrossDependency& d : once.cross_deps) {
      p.cross_deps.push_back(CrossDependency{
          d.rank, d.op + k * static_cast<std::uint32_t>(once.ranks[d.rank].size()), d.on_rank,
          d.on_op + k * static_cast<std::uint32_t>(once.ranks[d.on_rank].size())});
    }
  }
  for (std::size_t r = 0; r < once.ranks.size(); ++r) {
    const RankProgram& one = once.ranks[r];
    const auto n = static_cast<std::uint32_t>(one.size());
    std::vector<std::uint8_t> waited_on(n, 0);
    for (const std::uint32_t d : one.deps) waited_on[d] = 1;
    std::vector<std::uint32_t> sinks;
    for (std::uint32_t i = 0; i < n; ++i) {
      if (waited_on[i] == 0) sinks.push_back(i);
    }
    RankProgram& out = p.ranks[r];
    out.ops.reserve(std::size_t{n} * times);
    std::vector<std::uint32_t> after;
    for (std::uint32_t k = 0; k < times; ++k) {
      const std::uint32_t base = k * n;
      for (std::uint32_t i = 0; i < n; ++i) {
        after.clear();
        for (std::uint32_t d = one.dep_begin[i]; d < one.dep_begin[i + 1]; ++d) {
          after.push_back(base + one.deps[d]);
        }
        if (after.empty() && k > 0) {
          for (const std::uint32_t s : sinks) after.push_back(base - n + s);
        }
        out.add(one.ops[i], after);
      }
    }
  }
  return p;
}

std::string group_kind(const std::string& communicator) {
  return communicator.substr(0, communicator.find('.'));
}

namespace {

std::string where(std::uint32_t rank, std::uint32_t op) {
  return "rank " + std::to_string(rank) + " op " + std::to_string(op);
}

// Each communicator's members must issue the same collectives in the same
// order: the k-th of every member is one instance.
std::string check_collectives(const Program& p) {
  const std::uint32_t n = p.rank_count();
  std::vector<std::vector<std::uint32_t>> member_of(n);  // rank -> communicators
  for (std::uint32_t c = 0; c < p.communicators.size(); ++c) {
    const Communicator& comm = p.communicators[c];
    if (comm.ranks.empty()) return "communicator " + comm.name + " has no ranks";
    std::vector<std::uint32_t> sorted = comm.ranks;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      return "communicator " + comm.name + " lists a rank twice";
    }
    if (sorted.back() >= n) {
      return "communicator " + comm.name + " names rank " + std::to_string(sorted.back()) +
             " but the job has " + std::to_string(n);
    }
    for (const std::uint32_t r : comm.ranks) member_of[r].push_back(c);
  }
  // Per communicator and member (by job rank), its collectives in program order.
  std::vector<std::vector<std::vector<const Op*>>> calls(p.communicators.size());
  for (auto& per_rank : calls) per_rank.resize(n);
  for (std::uint32_t r = 0; r < n; ++r) {
    const RankProgram& prog = p.ranks[r];
    for (std::uint32_t i = 0; i < prog.size(); ++i) {
      const Op& op = prog.ops[i];
      if (op.kind != OpKind::collective) continue;
      if (op.communicator >= p.communicators.size()) {
        return where(r, i) + ": no communicator " + std::to_string(op.communicator);
      }
      const auto& groups = member_of[r];
      if (std::find(groups.begin(), groups.end(), op.communicator) == groups.end()) {
        return where(r, i) + ": a collective on communicator " +
               p.communicators[op.communicator].name + ", which the rank is not in";
      }
      const std::size_t members = p.communicators[op.communicator].ranks.size();
      if (op.root >= members) {
        return where(r, i) + ": root " + std::to_string(op.root) + " on communicator " +
               p.communicators[op.communicator].name + " of " + std::to_string(members) + " ranks";
      }
      if ((op.collective == Collective::all_to_allv) != (op.matrix != kNoMatrix)) {
        return where(r, i) + ": an all_to_allv needs a size matrix, and only it has one";
      }
      if (op.matrix != kNoMatrix) {
        if (op.matrix >= p.matrices.size()) return where(r, i) + ": no such size matrix";
        const auto& m = p.matrices[op.matrix];
        if (m.size() != members || std::any_of(m.begin(), m.end(), [&](const auto& row) {
              return row.size() != members;
            })) {
          return where(r, i) + ": its size matrix is not " + std::to_string(members) + " x " +
                 std::to_string(members) + ", the size of communicator " +
                 p.communicators[op.communicator].name;
        }
      }
      calls[op.communicator][r].push_back(&op);
    }
  }
  for (std::uint32_t c = 0; c < p.communicators.size(); ++c) {
    const Communicator& comm = p.communicators[c];
    const std::uint32_t first_rank = comm.ranks.front();
    const auto& first = calls[c][first_rank];
    for (const std::uint32_t r : comm.ranks) {
      const auto& own = calls[c][r];
      if (own.size() != first.size()) {
        return "communicator " + comm.name + ": rank " + std::to_string(r) + " calls " +
               std::to_string(own.size()) + " collectives on it, rank " +
               std::to_string(first_rank) + " calls " + std::to_string(first.size());
      }
      for (std::size_t k = 0; k < own.size(); ++k) {
        if (own[k]->root != first[k]->root || own[k]->matrix != first[k]->matrix) {
          return "communicator " + comm.name + ": collective " + std::to_string(k) + " of rank " +
                 std::to_string(r) + " has another root or size matrix than rank " +
                 std::to_string(first_rank) + "'s";
        }
        if (own[k]->collective != first[k]->collective ||
            own[k]->size_bytes != first[k]->size_bytes) {
          return "communicator " + comm.name + ": collective " + std::to_string(k) + " of rank " +
                 std::to_string(r) + " (" + std::string(to_string(own[k]->collective)) + ", " +
                 std::to_string(own[k]->size_bytes) + " bytes) differs from rank " +
                 std::to_string(first_rank) + "'s (" +
                 std::string(to_string(first[k]->collective)) + ", " +
                 std::to_string(first[k]->size_bytes) + " bytes)";
        }
      }
    }
  }
  return "";
}

// Sends and receives pair up by (src, dst, tag), in order, with equal sizes.
std::string check_point_to_point(const Program& p) {
  using Key = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>;
  std::map<Key, std::vector<std::pair<std::uint32_t, std::uint64_t>>> sends;
  std::map<Key, std::vector<std::pair<std::uint32_t, std::uint64_t>>> recvs;
  for (std::uint32_t r = 0; r < p.rank_count(); ++r) {
    const RankProgram& prog = p.ranks[r];
    for (std::uint32_t i = 0; i < prog.size(); ++i) {
      const Op& op = prog.ops[i];
      if (op.kind != OpKind::send && op.kind != OpKind::recv) continue;
      if (op.communicator != kNoCommunicator && op.communicator >= p.communicators.size()) {
        return where(r, i) + ": no communicator " + std::to_string(op.communicator);
      }
      if (op.peer >= p.rank_count() || op.peer == r) {
        return where(r, i) + ": " + to_string(op.kind) + " with peer " + std::to_string(op.peer) +
               " (ranks are 0.." + std::to_string(p.rank_count() - 1) + ", not the rank itself)";
      }
      if (op.kind == OpKind::send) {
        sends[{r, op.peer, op.tag}].emplace_back(i, op.size_bytes);
      } else {
        recvs[{op.peer, r, op.tag}].emplace_back(i, op.size_bytes);
      }
    }
  }
  for (const auto& [key, list] : sends) {
    const auto& [src, dst, tag] = key;
    const auto it = recvs.find(key);
    const std::size_t matched = it == recvs.end() ? 0 : it->second.size();
    if (matched < list.size()) {
      return where(src, list[matched].first) + ": a send to rank " + std::to_string(dst) +
             " (tag " + std::to_string(tag) + ") that rank " + std::to_string(dst) +
             " never receives";
    }
    for (std::size_t k = 0; k < list.size(); ++k) {
      if (list[k].second != it->second[k].second) {
        return where(src, list[k].first) + ": sends " + std::to_string(list[k].second) +
               " bytes to rank " + std::to_string(dst) + ", whose matching receive (op " +
               std::to_string(it->second[k].first) + ") expects " +
               std::to_string(it->second[k].second);
      }
    }
  }
  for (const auto& [key, list] : recvs) {
    const auto& [src, dst, tag] = key;
    const auto it = sends.find(key);
    const std::size_t matched = it == sends.end() ? 0 : it->second.size();
    if (matched < list.size()) {
      return where(dst, list[matched].first) + ": a receive from rank " + std::to_string(src) +
             " (tag " + std::to_string(tag) + ") that rank " + std::to_string(src) + " never sends";
    }
  }
  return "";
}

// Cross dependencies name ops that exist; `needs` is at most what an op
// waits for.
std::string check_cross_dependencies(const Program& p) {
  const std::uint32_t n = p.rank_count();
  std::vector<std::vector<std::uint32_t>> waits(n);  // per rank and op: its dependencies
  for (std::uint32_t r = 0; r < n; ++r) {
    const RankProgram& prog = p.ranks[r];
    waits[r].resize(prog.size());
    for (std::uint32_t i = 0; i < prog.size(); ++i) {
      waits[r][i] = prog.dep_begin[i + 1] - prog.dep_begin[i];
    }
  }
  for (const CrossDependency& d : p.cross_deps) {
    if (d.rank >= n || d.op >= p.ranks[d.rank].size() || d.on_rank >= n ||
        d.on_op >= p.ranks[d.on_rank].size()) {
      return "a cross dependency of rank " + std::to_string(d.rank) + " op " +
             std::to_string(d.op) + " on rank " + std::to_string(d.on_rank) + " op " +
             std::to_string(d.on_op) + ", which does not exist";
    }
    ++waits[d.rank][d.op];
  }
  for (std::uint32_t r = 0; r < n; ++r) {
    for (std::uint32_t i = 0; i < p.ranks[r].size(); ++i) {
      if (p.ranks[r].ops[i].needs > waits[r][i]) {
        return where(r, i) + ": needs " + std::to_string(p.ranks[r].ops[i].needs) +
               " of its dependencies, but has " + std::to_string(waits[r][i]);
      }
    }
  }
  return "";
}

}  // namespace

std::string validate(const Program& p) {
  if (p.iterations == 0) return "a program of no iterations";
  for (std::uint32_t r = 0; r < p.rank_count(); ++r) {
    const RankProgram& prog = p.ranks[r];
    if (prog.size() % p.iterations != 0) {
      return "rank " + std::to_string(r) + ": " + std::to_string(prog.size()) +
             " ops do not make " + std::to_string(p.iterations) + " equal iterations";
    }
    if (prog.dep_begin.size() != prog.ops.size() + 1) {
      return "rank " + std::to_string(r) + ": dependency rows do not match its ops";
    }
    for (std::uint32_t i = 0; i < prog.size(); ++i) {
      for (std::uint32_t d = prog.dep_begin[i]; d < prog.dep_begin[i + 1]; ++d) {
        if (prog.deps[d] >= i) {
          return where(r, i) + ": depends on op " + std::to_string(prog.deps[d]) +
                 ", which is not an earlier op (a dependency cycle or a forward reference)";
        }
      }
      if (prog.ops[i].label >= p.labels.size()) return where(r, i) + ": no such label";
    }
  }
  if (std::string e = check_cross_dependencies(p); !e.empty()) return e;
  if (std::string e = check_collectives(p); !e.empty()) return e;
  return check_point_to_point(p);
}

}  // namespace spinel::workloads::graph
