#include "workloads/graph/parallel.hpp"

#include <string>

namespace spinel::workloads::graph {

std::uint32_t rank_of(const ParallelDegrees& parallel, std::uint32_t tp_i, std::uint32_t pp_i,
                      std::uint32_t dp_i) {
  return (dp_i * parallel.pp + pp_i) * parallel.tp + tp_i;
}

std::vector<Communicator> parallel_groups(const ParallelDegrees& par, bool expert_groups,
                                          bool expert_data_groups) {
  std::vector<Communicator> out;
  const auto add = [&](const std::string& name, std::uint32_t count, std::uint32_t size,
                       auto member) {
    for (std::uint32_t g = 0; g < count; ++g) {
      Communicator comm{name + "." + std::to_string(g), {}};
      for (std::uint32_t i = 0; i < size; ++i) comm.ranks.push_back(member(g, i));
      out.push_back(std::move(comm));
    }
  };
  const std::uint32_t t = par.tp;
  const std::uint32_t p = par.pp;
  const std::uint32_t d = par.dp;
  const std::uint32_t e = par.ep;
  add("tp", d * p, t,
      [&](std::uint32_t g, std::uint32_t i) { return rank_of(par, i, g % p, g / p); });
  add("pp", d * t, p,
      [&](std::uint32_t g, std::uint32_t i) { return rank_of(par, g % t, i, g / t); });
  add("dp", p * t, d,
      [&](std::uint32_t g, std::uint32_t i) { return rank_of(par, g % t, g / t, i); });
  if (expert_groups) {
    add("ep", d / e * p * t, e, [&](std::uint32_t g, std::uint32_t i) {
      const std::uint32_t shard = g % (p * t);
      return rank_of(par, shard % t, shard / t, g / (p * t) * e + i);
    });
  }
  if (expert_data_groups) {
    add("edp", e * p * t, d / e, [&](std::uint32_t g, std::uint32_t i) {
      const std::uint32_t shard = g % (p * t);
      return rank_of(par, shard % t, shard / t, i * e + g / (p * t));
    });
  }
  return out;
}

}  // namespace spinel::workloads::graph
