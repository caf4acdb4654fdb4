#pragma once
// The hybrid-parallel transformer generator: the workload graph (program.hpp)
// of ONE training iteration of a Megatron-style job with tensor (TP),
// pipeline (PP), data (DP) and expert (EP) parallelism.
//
// ## The model and its units
// h = hidden_size, s = sequence_length, b = micro_batch_size, F =
// ffn_hidden_size (4h unless given), V = vocabulary_size, L = layers, t, p,
// d, e = parallel.tp, pp, dp, ep; E = moe.experts, k = moe.top_k.
// Micro-batches per iteration: m = global_batch_size / (b * d). Every size
// below is in bytes, every time in picoseconds.
//
// ## Rank placement (TP fastest, then PP, then DP)
//   rank = (dp_i * p + pp_i) * t + tp_i
// With the contiguous placement on servers of G GPUs and t dividing G, a TP
// group sits in one server; a DP or PP group's ranks all have the same
// tp_i, so the same GPU index in their servers (one rail).
// Communicators, one group of each kind per rank, members in group order:
//   tp.<(dp_i * p + pp_i)>   the t ranks of one stage of one replica, by tp_i
//   pp.<(dp_i * t + tp_i)>   the p stages of one replica, by pp_i (its
//                            traffic is send/recv between neighbours)
//   dp.<(pp_i * t + tp_i)>   the d replicas of one shard, by dp_i
//   ep.<((dp_i / e) * p + pp_i) * t + tp_i>   MoE models only: e
//                            consecutive replicas (EP within DP), the ranks
//                            that share the experts
//   edp.<((dp_i % e) * p + pp_i) * t + tp_i>  only when e > 1: the d / e
//                            ranks that hold the same experts (Megatron's
//                            expert-data-parallel group); expert gradients
//                            are reduced over it, not over dp
// A collective is only issued on a group of two or more ranks.
//
// ## Pipeline schedule
// Layers split evenly over the stages (p divides L): stage j runs layers
// [j * L / p, (j + 1) * L / p). Each stage runs a sequence of tasks, F(i) =
// forward of micro-batch i, B(i) = its backward; a task starts when the
// previous task of the stage has ended (its sends delivered: Megatron's
// blocking point-to-point), so the order below is the order that runs.
//   gpipe:       F(0) .. F(m-1), B(0) .. B(m-1)
//   one_f_one_b: w = p - j - 1 warm-up forwards, then F(w + i), B(i) for
//                i < m - w, then the cool-down B(m - w) .. B(m - 1)
// With free communication and equal stages both take (m + p - 1) * (f + b)
// per iteration: the bubble fraction is (p - 1) / (m + p - 1).
//
// ## Ops of one task (per micro-batch, per stage, per layer)
// F(i) on stage j: recv of the activations from stage j - 1 (if j > 0);
// per layer:
//   dense:  attn compute, TP all-reduce .0, mlp compute, TP all-reduce .1
//   MoE:    attn compute, TP all-reduce .0, all-to-all dispatch (ep),
//           experts compute, all-to-all combine (ep), TP all-reduce .1
//   with sequence_parallel each TP all-reduce becomes an all-gather before
//   the compute and a reduce-scatter after it (same total volume);
// then, on the last stage with a vocabulary, the logits compute; the send to
// stage j + 1 (if j < p - 1).
// B(i): the mirror image: recv of the gradients from stage j + 1, the logits
// backward, per layer from the last: mlp (or combine all-to-all, experts,
// dispatch all-to-all) backward then its TP all-reduce, attn backward then
// its TP all-reduce (Megatron's f operators); the send to stage j - 1.
// Sizes: TP collectives, sends and receives b * s * h * precision_bytes
// (the whole buffer, as make_schedule reads a size: a reduce-scatter's
// input, an all-gather's output); an all-to-all b * s * k * h *
// precision_bytes, the rank's dispatch buffer ((e - 1) / e of it leaves the
// rank when tokens spread evenly). Tags: 2 * i for the forward send of
// micro-batch i, 2 * i + 1 for the backward one; sends and receives name
// the rank's pp communicator (for accounting).
//
// ## Gradient synchronisation (once per iteration)
// Parameters per layer (biases, layer norms and the router ignored):
//   dense: 4h^2 (attention) + 2hF (MLP)            = 12h^2 when F = 4h
//   MoE:   4h^2 (attention) + E * 2hF (experts)
// A rank holds 1/t of its stage's attention and MLP weights, E / e experts
// of each MoE layer (each split over t), and with a vocabulary 1/t of the
// (padded, untied) input embedding on stage 0 and of the output layer on the
// last stage: ceil(V / t) * h each.
// The rank's dense gradients (gradient_bytes each) are all-reduced over its
// dp group (dp_allreduce); its expert gradients over its edp group (or dp
// when e = 1). With zero: a reduce-scatter of the gradients then, after every
// reduce-scatter of the rank, an all-gather of the parameters
// (precision_bytes each), ZeRO-1/2 style. With dp_buckets = n the stage's
// layers (in backward order) form n contiguous buckets, each synchronised as
// soon as the last micro-batch's backward has left it (overlapping the rest
// of the backward); n = 1: one collective after the last backward.
//
// ## Compute times (one micro-batch, on one rank)
// Given: layer_forward_ps (one value for every layer, or one per layer);
// backward = backward_factor * forward. Derived: FLOPs / (gpu_peak_tflops *
// compute_efficiency) picoseconds, with the textbook forward FLOPs
// (Narayanan et al., SC'21, with F = 4h: 24bsh^2 (1 + s / (6h))):
//   attention  8bsh^2 + 4bs^2h       (QKV and output projections, scores)
//   MLP        4bshF                 (MoE: 4bshFk, the k experts per token)
//   logits     2bshV                 (last stage, with a vocabulary)
// each divided by t; backward = backward_factor (2) * forward. A given layer
// time splits between attn and mlp (experts) in the ratio of their FLOPs.
// Left out: embedding lookups, the loss, the optimizer step, activation
// recomputation, the vocab-parallel cross-entropy's small all-reduces.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/time.hpp"
#include "workloads/config.hpp"
#include "workloads/graph/parallel.hpp"
#include "workloads/graph/program.hpp"

