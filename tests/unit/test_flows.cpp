// Flow lists as jobs: CSV flow lists, htsim connection matrices (.cm) and the
// generated patterns, each run as a workload graph. Start times, `after`
// chains and every trigger kind by the times the flows start and end; a .cm
// permutation against the generator's; located errors for bad files; the
// shipped examples.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "test_support.hpp"
#include "workloads/flows/flow_files.hpp"
#include "workloads/flows/generators.hpp"

namespace spinel::api {
namespace {

namespace fs = std::filesystem;
namespace flows = workloads::flows;

const std::string kHead = R"(name: f
topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4}
output: {ops: true}
)";

// A file in this test's scratch folder: one folder per test, since ctest runs
// the tests of this file in parallel processes (a folder shared by all of
// them was emptied by one while another wrote into it).
fs::path write(const std::string& name, const std::string& text) {
  const fs::path dir =
      fs::temp_directory_path() /
      ("spinel_test_flows_" +
       std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p) << text;
  return p;
}

scenario::Scenario load(const std::string& workload) {
  return scenario::load_string(kHead + workload, "f.yaml");
}

std::string error_of(const std::string& workload) {
  return testing::error_of_loading([](const std::string& y) { return load(y); }, workload);
}

struct Span {
  sim::Time start_ps;
  sim::Time end_ps;
};

// Each flow's send (by its id, the op's label): when it started and was delivered.
std::map<std::string, Span> sends(const Results& r) {
  std::map<std::string, Span> out;
  for (const auto& op : r.jobs.at(0).ops) {
    if (op.kind == workloads::graph::OpKind::send) out[op.label] = {op.start_ps, op.end_ps};
  }
  return out;
}

Results run_matrix(const std::string& name, const std::string& cm,
                   const std::string& transport = "") {
  const fs::path p = write(name, cm);
  const Results r =
      run(load(transport + "workload: {connection_matrix: " + p.string() + "}\n"), RunOptions{});
  EXPECT_TRUE(r.jobs.at(0).finished);
  return r;
}

// A flow at a start time starts then, however busy its rank is; two flows
// between the same pair at once run side by side (each its own connection):
// at flow level they share the link evenly and end together.
TEST(Flows, StartTimesAndConcurrentFlowsOfOnePair) {
  const Results r = run_matrix("starts.cm", R"(# two at once, one later
Nodes 8
Connections 3
0->1 id 1 start 0 size 1000000
0->1 id 2 start 0 size 1000000
0->1 id 3 start 5.5 size 1000
)");
  const auto s = sends(r);
  EXPECT_EQ(s.at("1").start_ps, 0);
  EXPECT_EQ(s.at("2").start_ps, 0);
  EXPECT_EQ(s.at("1").end_ps, s.at("2").end_ps);
  EXPECT_EQ(s.at("3").start_ps, 5'500'000);  // 5.5 us: .cm start times are microseconds
  // One flow alone takes about half as long as the two together.
  const Results alone =
      run_matrix("alone.cm", "Nodes 8\nConnections 1\n0->1 id 1 start 0 size 1000000\n");
  const sim::Time one = sends(alone).at("1").end_ps;
  EXPECT_LT(one, s.at("1").end_ps);
  EXPECT_GT(2 * one, s.at("1").end_ps);
}

// Start units: picoseconds when the scenario says so.
TEST(Flows, StartUnitFromTheScenario) {
  const fs::path p = write("ps.cm", "Nodes 2\nConnections 1\n0->1 start 7000 size 100\n");
  const Results r = run(load("workload:\n  hosts: 2\n  connection_matrix: {path: " + p.string() +
                             ", start_unit: ps}\n"),
                        RunOptions{});
  // No id: the connection gets one above every given id (none here): 1.
  EXPECT_EQ(sends(r).at("1").start_ps, 7000);
}

