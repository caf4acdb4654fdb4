// The scenario key table (api/scenario/key_table.cpp) against the loader:
// the loader reads every key of the table at its path, the keys a map
// allows are the table's, an undocumented field is an internal error, and
// every sweepable key is a scenario key.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "api/scenario/keys.hpp"
#include "api/scenario/scenario.hpp"
#include "tests/unit/test_support.hpp"
#include "tools/sweep/keys.hpp"

namespace spinel {
namespace {

using scenario::KeyDoc;

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A valid scenario that reaches the map holding `path`, with one item in
// every list the key's path goes through.
std::string base_for(std::string_view path) {
  const std::string leaf_spine =
      "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4}\n";
  const std::string ring = "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n";
  if (starts_with(path, "topology.sites") || starts_with(path, "topology.wan_link")) {
    return "name: k\ntopology:\n  kind: wan\n  sites: [{name: eu, hosts: 2}, {name: us, hosts: "
           "2}]\n" +
           std::string(starts_with(path, "topology.wan_links") ? "  wan_links: [{a: eu, b: us}]\n"
                                                               : "") +
           "pccl: {peers: 2, duration: 10s}\n";
  }
  if (path == "topology.k") return "name: k\ntopology: {kind: fat_tree, k: 4}\n" + ring;
  if (path == "topology.path") return "name: k\ntopology: {kind: file, path: x.dot}\n" + ring;
  if (path == "topology.pods" || path == "topology.leaves_per_pod" ||
      path == "topology.aggs_per_pod" || path == "topology.cores" ||
      path == "topology.core_groups" || starts_with(path, "topology.agg_link") ||
      starts_with(path, "topology.core_link")) {
    return "name: k\ntopology: {kind: clos3, pods: 2, leaves_per_pod: 2, aggs_per_pod: 2, "
           "hosts_per_leaf: 2, cores: 2}\n" +
           ring;
  }
  if (starts_with(path, "transport.packet")) {
    return "name: k\n" + leaf_spine + "transport: {model: packet, packet: {}}\n" + ring;
  }
  if (starts_with(path, "jobs[]")) {
    return "name: k\n" + leaf_spine +
           "jobs:\n  - {name: a, collective: ring_allreduce, size_bytes: 1MiB, hosts: 4}\n";
  }
  if (starts_with(path, "workload.parallel") || starts_with(path, "workload.groups") ||
      starts_with(path, "workload.program")) {
    return "name: k\n" + leaf_spine +
           "workload:\n  parallel: {tp: 2, pp: 2, dp: 2}\n"
           "  groups: [{name: pair, ranks: [0, 4]}]\n"
           "  program: [{name: f, compute: 1ms}]\n";
  }
  if (starts_with(path, "workload.transformer")) {
    return "name: k\n" + leaf_spine +
           "workload:\n  parallel: {tp: 2, pp: 2, dp: 2}\n"
           "  transformer: {layers: 4, hidden_size: 64, sequence_length: 16, "
           "global_batch_size: 4, layer_forward: 1ms, moe: {experts: 2}}\n";
  }
  if (path == "workload.chakra") return "name: k\n" + leaf_spine + "workload: {chakra: traces/x}\n";
  if (starts_with(path, "workload.flows")) {
    return "name: k\n" + leaf_spine +
           "workload: {flows: {pattern: permutation, size_bytes: 1MiB}}\n";
  }
  if (starts_with(path, "workload.connection_matrix")) {
    return "name: k\n" + leaf_spine + "workload: {connection_matrix: {path: x.cm}}\n";
  }
  if (starts_with(path, "faults[]")) {
    return "name: k\n" + leaf_spine + ring +
           "faults: [{at: 1ms, link: leaf0>spine0, state: down}]\n";
  }
  if (starts_with(path, "recovery") || starts_with(path, "fault_process")) {
    return "name: k\n" + leaf_spine +
           "workload: {collective: ring_allreduce, size_bytes: 1MiB, hosts: 4, compute: 1ms}\n"
           "detector: {kind: c4}\nrecovery: {}\nfault_process: [{kind: hang, mtbf_hours: 1000}]\n";
  }
  if (starts_with(path, "pccl")) {
    return "name: k\n" + leaf_spine +
           "pccl:\n  peers: 2\n  duration: 10s\n"
           "  churn: {interval: {min: 1s, max: 2s}, kinds: {death: 1}}\n"
           "  events: [{at: 1s, kind: death, peer: 0}]\n";
  }
  if (starts_with(path, "random_fault")) {
    return "name: k\n" + leaf_spine + ring + "random_fault: {kind: hang, from: 1ms, to: 2ms}\n";
  }
  if (starts_with(path, "output.timeseries")) {
    return "name: k\n" + leaf_spine + ring + "output: {timeseries: {interval: 1us}}\n";
  }
  return "name: k\n" + leaf_spine + ring;
}

// The path of the table's key in base_for's document: the first item of
// each list, a jobs item for jobs[].
std::string concrete(std::string_view path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    out += path[i];
    if (path[i] == '[' && i + 1 < path.size() && path[i + 1] == ']') out += '0';
  }
  return out;
}

// Sets the node at a dotted path (list items as [0]) to `value`, making maps
// on the way. yaml-cpp nodes are references into the tree: assigning to one
// replaces what the tree holds there, so no node variable is reassigned.
void set_at(YAML::Node node, std::string_view path, const YAML::Node& value) {
  const std::size_t dot = path.find('.');
  std::string_view head = path.substr(0, dot);
  const std::string_view rest = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  const std::size_t open = head.find('[');
  const std::string key(head.substr(0, open));
  YAML::Node field = node[key];
  if (open != std::string_view::npos) {
    YAML::Node item = field[std::stoul(std::string(head.substr(open + 1)))];
    if (rest.empty()) {
      item = value;
    } else {
      set_at(item, rest, value);
    }
  } else if (rest.empty()) {
    field = value;
  } else {
    set_at(field, rest, value);
  }
}

TEST(ScenarioKeys, TheBasesLoad) {
  for (const KeyDoc& k : scenario::scenario_keys()) {
    // File-based keys need files the bases only name.
    if (k.path == "topology.path" || k.path == "workload.chakra" ||
        starts_with(k.path, "workload.connection_matrix")) {
      continue;
    }
    EXPECT_NO_THROW((void)scenario::load_string(base_for(k.path), "k.yaml")) << k.path;
  }
}

// A value no key takes (a map with a key no map has) put at each key's path
// must be refused at that path, and not as an unknown key: the loader reads
// the key there.
TEST(ScenarioKeys, TheLoaderReadsEveryKeyOfTheTable) {
  YAML::Node probe(YAML::NodeType::Map);
  probe["no_such_key_anywhere"] = 1;
  for (const KeyDoc& k : scenario::scenario_keys()) {
    const std::string at = concrete(k.path);
    YAML::Node doc = YAML::Load(base_for(k.path));
    set_at(doc, at, probe);
    YAML::Emitter out;
    out << doc;
    const std::string message = testing::error_of_loading(
        [](const std::string& text) { return scenario::load_string(text, "k.yaml"); }, out.c_str());
    const std::size_t where = message.find(": " + at);
    ASSERT_NE(where, std::string::npos) << k.path << " refused elsewhere: " << message;
    const char next = message[where + 2 + at.size()];
    EXPECT_TRUE(next == ':' || next == '.' || next == '[') << k.path << ": " << message;
    EXPECT_EQ(message.find(at + ": unknown key"), std::string::npos) << message;
  }
}

// The keys an unknown key's error allows are the table's keys of that map,
// in the table's order.
TEST(ScenarioKeys, AnUnknownKeyIsRefusedWithTheTablesKeys) {
  const std::string message = testing::error_of_loading(
      [](const std::string& text) { return scenario::load_string(text, "k.yaml"); },
      "name: k\ntopology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4}\n"
      "transport: {model: packet, packet: {mtu_byte: 4096}}\n"
      "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n");
  EXPECT_STARTS_WITH(message,
                     "k.yaml:3:37: transport.packet.mtu_byte: unknown key; did you mean "
                     "\"mtu_bytes\"?");
  std::string allowed;
  for (const KeyDoc& k : scenario::scenario_keys()) {
    if (!starts_with(k.path, "transport.packet.")) continue;
    allowed += (allowed.empty() ? "" : ", ") + std::string(k.path.substr(17));
  }
  EXPECT_NE(message.find("allowed: " + allowed), std::string::npos) << message;
}

TEST(ScenarioKeys, AFieldTheTableLacksIsABug) {
  const scenario::Value doc = scenario::parse_document("transport: {model: flow}\n", "k.yaml");
  const scenario::Value transport = *doc.child("transport");
  const auto ignore = [](const scenario::Value&) {};
  const scenario::Field known{"model", scenario::Need::optional, ignore};
  const scenario::Field unknown{"modle", scenario::Need::optional, ignore};
  EXPECT_NO_THROW(transport.read_map({known}));
  EXPECT_THROW(transport.read_map({known, unknown}), sim::InternalError);
  // Required where the table gives a default: a bug too.
  EXPECT_THROW(transport.read_map({{"model", scenario::Need::required, ignore}}),
               sim::InternalError);
  // Maps the table does not document (a sweep block) are not checked.
  const scenario::Value sweep = scenario::parse_document("sweep: {grid: {}}\n", "k.yaml");
  EXPECT_NO_THROW(sweep.child("sweep")->read_map({{"grid", scenario::Need::optional, ignore}}));
}

TEST(ScenarioKeys, TablePaths) {
  EXPECT_EQ(scenario::table_path("jobs[2].program[10].after"), "workload.program[].after");
  EXPECT_EQ(scenario::table_path("faults_file[3]"), "faults[]");
  EXPECT_EQ(scenario::table_path("topology.sites[0].host_link"), "topology.sites[].host_link");
  EXPECT_EQ(scenario::table_path(""), "");
}

TEST(ScenarioKeys, EverySweepableKeyIsAScenarioKey) {
  for (const sweep::Key& k : sweep::sweepable_keys()) {
    EXPECT_NE(scenario::find_scenario_key(k.path), nullptr) << k.path;
  }
  for (const char* path :
       {"seed", "name", "description", "output.dir", "output.flows", "output.trace",
        "output.timeseries", "output.timeseries.interval", "output.timeseries.links", "faults"}) {
    EXPECT_NE(scenario::find_scenario_key(path), nullptr) << path;
    EXPECT_NE(sweep::why_not_sweepable(path), "") << path;
  }
}

}  // namespace
}  // namespace spinel
