#include <algorithm>
#include <bit>

#include "sim/error.hpp"
#include "workloads/schedules.hpp"

namespace spinel::workloads {

namespace {

// In-order binary tree over positions 1..n: a position's height is its count
// of trailing zeros and its parent the nearest position one level up. A
// parent past n does not exist; the child then hangs from the first ancestor
// that does (the largest power of two <= n is the root).
std::uint32_t up(std::uint32_t i) {
  const int h = std::countr_zero(i);
  return ((i >> (h + 1)) & 1u) != 0 ? i - (1u << h) : i + (1u << h);
}

using Tree = DoubleBinaryTreeSchedule::Tree;

// `rank_at[p]` is the rank at 0-based position p.
Tree build_tree(std::uint32_t n, const std::vector<std::uint32_t>& rank_at) {
  Tree t;
  t.parent.assign(n, DoubleBinaryTreeSchedule::kNoParent);
  t.children.assign(n, {});
  t.height.assign(n, 0);
  t.depth.assign(n, 0);
  const std::uint32_t root = std::bit_floor(n);
  t.root = rank_at[root - 1];
  for (std::uint32_t i = 1; i <= n; ++i) {
    if (i == root) continue;
    std::uint32_t p = up(i);
    while (p > n) p = up(p);
    t.parent[rank_at[i - 1]] = rank_at[p - 1];
    t.children[rank_at[p - 1]].push_back(rank_at[i - 1]);
  }
  // Depths top-down and heights bottom-up, by a breadth-first order.
  std::vector<std::uint32_t> order{t.root};
  for (std::size_t k = 0; k < order.size(); ++k) {
    for (std::uint32_t c : t.children[order[k]]) {
      t.depth[c] = t.depth[order[k]] + 1;
      order.push_back(c);
    }
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const std::uint32_t p = t.parent[*it];
    if (p != DoubleBinaryTreeSchedule::kNoParent) {
      t.height[p] = std::max(t.height[p], t.height[*it] + 1);
    }
  }
  return t;
}

}  // namespace

DoubleBinaryTreeSchedule::DoubleBinaryTreeSchedule(std::uint32_t ranks, std::uint64_t size_bytes,
                                                   std::uint32_t chunks)
    : n_(ranks), size_bytes_(size_bytes), chunks_(chunks) {
  if (ranks < 2) throw sim::InternalError("a tree all-reduce needs at least two ranks");
  if (chunks == 0) throw sim::InternalError("a tree all-reduce needs at least one chunk");
  std::vector<std::uint32_t> rank_at(n_);
  for (std::uint32_t p = 0; p < n_; ++p) rank_at[p] = p;
  trees_[0] = build_tree(n_, rank_at);
  // NCCL's second tree: shifted by one rank for even N (its leaves are the
  // first tree's inner ranks), mirrored for odd N.
  for (std::uint32_t p = 0; p < n_; ++p) rank_at[p] = n_ % 2 == 0 ? (p + 1) % n_ : n_ - 1 - p;
  trees_[1] = build_tree(n_, rank_at);
  std::uint32_t max_height = 0;
  std::uint32_t max_depth = 0;
  for (const Tree& t : trees_) {
    max_height = std::max(max_height, t.height[t.root]);
    max_depth = std::max(max_depth, *std::max_element(t.depth.begin(), t.depth.end()));
  }
  reduce_steps_ = chunks_ + max_height - 1;
  steps_ = reduce_steps_ + chunks_ + max_depth - 1;
}

// Tree 0 carries the first half of the buffer, tree 1 the rest; each half is
// cut into `chunks` pieces, the remainder on the last.
std::uint64_t DoubleBinaryTreeSchedule::piece_bytes(std::uint32_t t, std::uint32_t c) const {
  const std::uint64_t half = t == 0 ? size_bytes_ / 2 : size_bytes_ - size_bytes_ / 2;
  return half / chunks_ + (c == chunks_ - 1 ? half % chunks_ : 0);
}

namespace {
// The piece a node at `level` handles in `step` (counting from `offset`), if any.
bool piece_at(std::uint32_t step, std::uint32_t offset, std::uint32_t level, std::uint32_t chunks,
              std::uint32_t& piece) {
  if (step < offset + level) return false;
  piece = step - offset - level;
  return piece < chunks;
}
}  // namespace

void DoubleBinaryTreeSchedule::sends(std::uint32_t step, std::uint32_t rank,
                                     std::vector<Transfer>& out) const {
  std::uint32_t c = 0;
  for (std::uint32_t k = 0; k < 2; ++k) {
    const Tree& t = trees_[k];
    if (step < reduce_steps_) {
      if (t.parent[rank] != kNoParent && piece_at(step, 0, t.height[rank], chunks_, c)) {
        out.push_back(Transfer{rank, t.parent[rank], piece_bytes(k, c)});
      }
    } else if (piece_at(step, reduce_steps_, t.depth[rank], chunks_, c)) {
      for (std::uint32_t child : t.children[rank]) {
        out.push_back(Transfer{rank, child, piece_bytes(k, c)});
      }
    }
  }
}

std::uint32_t DoubleBinaryTreeSchedule::receives(std::uint32_t step, std::uint32_t rank) const {
  std::uint32_t count = 0;
  std::uint32_t c = 0;
  for (const Tree& t : trees_) {
    if (step < reduce_steps_) {
      for (std::uint32_t child : t.children[rank]) {
        if (piece_at(step, 0, t.height[child], chunks_, c)) ++count;
      }
    } else if (t.parent[rank] != kNoParent &&
               piece_at(step, reduce_steps_, t.depth[rank] - 1, chunks_, c)) {
      ++count;
    }
  }
  return count;
}

void DoubleBinaryTreeSchedule::phase_pairs(std::uint32_t, std::vector<Transfer>& out) const {
  const std::size_t first = out.size();
  for (std::uint32_t k = 0; k < 2; ++k) {
    const std::uint64_t bytes = piece_bytes(k, chunks_ - 1);
    for (std::uint32_t r = 0; r < n_; ++r) {
      const std::uint32_t p = trees_[k].parent[r];
      if (p == kNoParent) continue;
      out.push_back(Transfer{r, p, bytes});
      out.push_back(Transfer{p, r, bytes});
    }
  }
  // An edge of both trees is one pair, with the larger piece.
  std::sort(
      out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
      [](const Transfer& a, const Transfer& b) {
        return a.src != b.src ? a.src < b.src : a.dst != b.dst ? a.dst < b.dst : a.bytes > b.bytes;
      });
  const auto last = std::unique(
      out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
      [](const Transfer& a, const Transfer& b) { return a.src == b.src && a.dst == b.dst; });
  out.erase(last, out.end());
}

}  // namespace spinel::workloads
