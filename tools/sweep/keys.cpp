#include "tools/sweep/keys.hpp"

#include <algorithm>
#include <utility>

namespace spinel::sweep {

const std::vector<Key>& sweepable_keys() {
  static const std::vector<Key> keys = {
      {"topology.kind", Kind::word},
      {"topology.leaves", Kind::integer},
      {"topology.spines", Kind::integer},
      {"topology.hosts_per_leaf", Kind::integer},
      {"topology.parallel_links", Kind::integer},
      {"topology.nic_ports", Kind::integer},
      {"topology.planes", Kind::integer},
      {"topology.host_link.rate", Kind::rate},
      {"topology.host_link.latency", Kind::duration},
      {"topology.spine_link.rate", Kind::rate},
      {"topology.spine_link.latency", Kind::duration},
      // kind: clos3 and fat_tree.
      {"topology.pods", Kind::integer},
      {"topology.leaves_per_pod", Kind::integer},
      {"topology.aggs_per_pod", Kind::integer},
      {"topology.cores", Kind::integer},
      {"topology.core_groups", Kind::integer},
      {"topology.k", Kind::integer},
      {"topology.agg_link.rate", Kind::rate},
      {"topology.agg_link.latency", Kind::duration},
      {"topology.core_link.rate", Kind::rate},
      {"topology.core_link.latency", Kind::duration},
      // kind: wan, the link between every pair of sites (wan_link).
      {"topology.wan_link.rate", Kind::rate},
      {"topology.wan_link.latency", Kind::duration},
      {"topology.wan_link.rtt", Kind::duration},
      {"transport.model", Kind::word},
      {"transport.policy", Kind::word},
      {"transport.convergence", Kind::duration},
      {"transport.ecmp_salt", Kind::word},
      {"workload.collective", Kind::word},
      {"workload.size_bytes", Kind::size},
      {"workload.hosts", Kind::integer_or_all},
      {"workload.placement", Kind::placement},
      {"workload.iterations", Kind::integer},
      {"workload.compute_gap", Kind::duration},
      {"workload.compute", Kind::duration},
      {"workload.buckets", Kind::integer},
      // Workload graphs: the parallel degrees (their product stays the job's ranks).
      {"workload.parallel.tp", Kind::integer},
      {"workload.parallel.pp", Kind::integer},
      {"workload.parallel.dp", Kind::integer},
      {"workload.parallel.ep", Kind::integer},
      // The transformer generator: the model's sizes, its batch and its compute.
      {"workload.transformer.layers", Kind::integer},
      {"workload.transformer.hidden_size", Kind::integer},
      {"workload.transformer.ffn_hidden_size", Kind::integer},
      {"workload.transformer.heads", Kind::integer},
      {"workload.transformer.vocabulary_size", Kind::integer},
      {"workload.transformer.sequence_length", Kind::integer},
      {"workload.transformer.micro_batch_size", Kind::integer},
      {"workload.transformer.global_batch_size", Kind::integer},
      {"workload.transformer.precision", Kind::word},
      {"workload.transformer.schedule", Kind::word},
      {"workload.transformer.sequence_parallel", Kind::word},
      {"workload.transformer.zero", Kind::word},
      {"workload.transformer.dp_buckets", Kind::integer},
      {"workload.transformer.layer_forward", Kind::duration},
      {"workload.transformer.gpu_peak_tflops", Kind::decimal},
      {"workload.transformer.compute_efficiency", Kind::decimal},
      {"workload.transformer.backward_factor", Kind::decimal},
      {"workload.transformer.moe.experts", Kind::integer},
      {"workload.transformer.moe.top_k", Kind::integer},
      {"workload.transformer.moe.every", Kind::integer},
      {"workload.compute_scale", Kind::decimal},
      {"random_fault.kind", Kind::word},
      {"random_fault.from", Kind::duration},
      {"random_fault.to", Kind::duration},
      // Detection and recovery (C4's downtime study).
      {"detector.kind", Kind::word},
      {"detector.hang_timeout", Kind::duration},
      {"detector.watchdog", Kind::duration},
      {"detector.diagnosis_delay", Kind::duration},
      {"recovery.checkpoint_interval", Kind::duration},
      {"recovery.restart", Kind::duration},
      {"recovery.fast_forward", Kind::word},
      // The packet level's parameters (read only with transport.model: packet).
      {"transport.packet.mtu_bytes", Kind::size},
      {"transport.packet.ack_every", Kind::integer},
      {"transport.packet.buffer_bytes", Kind::size},
      {"transport.packet.ecn_kmin_bytes", Kind::size},
      {"transport.packet.ecn_kmax_bytes", Kind::size},
      {"transport.packet.cc", Kind::word},
      {"transport.packet.nscc_target_qdelay", Kind::duration},
      {"transport.packet.nscc_md_gain", Kind::decimal},
      {"transport.packet.nscc_nack_md", Kind::decimal},
      {"transport.packet.nscc_pi_gain", Kind::decimal},
      {"transport.packet.nscc_fast_increase", Kind::decimal},
      {"transport.packet.window_bytes", Kind::size},
      {"transport.packet.rto", Kind::duration},
      {"transport.packet.reorder_packets", Kind::integer},
      {"transport.packet.spray", Kind::word},
      {"transport.packet.flow_control", Kind::word},
      {"transport.packet.pfc_xoff_bytes", Kind::size},
      {"transport.packet.buffer", Kind::word},
      {"transport.packet.shared_buffer_bytes", Kind::size},
      {"transport.packet.dcqcn_increase_timer", Kind::duration},
      {"transport.packet.dcqcn_ai_rate", Kind::rate},
      {"transport.packet.retransmit", Kind::word},
      {"transport.packet.reps_buffer", Kind::integer},
      {"transport.packet.entropies", Kind::integer},
      {"transport.packet.priority_queues", Kind::word},
      {"transport.packet.trimming", Kind::word},
      {"transport.packet.trim_threshold_bytes", Kind::size},
      // pccl: step rate against churn, peers and the connection pool.
      {"pccl.peers", Kind::integer},
      {"pccl.max_peers", Kind::integer},
      {"pccl.size_bytes", Kind::size},
      {"pccl.connections_per_neighbour", Kind::integer},
      {"pccl.window_bytes", Kind::size},
      {"pccl.ring_order", Kind::word},
      {"pccl.step_compute", Kind::duration},
      {"pccl.inner_steps", Kind::integer},
      {"pccl.async", Kind::word},
      {"pccl.quantisation", Kind::word},
      {"pccl.concurrent_collectives", Kind::integer},
      {"pccl.keepalive_timeout", Kind::duration},
      {"pccl.duration", Kind::duration},
      // Rates are events per hour: whole numbers when swept.
      {"pccl.churn.joins_per_hour", Kind::integer},
      {"pccl.churn.deaths_per_peer_hour", Kind::integer},
      {"pccl.churn.stalls_per_peer_hour", Kind::integer},
      {"pccl.churn.leaves_per_peer_hour", Kind::integer},
  };
  return keys;
}

const Key* find_key(std::string_view path) {
  const auto& keys = sweepable_keys();
  const auto it =
      std::find_if(keys.begin(), keys.end(), [&](const Key& k) { return k.path == path; });
  return it == keys.end() ? nullptr : &*it;
}

std::string column_name(const Key& key) {
  std::string name(key.path);
  if (key.kind == Kind::rate) name += "_gbps";
  if (key.kind == Kind::duration) name += "_ps";
  return name;
}

std::string_view why_not_sweepable(std::string_view path) {
  static const std::pair<std::string_view, std::string_view> reasons[] = {
      {"seed", "the seed is not swept by key; use sweep.seeds: N to run every point with N seeds"},
      {"name", "the name names the sweep's output folder and is the same for every point"},
      {"description", "the description is the same for every point"},
      {"output.dir", "the output folder of a sweep is --out (each point gets a folder in it)"},
      {"output.flows", "output settings are the same for every point"},
      {"output.trace", "output settings are the same for every point"},
      {"output.timeseries", "output settings are the same for every point"},
      {"output.timeseries.interval", "output settings are the same for every point"},
      {"output.timeseries.links", "output settings are the same for every point"},
      {"faults", "the faults list is the same for every point (run one sweep per fault list)"},
  };
  for (const auto& [key, reason] : reasons) {
    if (key == path) return reason;
  }
  return "";
}

}  // namespace spinel::sweep
