#include "workloads/graph/transformer.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_map>
#include <utility>

namespace spinel::workloads::graph {

TransformerConfigError::TransformerConfigError(TransformerConfigProblem problem)
    : std::invalid_argument(problem.field + ": " + problem.message), problem_(std::move(problem)) {}

std::uint32_t micro_batches(const TransformerConfig& config) {
  return static_cast<std::uint32_t>(config.global_batch_size /
                                    (std::uint64_t{config.micro_batch_size} * config.parallel.dp));
}

std::uint32_t ffn_hidden(const TransformerConfig& config) {
  return config.ffn_hidden_size != 0 ? config.ffn_hidden_size : 4 * config.hidden_size;
}

bool is_moe_layer(const TransformerConfig& config, std::uint32_t layer) {
  if (config.moe.experts == 0) return false;
  if (!config.moe.layers.empty()) {
    return std::find(config.moe.layers.begin(), config.moe.layers.end(), layer) !=
           config.moe.layers.end();
  }
  return layer % config.moe.every == 0;
}

namespace {

using Problem = std::optional<TransformerConfigProblem>;

Problem problem(std::string field, std::string message) {
  return TransformerConfigProblem{std::move(field), std::move(message)};
}

std::string str(std::uint64_t v) {
  return std::to_string(v);
}

bool is_allreduce(Collective c) {
  return c == Collective::ring_allreduce || c == Collective::tree_allreduce ||
         c == Collective::halving_doubling_allreduce || c == Collective::hierarchical_allreduce;
}

bool is_all_to_all(Collective c) {
  return c == Collective::all_to_all || c == Collective::pairwise_all_to_all;
}

// Generating more than this many ops would take gigabytes: refuse the config
// instead of running out of memory.
constexpr double kMaxOps = 1e8;

Problem check_model(const TransformerConfig& c) {
  if (c.layers == 0) return problem("layers", "must be at least 1");
  if (c.hidden_size == 0) return problem("hidden_size", "must be at least 1");
  // Bounds that keep every size and parameter count inside 64 bits.
  if (c.hidden_size > (1U << 24)) return problem("hidden_size", "must be at most 2^24");
  if (c.ffn_hidden_size > (1U << 26)) return problem("ffn_hidden_size", "must be at most 2^26");
  if (c.vocabulary_size > (1ULL << 32)) return problem("vocabulary_size", "must be at most 2^32");
  if (c.moe.experts > (1U << 16)) return problem("moe.experts", "must be at most 2^16");
  if (c.sequence_length == 0) return problem("sequence_length", "must be at least 1");
  if (c.micro_batch_size == 0) return problem("micro_batch_size", "must be at least 1");
  if (c.precision_bytes != 1 && c.precision_bytes != 2 && c.precision_bytes != 4)
    return problem("precision_bytes", "must be 1, 2 or 4, not " + str(c.precision_bytes));
  if (c.gradient_bytes != 0 && c.gradient_bytes != 1 && c.gradient_bytes != 2 &&
      c.gradient_bytes != 4)
    return problem("gradient_bytes", "must be 1, 2 or 4, not " + str(c.gradient_bytes));
  const auto& m = c.moe;
  if (m.experts == 0 && !m.layers.empty())
    return problem("moe.layers", "MoE layers need moe.experts");
  if (m.experts != 0) {
    if (m.top_k == 0 || m.top_k > m.experts)
      return problem("moe.top_k", "must be between 1 and moe.experts (" + str(m.experts) +
                                      "), not " + str(m.top_k));
    if (m.every == 0) return problem("moe.every", "must be at least 1");
    for (const std::uint32_t l : m.layers) {
      if (l >= c.layers)
        return problem("moe.layers",
                       "layer " + str(l) + " is not below layers (" + str(c.layers) + ")");
    }
  }
  return std::nullopt;
}

Problem check_parallel(const TransformerConfig& c) {
  const ParallelDegrees& p = c.parallel;
  if (p.tp == 0) return problem("parallel.tp", "must be at least 1");
  if (p.pp == 0) return problem("parallel.pp", "must be at least 1");
  if (p.dp == 0) return problem("parallel.dp", "must be at least 1");
  if (p.ep == 0) return problem("parallel.ep", "must be at least 1");
  const std::uint64_t product = std::uint64_t{p.tp} * p.pp * p.dp;
  if (product > (1ULL << 24))
    return problem("parallel", "tp * pp * dp = " + str(product) + " ranks is too many");
  if (c.gpus != 0 && product != c.gpus)
    return problem("parallel", "tp * pp * dp = " + str(p.tp) + " * " + str(p.pp) + " * " +
                                   str(p.dp) + " = " + str(product) + " but the job has " +
                                   str(c.gpus) + " GPUs");
  if (c.hidden_size % p.tp != 0)
    return problem("parallel.tp",
                   str(p.tp) + " does not divide hidden_size (" + str(c.hidden_size) + ")");
  if (c.heads != 0 && c.heads % p.tp != 0)
    return problem("parallel.tp", str(p.tp) + " does not divide heads (" + str(c.heads) + ")");
  if (ffn_hidden(c) % p.tp != 0)
    return problem("parallel.tp",
                   str(p.tp) + " does not divide ffn_hidden_size (" + str(ffn_hidden(c)) + ")");
  if (c.sequence_parallel && c.sequence_length % p.tp != 0)
    return problem("parallel.tp", str(p.tp) + " does not divide sequence_length (" +
                                      str(c.sequence_length) + "), as sequence_parallel needs");
  if (c.layers % p.pp != 0)
    return problem("parallel.pp", str(p.pp) + " does not divide layers (" + str(c.layers) + ")");
  if (p.ep > 1 && c.moe.experts == 0)
    return problem("parallel.ep", "expert parallelism needs moe.experts");
  if (p.dp % p.ep != 0)
    return problem("parallel.ep", str(p.ep) + " does not divide parallel.dp (" + str(p.dp) + ")");
  if (c.moe.experts % p.ep != 0)
    return problem("parallel.ep",
                   str(p.ep) + " does not divide moe.experts (" + str(c.moe.experts) + ")");
  return std::nullopt;
}

Problem check_batch(const TransformerConfig& c) {
  const std::uint64_t per_step = std::uint64_t{c.micro_batch_size} * c.parallel.dp;
  if (c.global_batch_size == 0 || c.global_batch_size % per_step != 0)
    return problem("global_batch_size", str(c.global_batch_size) +
                                            " is not a positive multiple of micro_batch_size * "
                                            "dp = " +
                                            str(per_step));
  const std::uint32_t m = micro_batches(c);
  if (c.schedule == PipelineSchedule::one_f_one_b && m < c.parallel.pp)
    return problem("global_batch_size",
                   "gives " + str(m) + " micro-batches per iteration, fewer than parallel.pp (" +
                       str(c.parallel.pp) + ") as the one_f_one_b schedule needs");
  if (c.dp_buckets == 0 || c.dp_buckets > c.layers / c.parallel.pp)
    return problem("dp_buckets", "must be between 1 and the layers of a stage (" +
                                     str(c.layers / c.parallel.pp) + "), not " + str(c.dp_buckets));
  // The largest message: an all-to-all buffer of b * s * k * h elements.
  const double elements = static_cast<double>(c.micro_batch_size) * c.sequence_length *
                          c.hidden_size * std::max(c.moe.top_k, 1U) * 4.0;
  if (elements > 0x1p62)
    return problem("hidden_size", "micro_batch_size * sequence_length * hidden_size is too large");
  const double h = c.hidden_size;
  const double params = c.layers * h * (4 * h + 2.0 * ffn_hidden(c) * std::max(c.moe.experts, 1U)) +
                        2 * h * static_cast<double>(c.vocabulary_size);
  if (params * 4 > 0x1p62) return problem("layers", "the model has too many parameters to count");
  const double ops = static_cast<double>(m) * 2.0 * (c.layers / c.parallel.pp) * 8.0 *
                     c.parallel.tp * c.parallel.pp * c.parallel.dp;
  if (ops > kMaxOps)
    return problem("global_batch_size", "the iteration would have about " +
                                            str(static_cast<std::uint64_t>(ops)) +
                                            " ops, more than a run can hold");
  return std::nullopt;
}

// More than a rank's compute per iteration, in picoseconds: what must fit
// in simulated time.
double compute_bound_ps(const TransformerConfig& c) {
  const double b = c.micro_batch_size, s = c.sequence_length, h = c.hidden_size;
  const double k = std::max(c.moe.top_k, 1U), v = static_cast<double>(c.vocabulary_size);
  double layer = 0, logits = 0;
  if (c.layer_forward_ps.empty()) {
    const double rate = c.gpu_peak_tflops * c.compute_efficiency;
    layer = (8 * b * s * h * h + 4 * b * s * s * h + 4 * b * s * h * ffn_hidden(c) * k) / rate;
    logits = 2 * b * s * h * v / rate;
  } else {
    layer = static_cast<double>(
        *std::max_element(c.layer_forward_ps.begin(), c.layer_forward_ps.end()));
  }
  return (layer * c.layers + logits) * micro_batches(c) * (1 + c.backward_factor);
}

Problem check_compute(const TransformerConfig& c) {
  if (!is_allreduce(c.tp_allreduce))
    return problem("tp_allreduce",
                   std::string(to_string(c.tp_allreduce)) + " is not an all-reduce");
  if (!is_allreduce(c.dp_allreduce))
    return problem("dp_allreduce",
                   std::string(to_string(c.dp_allreduce)) + " is not an all-reduce");
  if (!is_all_to_all(c.ep_all_to_all))
    return problem("ep_all_to_all",
                   std::string(to_string(c.ep_all_to_all)) + " is not an all-to-all");
  const std::size_t given = c.layer_forward_ps.size();
  if (given != 0 && c.gpu_peak_tflops != 0)
    return problem("gpu_peak_tflops", "give layer_forward_ps or gpu_peak_tflops, not both");
  if (given == 0 && !(c.gpu_peak_tflops > 0))
    return problem("layer_forward_ps",
                   "compute times need layer_forward_ps or a positive gpu_peak_tflops");
  if (given != 0 && given != 1 && given != c.layers)
    return problem("layer_forward_ps", str(given) + " values for " + str(c.layers) +
                                           " layers: give one value or one per layer");
  for (const sim::Time t : c.layer_forward_ps) {
    if (t < 0) return problem("layer_forward_ps", "must not be negative");
  }
  if (given == 0 && !std::isfinite(c.gpu_peak_tflops))
    return problem("gpu_peak_tflops", "must be finite");
  if (!(c.compute_efficiency > 0 && c.compute_efficiency <= 1))
    return problem("compute_efficiency", "must be in (0, 1]");
  if (!(c.backward_factor >= 0 && c.backward_factor < 1e6))
    return problem("backward_factor", "must be between 0 and 1e6");
  if (compute_bound_ps(c) > 0x1p62)
    return problem(given != 0 ? "layer_forward_ps" : "gpu_peak_tflops",
                   "an iteration's compute time would not fit in simulated time");
  return std::nullopt;
}

// Which group a template op's communicator names; make_transformer turns it
// into the rank's communicator index.
enum Group : std::uint32_t { kTp, kPp, kDp, kEp, kEdp, kGroups };
// Which neighbour a template send/recv names.
enum Neighbour : std::uint32_t { kPrevious, kNext };

// The numbers every stage needs.
struct Shape {
  std::uint32_t t = 1, p = 1, d = 1, e = 1, m = 1;
  std::uint32_t layers_per_stage = 1;
  std::uint64_t activation_bytes = 0;  // b * s * h * precision_bytes
  std::uint64_t dispatch_bytes = 0;    // b * s * k * h * precision_bytes
  std::uint32_t gradient_bytes = 2;
  bool moe = false;
  bool edp = false;  // expert gradients go over edp groups (e > 1), else over dp
};

struct LayerTimes {
  sim::Time attn_fwd = 0, mlp_fwd = 0, attn_bwd = 0, mlp_bwd = 0;
};

sim::Time scaled(sim::Time t, double factor) {
  return static_cast<sim::Time>(std::llround(static_cast<double>(t) * factor));
}

LayerTimes layer_times(const TransformerConfig& c, std::uint32_t layer) {
  const double b = c.micro_batch_size, s = c.sequence_length, h = c.hidden_size;
  const double f = ffn_hidden(c);
  const double k = is_moe_layer(c, layer) ? c.moe.top_k : 1;
  const double attn_flops = (8 * b * s * h * h + 4 * b * s * s * h) / c.parallel.tp;
  const double mlp_flops = 4 * b * s * h * f * k / c.parallel.tp;
  LayerTimes out;
  if (c.layer_forward_ps.empty()) {
    // 1 TFLOP/s is one FLOP per picosecond.
    const double rate = c.gpu_peak_tflops * c.compute_efficiency;
    out.attn_fwd = static_cast<sim::Time>(std::llround(attn_flops / rate));
    out.mlp_fwd = static_cast<sim::Time>(std::llround(mlp_flops / rate));
  } else {
    const sim::Time fwd =
        c.layer_forward_ps.size() == 1 ? c.layer_forward_ps[0] : c.layer_forward_ps[layer];
    out.attn_fwd = scaled(fwd, attn_flops / (attn_flops + mlp_flops));
    out.mlp_fwd = fwd - out.attn_fwd;
  }
  out.attn_bwd = scaled(out.attn_fwd, c.backward_factor);
  out.mlp_bwd = scaled(out.mlp_fwd, c.backward_factor);
  return out;
}

// One rank's parameters of a layer, split into what its dp group reduces
// and what its edp group does.
struct Params {
  std::uint64_t dense = 0;
  std::uint64_t expert = 0;
};

Params layer_params(const TransformerConfig& c, const Shape& shape, std::uint32_t layer) {
  const std::uint64_t h = c.hidden_size, f = ffn_hidden(c);
  Params out;
  out.dense = 4 * h * h / shape.t;
  const std::uint64_t mlp = 2 * h * f / shape.t;
  if (!is_moe_layer(c, layer)) {
    out.dense += mlp;
  } else if (shape.edp) {
    out.expert = c.moe.experts / shape.e * mlp;
  } else {
    out.dense += c.moe.experts * mlp;
  }
  return out;
}

// Interns labels: stages share most of them.
class Labels {
 public:
  explicit Labels(std::vector<std::string>& table) : table_(table) {
    for (std::uint32_t i = 0; i < table_.size(); ++i) index_.emplace(table_[i], i);
  }
  std::uint32_t operator()(const std::string& text) {
    const auto [it, added] = index_.emplace(text, static_cast<std::uint32_t>(table_.size()));
    if (added) table_.push_back(text);
    return it->second;
  }

