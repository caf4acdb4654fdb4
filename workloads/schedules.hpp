#pragma once
// The Schedule of each collective (see workloads/schedule.hpp for the step
// model). make_schedule() in workloads/collectives.hpp picks one; tests and
// tools may build them directly.
#include <cstdint>
#include <vector>

#include "workloads/schedule.hpp"

namespace spinel::workloads {

// The buffer cut into N chunks of size/N bytes, the remainder on the last
// chunk, as NCCL and PCCL cut them.
struct Chunks {
  std::uint32_t n;
  std::uint64_t size_bytes;
  [[nodiscard]] std::uint64_t bytes(std::uint32_t chunk) const {
    return size_bytes / n + (chunk == n - 1 ? size_bytes % n : 0);
  }
  // Bytes of chunks [first, first + count).
  [[nodiscard]] std::uint64_t bytes(std::uint32_t first, std::uint32_t count) const {
    return size_bytes / n * count + (first + count == n ? size_bytes % n : 0);
  }
};

// Ring: rank r sends to r+1 in every step; one phase. Reduce-scatter is N-1
// steps, all-gather N-1 steps, all-reduce both (2(N-1)).
class RingSchedule final : public Schedule {
 public:
  enum class Part { reduce_scatter, all_gather, all_reduce };
  RingSchedule(Part part, std::uint32_t ranks, std::uint64_t size_bytes);
  [[nodiscard]] std::uint32_t ranks() const override { return chunks_.n; }
  [[nodiscard]] std::uint32_t steps() const override { return steps_; }
  void sends(std::uint32_t step, std::uint32_t rank, std::vector<Transfer>& out) const override;
  [[nodiscard]] std::uint32_t receives(std::uint32_t step, std::uint32_t rank) const override;
  [[nodiscard]] std::uint32_t phases() const override { return 1; }
  [[nodiscard]] std::uint32_t phase_of(std::uint32_t) const override { return 0; }
  void phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const override;

 private:
  Part part_;
  Chunks chunks_;
  std::uint32_t steps_;
};

// All-to-all, direct: one step in which every rank sends chunk j of its
// buffer to rank j, for every j but itself.
class DirectAllToAllSchedule final : public Schedule {
 public:
  DirectAllToAllSchedule(std::uint32_t ranks, std::uint64_t size_bytes);
  [[nodiscard]] std::uint32_t ranks() const override { return chunks_.n; }
  [[nodiscard]] std::uint32_t steps() const override { return 1; }
  void sends(std::uint32_t step, std::uint32_t rank, std::vector<Transfer>& out) const override;
  [[nodiscard]] std::uint32_t receives(std::uint32_t step, std::uint32_t rank) const override;
  [[nodiscard]] std::uint32_t phases() const override { return 1; }
  [[nodiscard]] std::uint32_t phase_of(std::uint32_t) const override { return 0; }
  void phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const override;

 private:
  Chunks chunks_;
};

// All-to-all, pairwise shifts: N-1 steps; in step k rank r sends chunk r+k+1
// to rank r+k+1 and receives from r-k-1. Each step is its own phase.
class PairwiseAllToAllSchedule final : public Schedule {
 public:
  PairwiseAllToAllSchedule(std::uint32_t ranks, std::uint64_t size_bytes);
  [[nodiscard]] std::uint32_t ranks() const override { return chunks_.n; }
  [[nodiscard]] std::uint32_t steps() const override { return chunks_.n - 1; }
  void sends(std::uint32_t step, std::uint32_t rank, std::vector<Transfer>& out) const override;
  [[nodiscard]] std::uint32_t receives(std::uint32_t step, std::uint32_t rank) const override;
  [[nodiscard]] std::uint32_t phases() const override { return chunks_.n - 1; }
  [[nodiscard]] std::uint32_t phase_of(std::uint32_t step) const override { return step; }
  void phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const override;

 private:
  Chunks chunks_;
};

// Recursive halving-doubling all-reduce (Rabenseifner), N a power of two:
// log2 N reduce-scatter steps exchanging halves with the rank N/2, N/4, ...
// away, then log2 N all-gather steps in the reverse order. Every step is its
// own phase: two flows per rank pair, few flows in all.
class HalvingDoublingSchedule final : public Schedule {
 public:
  HalvingDoublingSchedule(std::uint32_t ranks, std::uint64_t size_bytes);
  [[nodiscard]] std::uint32_t ranks() const override { return chunks_.n; }
  [[nodiscard]] std::uint32_t steps() const override { return 2 * log2_; }
  void sends(std::uint32_t step, std::uint32_t rank, std::vector<Transfer>& out) const override;
  [[nodiscard]] std::uint32_t receives(std::uint32_t step, std::uint32_t rank) const override;
  [[nodiscard]] std::uint32_t phases() const override { return 2 * log2_; }
  [[nodiscard]] std::uint32_t phase_of(std::uint32_t step) const override { return step; }
  void phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const override;

