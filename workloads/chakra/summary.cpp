#include <algorithm>
#include <map>
#include <tuple>

#include "sim/units.hpp"
#include "workloads/chakra/chakra.hpp"

namespace spinel::workloads::chakra {

CriticalPath critical_path_compute(const graph::Program& program) {
  CriticalPath best;
  std::vector<sim::Time> finish;
  for (std::uint32_t r = 0; r < program.rank_count(); ++r) {
    const graph::RankProgram& rank = program.ranks[r];
    finish.assign(rank.size(), 0);
    for (std::size_t i = 0; i < rank.size(); ++i) {
      sim::Time start = 0;
      for (std::uint32_t d = rank.dep_begin[i]; d < rank.dep_begin[i + 1]; ++d) {
        start = std::max(start, finish[rank.deps[d]]);
      }
      const graph::Op& op = rank.ops[i];
      finish[i] = start + (op.kind == graph::OpKind::compute ? op.duration_ps : 0);
      if (finish[i] > best.compute_ps) best = CriticalPath{finish[i], r};
    }
  }
  return best;
}

void write_summary(std::ostream& out, const std::string& prefix, const Trace& trace) {
  const TraceStats& s = trace.stats;
  const graph::Program& p = trace.program;
  out << prefix << ": " << s.traced_ranks << " traced ranks";
  if (p.rank_count() != s.traced_ranks) out << ", replicated to " << p.rank_count() << " ranks";
  out << "; Chakra version " << (s.version.empty() ? "(none)" : s.version) << "\n";
  std::uint64_t total = s.cpu_nodes;
  for (const auto& [type, n] : s.nodes) total += n;
  for (const auto& [type, n] : s.unknown_types) total += n;
  out << "nodes (all files): " << total << "\n";
  for (const auto& [type, n] : s.nodes) out << "  " << type << ": " << n << "\n";
  for (const auto& [type, n] : s.unknown_types) {
    out << "  unknown type " << type << ": " << n << " (skipped)\n";
  }
  if (s.cpu_nodes > 0) out << "  of them is_cpu_op: " << s.cpu_nodes << " (skipped)\n";
  out << "ops in the program (all ranks): " << p.op_count() << "\n";
  if (!s.ignored_attributes.empty()) {
    out << "attributes ignored (nodes having each):";
    for (const auto& [name, n] : s.ignored_attributes) out << " " << name << " " << n << ";";
    out << "\n";
  }
  // Per group, its collectives by kind and size, counted once per group
  // (from its first member's calls).
  out << "groups: " << p.communicators.size() << "\n";
  for (std::uint32_t c = 0; c < p.communicators.size(); ++c) {
    const graph::Communicator& comm = p.communicators[c];
    std::map<std::tuple<std::string, std::uint64_t>, std::uint64_t> calls;
    for (const graph::Op& op : p.ranks[comm.ranks.front()].ops) {
      if (op.kind == graph::OpKind::collective && op.communicator == c) {
        ++calls[{std::string(to_string(op.collective)), op.size_bytes}];
      }
    }
    out << "  " << comm.name << " (" << comm.ranks.size() << " ranks):";
    for (const auto& [key, n] : calls) {
      out << " " << n << " x " << std::get<0>(key);
      if (std::get<0>(key) != "barrier") out << " " << sim::format_bytes(std::get<1>(key));
      out << ";";
    }
    out << "\n";
  }
  std::uint64_t sends = 0;
  std::uint64_t send_bytes = 0;
  for (const graph::RankProgram& r : p.ranks) {
    for (const graph::Op& op : r.ops) {
      if (op.kind == graph::OpKind::send) {
        ++sends;
        send_bytes += op.size_bytes;
      }
    }
  }
  out << "point to point: " << sends << " sends, " << sim::format_bytes(send_bytes) << "\n";
  const CriticalPath cp = critical_path_compute(p);
  out << "critical-path compute: " << sim::format_duration_ps(cp.compute_ps) << " (rank " << cp.rank
      << "; communication counted as free)\n";
}

}  // namespace spinel::workloads::chakra
