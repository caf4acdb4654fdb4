#pragma once
// Ring order of the accepted peers. By default ascending id (PCCL's
// default). With measured peer-to-peer bandwidths the master may search for
// a faster ring: ring all-reduce runs at the pace of its slowest edge, so we
// maximise the minimum edge bandwidth (directed: a -> next(a)), with the sum
// as tie-break. An asymmetric travelling-salesman variant: exhaustive up to
// kExactRingPeers peers, otherwise greedy plus 2-opt improvements.
#include <cstdint>
#include <string_view>
#include <vector>

#include "workloads/pccl/messages.hpp"

namespace spinel::pccl {

inline constexpr std::size_t kExactRingPeers = 8;

// How the master orders the ring: by id, or optimised from the measured
// peer-to-peer bandwidths (optimise_ring).
enum class RingOrder : std::uint8_t { id, optimised };
inline std::string_view to_string(RingOrder order) {
  return order == RingOrder::id ? "id" : "optimised";
}

std::vector<PeerId> ring_by_id(std::vector<PeerId> peers);

// bandwidth_gbps[i][j]: measured rate from peers[i] to peers[j]. The result
// starts with the lowest id (rings are rotations of each other).
std::vector<PeerId> optimise_ring(const std::vector<PeerId>& peers,
                                  const std::vector<std::vector<double>>& bandwidth_gbps);

// The slowest directed edge of a ring, by the same matrix (indices into peers).
double ring_bottleneck_gbps(const std::vector<std::size_t>& order,
                            const std::vector<std::vector<double>>& bandwidth_gbps);

}  // namespace spinel::pccl