 private:
  // The partner's distance and the block of chunks sent in `step`.
  struct Exchange {
    std::uint32_t distance;
    std::uint32_t first_chunk;
    std::uint32_t chunks;
  };
  [[nodiscard]] Exchange exchange(std::uint32_t step, std::uint32_t rank) const;
  Chunks chunks_;
  std::uint32_t log2_;
};

// NCCL's double binary tree all-reduce: two binary trees over the ranks, the
// second the first shifted by one rank (N even) or mirrored (N odd), so that
// (for even N) every rank is a leaf in one tree. Each tree reduces then
// broadcasts half of the buffer, pipelined in `chunks` pieces: a rank at
// height h sends piece c up at step c + h, and a rank at depth d sends piece c
// down at step R + c + d, where R is the reduction's step count.
class DoubleBinaryTreeSchedule final : public Schedule {
 public:
  DoubleBinaryTreeSchedule(std::uint32_t ranks, std::uint64_t size_bytes, std::uint32_t chunks);
  [[nodiscard]] std::uint32_t ranks() const override { return n_; }
  [[nodiscard]] std::uint32_t steps() const override { return steps_; }
  void sends(std::uint32_t step, std::uint32_t rank, std::vector<Transfer>& out) const override;
  [[nodiscard]] std::uint32_t receives(std::uint32_t step, std::uint32_t rank) const override;
  [[nodiscard]] std::uint32_t phases() const override { return 1; }
  [[nodiscard]] std::uint32_t phase_of(std::uint32_t) const override { return 0; }
  void phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const override;

  static constexpr std::uint32_t kNoParent = ~std::uint32_t{0};
  struct Tree {
    std::vector<std::uint32_t> parent;  // per rank; kNoParent at the root
    std::vector<std::vector<std::uint32_t>> children;
    std::vector<std::uint32_t> height;  // leaves 0
    std::vector<std::uint32_t> depth;   // root 0
    std::uint32_t root = 0;
  };
  [[nodiscard]] const Tree& tree(std::uint32_t t) const { return trees_[t]; }
  [[nodiscard]] std::uint32_t reduce_steps() const { return reduce_steps_; }

 private:
  // Bytes of piece c of tree t's half.
  [[nodiscard]] std::uint64_t piece_bytes(std::uint32_t t, std::uint32_t c) const;
  std::uint32_t n_;
  std::uint64_t size_bytes_;
  std::uint32_t chunks_;
  Tree trees_[2];
  std::uint32_t reduce_steps_ = 0;
  std::uint32_t steps_ = 0;
};

// Hierarchical all-reduce on servers of G GPUs (rank s*G + g is GPU g of
// server s): a ring reduce-scatter inside each server (G-1 steps, over
// NVLink), then GPU g of every server runs a ring all-reduce of the shard it
// holds with GPU g of the others (2(H-1) steps, through NIC g: rail-aligned),
// then a ring all-gather inside each server (G-1 steps). Phase 0 is the
// intra-server pairs, phase 1 the inter-server ones.
class HierarchicalSchedule final : public Schedule {
 public:
  HierarchicalSchedule(std::uint32_t servers, std::uint32_t gpus, std::uint64_t size_bytes);
  [[nodiscard]] std::uint32_t ranks() const override { return servers_ * gpus_; }
  [[nodiscard]] std::uint32_t steps() const override {
    return 2 * (gpus_ - 1) + 2 * (servers_ - 1);
  }
  void sends(std::uint32_t step, std::uint32_t rank, std::vector<Transfer>& out) const override;
  [[nodiscard]] std::uint32_t receives(std::uint32_t step, std::uint32_t rank) const override;
  [[nodiscard]] std::uint32_t phases() const override { return 2; }
  [[nodiscard]] std::uint32_t phase_of(std::uint32_t step) const override {
    return step >= gpus_ - 1 && step < gpus_ - 1 + 2 * (servers_ - 1) ? 1 : 0;
  }
  void phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const override;

 private:
  std::uint32_t servers_;
  std::uint32_t gpus_;
  Chunks local_;  // the buffer over the server's GPUs
};

// Broadcast and reduce as NCCL runs them on a ring: the buffer cut into
// `chunks` pieces that flow along the chain of ranks r -> r+1. Broadcast's
// chain starts at the root and ends at the rank before it; reduce's starts
// at the rank after the root and ends at the root (each rank adds its own
// input to a piece before passing it on; compute is not modelled). The rank
// at chain position p sends piece c in step c + p and receives it in step
// c + p - 1: C + N - 2 steps, one phase.
class RingPipelineSchedule final : public Schedule {
 public:
  enum class Kind { broadcast, reduce };
  RingPipelineSchedule(Kind kind, std::uint32_t ranks, std::uint64_t size_bytes,
                       std::uint32_t chunks, std::uint32_t root);
  [[nodiscard]] std::uint32_t ranks() const override { return n_; }
  [[nodiscard]] std::uint32_t steps() const override { return chunks_.n + n_ - 2; }
  void sends(std::uint32_t step, std::uint32_t rank, std::vector<Transfer>& out) const override;
  [[nodiscard]] std::uint32_t receives(std::uint32_t step, std::uint32_t rank) const override;
  [[nodiscard]] std::uint32_t phases() const override { return 1; }
  [[nodiscard]] std::uint32_t phase_of(std::uint32_t) const override { return 0; }
  void phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const override;