// Oneshot: fires at its first signal; send_done and recv_done signal at
// delivery (spinel's transports tell both ends at once).
TEST(Flows, OneshotTriggers) {
  const Results r = run_matrix("oneshot.cm", R"(Nodes 8
Connections 4
Triggers 2
0->4 id 1 start 0 size 100000 send_done_trigger 1
2->5 id 2 start 0 size 300000 recv_done_trigger 1
5->6 id 3 trigger 1 size 1000 recv_done_trigger 2
trigger id 1 oneshot
trigger id 2 oneshot
1->7 id 4 trigger 2 size 1000
)");
  const auto s = sends(r);
  // Flow 1 is delivered first: it fires trigger 1; flow 2's later signal does nothing.
  ASSERT_LT(s.at("1").end_ps, s.at("2").end_ps);
  EXPECT_EQ(s.at("3").start_ps, s.at("1").end_ps);
  EXPECT_EQ(s.at("4").start_ps, s.at("3").end_ps);  // across ranks: 5->6 starts 1->7
}

// Multishot: its k-th signal starts its k-th flow; barrier: all its flows
// start at its count-th signal.
TEST(Flows, MultishotAndBarrierTriggers) {
  const Results r = run_matrix("multi.cm", R"(Nodes 8
Connections 7
Triggers 2
0->4 id 1 start 0 size 100000 send_done_trigger 7 recv_done_trigger 9
1->5 id 2 start 0 size 200000 send_done_trigger 7 recv_done_trigger 9
2->6 id 3 start 0 size 400000 send_done_trigger 7 recv_done_trigger 9
4->0 id 11 trigger 7 size 1000
5->1 id 12 trigger 7 size 1000
6->2 id 21 trigger 9 size 1000
7->3 id 22 trigger 9 size 1000
trigger id 7 multishot
trigger id 9 barrier count 2
)");
  const auto s = sends(r);
  ASSERT_LT(s.at("1").end_ps, s.at("2").end_ps);
  ASSERT_LT(s.at("2").end_ps, s.at("3").end_ps);
  EXPECT_EQ(s.at("11").start_ps, s.at("1").end_ps);
  EXPECT_EQ(s.at("12").start_ps, s.at("2").end_ps);  // the third signal starts nothing
  EXPECT_EQ(s.at("21").start_ps, s.at("2").end_ps);  // count 2: at the second delivery
  EXPECT_EQ(s.at("22").start_ps, s.at("2").end_ps);
}

// CSV: `after` chains flows across ranks, on top of their start times;
// flows.csv carries each flow's id in `tag`.
TEST(Flows, CsvAfterChains) {
  const fs::path p = write("chain.csv", R"(id,src,dst,size_bytes,start_ps,after
10,0,1,100000,0,
11,1,2,100000,0,10
# a comment line
12,5,3,100000,0,11
13,4,6,1000,900000000,11
)");
  const fs::path out = testing::scratch_folder("spinel_test_flows_", "chain_out");
  const Results r = run(load("workload: {flows: " + p.string() + "}\n"), RunOptions(out));
  const auto s = sends(r);
  EXPECT_EQ(s.at("10").start_ps, 0);
  EXPECT_EQ(s.at("11").start_ps, s.at("10").end_ps);
  EXPECT_EQ(s.at("12").start_ps, s.at("11").end_ps);
  EXPECT_EQ(s.at("13").start_ps, 900'000'000);  // after 11, but not before its start_ps
  ASSERT_LT(s.at("11").end_ps, 900'000'000);
  const std::string csv = testing::slurp(out / "flows.csv");
  EXPECT_NE(csv.find(",0,0,12,5,3,100000,"), std::string::npos) << csv;  // collective, step, tag
}

// Both transport levels: a chain and concurrent flows of one pair finish at
// packet level, each flow on its own connection.
TEST(Flows, RunsAtPacketLevel) {
  const Results r = run_matrix("packet.cm", R"(Nodes 8
Connections 3
Triggers 1
0->5 id 1 start 0 size 200000 recv_done_trigger 1
0->5 id 2 start 0 size 200000
5->2 id 3 trigger 1 size 100000
trigger id 1 oneshot
)",
                               "transport: {model: packet, policy: spray}\n");
  ASSERT_TRUE(r.packets.has_value());
  EXPECT_EQ(r.flows.bytes_delivered, r.flows.bytes_sent);
  const auto s = sends(r);
  EXPECT_EQ(s.at("2").start_ps, 0);
  EXPECT_EQ(s.at("3").start_ps, s.at("1").end_ps);
  // Side by side, not one after the other.
  EXPECT_LT(s.at("2").end_ps, s.at("1").end_ps + s.at("1").end_ps / 2);
  EXPECT_LT(s.at("1").end_ps, s.at("2").end_ps + s.at("2").end_ps / 2);
}

