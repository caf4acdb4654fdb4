#include "workloads/chakra/examples.hpp"

#include "workloads/chakra/et_writer.hpp"

namespace spinel::workloads::chakra {

namespace {

void write_allreduce(const std::string& dir) {
  // ASTRA-sim's micro-benchmark: one 1 MiB all-reduce per rank, 16 ranks.
  for (int r = 0; r < 16; ++r) {
    EtWriter w;
    w.coll(0, pb::ALL_REDUCE, 1 << 20, {});
    w.write(dir + "/allreduce_1MiB." + std::to_string(r) + ".et");
  }
}

void write_pipeline(const std::string& dir) {
  // 8 ranks: two pipeline stages of a 4-way tensor-parallel group each
  // (process groups "tp0" = ranks 0-3, "tp1" = ranks 4-7). Forward, a
  // tensor-parallel all-reduce, activations to the next stage; backward the
  // other way; then a gradient all-reduce over every rank. A CPU-side node,
  // a MEM_LOAD and an attribute spinel ignores show what is skipped.
  constexpr std::int64_t kActivation = 8 << 20;
  for (std::int64_t r = 0; r < 8; ++r) {
    const bool first = r < 4;
    const std::string tp = first ? "tp0" : "tp1";
    const std::int64_t peer = first ? r + 4 : r - 4;
    EtWriter w;
    set_bool(w.add(1, pb::COMP_NODE, {}, "aten::to"), "is_cpu_op", true);
    w.add(2, pb::MEM_LOAD_NODE, {1}, "load_weights");
    std::uint64_t last = 2;
    if (!first) last = w.recv(3, peer, r, kActivation, 1, {last}).id();
    last = w.comp(4, first ? 300 : 400, {last}).id();
    set_int(w.nodes.back(), "num_ops", 1'000'000);
    last = w.coll(5, pb::ALL_REDUCE, kActivation, {last}, tp).id();
    if (first) last = w.send(6, r, peer, kActivation, 1, {last}).id();
    if (first) last = w.recv(7, peer, r, kActivation, 2, {last}).id();
    last = w.comp(8, first ? 600 : 800, {last}).id();
    last = w.coll(9, pb::ALL_REDUCE, kActivation, {last}, tp).id();
    if (!first) last = w.send(10, r, peer, kActivation, 2, {last}).id();
    w.coll(11, pb::ALL_REDUCE, 64 << 20, {last});
    w.write(dir + "/pipeline." + std::to_string(r) + ".et");
  }
}

}  // namespace

void write_example_traces(const std::string& dir) {
  write_allreduce(dir);
  write_pipeline(dir);
}

}  // namespace spinel::workloads::chakra