 private:
  std::vector<std::string>& table_;
  std::unordered_map<std::string, std::uint32_t> index_;
};

// Builds the program of one stage with group and neighbour codes in place of
// communicators and peers: every rank of the stage runs a copy of it.
class StageBuilder {
 public:
  StageBuilder(const TransformerConfig& config, const Shape& shape, std::uint32_t stage,
               Labels& labels)
      : c_(config), shape_(shape), stage_(stage), labels_(labels) {
    first_layer_ = stage * shape.layers_per_stage;
    for (std::uint32_t l = 0; l < shape.layers_per_stage; ++l)
      times_.push_back(layer_times(config, first_layer_ + l));
    logits_ = last_stage() && c_.vocabulary_size != 0 && c_.layer_forward_ps.empty();
  }

  RankProgram build() {
    std::optional<std::uint32_t> end;  // the last op of the previous task
    const auto tasks = schedule();
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      const auto [forward, mb] = tasks[i];
      end = forward ? forward_task(mb, end) : backward_task(mb, end, i + 1 == tasks.size());
    }
    gather_parameters();
    return std::move(out_);
  }

 private:
  [[nodiscard]] bool last_stage() const { return stage_ + 1 == shape_.p; }
  [[nodiscard]] bool tp() const { return shape_.t > 1; }