// The .cm permutation gives the same completion times as the generator's,
// flow by flow, whatever the order of its lines: the same program.
TEST(Flows, MatrixPermutationMatchesTheGenerator) {
  flows::PatternConfig c;
  c.size_bytes = 1 << 20;
  c.seed = 5;
  const flows::FlowList perm = flows::generate(c, 8);
  std::string cm = "Nodes 8\nConnections 8\n";
  for (auto it = perm.flows.rbegin(); it != perm.flows.rend(); ++it) {
    cm += std::to_string(it->src) + "->" + std::to_string(it->dst) + " id " +
          std::to_string(it->id) + " start 0 size 1048576\n";
  }
  for (const std::string transport : {"", "transport: {model: packet, policy: ecmp}\n"}) {
    const Results from_file = run_matrix("perm.cm", cm, transport);
    const Results generated = run(
        load(transport + "workload: {flows: {pattern: permutation, size_bytes: 1MiB, seed: 5}}\n"),
        RunOptions{});
    const auto a = sends(from_file);
    const auto b = sends(generated);
    ASSERT_EQ(a.size(), 8U);
    for (const auto& [id, span] : a) {
      EXPECT_EQ(span.end_ps, b.at(id).end_ps) << id << " " << transport;
    }
  }
}

TEST(Flows, Generators) {
  flows::PatternConfig c;
  c.size_bytes = 10;
  c.rack_size = 4;
  for (std::uint64_t seed = 1; seed < 20; ++seed) {
    c.seed = seed;
    const flows::FlowList p = flows::generate(c, 16);
    std::vector<int> received(16, 0);
    for (const auto& f : p.flows) {
      EXPECT_NE(f.src / 4, f.dst / 4);
      ++received[f.dst];
    }
    EXPECT_EQ(received, std::vector<int>(16, 1));
  }
  c.pattern = flows::Pattern::incast;
  c.receiver = 3;
  c.senders = 5;
  const flows::FlowList incast = flows::generate(c, 8);
  ASSERT_EQ(incast.flows.size(), 5U);
  EXPECT_EQ(incast.flows[4].src, 0U);  // 4, 5, 6, 7, then wraps to 0
  EXPECT_EQ(incast.flows[4].dst, 3U);
  c.pattern = flows::Pattern::all_to_all;
  EXPECT_EQ(flows::generate(c, 8).flows.size(), 56U);
  // And from a scenario: an incast finishes, its senders sharing the receiver's link.
  const Results r = run(
      load("workload: {flows: {pattern: incast, senders: 7, size_bytes: 1MiB}}\n"), RunOptions{});
  EXPECT_EQ(sends(r).size(), 7U);
  EXPECT_EQ(error_of("workload: {flows: {pattern: permutation, size_bytes: 1MiB, rack_size: 5}}\n"),
            "f.yaml:4:19: workload.flows: rack_size: racks of 5 ranks in a job of 8: every rank "
            "cannot send outside its rack (a rack may hold at most half the ranks)");
}

// The error of workload `key` naming file `name` with `text`: the value's
// place in the scenario, then FILE:LINE and what is wrong (returned from LINE on).
std::string file_error(const std::string& key, const std::string& name, const std::string& text) {
  const fs::path p = write(name, text);
  const std::string e = error_of("workload: {" + key + ": " + p.string() + "}\n");
  const std::string prefix =
      "f.yaml:4:" + std::to_string(14 + key.size()) + ": workload." + key + ": " + p.string() + ":";
  EXPECT_EQ(e.substr(0, prefix.size()), prefix) << e;
  return e.substr(std::min(prefix.size(), e.size()));
}

