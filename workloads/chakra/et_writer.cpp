#include "workloads/chakra/et_writer.hpp"

#include <fstream>
#include <stdexcept>

namespace spinel::workloads::chakra {

namespace {

pb::AttributeProto& attribute(pb::Node& node, const std::string& name) {
  pb::AttributeProto& a = *node.add_attr();
  a.set_name(name);
  return a;
}

void put_message(std::string& out, const google::protobuf::MessageLite& message) {
  std::uint64_t length = message.ByteSizeLong();
  while (length >= 0x80) {
    out.push_back(static_cast<char>((length & 0x7f) | 0x80));
    length >>= 7;
  }
  out.push_back(static_cast<char>(length));
  message.AppendToString(&out);
}

// A send's or a receive's attributes.
pb::Node& p2p(pb::Node& n, std::int64_t src, std::int64_t dst, std::int64_t comm_size,
              std::int64_t tag) {
  set_int(n, "comm_src", src);
  set_int(n, "comm_dst", dst);
  set_int(n, "comm_size", comm_size);
  set_int(n, "comm_tag", tag);
  return n;
}

}  // namespace

void set_int(pb::Node& node, const std::string& name, std::int64_t value) {
  attribute(node, name).set_int64_val(value);
}

void set_string(pb::Node& node, const std::string& name, const std::string& value) {
  attribute(node, name).set_string_val(value);
}

void set_bool(pb::Node& node, const std::string& name, bool value) {
  attribute(node, name).set_bool_val(value);
}

EtWriter::EtWriter(const std::string& version) {
  metadata.set_version(version);
}

pb::Node& EtWriter::add(std::uint64_t id, pb::NodeType type,
                        const std::vector<std::uint64_t>& data_deps, const std::string& name) {
  pb::Node& n = nodes.emplace_back();
  n.set_id(id);
  n.set_type(type);
  n.set_name(name);
  for (const std::uint64_t d : data_deps) n.add_data_deps(d);
  return n;
}

pb::Node& EtWriter::comp(std::uint64_t id, std::uint64_t duration_us,
                         const std::vector<std::uint64_t>& data_deps) {
  pb::Node& n = add(id, pb::COMP_NODE, data_deps, "comp");
  n.set_duration_micros(duration_us);
  return n;
}

pb::Node& EtWriter::coll(std::uint64_t id, pb::CollectiveCommType type, std::int64_t comm_size,
                         const std::vector<std::uint64_t>& data_deps, const std::string& pg_name) {
  pb::Node& n = add(id, pb::COMM_COLL_NODE, data_deps, "coll");
  set_int(n, "comm_type", type);
  set_int(n, "comm_size", comm_size);
  if (!pg_name.empty()) set_string(n, "pg_name", pg_name);
  return n;
}

pb::Node& EtWriter::send(std::uint64_t id, std::int64_t src, std::int64_t dst,
                         std::int64_t comm_size, std::int64_t tag,
                         const std::vector<std::uint64_t>& data_deps) {
  return p2p(add(id, pb::COMM_SEND_NODE, data_deps, "send"), src, dst, comm_size, tag);
}

pb::Node& EtWriter::recv(std::uint64_t id, std::int64_t src, std::int64_t dst,
                         std::int64_t comm_size, std::int64_t tag,
                         const std::vector<std::uint64_t>& data_deps) {
  return p2p(add(id, pb::COMM_RECV_NODE, data_deps, "recv"), src, dst, comm_size, tag);
}

std::string EtWriter::bytes() const {
  std::string out;
  put_message(out, metadata);
  for (const pb::Node& n : nodes) put_message(out, n);
  return out;
}

void EtWriter::write(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::string b = bytes();
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
  if (!out) throw std::runtime_error(path + ": cannot write the trace file");
}

void write_synthetic_job(const std::string& prefix, std::uint32_t ranks,
                         std::uint32_t nodes_per_rank, std::uint32_t collectives) {
  const std::uint32_t every = nodes_per_rank / (collectives + 1);
  for (std::uint32_t r = 0; r < ranks; ++r) {
    EtWriter w;
    std::uint64_t last_comp = 0;
    std::uint64_t last_coll = 0;
    std::uint32_t made = 0;
    for (std::uint64_t id = 1; id < nodes_per_rank; ++id) {
      std::vector<std::uint64_t> deps;
      if (last_comp != 0) deps.push_back(last_comp);
      if (made < collectives && id % every == 0) {
        // The gradients so far, all-reduced while later compute goes on;
        // each waits for the previous one (a bucket at a time).
        if (last_coll != 0) deps.push_back(last_coll);
        w.coll(id, pb::ALL_REDUCE, 1 << 22, deps);
        last_coll = id;
        ++made;
        continue;
      }
      // Every 16th node a CPU-side op, as converted traces hold.
      if (id % 16 == 0) {
        set_bool(w.add(id, pb::COMP_NODE, deps, "cpu_op"), "is_cpu_op", true);
      } else {
        w.comp(id, 10 + (id * 7) % 40, deps);
      }
      last_comp = id;
    }
    std::vector<std::uint64_t> last{last_comp};
    if (last_coll != 0) last.push_back(last_coll);
    w.comp(nodes_per_rank, 1, last);  // the step's end waits for the last bucket
    w.write(prefix + "." + std::to_string(r) + ".et");
  }
}

}  // namespace spinel::workloads::chakra