  // (forward?, micro-batch) in the order the stage runs them.
  [[nodiscard]] std::vector<std::pair<bool, std::uint32_t>> schedule() const {
    std::vector<std::pair<bool, std::uint32_t>> tasks;
    const std::uint32_t m = shape_.m;
    if (c_.schedule == PipelineSchedule::gpipe) {
      for (std::uint32_t i = 0; i < m; ++i) tasks.emplace_back(true, i);
      for (std::uint32_t i = 0; i < m; ++i) tasks.emplace_back(false, i);
      return tasks;
    }
    const std::uint32_t warmup = std::min(shape_.p - stage_ - 1, m);
    for (std::uint32_t i = 0; i < warmup; ++i) tasks.emplace_back(true, i);
    for (std::uint32_t i = 0; i + warmup < m; ++i) {
      tasks.emplace_back(true, warmup + i);
      tasks.emplace_back(false, i);
    }
    for (std::uint32_t i = m - warmup; i < m; ++i) tasks.emplace_back(false, i);
    return tasks;
  }

  std::uint32_t add(const Op& op, std::optional<std::uint32_t> after) {
    if (after) out_.deps.push_back(*after);
    return push(op);
  }
  std::uint32_t add(const Op& op, const std::vector<std::uint32_t>& after) {
    out_.deps.insert(out_.deps.end(), after.begin(), after.end());
    return push(op);
  }
  std::uint32_t push(const Op& op) {
    out_.ops.push_back(op);
    out_.dep_begin.push_back(static_cast<std::uint32_t>(out_.deps.size()));
    return static_cast<std::uint32_t>(out_.ops.size() - 1);
  }