// Bad files: the scenario's place, then the file's line and what is wrong.
TEST(Flows, BadMatricesAreLocated) {
  const auto error = [](const std::string& name, const std::string& cm) {
    return file_error("connection_matrix", name, cm);
  };
  EXPECT_EQ(error("a.cm", "Nodes 8\nConnections 1\n0->1 start 0 size 10 colour red\n"),
            "3: unknown token \"colour\"; a connection takes id, start, size, trigger, "
            "send_done_trigger, recv_done_trigger, prio, msg");
  EXPECT_EQ(error("b.cm",
                  "Nodes 8\nConnections 1\nTriggers 1\n0->1 id 1 start 0 trigger 1 size 10\n"
                  "trigger id 1 oneshot\n"),
            "4: a connection has `start` or `trigger`, not both");
  EXPECT_EQ(error("c.cm", "Nodes 8\nConnections 2\n0->1 start 0 size 10\n"),
            "2: Connections 2, but the file has 1");
  EXPECT_EQ(error("d.cm", "Nodes 8\nConnections 1\n0->1 id 1 trigger 4 size 10\n"),
            "3: trigger 4: no such trigger is declared (add a line `trigger id 4 oneshot`, "
            "multishot or barrier)");
  EXPECT_EQ(error("e.cm",
                  "Nodes 8\nConnections 2\n\n0->1 id 1 start 0 size 10 send_done_trigger 1\n"
                  "1->2 id 2 trigger 1 size 10\ntrigger id 1 barrier count 2\n"),
            "5: flow id 2 never starts: its barrier trigger 1 needs 2 signal(s) for it, but only 1 "
            "of the 1 flows that signal it can start (a cycle of triggers, or too few signallers)");
  EXPECT_EQ(error("f.cm",
                  "Nodes 8\nConnections 2\n0->1 id 1 trigger 2 size 10 send_done_trigger 1\n"
                  "1->2 id 2 trigger 1 size 10 send_done_trigger 2\ntrigger id 1 oneshot\n"
                  "trigger id 2 oneshot\n"),
            "3: flow id 1 never starts: its oneshot trigger 2 needs 1 signal(s) for it, but only 0 "
            "of the 1 flows that signal it can start (a cycle of triggers, or too few signallers)");
  EXPECT_EQ(error("g.cm", "Nodes 8\nConnections 1\n0->1 start 0 size 0\n"),
            "3: size 0 (htsim: a flow that never ends); spinel runs finite flows: give "
            "connection_matrix.size_bytes for them");
  EXPECT_EQ(error("h.cm", "Nodes 4\nConnections 1\n0->4 start 0 size 10\n"),
            "3: 0->4: Nodes is 4 (nodes 0..3)");
  EXPECT_EQ(error("i.cm", "Nodes 16\nConnections 1\n0->4 start 0 size 10\n"),
            "1: 16 nodes, but the job has 8 ranks; give the job at least as many hosts "
            "(workload.hosts)");
  EXPECT_EQ(error("j.cm", "Nodes 8\nConnections 1\n0->0 start 0 size 10\n"),
            "3: a flow from rank 0 to itself");
  EXPECT_EQ(error("k.cm", "Nodes 8\nConnections 1\nFailures 1\n0->1 start 0 size 10\n"),
            "3: htsim's failures are not read: give spinel's faults section instead (Failures 0 "
            "is fine)");
  EXPECT_EQ(error("l.cm", "Nodes 8\nConnections 1\n0->1 start x size 10\n"),
            "3: start: expected a non-negative number, got \"x\"");
  EXPECT_EQ(error("m.cm", "Connections 1\n0->1 start 0 size 10\n"),
            "1: missing header line `Nodes N`");
}

TEST(Flows, BadCsvFilesAreLocated) {
  const auto error = [](const std::string& name, const std::string& csv) {
    return file_error("flows", name, csv);
  };
  EXPECT_EQ(error("a.csv", "src,dst,size_bytes\n0,1,10\n"),
            "1: missing column start_ps; the header needs src, dst, size_bytes and start_ps");
  EXPECT_EQ(error("b.csv", "src,dst,size_bytes,start_ps\n0,1,10,0\n0,1,ten,0\n"),
            "3: size_bytes: expected a whole number, got \"ten\"");
  EXPECT_EQ(error("c.csv", "id,src,dst,size_bytes,start_ps,after\n1,0,1,10,0,7\n"),
            "2: after 7: no flow has that id");
  EXPECT_EQ(error("d.csv", "id,src,dst,size_bytes,start_ps,after\n1,0,1,10,0,2\n2,1,2,10,0,1\n"),
            "2: flow id 1 never starts: its oneshot trigger 2 needs 1 signal(s) for it, but only 0 "
            "of the 1 flows that signal it can start (a cycle of triggers, or too few signallers)");
  EXPECT_EQ(error("e.csv", "id,src,dst,size_bytes,start_ps\n1,0,1,10,0\n1,1,2,10,0\n"),
            "3: flow id 1 is used twice (also at line 2); ids must differ");
  EXPECT_EQ(error("f.csv", "src,dst,size_bytes,start_ps\n0,1,10\n"),
            "2: expected 4 cells as in the header, got 3");
  EXPECT_EQ(error("g.csv", "src,dst,size_bytes,start_ps,rate\n"),
            "1: unknown column \"rate\"; the columns are src, dst, size_bytes, start_ps and "
            "optionally id and after");
  EXPECT_EQ(error("h.csv", "src,dst,size_bytes,start_ps\n0,9,10,0\n"),
            "2: a flow 0->9, but the job's ranks are 0..7");
}

