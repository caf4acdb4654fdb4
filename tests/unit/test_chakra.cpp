// Chakra execution traces: files written here with the generated protobuf
// classes (workloads/chakra/et_writer.hpp), read into workload graphs, run,
// and broken in every way the reader must name.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "fabric.hpp"
#include "test_support.hpp"
#include "workloads/chakra/chakra.hpp"
#include "workloads/chakra/et_writer.hpp"
#include "workloads/collectives.hpp"
#include "workloads/graph/graph_run.hpp"

namespace spinel::workloads::chakra {
namespace {

namespace fs = std::filesystem;
using graph::OpKind;

fs::path folder(const std::string& name) {
  const fs::path dir = spinel::testing::scratch_folder("spinel_chakra_", name);
  fs::create_directories(dir);
  return dir;
}

std::string write_ranks(const fs::path& dir, const std::vector<EtWriter>& ranks) {
  const std::string prefix = (dir / "t").string();
  for (std::size_t r = 0; r < ranks.size(); ++r) {
    ranks[r].write(prefix + "." + std::to_string(r) + ".et");
  }
  return prefix;
}

std::string error_of(const std::string& prefix, const ChakraOptions& options = {}) {
  try {
    (void)read_trace(prefix, options);
  } catch (const ChakraError& e) {
    return e.what();
  }
  ADD_FAILURE() << prefix << " loaded without error";
  return "";
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Every node type: what runs becomes an op, what is skipped is bridged
// (a node waiting on a skipped node waits on what that one waited for), and
// what is unknown is counted.
TEST(ChakraReader, EachNodeTypeBecomesItsOpOrIsSkipped) {
  std::vector<EtWriter> w(2);
  for (std::int64_t r = 0; r < 2; ++r) {
    EtWriter& e = w[static_cast<std::size_t>(r)];
    e.add(1, pb::METADATA_NODE, {});
    e.comp(2, 5, {1});
    e.add(3, pb::MEM_LOAD_NODE, {2});
    set_bool(e.add(4, pb::COMP_NODE, {3}), "is_cpu_op", true);
    e.add(5, static_cast<pb::NodeType>(42), {4});
    pb::Node& c = e.coll(6, pb::ALL_REDUCE, 1024, {5}, "7");
    set_int(c, "rf_id", 9);
    if (r == 0) {
      e.send(7, 0, 1, 2048, 3, {6});
    } else {
      e.recv(7, 0, 1, 2048, 3, {6});
    }
    e.add(8, pb::MEM_STORE_NODE, {7});
    e.comp(9, 7, {}).add_ctrl_deps(8);
  }
  const Trace t = read_trace(write_ranks(folder("types"), w));
  const graph::Program& p = t.program;
  ASSERT_EQ(p.rank_count(), 2U);
  ASSERT_EQ(p.ranks[0].size(), 4U);
  const auto& ops = p.ranks[0].ops;
  EXPECT_EQ(ops[0].kind, OpKind::compute);
  EXPECT_EQ(ops[0].duration_ps, 5 * sim::kMicrosecond);
  EXPECT_EQ(ops[1].kind, OpKind::collective);
  EXPECT_EQ(ops[1].collective, Collective::ring_allreduce);
  EXPECT_EQ(ops[1].size_bytes, 1024U);
  EXPECT_EQ(p.communicators[ops[1].communicator].name, "7");
  EXPECT_EQ(p.communicators[ops[1].communicator].ranks, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(ops[2].kind, OpKind::send);
  EXPECT_EQ(ops[2].peer, 1U);
  EXPECT_EQ(ops[2].tag, 3U);
  EXPECT_EQ(p.ranks[1].ops[2].kind, OpKind::recv);
  EXPECT_EQ(ops[3].kind, OpKind::compute);
  // Each op waits on the one before, through the skipped nodes between them.
  for (std::uint32_t i = 1; i < 4; ++i) {
    ASSERT_EQ(p.ranks[0].dep_begin[i + 1] - p.ranks[0].dep_begin[i], 1U) << i;
    EXPECT_EQ(p.ranks[0].deps[p.ranks[0].dep_begin[i]], i - 1);
  }
  EXPECT_EQ(t.stats.traced_ranks, 2U);
  EXPECT_EQ(t.stats.version, "0.0.4");
  EXPECT_EQ(t.stats.nodes.at("COMP"), 6U);
  EXPECT_EQ(t.stats.nodes.at("METADATA"), 2U);
  EXPECT_EQ(t.stats.cpu_nodes, 2U);
  EXPECT_EQ(t.stats.unknown_types.at(42), 2U);
  EXPECT_EQ(t.stats.ignored_attributes.at("rf_id"), 2U);
}

// Nodes listed before their dependencies are put after them; otherwise
// file order stays (the issue order of collectives).
TEST(ChakraReader, OrdersNodesByDependenciesThenFileOrder) {
  EtWriter e;
  e.comp(10, 3, {30});
  e.comp(20, 1, {});
  e.comp(30, 2, {20});
  const Trace t = read_trace(write_ranks(folder("order"), {e}));
  const auto& ops = t.program.ranks[0].ops;
  ASSERT_EQ(ops.size(), 3U);
  EXPECT_EQ(ops[0].duration_ps, 1 * sim::kMicrosecond);
  EXPECT_EQ(ops[1].duration_ps, 2 * sim::kMicrosecond);
  EXPECT_EQ(ops[2].duration_ps, 3 * sim::kMicrosecond);
  EXPECT_EQ(critical_path_compute(t.program).compute_ps, 6 * sim::kMicrosecond);
}

// ASTRA-sim's all-gather size is each rank's part; spinel's the output.
TEST(ChakraReader, AllGatherAndGatherSizesAreEachRanksPart) {
  std::vector<EtWriter> w(4);
  for (EtWriter& e : w) {
    e.coll(1, pb::ALL_GATHER, 1000, {});
    e.coll(2, pb::GATHER, 10, {1});
    e.coll(3, pb::REDUCE_SCATTER, 4000, {2});
    e.coll(4, pb::BARRIER, 0, {3});
  }
  const Trace t = read_trace(write_ranks(folder("gather"), w));
  const auto& ops = t.program.ranks[2].ops;
  EXPECT_EQ(ops[0].collective, Collective::all_gather);
  EXPECT_EQ(ops[0].size_bytes, 4000U);
  EXPECT_EQ(ops[1].collective, Collective::gather);
  EXPECT_EQ(ops[1].size_bytes, 40U);
  EXPECT_EQ(ops[2].collective, Collective::reduce_scatter);
  EXPECT_EQ(ops[2].size_bytes, 4000U);
  EXPECT_EQ(ops[3].collective, Collective::barrier);
  ASSERT_EQ(t.program.communicators.size(), 1U);
  EXPECT_EQ(t.program.communicators[0].name, "world");
}

// pg_name groups are the ranks that use the name; involved_dim groups come
// from the dimensions' sizes.
TEST(ChakraReader, GroupsFromPgNameAndInvolvedDim) {
  std::vector<EtWriter> w(4);
  for (std::uint32_t r = 0; r < 4; ++r) {
    EtWriter& e = w[r];
    e.coll(1, pb::ALL_REDUCE, 64, {}, r < 2 ? "a" : "b");
    pb::Node& n = e.coll(2, pb::ALL_REDUCE, 64, {1});
    pb::AttributeProto& dims = *n.add_attr();
    dims.set_name("involved_dim");
    dims.mutable_bool_list()->add_values(false);
    dims.mutable_bool_list()->add_values(true);
  }
  const std::string prefix = write_ranks(folder("groups"), w);
  EXPECT_NE(error_of(prefix).find("involved_dim [01] spans only some"), std::string::npos);
  ChakraOptions options;
  options.dimensions = {2, 2};
  const Trace t = read_trace(prefix, options);
  const graph::Program& p = t.program;
  auto group_of = [&](std::uint32_t rank, std::uint32_t op) {
    return p.communicators[p.ranks[rank].ops[op].communicator];
  };
  EXPECT_EQ(group_of(3, 0).name, "b");
  EXPECT_EQ(group_of(3, 0).ranks, (std::vector<std::uint32_t>{2, 3}));
  // Dimension 1 involved: ranks that share their coordinate in dimension 0.
  EXPECT_EQ(group_of(1, 1).name, "dim1.1");
  EXPECT_EQ(group_of(1, 1).ranks, (std::vector<std::uint32_t>{1, 3}));
  EXPECT_EQ(group_of(2, 1).ranks, (std::vector<std::uint32_t>{0, 2}));
}

// A trace of one rank copied over a data-parallel group: its collectives
// span the copies, its sends stay inside a copy.
TEST(ChakraReader, ReplicateCopiesTheTracedRanks) {
  std::vector<EtWriter> w(2);
  w[0].comp(1, 100, {});
  w[0].coll(2, pb::ALL_REDUCE, 1 << 20, {1});
  w[0].send(3, 0, 1, 512, 0, {2});
  w[1].coll(2, pb::ALL_REDUCE, 1 << 20, {});
  w[1].recv(3, 0, 1, 512, 0, {2});
  ChakraOptions options;
  options.replicate = 3;
  const Trace t = read_trace(write_ranks(folder("replicate"), w), options);
  const graph::Program& p = t.program;
  ASSERT_EQ(p.rank_count(), 6U);
  ASSERT_EQ(p.communicators.size(), 1U);
  EXPECT_EQ(p.communicators[0].ranks.size(), 6U);
  EXPECT_EQ(p.ranks[4].ops[2].kind, OpKind::send);
  EXPECT_EQ(p.ranks[4].ops[2].peer, 5U);
  EXPECT_EQ(p.ranks[5].ops[1].peer, 4U);
  EXPECT_EQ(graph::validate(p), "");
  EXPECT_NE(
      error_of(write_ranks(folder("replicate0"), w), ChakraOptions{0, {}}).find("replicate 0"),
      std::string::npos);
}

std::vector<topology::HostId> first_hosts(std::uint32_t n) {
  std::vector<topology::HostId> v(n);
  for (std::uint32_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

// ASTRA-sim's micro-benchmark: a 1 MiB all-reduce, one COMM_COLL node per
// rank on 16 ranks, takes exactly what the native ring all-reduce takes.
TEST(ChakraRun, OneMiBAllReduceOn16RanksIsTheNativeCollective) {
  constexpr std::uint32_t kN = 16;
  constexpr std::uint64_t kBytes = 1 << 20;
  std::vector<EtWriter> w(kN);
  for (EtWriter& e : w) e.coll(0, pb::ALL_REDUCE, kBytes, {});
  auto program =
      std::make_shared<graph::Program>(read_trace(write_ranks(folder("allreduce"), w)).program);
  testing::Fabric fabric(testing::leaf_spine(4, 4, 4));
  graph::GraphRun run(fabric.sim, fabric.transport, fabric.topology, fabric.routing,
                      first_hosts(kN), program, graph::GraphOptions{});
  run.start(0);
  fabric.sim.run();
  ASSERT_TRUE(run.finished());

  testing::Fabric alone(testing::leaf_spine(4, 4, 4));
  CollectiveOptions options;
  options.size_bytes = kBytes;
  CollectiveRun native(alone.sim, alone.transport, first_hosts(kN),
                       make_schedule(Collective::ring_allreduce, kN, kBytes), options);
  native.start(0);
  alone.sim.run();
  ASSERT_EQ(run.collective_results().size(), 1U);
  EXPECT_EQ(run.collective_results()[0].duration_ps(), native.results().at(0).duration_ps());
  EXPECT_GT(native.results().at(0).duration_ps(), 0);
}

// A send and its receive after compute: the transfer's closed form.
TEST(ChakraRun, SendAndReceiveAfterCompute) {
  constexpr std::uint64_t kBytes = 4 << 20;
  std::vector<EtWriter> w(5);
  w[0].comp(1, 1, {});
  w[0].send(2, 0, 4, kBytes, 7, {1});
  w[4].recv(1, 0, 4, kBytes, 7, {});
  auto program =
      std::make_shared<graph::Program>(read_trace(write_ranks(folder("p2p"), w)).program);
  testing::Fabric fabric(testing::leaf_spine(2, 4, 4));
  graph::GraphRun run(fabric.sim, fabric.transport, fabric.topology, fabric.routing, first_hosts(5),
                      program, graph::GraphOptions{});
  run.start(0);
  fabric.sim.run();
  ASSERT_TRUE(run.finished());
  // 1 us, then 4 MiB at 400 Gb/s over 4 hops of 500 ns.
  const double expected = 1e6 + kBytes * 8000.0 / 400.0 + 4 * 500'000.0;
  EXPECT_NEAR(static_cast<double>(run.timing(4, 0).end_ps), expected, expected * 1e-3);
}

// ---- malformed input: each error names the file and the place ----

TEST(ChakraErrors, FramingErrorsNameTheByteOffset) {
  const fs::path dir = folder("framing");
  EtWriter e;
  e.comp(1, 1, {});
  std::string good = e.bytes();
  const std::string prefix = (dir / "t").string();
  const std::string file = prefix + ".0.et";
  // The file ends inside the second message's length.
  write_bytes(file, good.substr(0, good.size() - e.nodes[0].ByteSizeLong() - 1) + "\x80");
  std::string m = error_of(prefix);
  EXPECT_NE(m.find(file + ": byte offset "), std::string::npos) << m;
  EXPECT_NE(m.find("truncated varint"), std::string::npos) << m;
  // A length past the end of the file.
  write_bytes(file, good + std::string("\xff\xff\x7f", 3) + "abc");
  m = error_of(prefix);
  EXPECT_NE(m.find("byte offset " + std::to_string(good.size())), std::string::npos) << m;
  EXPECT_NE(m.find("only 3 bytes are left"), std::string::npos) << m;
  // Eleven continuation bytes: not a varint.
  write_bytes(file, std::string(11, '\xff'));
  EXPECT_NE(error_of(prefix).find("longer than 10 bytes"), std::string::npos);
  // A message that does not parse (wire type 7 does not exist).
  write_bytes(file, good + std::string("\x02\x0f\x00", 3));
  m = error_of(prefix);
  EXPECT_NE(m.find("byte offset " + std::to_string(good.size()) +
                   ": a message that does not parse as a Node"),
            std::string::npos)
      << m;
  write_bytes(file, "");
  EXPECT_NE(error_of(prefix).find("an empty file"), std::string::npos);
}

TEST(ChakraErrors, FilesMissing) {
  const fs::path dir = folder("files");
  EXPECT_NE(error_of((dir / "t").string()).find("no trace files t.<rank>.et"), std::string::npos);
  EtWriter e;
  e.comp(1, 1, {});
  e.write((dir / "t.0.et").string());
  e.write((dir / "t.2.et").string());
  EXPECT_NE(error_of((dir / "t").string()).find("t.1.et: missing"), std::string::npos);
}

TEST(ChakraErrors, DependenciesNameTheNode) {
  EtWriter missing;
  missing.comp(1, 1, {});
  missing.comp(2, 1, {77});
  std::string m = error_of(write_ranks(folder("missing"), {missing}));
  EXPECT_NE(m.find("t.0.et: node 2 (byte offset "), std::string::npos) << m;
  EXPECT_NE(m.find("depends on node 77, which the file does not have"), std::string::npos) << m;

  EtWriter cycle;
  cycle.comp(1, 1, {});
  cycle.comp(2, 1, {1, 4});
  cycle.comp(3, 1, {2});
  cycle.comp(4, 1, {3});
  m = error_of(write_ranks(folder("cycle"), {cycle}));
  EXPECT_NE(m.find("a cycle of dependencies"), std::string::npos) << m;
  EXPECT_NE(m.find("2 <- 4 <- 3 <- 2"), std::string::npos) << m;

  EtWriter twice;
  twice.comp(5, 1, {});
  twice.comp(5, 1, {});
  m = error_of(write_ranks(folder("twice"), {twice}));
  EXPECT_NE(m.find("node id 5 is used twice"), std::string::npos) << m;

  // Huge ids are just ids.
  EtWriter huge;
  huge.comp(~0ULL, 1, {});
  huge.comp(1ULL << 63, 1, {~0ULL});
  EXPECT_EQ(read_trace(write_ranks(folder("huge"), {huge})).program.ranks[0].size(), 2U);
}

TEST(ChakraErrors, CommunicationNamesTheNode) {
  std::vector<EtWriter> w(2);
  w[0].coll(1, pb::ALL_REDUCE, 1024, {});
  w[1].coll(1, pb::ALL_GATHER, 1024, {});
  std::string m = error_of(write_ranks(folder("mismatch"), w));
  EXPECT_NE(m.find("t.1.et: node 1 (byte offset "), std::string::npos) << m;
  EXPECT_NE(m.find("collective 1 on group world is all_gather of 2048 bytes, but rank 0's"),
            std::string::npos)
      << m;

  w[1].nodes.clear();
  w[1].coll(1, pb::ALL_REDUCE, 1024, {});
  w[0].coll(2, pb::ALL_REDUCE, 1024, {1});
  m = error_of(write_ranks(folder("count"), w));
  EXPECT_NE(m.find("t.0.et: node 2"), std::string::npos) << m;
  EXPECT_NE(m.find("rank 0 calls 2 collectives on group world, rank 1 only 1"), std::string::npos)
      << m;

  std::vector<EtWriter> p(2);
  p[0].send(1, 0, 1, 100, 0, {});
  p[1].recv(1, 0, 1, 100, 5, {});
  m = error_of(write_ranks(folder("tag"), p));
  EXPECT_NE(m.find("t.0.et: node 1 (byte offset "), std::string::npos) << m;
  EXPECT_NE(m.find("a send to rank 1 (tag 0) that rank 1's trace has no matching receive"),
            std::string::npos)
      << m;

  p[1].nodes.clear();
  p[1].recv(1, 0, 1, 99, 0, {});
  m = error_of(write_ranks(folder("size"), p));
  EXPECT_NE(m.find("t.1.et: node 1"), std::string::npos) << m;
  EXPECT_NE(m.find("receives 99 bytes, but its send"), std::string::npos) << m;

  p[1].nodes.clear();
  p[1].send(1, 1, 9, 100, 0, {});
  m = error_of(write_ranks(folder("peer"), p));
  EXPECT_NE(m.find("t.1.et: node 1"), std::string::npos) << m;
  EXPECT_NE(m.find("comm_dst 9 is not another rank"), std::string::npos) << m;

  EtWriter bad;
  bad.add(3, pb::COMM_COLL_NODE, {});
  m = error_of(write_ranks(folder("notype"), {bad}));
  EXPECT_NE(m.find("node 3 (byte offset "), std::string::npos) << m;
  EXPECT_NE(m.find("a COMM_COLL node without comm_type"), std::string::npos) << m;
  bad.nodes.clear();
  bad.coll(3, static_cast<pb::CollectiveCommType>(12), 8, {});
  EXPECT_NE(error_of(write_ranks(folder("badtype"), {bad})).find("comm_type 12 is not"),
            std::string::npos);
  bad.nodes.clear();
  bad.coll(3, pb::ALL_REDUCE, -1, {});
  EXPECT_NE(error_of(write_ranks(folder("badsize"), {bad})).find("comm_size -1 is not"),
            std::string::npos);
}

// Random corruptions of a valid file: each loads or throws ChakraError;
// none crashes or hangs (the ASan build runs this too).
TEST(ChakraErrors, CorruptedFilesNeverCrash) {
  std::vector<EtWriter> w(2);
  for (std::uint32_t r = 0; r < 2; ++r) {
    w[r].comp(1, 3, {});
    w[r].coll(2, pb::ALL_REDUCE, 4096, {1}, "g");
    if (r == 0) w[r].send(3, 0, 1, 64, 0, {2});
    if (r == 1) w[r].recv(3, 0, 1, 64, 0, {2});
    w[r].comp(4, 3, {3});
  }
  const fs::path dir = folder("fuzz");
  const std::string prefix = write_ranks(dir, w);
  const std::string good = w[0].bytes();
  std::mt19937_64 random(7);
  int loaded = 0;
  int rejected = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string bytes = good;
    const int flips = 1 + static_cast<int>(random() % 4);
    for (int f = 0; f < flips; ++f) {
      bytes[random() % bytes.size()] = static_cast<char>(random() % 256);
    }
    if (trial % 5 == 0) bytes.resize(random() % bytes.size());
    write_bytes(prefix + ".0.et", bytes);
    try {
      (void)read_trace(prefix);
      ++loaded;
    } catch (const ChakraError&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
  EXPECT_EQ(loaded + rejected, 300);
}

// Random traces of every node type: the same random kinds on every rank
// (sends and receives around a ring, collectives alike), with random dependencies per
// rank and, now and then, a fault (a missing, later or own id; a rank whose
// node differs). Each loads into a valid program or throws a ChakraError
// that names a file.
TEST(ChakraErrors, RandomGraphsLoadValidOrFail) {
  std::mt19937_64 random(11);
  const fs::path dir = folder("random");
  int loaded = 0;
  int rejected = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const int nodes = 1 + static_cast<int>(random() % 10);
    std::vector<std::uint64_t> kinds(static_cast<std::size_t>(nodes) + 1);
    for (auto& k : kinds) k = random();
    std::vector<EtWriter> w(3);
    for (std::int64_t r = 0; r < 3; ++r) {
      EtWriter& e = w[static_cast<std::size_t>(r)];
      for (int i = 1; i <= nodes; ++i) {
        std::vector<std::uint64_t> deps;
        if (i > 1 && random() % 3 != 0) deps.push_back(random() % (i - 1) + 1);
        if (random() % 60 == 0) deps.push_back(random() % 12);  // maybe missing, later or own
        const auto id = static_cast<std::uint64_t>(i);
        const std::uint64_t kind = random() % 60 == 0 ? random() : kinds[id];
        switch (kind % 5) {
          case 0:
            e.coll(id, static_cast<pb::CollectiveCommType>(kind / 5 % 10), 64, deps,
                   kind / 50 % 2 == 0 ? "" : "g");
            break;
          case 1:  // a send around the ring and the receive from the other side
            e.send(id, r, (r + 1) % 3, 32, static_cast<std::int64_t>(kind / 5 % 2), deps);
            e.recv(id + 1000, (r + 2) % 3, r, 32, static_cast<std::int64_t>(kind / 5 % 2), deps);
            break;
          case 2:
            e.comp(id, kind / 5 % 7, {});
            break;
          case 3:
            // Skipped types (INVALID, METADATA, MEM_LOAD, MEM_STORE, unknown), or
            // now and then a communication node without its attributes.
            e.add(id, static_cast<pb::NodeType>(kind / 5 % 20 < 19 ? kind / 5 % 4 : 5 + kind % 3),
                  deps);
            break;
          default:
            e.comp(id, kind / 5 % 5, deps);
        }
      }
    }
    try {
      const Trace t = read_trace(write_ranks(dir, w));
      EXPECT_EQ(graph::validate(t.program), "");
      ++loaded;
    } catch (const ChakraError& e) {
      EXPECT_NE(std::string(e.what()).find(".et"), std::string::npos) << e.what();
      ++rejected;
    }
  }
  EXPECT_GT(loaded, 50);
  EXPECT_GT(rejected, 10);
}

TEST(ChakraSummary, ListsTypesGroupsCollectivesAndTheCriticalPath) {
  std::vector<EtWriter> w(2);
  for (EtWriter& e : w) {
    e.comp(1, 30, {});
    e.comp(2, 20, {});
    e.coll(3, pb::ALL_REDUCE, 1 << 20, {1, 2}, "dp");
    e.comp(4, 5, {3});
  }
  std::ostringstream out;
  write_summary(out, "t", read_trace(write_ranks(folder("summary"), w)));
  const std::string s = out.str();
  EXPECT_NE(s.find("t: 2 traced ranks; Chakra version 0.0.4"), std::string::npos) << s;
  EXPECT_NE(s.find("COMM_COLL: 2"), std::string::npos) << s;
  EXPECT_NE(s.find("COMP: 6"), std::string::npos) << s;
  EXPECT_NE(s.find("dp (2 ranks): 1 x ring_allreduce 1MiB;"), std::string::npos) << s;
  EXPECT_NE(s.find("critical-path compute: 35us"), std::string::npos) << s;
}

}  // namespace
}  // namespace spinel::workloads::chakra