  std::uint32_t compute(sim::Time duration, const std::string& label,
                        std::optional<std::uint32_t> after) {
    Op op;
    op.kind = OpKind::compute;
    op.duration_ps = duration;
    op.label = labels_(label);
    return add(op, after);
  }
  std::uint32_t collective(Collective kind, Group group, std::uint64_t bytes,
                           const std::string& label, std::optional<std::uint32_t> after) {
    return add(collective_op(kind, group, bytes, label), after);
  }
  Op collective_op(Collective kind, Group group, std::uint64_t bytes, const std::string& label) {
    Op op;
    op.kind = OpKind::collective;
    op.collective = kind;
    op.communicator = group;
    op.size_bytes = bytes;
    op.label = labels_(label);
    return op;
  }
  std::uint32_t point_to_point(OpKind kind, Neighbour peer, std::uint32_t tag,
                               const std::string& label, std::optional<std::uint32_t> after) {
    Op op;
    op.kind = kind;
    op.communicator = kPp;  // for accounting: the pipeline's traffic
    op.peer = peer;
    op.tag = tag;
    op.size_bytes = shape_.activation_bytes;
    op.label = labels_(label);
    return add(op, after);
  }

  // A TP all-reduce (or, with sequence parallelism, the all-gather before
  // `body` and the reduce-scatter after it) around the compute `body` adds.
  template <typename Body>
  std::uint32_t tp_wrapped(const std::string& prefix, std::uint32_t index,
                           std::optional<std::uint32_t> after, Body body) {
    const std::string n = "." + std::to_string(index);
    if (tp() && c_.sequence_parallel) {
      after = collective(Collective::all_gather, kTp, shape_.activation_bytes,
                         prefix + "tp_all_gather" + n, after);
    }
    std::uint32_t last = body(after);
    if (!tp()) return last;
    if (c_.sequence_parallel) {
      return collective(Collective::reduce_scatter, kTp, shape_.activation_bytes,
                        prefix + "tp_reduce_scatter" + n, last);
    }
    return collective(c_.tp_allreduce, kTp, shape_.activation_bytes, prefix + "tp_allreduce" + n,
                      last);
  }

