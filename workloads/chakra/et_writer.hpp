#pragma once
// Writes Chakra .et files with the generated protobuf classes: for tests,
// the benchmark and the example generator (tools/chakra_examples), so that
// spinel can make the traces it reads.
#include <et_def.pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace spinel::workloads::chakra {

namespace pb = ChakraProtoMsg;

void set_int(pb::Node& node, const std::string& name, std::int64_t value);
void set_string(pb::Node& node, const std::string& name, const std::string& value);
void set_bool(pb::Node& node, const std::string& name, bool value);

// One rank's file: its metadata, then its nodes in the order added.
class EtWriter {
 public:
  explicit EtWriter(const std::string& version = "0.0.4");
  pb::Node& add(std::uint64_t id, pb::NodeType type, const std::vector<std::uint64_t>& data_deps,
                const std::string& name = "");
  pb::Node& comp(std::uint64_t id, std::uint64_t duration_us,
                 const std::vector<std::uint64_t>& data_deps);
  // comm_size as ASTRA-sim reads it; pg_name "" leaves the attribute out.
  pb::Node& coll(std::uint64_t id, pb::CollectiveCommType type, std::int64_t comm_size,
                 const std::vector<std::uint64_t>& data_deps, const std::string& pg_name = "");
  pb::Node& send(std::uint64_t id, std::int64_t src, std::int64_t dst, std::int64_t comm_size,
                 std::int64_t tag, const std::vector<std::uint64_t>& data_deps);
  pb::Node& recv(std::uint64_t id, std::int64_t src, std::int64_t dst, std::int64_t comm_size,
                 std::int64_t tag, const std::vector<std::uint64_t>& data_deps);
  // The file's bytes: each message after its length as a varint.
  [[nodiscard]] std::string bytes() const;
  void write(const std::string& path) const;

  pb::GlobalMetadata metadata;
  std::vector<pb::Node> nodes;
};

// A synthetic data-parallel job shaped like a converted PyTorch trace:
// `nodes_per_rank` nodes per rank, mostly chains of COMP nodes (durations
// from a fixed pattern), every `nodes_per_rank / collectives`-th an
// all-reduce of the gradients so far on every rank; written to
// PREFIX.<rank>.et.
void write_synthetic_job(const std::string& prefix, std::uint32_t ranks,
                         std::uint32_t nodes_per_rank, std::uint32_t collectives);

}  // namespace spinel::workloads::chakra
