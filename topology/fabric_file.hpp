#pragma once
// A fabric read from a graph file (GraphML or Graphviz DOT, by Boost.Graph's
// readers) and a built fabric written back out, so a user can start from a
// preset and edit it. A node carries `role`: host, switch, or, to keep a
// Clos's up-down routing, leaf, spine, agg or core; an edge carries
// `rate_gbps` and `latency_ns` (one cable, both directions). GraphML names a
// node by its `name` attribute, DOT by its node id. Nodes are numbered by
// role (hosts first, as the builders do), then by name in natural order; a
// host's cables, in file order, are its NIC's ports (every host has the same
// number, 1 or 2).
#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

#include "topology/config.hpp"
#include "topology/topology.hpp"

namespace spinel::topology {

// Bad fabric file: the message starts with the file's path and names the node
// or edge at fault.
class FabricFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FabricFileNode {
  std::string name;
  NodeKind kind = NodeKind::host;  // NodeKind::site stands for a plain `switch`
};

struct FabricFileCable {
  std::uint32_t a = 0;  // indices into FabricFile::nodes
  std::uint32_t b = 0;
  LinkSpec link;
};

// The graph as read, nodes in the fabric's order (hosts first).
struct FabricFile {
  std::string path;
  std::vector<FabricFileNode> nodes;
  std::vector<FabricFileCable> cables;
  std::uint32_t hosts = 0;
  std::uint32_t nic_ports = 1;
};

enum class GraphFormat : std::uint8_t { graphml, dot };

// Reads and checks the file (format by extension: .graphml or .xml is
// GraphML, .dot or .gv is DOT). Throws FabricFileError.
FabricFile read_fabric_file(const std::string& path);
// The same from text, `path` naming it in errors.
FabricFile parse_fabric(const std::string& text, GraphFormat format, const std::string& path);

// The fabric the file describes, node ids in the order above.
Topology build_file_fabric(const FabricFile& file);

// Writes every node (name, role) and cable (rate_gbps, latency_ns) of a built
// fabric; reading it back builds the same nodes and links in the same order.
void write_fabric(const Topology& topology, GraphFormat format, std::ostream& out);

}  // namespace spinel::topology