  // The experts of an MoE layer between their two all-to-alls.
  std::uint32_t experts(const std::string& prefix, bool forward, sim::Time duration,
                        std::optional<std::uint32_t> after) {
    const bool a2a = shape_.e > 1;
    const std::string first = forward ? "ep_dispatch" : "ep_combine";
    const std::string second = forward ? "ep_combine" : "ep_dispatch";
    if (a2a)
      after = collective(c_.ep_all_to_all, kEp, shape_.dispatch_bytes, prefix + first, after);
    std::uint32_t last = compute(duration, prefix + "experts", after);
    if (a2a) last = collective(c_.ep_all_to_all, kEp, shape_.dispatch_bytes, prefix + second, last);
    return last;
  }

  std::uint32_t forward_task(std::uint32_t mb, std::optional<std::uint32_t> after) {
    const std::string task = "fwd.mb" + std::to_string(mb) + ".";
    const std::uint32_t tag = 2 * mb;
    if (stage_ > 0) after = point_to_point(OpKind::recv, kPrevious, tag, task + "recv", after);
    for (std::uint32_t i = 0; i < shape_.layers_per_stage; ++i) {
      const std::uint32_t layer = first_layer_ + i;
      const LayerTimes& t = times_[i];
      const std::string p = task + "l" + std::to_string(layer) + ".";
      after = tp_wrapped(p, 0, after, [&](std::optional<std::uint32_t> a) {
        return compute(t.attn_fwd, p + "attn", a);
      });
      after = tp_wrapped(p, 1, after, [&](std::optional<std::uint32_t> a) {
        return is_moe_layer(c_, layer) ? experts(p, true, t.mlp_fwd, a)
                                       : compute(t.mlp_fwd, p + "mlp", a);
      });
    }
    if (logits_) after = compute(logits_fwd(), task + "logits", after);
    if (!last_stage()) after = point_to_point(OpKind::send, kNext, tag, task + "send", after);
    return *after;
  }