// Keys that do not go with flows are refused at their place.
TEST(Flows, KeysThatDoNotGoWithFlows) {
  EXPECT_EQ(error_of("workload: {flows: {pattern: all_to_all, size_bytes: 1KiB}, iterations: 2}\n"),
            "f.yaml:4:60: workload.iterations: a job of flows (flows or connection_matrix) runs "
            "its flows once; this key is for collective jobs and programs");
  EXPECT_STARTS_WITH(
      error_of("workload: {flows: {pattern: all_to_all, size_bytes: 1KiB}, collective: barrier}\n"),
      "f.yaml:4:60: workload.collective: a job with a program runs its ops");
}

// The shipped examples run; so does every matrix in scenarios/flows/.
TEST(Flows, TheShippedExamplesRun) {
  const std::string dir = std::string(SPINEL_SOURCE_DIR) + "/scenarios/";
  const Results list = run(scenario::load_file(dir + "flow_list_example.yaml"), RunOptions{});
  EXPECT_TRUE(list.jobs.at(0).finished);
  EXPECT_EQ(list.flows.transfers_completed, 11U);
  const Results matrix =
      run(scenario::load_file(dir + "connection_matrix_example.yaml"), RunOptions{});
  EXPECT_TRUE(matrix.jobs.at(0).finished);
  EXPECT_EQ(matrix.flows.transfers_completed, 112U);
  for (const char* cm : {"permutation_16.cm", "incast_16.cm", "ring_allreduce_8.cm"}) {
    const Results r =
        run(scenario::load_string("name: m\ntopology: {kind: leaf_spine, leaves: 4, spines: 4, "
                                  "hosts_per_leaf: 4}\nworkload: {connection_matrix: " +
                                      dir + "flows/" + cm + "}\n",
                                  "m.yaml"),
            RunOptions{});
    EXPECT_TRUE(r.jobs.at(0).finished) << cm;
  }
}

// The packet benchmark's case A as a scenario (at a smaller size here: the
// benchmark runs the full one): 128 flows, each host sending once and
// receiving once.
TEST(Flows, PacketCaseAScenarioRuns) {
  std::string text =
      testing::slurp(fs::path(SPINEL_SOURCE_DIR) / "scenarios" / "packet_case_a.yaml");
  const auto at = text.find("size_bytes: 16MiB");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 17, "size_bytes: 64KiB");
  const scenario::Scenario s = scenario::load_string(text, "packet_case_a.yaml");
  const auto& p = *s.jobs.at(0).program;
  std::vector<int> sent(128, 0);
  std::vector<int> received(128, 0);
  for (std::uint32_t r = 0; r < p.rank_count(); ++r) {
    for (const auto& op : p.ranks[r].ops) {
      if (op.kind == workloads::graph::OpKind::send) ++sent[r];
      if (op.kind == workloads::graph::OpKind::recv) ++received[r];
    }
  }
  EXPECT_EQ(sent, std::vector<int>(128, 1));
  EXPECT_EQ(received, std::vector<int>(128, 1));
  const Results r = run(s, RunOptions{});
  ASSERT_TRUE(r.packets.has_value());
  EXPECT_TRUE(r.jobs.at(0).finished);
  EXPECT_EQ(r.flows.bytes_delivered, 128U * 64 * 1024);
}

}  // namespace
}  // namespace spinel::api