namespace spinel::workloads::graph {

enum class PipelineSchedule : std::uint8_t { one_f_one_b, gpipe };

constexpr const char* to_string(PipelineSchedule schedule) {
  return schedule == PipelineSchedule::gpipe ? "gpipe" : "one_f_one_b";
}

// Mixture of experts; experts = 0 is a dense model.
struct MoeConfig {
  std::uint32_t experts = 0;
  std::uint32_t top_k = 1;
  // Layer l (0-based) is an MoE layer when l % every == 0 (Megatron's
  // moe_layer_freq), unless `layers` lists them.
  std::uint32_t every = 1;
  std::vector<std::uint32_t> layers;
};

struct TransformerConfig {
  // The model.
  std::uint32_t layers = 0;
  std::uint32_t hidden_size = 0;
  std::uint32_t ffn_hidden_size = 0;  // 0 = 4 * hidden_size
  std::uint32_t heads = 0;            // attention heads; 0 = not checked against tp
  std::uint64_t vocabulary_size = 0;  // 0 = no embedding or output layer
  MoeConfig moe;
  // The batch.
  std::uint32_t sequence_length = 0;
  std::uint32_t micro_batch_size = 1;
  std::uint32_t global_batch_size =
      0;                              // samples per iteration, a multiple of micro_batch_size * dp
  std::uint32_t precision_bytes = 2;  // activations and parameters: 2 (bf16, fp16) or 4 (fp32)
  std::uint32_t gradient_bytes = 0;   // per gradient in DP collectives; 0 = precision_bytes
  // The parallelism.
  ParallelDegrees parallel;
  std::uint32_t gpus = 0;  // the job's GPUs, checked against tp * pp * dp; 0 = not checked
  PipelineSchedule schedule = PipelineSchedule::one_f_one_b;
  bool sequence_parallel = false;
  bool zero = false;             // sharded data parallelism (ZeRO-1/2, FSDP-like)
  std::uint32_t dp_buckets = 1;  // gradient buckets per stage, at most layers / pp
  // The algorithms: of the TP all-reduces (without sequence_parallel), of
  // the gradient all-reduces (without zero; over dp and edp), of the MoE
  // all-to-alls. Reduce-scatters and all-gathers are rings.
  Collective tp_allreduce = Collective::ring_allreduce;
  Collective dp_allreduce = Collective::ring_allreduce;
  Collective ep_all_to_all = Collective::all_to_all;
  // Compute: either given per layer (layer_forward_ps: one value or one per
  // layer) or derived from gpu_peak_tflops and compute_efficiency.
  std::vector<sim::Time> layer_forward_ps;
  double gpu_peak_tflops = 0;
  double compute_efficiency = 0.5;  // the fraction of the peak the kernels reach
  double backward_factor = 2.0;     // backward time / forward time
};

// A bad configuration: `field` is the key path a scenario loader can locate
// ("parallel.tp", "moe.experts", "global_batch_size", ...).
struct TransformerConfigProblem {
  std::string field;
  std::string message;
};

class TransformerConfigError : public std::invalid_argument {
 public:
  explicit TransformerConfigError(TransformerConfigProblem problem);
  [[nodiscard]] const TransformerConfigProblem& problem() const { return problem_; }

 private:
  TransformerConfigProblem problem_;
};

// The first problem of a configuration, or nothing.
[[nodiscard]] std::optional<TransformerConfigProblem> check(const TransformerConfig& config);

// Quantities of a (valid) configuration that the generator uses and tests
// and reports can state.
[[nodiscard]] std::uint32_t micro_batches(const TransformerConfig& config);
[[nodiscard]] std::uint32_t ffn_hidden(const TransformerConfig& config);
[[nodiscard]] bool is_moe_layer(const TransformerConfig& config, std::uint32_t layer);
// One training iteration. Throws TransformerConfigError for a bad config.
[[nodiscard]] Program make_transformer(const TransformerConfig& config);

}  // namespace spinel::workloads::graph
