// Writes the seed corpora no shipped file provides, and the Chakra one made
// of shipped traces, each into a folder of OUT named after its target:
//   spinel_fuzz_seeds OUT SOURCE_DIR
//   pccl_wire/      every protocol message and driver frame, alone and as one stream
//   fabric_graphml/ fabric_dot/  preset fabrics written out (topology/fabric_file.hpp)
//   chakra/         each trace of SOURCE_DIR/scenarios/chakra/, its rank files
//                   joined by fuzz_chakra.cpp's separator
#include <algorithm>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "topology/config.hpp"
#include "topology/fabric_file.hpp"
#include "topology/topology.hpp"
#include "workloads/pccl/real_wire.hpp"
#include "workloads/pccl/wire.hpp"

namespace fs = std::filesystem;
namespace pccl = spinel::pccl;
namespace topology = spinel::topology;

namespace {

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// fuzz_pccl_wire's input: a byte that picks the feed size, then the stream.
std::string wire_input(std::uint8_t step, const std::vector<std::uint8_t>& stream) {
  return std::string(1, static_cast<char>(step)) + std::string(stream.begin(), stream.end());
}

void pccl_seeds(const fs::path& dir) {
  const std::vector<pccl::Message> messages = {pccl::Register{},
                                               pccl::VoteTopology{},
                                               pccl::VoteSync{7, {1, 2, 3}},
                                               pccl::SyncDone{true},
                                               pccl::VoteCollective{42},
                                               pccl::CollectiveDone{42, 3},
                                               pccl::ReportAbort{42, 1},
                                               pccl::Leave{},
                                               pccl::Keepalive{},
                                               pccl::Topology{3, 99, {0, 5, 9}},
                                               pccl::SyncPlan{8, {11, 12}, {0}, 4},
                                               pccl::StartCollective{5, 2, {1, 2, 3}},
                                               pccl::AbortCollective{5, 2},
                                               pccl::CompleteCollective{5, 3},
                                               pccl::TooFewPeers{6},
                                               pccl::Chunk{5, 2, 3, 1, {1.5F, -0.0F, 3e-38F}},
                                               pccl::StateRequest{{0, 1}},
                                               pccl::StateReply{9, {{0, {1.0F, 2.0F}}, {1, {}}}}};
  const std::vector<pccl::DriverFrame> frames = {
      pccl::Hello{pccl::HelloRole::control, 4000, 0, 0, 0},
      pccl::Hello{pccl::HelloRole::ring, 4001, 2, 1, 3},
      pccl::Welcome{3, pccl::PeerConfig{}},
      pccl::Directory{{{1, 4001}, {2, 4002}}},
      pccl::Challenge{pccl::kHandshakeVersion, pccl::Nonce{1, 2, 3}},
      pccl::Proof{pccl::Tag{4, 5, 6}}};
  std::vector<std::uint8_t> all;
  int n = 0;
  for (const pccl::Message& m : messages) {
    write(dir / ("message-" + std::to_string(n++)), wire_input(0xff, pccl::encode(m)));
    pccl::encode_into(m, all);
  }
  for (const pccl::DriverFrame& f : frames) {
    std::vector<std::uint8_t> one;
    pccl::encode_into(f, one);
    write(dir / ("driver-" + std::to_string(n++)), wire_input(0xff, one));
    pccl::encode_into(f, all);
  }
  write(dir / "all-in-steps-of-7", wire_input(6, all));
}

void fabric_seeds(const fs::path& graphml, const fs::path& dot) {
  topology::FabricConfig small;
  small.leaves = 2;
  small.spines = 1;
  small.hosts_per_leaf = 2;
  topology::FabricConfig dual = small;
  dual.leaves = 4;
  dual.nic_ports = 2;
  const std::map<std::string, topology::FabricConfig> fabrics = {
      {"leaf_spine", topology::FabricConfig{}}, {"small", small}, {"dual_port", dual}};
  for (const auto& [name, config] : fabrics) {
    const topology::Topology t = topology::build_fabric(config);
    std::ostringstream g;
    topology::write_fabric(t, topology::GraphFormat::graphml, g);
    write(graphml / (name + ".graphml"), g.str());
    std::ostringstream d;
    topology::write_fabric(t, topology::GraphFormat::dot, d);
    write(dot / (name + ".dot"), d.str());
  }
}

// PREFIX.<rank>.et files, by prefix, in rank order.
void chakra_seeds(const fs::path& traces, const fs::path& dir) {
  std::map<std::string, std::map<int, fs::path>> by_prefix;
  for (const auto& entry : fs::directory_iterator(traces)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".et")) continue;
    const std::string stem = name.substr(0, name.size() - 3);
    const std::size_t dot = stem.rfind('.');
    by_prefix[stem.substr(0, dot)][std::stoi(stem.substr(dot + 1))] = entry.path();
  }
  for (const auto& [prefix, files] : by_prefix) {
    std::string joined;
    for (const auto& [rank, path] : files) {
      std::ifstream in(path, std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      if (rank > 0) joined += "@@rank@@";  // fuzz_chakra.cpp's kRankSeparator
      joined += bytes.str();
    }
    write(dir / prefix, joined);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: spinel_fuzz_seeds OUT SOURCE_DIR\n";
    return 2;
  }
  try {
    const fs::path out = argv[1];
    fs::remove_all(out);
    pccl_seeds(out / "pccl_wire");
    fabric_seeds(out / "fabric_graphml", out / "fabric_dot");
    chakra_seeds(fs::path(argv[2]) / "scenarios" / "chakra", out / "chakra");
  } catch (const std::exception& e) {
    std::cerr << "spinel_fuzz_seeds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