  std::uint32_t backward_task(std::uint32_t mb, std::optional<std::uint32_t> after, bool final) {
    const std::string task = "bwd.mb" + std::to_string(mb) + ".";
    const std::uint32_t tag = 2 * mb + 1;
    if (!last_stage()) after = point_to_point(OpKind::recv, kNext, tag, task + "recv", after);
    if (logits_) {
      after = compute(scaled(logits_fwd(), c_.backward_factor), task + "logits", after);
    }
    Params bucket;
    std::uint32_t bucket_index = 0;
    if (final && last_stage()) bucket.dense += embedding_params();
    for (std::uint32_t i = shape_.layers_per_stage; i-- > 0;) {
      const std::uint32_t layer = first_layer_ + i;
      const LayerTimes& t = times_[i];
      const std::string p = task + "l" + std::to_string(layer) + ".";
      after = tp_wrapped(p, 1, after, [&](std::optional<std::uint32_t> a) {
        return is_moe_layer(c_, layer) ? experts(p, false, t.mlp_bwd, a)
                                       : compute(t.mlp_bwd, p + "mlp", a);
      });
      after = tp_wrapped(p, 0, after, [&](std::optional<std::uint32_t> a) {
        return compute(t.attn_bwd, p + "attn", a);
      });
      if (!final) continue;
      const Params params = layer_params(c_, shape_, layer);
      bucket.dense += params.dense;
      bucket.expert += params.expert;
      // Layers done so far in this backward: shape_.layers_per_stage - i.
      const std::uint32_t done = shape_.layers_per_stage - i;
      if (done * c_.dp_buckets >= (bucket_index + 1) * shape_.layers_per_stage) {
        if (i == 0 && stage_ == 0) bucket.dense += embedding_params();
        reduce_gradients(bucket, bucket_index++, *after);
        bucket = Params{};
      }
    }
    if (stage_ > 0) after = point_to_point(OpKind::send, kPrevious, tag, task + "send", after);
    return *after;
  }

  [[nodiscard]] sim::Time logits_fwd() const {
    const double flops = 2.0 * c_.micro_batch_size * c_.sequence_length * c_.hidden_size *
                         static_cast<double>(c_.vocabulary_size) / shape_.t;
    return static_cast<sim::Time>(
        std::llround(flops / (c_.gpu_peak_tflops * c_.compute_efficiency)));
  }

  // The rank's share of the input embedding or of the output layer.
  [[nodiscard]] std::uint64_t embedding_params() const {
    return (c_.vocabulary_size + shape_.t - 1) / shape_.t * c_.hidden_size;
  }

  void reduce_gradients(const Params& bucket, std::uint32_t index, std::uint32_t after) {
    const std::string name = ".bucket" + std::to_string(index) + ".";
    const auto reduce = [&](Group group, const char* prefix, std::uint64_t params,
                            std::uint32_t ranks) {
      if (params == 0 || ranks < 2) return;
      const std::uint64_t bytes = params * shape_.gradient_bytes;
      if (!c_.zero) {
        collective(c_.dp_allreduce, group, bytes, prefix + name + "allreduce", after);
        return;
      }
      reduced_.push_back(collective(Collective::reduce_scatter, group, bytes,
                                    prefix + name + "reduce_scatter", after));
      gathers_.push_back(collective_op(Collective::all_gather, group, params * c_.precision_bytes,
                                       prefix + name + "all_gather"));
    };
    reduce(kDp, "dp", bucket.dense, shape_.d);
    reduce(kEdp, "edp", bucket.expert, shape_.d / shape_.e);
  }

