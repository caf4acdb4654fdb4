// Protobuf's generated classes parse each message; this file turns a Node
// into a RankNode, reading the attributes ASTRA-sim reads and counting the
// others.
#include <et_def.pb.h>

#include <optional>

#include "workloads/chakra/et_stream.hpp"
#include "workloads/chakra/rank_nodes.hpp"

namespace spinel::workloads::chakra {

namespace {

namespace pb = ChakraProtoMsg;

constexpr std::uint64_t kMaxCommBytes = 1ULL << 50;
constexpr std::uint64_t kMaxDurationUs = 3'600'000'000ULL;  // an hour per node

// An attribute's integer, whichever integer (or bool) field holds it.
std::optional<std::int64_t> integer(const pb::AttributeProto& a) {
  switch (a.value_case()) {
    case pb::AttributeProto::kInt32Val:
      return a.int32_val();
    case pb::AttributeProto::kInt64Val:
      return a.int64_val();
    case pb::AttributeProto::kUint32Val:
      return a.uint32_val();
    case pb::AttributeProto::kUint64Val:
      if (a.uint64_val() > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
      return static_cast<std::int64_t>(a.uint64_val());
    case pb::AttributeProto::kSint32Val:
      return a.sint32_val();
    case pb::AttributeProto::kSint64Val:
      return a.sint64_val();
    case pb::AttributeProto::kFixed32Val:
      return a.fixed32_val();
    case pb::AttributeProto::kFixed64Val:
      if (a.fixed64_val() > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
      return static_cast<std::int64_t>(a.fixed64_val());
    case pb::AttributeProto::kSfixed32Val:
      return a.sfixed32_val();
    case pb::AttributeProto::kSfixed64Val:
      return a.sfixed64_val();
    case pb::AttributeProto::kBoolVal:
      return a.bool_val() ? 1 : 0;
    default:
      return std::nullopt;
  }
}

const char* type_name(int type) {
  switch (type) {
    case pb::METADATA_NODE:
      return "METADATA";
    case pb::MEM_LOAD_NODE:
      return "MEM_LOAD";
    case pb::MEM_STORE_NODE:
      return "MEM_STORE";
    case pb::COMP_NODE:
      return "COMP";
    case pb::COMM_SEND_NODE:
      return "COMM_SEND";
    case pb::COMM_RECV_NODE:
      return "COMM_RECV";
    case pb::COMM_COLL_NODE:
      return "COMM_COLL";
    default:
      return nullptr;
  }
}

// The spinel collective of a CollectiveCommType; false for unknown values.
bool collective_of(std::int64_t comm_type, RankNode& n) {
  switch (comm_type) {
    case pb::ALL_REDUCE:
      n.collective = Collective::ring_allreduce;
      return true;
    case pb::REDUCE:
      n.collective = Collective::reduce;
      return true;
    case pb::ALL_GATHER:
      n.collective = Collective::all_gather;
      n.per_member_size = true;
      return true;
    case pb::GATHER:
      n.collective = Collective::gather;
      n.per_member_size = true;
      return true;
    case pb::SCATTER:
      n.collective = Collective::scatter;
      return true;
    case pb::BROADCAST:
      n.collective = Collective::broadcast;
      return true;
    case pb::ALL_TO_ALL:
      n.collective = Collective::all_to_all;
      return true;
    case pb::REDUCE_SCATTER:
    case pb::REDUCE_SCATTER_BLOCK:
      n.collective = Collective::reduce_scatter;
      return true;
    case pb::BARRIER:
      n.collective = Collective::barrier;
      return true;
    default:
      return false;
  }
}

class NodeReader {
 public:
  NodeReader(const std::string& path, std::uint32_t rank, std::uint32_t ranks, TraceStats& stats)
      : path_(path), rank_(rank), ranks_(ranks), stats_(stats) {}

  RankNode read(const pb::Node& node, std::uint64_t offset) {
    RankNode n;
    n.id = node.id();
    n.offset = offset;
    n.name = node.name();
    n.deps.assign(node.data_deps().begin(), node.data_deps().end());
    n.deps.insert(n.deps.end(), node.ctrl_deps().begin(), node.ctrl_deps().end());
    const int type = node.type();
    const char* name = type_name(type);
    if (name == nullptr) {
      ++stats_.unknown_types[static_cast<std::uint64_t>(static_cast<std::uint32_t>(type))];
    } else {
      ++stats_.nodes[name];
    }
    std::optional<std::int64_t> comm_type;
    std::optional<std::int64_t> comm_size;
    std::optional<std::int64_t> comm_src;
    std::optional<std::int64_t> comm_dst;
    std::optional<std::int64_t> comm_tag;
    bool cpu = false;
    for (const pb::AttributeProto& a : node.attr()) {
      const std::string& key = a.name();
      if (key == "comm_type") {
        comm_type = need_integer(n, a);
      } else if (key == "comm_size") {
        comm_size = need_integer(n, a);
      } else if (key == "comm_src") {
        comm_src = need_integer(n, a);
      } else if (key == "comm_dst") {
        comm_dst = need_integer(n, a);
      } else if (key == "comm_tag") {
        comm_tag = need_integer(n, a);
      } else if (key == "is_cpu_op") {
        cpu = need_integer(n, a) != 0;
      } else if (key == "pg_name") {
        if (a.value_case() != pb::AttributeProto::kStringVal) fail(n, "pg_name is not a string");
        if (!a.string_val().empty()) n.group = "pg:" + a.string_val();
      } else if (key == "involved_dim") {
        if (a.value_case() != pb::AttributeProto::kBoolList) {
          fail(n, "involved_dim is not a list of booleans");
        }
        std::string mask;
        for (const bool b : a.bool_list().values()) mask += b ? '1' : '0';
        // Every dimension involved is every rank.
        if (mask.find('0') != std::string::npos && n.group.empty()) n.group = "dim:" + mask;
      } else {
        ++stats_.ignored_attributes[key];
      }
    }
    if (cpu) {
      ++stats_.cpu_nodes;
      return n;  // skipped: spinel models the GPU timeline, not the host's
    }
    switch (type) {
      case pb::COMP_NODE:
        if (node.duration_micros() > kMaxDurationUs) {
          fail(n, "duration_micros " + std::to_string(node.duration_micros()) +
                      " is more than an hour");
        }
        n.role = NodeRole::compute;
        n.duration_us = node.duration_micros();
        break;
      case pb::COMM_COLL_NODE:
        if (!comm_type) fail(n, "a COMM_COLL node without comm_type");
        if (!collective_of(*comm_type, n)) {
          fail(n, "comm_type " + std::to_string(*comm_type) +
                      " is not a CollectiveCommType (0 ALL_REDUCE .. 9 BARRIER)");
        }
        n.role = NodeRole::collective;
        if (n.collective != Collective::barrier) n.comm_size = size(n, comm_size);
        break;
      case pb::COMM_SEND_NODE:
      case pb::COMM_RECV_NODE: {
        const bool send = type == pb::COMM_SEND_NODE;
        n.role = send ? NodeRole::send : NodeRole::recv;
        const auto& peer = send ? comm_dst : comm_src;
        const char* key = send ? "comm_dst" : "comm_src";
        if (!peer) fail(n, std::string("a ") + name + " node without " + key);
        if (*peer < 0 || *peer >= ranks_ || *peer == rank_) {
          fail(n, std::string(key) + " " + std::to_string(*peer) +
                      " is not another rank (the trace has ranks 0.." + std::to_string(ranks_ - 1) +
                      "; this file is rank " + std::to_string(rank_) + ")");
        }
        n.peer = static_cast<std::uint32_t>(*peer);
        if (comm_tag && (*comm_tag < 0 || *comm_tag > UINT32_MAX)) {
          fail(n, "comm_tag " + std::to_string(*comm_tag) + " is out of range");
        }
        n.tag = comm_tag ? static_cast<std::uint32_t>(*comm_tag) : 0;
        n.comm_size = size(n, comm_size);
        break;
      }
      default:
        break;  // METADATA, MEM_LOAD, MEM_STORE, unknown: skipped
    }
    return n;
  }

 private:
  [[noreturn]] void fail(const RankNode& n, const std::string& what) const {
    throw ChakraError(path_ + ": node " + std::to_string(n.id) + " (byte offset " +
                      std::to_string(n.offset) + "): " + what);
  }
  std::int64_t need_integer(const RankNode& n, const pb::AttributeProto& a) const {
    const auto v = integer(a);
    if (!v) fail(n, "attribute " + a.name() + " is not an integer");
    return *v;
  }
  std::uint64_t size(const RankNode& n, const std::optional<std::int64_t>& bytes) const {
    if (!bytes) fail(n, "no comm_size");
    if (*bytes < 1 || static_cast<std::uint64_t>(*bytes) > kMaxCommBytes) {
      fail(n, "comm_size " + std::to_string(*bytes) + " is not from 1 to 2^50 bytes");
    }
    return static_cast<std::uint64_t>(*bytes);
  }

  const std::string& path_;
  std::uint32_t rank_;
  std::int64_t ranks_;
  TraceStats& stats_;
};

}  // namespace

RankNodes read_rank_nodes(const std::string& path, std::uint32_t rank, std::uint32_t ranks,
                          TraceStats& stats) {
  // Protobuf logs what it rejects (invalid UTF-8, say) to stderr; the
  // reader's own error says it, with the file and offset.
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
  RankNodes out;
  out.path = path;
  const std::string bytes = read_file_bytes(path);
  EtStream stream(path, bytes);
  std::string_view message;
  std::uint64_t offset = 0;
  if (!stream.next(message, offset)) {
    throw ChakraError(path + ": an empty file (a .et file starts with its GlobalMetadata)");
  }
  pb::GlobalMetadata meta;
  if (!meta.ParseFromArray(message.data(), static_cast<int>(message.size()))) {
    throw ChakraError(path +
                      ": byte offset 0: the first message does not parse as a "
                      "GlobalMetadata (is this a Chakra .et file?)");
  }
  out.version = meta.version();
  NodeReader reader(path, rank, ranks, stats);
  pb::Node node;
  while (stream.next(message, offset)) {
    if (message.size() > static_cast<std::size_t>(INT32_MAX) ||
        !node.ParseFromArray(message.data(), static_cast<int>(message.size()))) {
      throw ChakraError(path + ": byte offset " + std::to_string(offset) +
                        ": a message that does not parse as a Node (node " +
                        std::to_string(out.nodes.size() + 1) + " of the file)");
    }
    out.nodes.push_back(reader.read(node, offset));
  }
  return out;
}

}  // namespace spinel::workloads::chakra
