#pragma once
// One rank's .et file read into plain nodes (no protobuf types past here):
// what each node does, checked field by field, each naming where it is.
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/chakra/chakra.hpp"
#include "workloads/config.hpp"

namespace spinel::workloads::chakra {

enum class NodeRole : std::uint8_t { compute, collective, send, recv, skipped };

struct RankNode {
  std::uint64_t id = 0;
  std::uint64_t offset = 0;  // of its length prefix in the file
  NodeRole role = NodeRole::skipped;
  std::vector<std::uint64_t> deps;  // data then control dependencies, by node id
  std::string name;
  std::uint64_t duration_us = 0;  // compute
  Collective collective = Collective::ring_allreduce;
  // ASTRA-sim's comm_size: the rank's input buffer (an all-gather's or a
  // gather's own contribution, which the program scales by the group size).
  std::uint64_t comm_size = 0;
  bool per_member_size = false;  // all-gather and gather: comm_size is one member's part
  // Collectives: "pg:NAME", "dim:MASK" (one 0/1 per dimension) or "" (every rank).
  std::string group;
  std::uint32_t peer = 0;  // send: comm_dst; recv: comm_src
  std::uint32_t tag = 0;
};

struct RankNodes {
  std::string path;
  std::string version;
  std::vector<RankNode> nodes;  // in file order
};

// Reads traced rank `rank` of `ranks` from `path`, adding to `stats`.
RankNodes read_rank_nodes(const std::string& path, std::uint32_t rank, std::uint32_t ranks,
                          TraceStats& stats);

}  // namespace spinel::workloads::chakra
