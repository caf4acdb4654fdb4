// Fabrics from graph files (GraphML, DOT): reading, the errors, export and
// read back (the same nodes, links, paths and run results), and whole
// flow-level runs on a graph no preset builds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "test_support.hpp"
#include "topology/fabric_file.hpp"
#include "topology/routing.hpp"

namespace spinel::topology {
namespace {

namespace fs = std::filesystem;

std::string written(const Topology& t, GraphFormat format) {
  std::ostringstream out;
  write_fabric(t, format, out);
  return out.str();
}

// Same nodes (name, kind), same directed links in the same order, same
// equal-cost paths between every host pair.
void expect_same_fabric(const Topology& a, const Topology& b) {
  ASSERT_EQ(a.node_count(), b.node_count());
  ASSERT_EQ(a.link_count(), b.link_count());
  ASSERT_EQ(a.host_count(), b.host_count());
  ASSERT_EQ(a.nic_ports(), b.nic_ports());
  for (NodeId n = 0; n < a.node_count(); ++n) {
    EXPECT_EQ(a.node_name(n), b.node_name(n));
    EXPECT_EQ(a.node(n).kind, b.node(n).kind) << a.node_name(n);
  }
  for (LinkId l = 0; l < a.link_count(); ++l) {
    EXPECT_EQ(a.link_name(l), b.link_name(l));
    EXPECT_EQ(a.link(l).kind, b.link(l).kind) << a.link_name(l);
    EXPECT_EQ(a.link(l).parallel_index, b.link(l).parallel_index) << a.link_name(l);
    EXPECT_EQ(a.link(l).rate_gbps, b.link(l).rate_gbps) << a.link_name(l);
    EXPECT_EQ(a.link(l).latency_ps, b.link(l).latency_ps) << a.link_name(l);
  }
  EXPECT_EQ(a.oversubscription(), b.oversubscription());
  EXPECT_EQ(a.agg_oversubscription(), b.agg_oversubscription());
  Routing ra(a);
  Routing rb(b);
  for (HostId s = 0; s < a.host_count(); ++s) {
    for (HostId d = 0; d < a.host_count(); ++d) {
      if (s == d) continue;
      const HostPaths pa = ra.paths(s, d);
      const HostPaths pb = rb.paths(s, d);
      ASSERT_EQ(pa.count(), pb.count()) << s << ">" << d;
      for (std::uint32_t i = 0; i < pa.count(); ++i) {
        std::vector<LinkId> la;
        std::vector<LinkId> lb;
        pa.append_path(i, la);
        pb.append_path(i, lb);
        EXPECT_EQ(la, lb) << s << ">" << d << " path " << i;
      }
    }
  }
}

TEST(FabricFile, PresetsRoundTripThroughBothFormats) {
  FabricConfig leaf_spine;
  leaf_spine.leaves = 4;
  leaf_spine.spines = 3;
  leaf_spine.hosts_per_leaf = 2;
  leaf_spine.parallel_links = 2;
  leaf_spine.spine_link = {200.0, 750 * sim::kNanosecond + 1};  // a latency of odd picoseconds
  FabricConfig clos = fat_tree(4);
  clos.nic_ports = 2;
  clos.hosts_per_leaf = 2;
  for (const FabricConfig& config : {leaf_spine, clos}) {
    const Topology built = build_fabric(config);
    for (const GraphFormat format : {GraphFormat::graphml, GraphFormat::dot}) {
      const FabricFile file = parse_fabric(written(built, format), format, "f");
      EXPECT_EQ(file.hosts, built.host_count());
      expect_same_fabric(built, build_file_fabric(file));
    }
  }
}

constexpr const char* kRing =
    "graph ring {\n"
    "  s0 [role=switch]; s1 [role=switch]; s2 [role=switch]; s3 [role=switch];\n"
    "  a [role=host]; b [role=host]; c [role=host]; d [role=host];\n"
    "  a -- s0 [rate_gbps=400, latency_ns=500]; b -- s1 [rate_gbps=400, latency_ns=500];\n"
    "  c -- s2 [rate_gbps=400, latency_ns=500]; d -- s3 [rate_gbps=400, latency_ns=500];\n"
    "  s0 -- s1 [rate_gbps=800, latency_ns=1000]; s1 -- s2 [rate_gbps=800, latency_ns=1000];\n"
    "  s2 -- s3 [rate_gbps=800, latency_ns=1000]; s3 -- s0 [rate_gbps=800, latency_ns=1000];\n"
    "}\n";

// A ring of switches has no tiers: every shortest path counts, none is up-down.
TEST(FabricFile, PlainSwitchesRouteOverAllShortestPaths) {
  const FabricFile file = parse_fabric(kRing, GraphFormat::dot, "ring.dot");
  ASSERT_EQ(file.hosts, 4u);
  const Topology t = build_file_fabric(file);
  EXPECT_EQ(t.node_name(0), "a");
  EXPECT_EQ(t.node_name(4), "s0");
  EXPECT_EQ(t.link_name(0), "a>s0");
  Routing r(t);
  EXPECT_EQ(r.paths(0, 1).count(), 1u);  // neighbours
  EXPECT_EQ(r.paths(0, 1).length(), 3u);
  EXPECT_EQ(r.paths(0, 2).count(), 2u);  // opposite: both ways round
  EXPECT_EQ(r.paths(0, 2).length(), 4u);
  EXPECT_EQ(r.max_path_latency_ps(r.paths(0, 2)), 3 * sim::kMicrosecond);
}

// GraphML as other tools write it: typed attributes, keys spinel ignores.
TEST(FabricFile, GraphmlWithTypedAndForeignAttributes) {
  const std::string text =
      "<?xml version=\"1.0\"?>\n"
      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
      "<key id=\"k0\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n"
      "<key id=\"k1\" for=\"node\" attr.name=\"role\" attr.type=\"string\"/>\n"
      "<key id=\"k2\" for=\"edge\" attr.name=\"rate_gbps\" attr.type=\"double\"/>\n"
      "<key id=\"k3\" for=\"edge\" attr.name=\"latency_ns\" attr.type=\"int\"/>\n"
      "<key id=\"k4\" for=\"node\" attr.name=\"colour\" attr.type=\"string\"/>\n"
      "<graph edgedefault=\"undirected\">\n"
      "<node id=\"n0\"><data key=\"k0\">x</data><data key=\"k1\">host</data></node>\n"
      "<node id=\"n1\"><data key=\"k0\">y</data><data key=\"k1\">host</data>"
      "<data key=\"k4\">red</data></node>\n"
      "<node id=\"n2\"><data key=\"k0\">sw</data><data key=\"k1\">switch</data></node>\n"
      "<edge source=\"n0\" target=\"n2\"><data key=\"k2\">100.5</data>"
      "<data key=\"k3\">250</data></edge>\n"
      "<edge source=\"n2\" target=\"n1\"><data key=\"k2\">200</data>"
      "<data key=\"k3\">1</data></edge>\n"
      "</graph></graphml>\n";
  const FabricFile file = parse_fabric(text, GraphFormat::graphml, "g.graphml");
  const Topology t = build_file_fabric(file);
  EXPECT_EQ(t.host_count(), 2u);
  EXPECT_EQ(t.link_name(0), "x>sw");
  EXPECT_EQ(t.link(0).rate_gbps, 100.5);
  EXPECT_EQ(t.link(0).latency_ps, 250 * sim::kNanosecond);
  EXPECT_EQ(t.link_name(2), "y>sw");  // a host link runs host first, whatever the file says
  EXPECT_EQ(t.link(2).latency_ps, sim::kNanosecond);
  Routing r(t);
  EXPECT_EQ(r.paths(0, 1).count(), 1u);
  EXPECT_EQ(r.paths(0, 1).length(), 2u);
}

std::string error_of(const std::string& text, GraphFormat format) {
  try {
    (void)parse_fabric(text, format, "f.dot");
  } catch (const FabricFileError& e) {
    return e.what();
  }
  ADD_FAILURE() << "read without error:\n" << text;
  return "";
}

TEST(FabricFile, ErrorsNameTheFileTheNodeOrEdgeAndWhatIsMissing) {
  const auto dot = [](const std::string& body) { return "graph g {\n" + body + "}\n"; };
  const std::string hosts =
      "a [role=host]; b [role=host]; s [role=switch];\n"
      "b -- s [rate_gbps=1, latency_ns=1];\n";
  EXPECT_EQ(error_of(dot(hosts + "a -- s [latency_ns=1];\n"), GraphFormat::dot),
            "f.dot: edge \"a\" -- \"s\" has no rate_gbps");
  EXPECT_EQ(error_of(dot(hosts + "a -- s [rate_gbps=1];\n"), GraphFormat::dot),
            "f.dot: edge \"a\" -- \"s\" has no latency_ns");
  EXPECT_EQ(error_of(dot(hosts + "a -- s [rate_gbps=fast, latency_ns=1];\n"), GraphFormat::dot),
            "f.dot: edge \"a\" -- \"s\": rate_gbps is a number above 0 and up to 1e6, got "
            "\"fast\"");
  EXPECT_EQ(error_of(dot(hosts + "a -- s [rate_gbps=1, latency_ns=1]; x -- s [rate_gbps=1, "
                                 "latency_ns=1];\n"),
                     GraphFormat::dot),
            "f.dot: node \"x\" has no role (host, switch, leaf, spine, agg or core)");
  EXPECT_EQ(error_of(dot("a [role=host]; b [role=router];\n"), GraphFormat::dot),
            "f.dot: node \"b\": role \"router\" is not one of host, switch, leaf, spine, agg or "
            "core");
  EXPECT_EQ(error_of(dot(hosts), GraphFormat::dot), "f.dot: host \"a\" has no edge to a switch");
  EXPECT_EQ(error_of(dot(hosts + "a -- b [rate_gbps=1, latency_ns=1];\n"), GraphFormat::dot),
            "f.dot: edge \"a\" -- \"b\" joins two hosts; hosts attach to switches");
  EXPECT_EQ(error_of(dot(hosts + "a -- t [rate_gbps=1, latency_ns=1]; t [role=switch];\n"),
                     GraphFormat::dot),
            "f.dot: host \"b\" cannot reach host \"a\": no path over switches joins them");
  EXPECT_EQ(error_of("digraph g { a -> b; }", GraphFormat::dot),
            "f.dot: a fabric is an undirected graph (each edge is one cable, both ways): write "
            "`graph { ... }` with `--` edges in DOT, edgedefault=\"undirected\" in GraphML");
  EXPECT_STARTS_WITH(error_of("graph g { a -- ", GraphFormat::dot), "f.dot: cannot read the DOT: ");
  EXPECT_STARTS_WITH(error_of("<graphml><graph", GraphFormat::graphml),
                     "f.dot: cannot read the GraphML: ");
}

fs::path scratch(const std::string& name) {
  const fs::path dir = testing::scratch_folder("spinel_test_fabric_file_", name);
  fs::create_directories(dir);
  return dir;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

const std::string kRingAllReduce =
    "workload: {collective: ring_allreduce, size_bytes: 4MiB, placement: random, iterations: 2}\n";

std::string scenario_error(const std::string& yaml, const fs::path& where) {
  return testing::error_of_loading(
      [&](const std::string& y) { return scenario::load_string(y, (where / "s.yaml").string()); },
      yaml);
}

TEST(FabricFile, ScenarioErrorsPointAtThePathKeyAndIntoTheFile) {
  const fs::path dir = scratch("errors");
  write_text(dir / "bad.dot",
             "graph g { a [role=host]; b [role=host]; s [role=switch];\n"
             "a -- s [rate_gbps=1, latency_ns=1]; b -- s [rate_gbps=1]; }\n");
  const std::string where = (dir / "s.yaml").string();
  EXPECT_EQ(
      scenario_error("name: x\ntopology:\n  kind: file\n  path: bad.dot\n" + kRingAllReduce, dir),
      where + ":4:9: topology.path: " + (dir / "bad.dot").string() +
          ": edge \"b\" -- \"s\" has no latency_ns");
  EXPECT_EQ(
      scenario_error("name: x\ntopology: {kind: file, path: none.graphml}\n" + kRingAllReduce, dir),
      where + ":2:30: topology.path: " + (dir / "none.graphml").string() +
          ": cannot open the fabric file");
  EXPECT_EQ(scenario_error("name: x\ntopology: {kind: file, path: f.txt}\n" + kRingAllReduce, dir),
            where + ":2:30: topology.path: " + (dir / "f.txt").string() +
                ": unknown graph format: name the file .graphml (GraphML) or .dot (Graphviz DOT)");
}

api::Results run_in(const fs::path& dir, const std::string& yaml) {
  return api::run(scenario::load_string(yaml, (dir / "s.yaml").string()), api::RunOptions{});
}

// The key test: a leaf-spine written out and read back runs the same ring
// all-reduce to the same picosecond, event for event.
TEST(FabricFile, ExportedLeafSpineRunsTheSameRingAllReduce) {
  const fs::path dir = scratch("round_trip");
  const std::string preset =
      "name: x\nseed: 3\n"
      "topology: {kind: leaf_spine, leaves: 4, spines: 2, hosts_per_leaf: 4}\n"
      "transport: {policy: ecmp}\n" +
      kRingAllReduce;
  const scenario::Scenario s = scenario::load_string(preset, "p.yaml");
  for (const GraphFormat format : {GraphFormat::graphml, GraphFormat::dot}) {
    const std::string name = format == GraphFormat::graphml ? "f.graphml" : "f.dot";
    write_text(dir / name, written(build_fabric(s.topology), format));
    const api::Results a = api::run(s, api::RunOptions{});
    const api::Results b = run_in(dir, "name: x\nseed: 3\ntopology: {kind: file, path: " + name +
                                           "}\ntransport: {policy: ecmp}\n" + kRingAllReduce);
    ASSERT_EQ(a.jobs[0].collectives.size(), 2u);
    ASSERT_EQ(b.jobs[0].collectives.size(), 2u);
    EXPECT_GT(a.end_ps, 0);
    EXPECT_EQ(a.end_ps, b.end_ps) << name;
    EXPECT_EQ(a.events, b.events) << name;
    EXPECT_EQ(a.flows.bytes_delivered, b.flows.bytes_delivered) << name;
    EXPECT_EQ(sim::json_text(a.metrics), sim::json_text(b.metrics)) << name;
  }
}

TEST(FabricFile, RingAllReduceOnAPlainGraphUnderEveryPolicy) {
  const fs::path dir = scratch("plain");
  write_text(dir / "ring.dot", kRing);
  for (const char* policy : {"ecmp", "spray", "mprdma:4", "split", "planned"}) {
    const api::Results r =
        run_in(dir, std::string("name: x\ntopology: {kind: file, path: ring.dot}\n") +
                        "transport: {policy: " + policy + "}\n" + kRingAllReduce);
    ASSERT_EQ(r.jobs[0].collectives.size(), 2u) << policy;
    EXPECT_TRUE(r.jobs[0].finished) << policy;
    EXPECT_EQ(r.flows.bytes_sent, r.flows.bytes_delivered) << policy;
    EXPECT_EQ(r.hosts, 4u);
  }
}

TEST(FabricFile, LinkFaultsNameTheFilesNodes) {
  const fs::path dir = scratch("faults");
  write_text(dir / "ring.dot", kRing);
  const api::Results r =
      run_in(dir, "name: x\ntopology: {kind: file, path: ring.dot}\n" + kRingAllReduce +
                      "faults:\n  - {at: 10us, link: s0>s1, state: down}\n");
  EXPECT_TRUE(r.jobs[0].finished);
  EXPECT_EQ(r.flows.bytes_sent, r.flows.bytes_delivered);
  EXPECT_STARTS_WITH(
      scenario_error("name: x\ntopology: {kind: file, path: ring.dot}\n" + kRingAllReduce +
                         "faults:\n  - {at: 10us, link: s0>s2, state: down}\n",
                     dir),
      (dir / "s.yaml").string() + ":5:22: faults[0].link: ");
}

}  // namespace
}  // namespace spinel::topology