 private:
  // The rank's place in the chain: 0 sends first, N-1 only receives.
  [[nodiscard]] std::uint32_t position(std::uint32_t rank) const {
    return (rank + n_ - first_) % n_;
  }
  std::uint32_t n_;
  Chunks chunks_;  // the pieces of the pipeline (not one per rank)
  std::uint32_t first_;
};

// Gather and scatter, direct, in one step, as NCCL builds them from grouped
// sends and receives: the root's buffer of N chunks (Chunks), chunk j going
// from rank j to the root (gather) or from the root to rank j (scatter).
// The root's NIC carries every chunk but its own.
class RootedSchedule final : public Schedule {
 public:
  enum class Kind { gather, scatter };
  RootedSchedule(Kind kind, std::uint32_t ranks, std::uint64_t size_bytes, std::uint32_t root);
  [[nodiscard]] std::uint32_t ranks() const override { return chunks_.n; }
  [[nodiscard]] std::uint32_t steps() const override { return 1; }
  void sends(std::uint32_t step, std::uint32_t rank, std::vector<Transfer>& out) const override;
  [[nodiscard]] std::uint32_t receives(std::uint32_t step, std::uint32_t rank) const override;
  [[nodiscard]] std::uint32_t phases() const override { return 1; }
  [[nodiscard]] std::uint32_t phase_of(std::uint32_t) const override { return 0; }
  void phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const override;

 private:
  Kind kind_;
  Chunks chunks_;
  std::uint32_t root_;
};

// The bytes of one barrier message. A zero-byte transfer would cost nothing
// at all (both transport models deliver an empty flow at once, without path
// latency), where a real barrier message pays a network crossing.
inline constexpr std::uint64_t kBarrierMessageBytes = 1;

// Dissemination barrier (Hensgen, Finkel and Manber): ceil(log2 N) rounds;
// in round k rank r sends a message to r + 2^k and receives one from
// r - 2^k (mod N). After the last round every rank has heard, directly or
// not, from every other. Each round is its own phase.
class BarrierSchedule final : public Schedule {
 public:
  explicit BarrierSchedule(std::uint32_t ranks);
  [[nodiscard]] std::uint32_t ranks() const override { return n_; }
  [[nodiscard]] std::uint32_t steps() const override { return rounds_; }
  void sends(std::uint32_t step, std::uint32_t rank, std::vector<Transfer>& out) const override;
  [[nodiscard]] std::uint32_t receives(std::uint32_t, std::uint32_t) const override { return 1; }
  [[nodiscard]] std::uint32_t phases() const override { return rounds_; }
  [[nodiscard]] std::uint32_t phase_of(std::uint32_t step) const override { return step; }
  void phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const override;

 private:
  std::uint32_t n_;
  std::uint32_t rounds_;
};

// All-to-allv, direct: one step in which rank i sends bytes[i][j] to rank j,
// for every j but itself with bytes[i][j] > 0 (an empty entry sends nothing,
// so it is not waited for).
class AllToAllvSchedule final : public Schedule {
 public:
  // bytes: N x N, row = sender, column = receiver; N >= 2.
  explicit AllToAllvSchedule(std::vector<std::vector<std::uint64_t>> bytes);
  [[nodiscard]] std::uint32_t ranks() const override {
    return static_cast<std::uint32_t>(bytes_.size());
  }
  [[nodiscard]] std::uint32_t steps() const override { return 1; }
  void sends(std::uint32_t step, std::uint32_t rank, std::vector<Transfer>& out) const override;
  [[nodiscard]] std::uint32_t receives(std::uint32_t, std::uint32_t rank) const override {
    return receives_[rank];
  }
  [[nodiscard]] std::uint32_t phases() const override { return 1; }
  [[nodiscard]] std::uint32_t phase_of(std::uint32_t) const override { return 0; }
  void phase_pairs(std::uint32_t phase, std::vector<Transfer>& out) const override;

 private:
  std::vector<std::vector<std::uint64_t>> bytes_;
  std::vector<std::uint32_t> receives_;  // per rank: its non-empty incoming entries
};

}  // namespace spinel::workloads
