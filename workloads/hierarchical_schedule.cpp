#include "sim/error.hpp"
#include "workloads/schedules.hpp"

namespace spinel::workloads {

HierarchicalSchedule::HierarchicalSchedule(std::uint32_t servers, std::uint32_t gpus,
                                           std::uint64_t size_bytes)
    : servers_(servers), gpus_(gpus), local_{gpus, size_bytes} {
  if (servers == 0 || gpus == 0 || servers * gpus < 2) {
    throw sim::InternalError("a hierarchical all-reduce needs at least two GPUs");
  }
}

namespace {
// Ring step k of an all-reduce over n members (reduce-scatter then
// all-gather): the chunk member m sends, as RingSchedule cuts it.
std::uint32_t ring_chunk(std::uint32_t n, std::uint32_t member, std::uint32_t k) {
  if (k < n - 1) return (member + n - k % n) % n;
  const std::uint32_t j = k - (n - 1);
  return (member + 1 + n - j % n) % n;
}
}  // namespace

void HierarchicalSchedule::sends(std::uint32_t step, std::uint32_t rank,
                                 std::vector<Transfer>& out) const {
  const std::uint32_t s = rank / gpus_;
  const std::uint32_t g = rank % gpus_;
  const std::uint32_t intra = gpus_ - 1;
  const std::uint32_t inter = 2 * (servers_ - 1);
  const std::uint32_t next_gpu = s * gpus_ + (g + 1) % gpus_;
  if (step < intra) {
    // Reduce-scatter inside the server: the first half of a ring all-reduce.
    out.push_back(Transfer{rank, next_gpu, local_.bytes(ring_chunk(gpus_, g, step))});
  } else if (step < intra + inter) {
    // GPU g now holds the server's sum of local chunk (g + 1) mod G; GPU g
    // of every server all-reduces it around the ring of servers.
    const Chunks shard{servers_, local_.bytes((g + 1) % gpus_)};
    const std::uint32_t next_server = ((s + 1) % servers_) * gpus_ + g;
    out.push_back(Transfer{rank, next_server, shard.bytes(ring_chunk(servers_, s, step - intra))});
  } else {
    // All-gather inside the server: the second half of the ring.
    const std::uint32_t k = step - inter;  // intra .. 2*intra - 1: the ring's all-gather steps
    out.push_back(Transfer{rank, next_gpu, local_.bytes(ring_chunk(gpus_, g, k))});
  }
}

std::uint32_t HierarchicalSchedule::receives(std::uint32_t, std::uint32_t) const {
  return 1;
}

void HierarchicalSchedule::phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const {
  const std::uint32_t first = phase == 0 ? 0 : gpus_ - 1;
  if ((phase == 0 && gpus_ < 2) || (phase == 1 && servers_ < 2)) return;
  for (std::uint32_t r = 0; r < ranks(); ++r) {
    // The largest transfer of the phase on each pair: the last chunk's.
    const std::size_t before = out.size();
    sends(first, r, out);
    Transfer& t = out[before];
    if (phase == 0) {
      t.bytes = local_.bytes(gpus_ - 1);
    } else {
      const Chunks shard{servers_, local_.bytes((r % gpus_ + 1) % gpus_)};
      t.bytes = shard.bytes(servers_ - 1);
    }
  }
}

}  // namespace spinel::workloads