  // ZeRO: the parameters' all-gathers once every gradient is reduced.
  void gather_parameters() {
    for (const Op& op : gathers_) add(op, reduced_);
  }

  const TransformerConfig& c_;
  const Shape& shape_;
  std::uint32_t stage_;
  Labels& labels_;
  std::uint32_t first_layer_ = 0;
  std::vector<LayerTimes> times_;
  bool logits_ = false;
  RankProgram out_;
  std::vector<std::uint32_t> reduced_;  // the reduce-scatters (zero)
  std::vector<Op> gathers_;             // the all-gathers to add after them (zero)
};

Shape shape_of(const TransformerConfig& c) {
  Shape s;
  s.t = c.parallel.tp;
  s.p = c.parallel.pp;
  s.d = c.parallel.dp;
  s.e = c.parallel.ep;
  s.m = micro_batches(c);
  s.layers_per_stage = c.layers / s.p;
  s.activation_bytes =
      std::uint64_t{c.micro_batch_size} * c.sequence_length * c.hidden_size * c.precision_bytes;
  s.dispatch_bytes = s.activation_bytes * c.moe.top_k;
  s.gradient_bytes = c.gradient_bytes != 0 ? c.gradient_bytes : c.precision_bytes;
  s.moe = c.moe.experts != 0;
  s.edp = s.moe && s.e > 1;
  return s;
}

// Adds the communicators; returns, per group kind, each rank's communicator.
std::vector<std::vector<std::uint32_t>> add_communicators(const Shape& s, Program& program) {
  const std::uint32_t n = s.t * s.p * s.d;
  std::vector<std::vector<std::uint32_t>> of(kGroups, std::vector<std::uint32_t>(n, 0));
  const std::string kinds[kGroups] = {"tp", "pp", "dp", "ep", "edp"};
  for (Communicator& comm : parallel_groups(ParallelDegrees{s.t, s.p, s.d, s.e}, s.moe, s.edp)) {
    const auto index = static_cast<std::uint32_t>(program.communicators.size());
    const std::string kind = group_kind(comm.name);
    const auto group = static_cast<std::size_t>(std::find(kinds, kinds + kGroups, kind) - kinds);
    for (const std::uint32_t rank : comm.ranks) of[group][rank] = index;
    program.communicators.push_back(std::move(comm));
  }
  return of;
}

}  // namespace

std::optional<TransformerConfigProblem> check(const TransformerConfig& config) {
  if (Problem p = check_model(config)) return p;
  if (Problem p = check_parallel(config)) return p;
  if (Problem p = check_batch(config)) return p;
  return check_compute(config);
}

Program make_transformer(const TransformerConfig& config) {
  if (const Problem p = check(config)) throw TransformerConfigError(*p);
  const Shape shape = shape_of(config);
  Program program;
  const auto comm_of = add_communicators(shape, program);
  Labels labels(program.labels);
  std::vector<RankProgram> stages;
  for (std::uint32_t j = 0; j < shape.p; ++j)
    stages.push_back(StageBuilder(config, shape, j, labels).build());

  const ParallelDegrees par = config.parallel;
  const std::uint32_t n = shape.t * shape.p * shape.d;
  program.ranks.resize(n);
  for (std::uint32_t dp_i = 0; dp_i < shape.d; ++dp_i) {
    for (std::uint32_t pp_i = 0; pp_i < shape.p; ++pp_i) {
      for (std::uint32_t tp_i = 0; tp_i < shape.t; ++tp_i) {
        const std::uint32_t rank = rank_of(par, tp_i, pp_i, dp_i);
        RankProgram& out = program.ranks[rank];
        out = stages[pp_i];
        for (Op& op : out.ops) {
          if (op.kind == OpKind::collective) {
            op.communicator = comm_of[op.communicator][rank];
          } else if (op.kind != OpKind::compute) {
            op.communicator = comm_of[kPp][rank];
            const std::uint32_t peer_stage = op.peer == kNext ? pp_i + 1 : pp_i - 1;
            op.peer = rank_of(par, tp_i, peer_stage, dp_i);
          }
        }
      }
    }
  }
  return program;
}

}  // namespace spinel::workloads::graph
