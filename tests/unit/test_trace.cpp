// trace.json and timeseries.csv: units, order, conservation, selection,
// determinism, limits, and the scenario keys that ask for them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "api/run.hpp"
#include "api/scenario/scenario.hpp"
#include "api/trace.hpp"
#include "sim/error.hpp"
#include "test_support.hpp"

namespace spinel::api {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("spinel_test_trace_" + name);
  fs::remove_all(dir);
  return dir;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) cells.push_back(cell);
  return cells;
}

// A CSV file as rows of cells keyed by the header's column names.
std::vector<std::map<std::string, std::string>> read_csv(const fs::path& p) {
  std::ifstream f(p);
  std::string line;
  std::getline(f, line);
  const std::vector<std::string> header = split(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(f, line)) {
    const std::vector<std::string> cells = split(line);
    EXPECT_EQ(cells.size(), header.size()) << line;
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

// Every value of "KEY": in the text, in order (numbers only).
std::vector<std::string> values_of(const std::string& text, const std::string& key) {
  std::vector<std::string> out;
  const std::string needle = "\"" + key + "\":";
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    const std::size_t from = at + needle.size();
    const std::size_t to = text.find_first_of(",}", from);
    out.push_back(text.substr(from, to - from));
  }
  return out;
}

scenario::Scenario traced(const std::string& policy, const std::string& links = "all") {
  return scenario::load_string(R"(
name: traced
seed: 5
topology: {kind: leaf_spine, leaves: 4, spines: 2, hosts_per_leaf: 4, parallel_links: 2}
transport: {policy: )" + policy + R"(}
workload: {collective: ring_allreduce, size_bytes: 4MiB, placement: random, iterations: 2,
           compute_gap: 3us}
output:
  trace: true
  timeseries: {interval: 7us, links: )" +
                                   links + R"(}
)",
                               "traced.yaml");
}

TEST(Trace, MicrosecondsAreFormattedExactlyFromPicoseconds) {
  EXPECT_EQ(format_trace_us(0), "0.000000");
  EXPECT_EQ(format_trace_us(1), "0.000001");
  EXPECT_EQ(format_trace_us(999'999), "0.999999");
  EXPECT_EQ(format_trace_us(1'000'000), "1.000000");
  EXPECT_EQ(format_trace_us(12'345'678), "12.345678");
  EXPECT_EQ(format_trace_us(9'007'199'254'740'993), "9007199254.740993");  // 2^53 + 1: no double
}

TEST(Trace, FlowAndStepDurationsAreExactOnANonBlockingFabric) {
  // Two hosts on one leaf at 4000 Gb/s = 0.5 B/ps: a 1 MiB chunk takes
  // 2,097,152 ps to send plus 2 x 500 ns of latency = 3,097,152 ps per step.
  const scenario::Scenario s = scenario::load_string(R"(
name: exact
topology: {kind: leaf_spine, leaves: 1, spines: 1, hosts_per_leaf: 2,
           host_link: {rate: 4000Gbps, latency: 500ns}}
workload: {collective: ring_allreduce, size_bytes: 2MiB}
output: {trace: true}
)",
                                                     "exact.yaml");
  const fs::path dir = scratch("exact");
  run(s, RunOptions(dir));
  const std::string trace = slurp(dir / "trace.json");
  // 2 ranks: 2 steps each, one flow per rank and step.
  const std::vector<std::string> durs = values_of(trace, "dur");
  ASSERT_EQ(durs.size(), 8u);
  for (const std::string& dur : durs) EXPECT_EQ(dur, "3.097152");
  const std::vector<std::string> ts = values_of(trace, "ts");
  std::multiset<std::string> starts(ts.begin(), ts.end());
  // Step 0 and its flow on both ranks, and the four host links filling up;
  // then the same for step 1 (the links idle from 2.097152, the last byte).
  EXPECT_EQ(starts.count("0.000000"), 8u);
  EXPECT_EQ(starts.count("2.097152"), 4u);
  EXPECT_EQ(starts.count("3.097152"), 8u);
  EXPECT_EQ(starts.count("5.194304"), 4u);
  EXPECT_EQ(starts.size(), 24u);
  EXPECT_NE(trace.find("\"args\":{\"flow_id\":0,\"bytes\":1048576,\"src\":0,\"dst\":1,\"step\":0,"
                       "\"collective\":0}"),
            std::string::npos);
  EXPECT_NE(
      trace.find("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"h1\"}}"),
      std::string::npos);
  EXPECT_NE(trace.find("{\"name\":\"h0>leaf0\",\"cat\":\"link\",\"ph\":\"C\",\"ts\":0.000000,"
                       "\"pid\":0,\"args\":{\"utilisation\":1}}"),
            std::string::npos);
}

TEST(Trace, IsValidJsonWithEventsInTimeOrder) {
  const fs::path dir = scratch("order");
  run(traced("ecmp"), RunOptions(dir));
  const fs::path file = dir / "trace.json";
  const std::string check =
      "python3 -c \"import json, sys; d = json.load(open(sys.argv[1])); "
      "ts = [float(e['ts']) for e in d['traceEvents'] if 'ts' in e]; "
      "sys.exit(0 if ts == sorted(ts) and len(ts) > 100 else 3)\" " +
      file.string();
  EXPECT_EQ(std::system(check.c_str()), 0) << "trace.json does not parse, or is out of order";
  // The same check without Python: timestamps as written never go back.
  const std::vector<std::string> ts = values_of(slurp(file), "ts");
  for (std::size_t i = 1; i < ts.size(); ++i) {
    ASSERT_LE(std::stod(ts[i - 1]), std::stod(ts[i])) << "event " << i;
  }
  for (const std::string& u : values_of(slurp(file), "utilisation")) {
    EXPECT_GE(std::stod(u), 0.0);
    EXPECT_LE(std::stod(u), 1.0 + 1e-9);
  }
}

// Summed over intervals, each link's bytes equal links.csv's bytes; no
// interval is more than full.
void expect_conserved(const std::string& policy) {
  const fs::path dir = scratch("conserve_" + policy);
  run(traced(policy), RunOptions(dir));
  std::map<std::string, double> total;
  std::set<std::string> seen_start;
  for (const auto& row : read_csv(dir / "timeseries.csv")) {
    total[row.at("link_id")] += std::stod(row.at("bytes"));
    EXPECT_LE(std::stod(row.at("utilisation")), 1.0 + 1e-9) << row.at("link");
    EXPECT_GE(std::stod(row.at("utilisation")), 0.0) << row.at("link");
    const auto start = std::stoll(row.at("interval_start_ps"));
    const auto end = std::stoll(row.at("interval_end_ps"));
    EXPECT_EQ(start % 7'000'000, 0);
    EXPECT_GT(end, start);
    EXPECT_LE(end - start, 7'000'000);
  }
  const auto links = read_csv(dir / "links.csv");
  ASSERT_EQ(total.size(), links.size());
  double carried = 0;
  for (const auto& row : links) {
    const double bytes = std::stod(row.at("bytes"));
    carried += bytes;
    // links.csv rounds to whole bytes; the fluid integral is within a byte.
    EXPECT_NEAR(total.at(row.at("link_id")), bytes, 1.0 + 1e-9 * bytes) << row.at("link");
  }
  EXPECT_GT(carried, 0.0);
}

TEST(Timeseries, BytesOverIntervalsEqualLinkBytesWithEcmp) {
  expect_conserved("ecmp");
}

TEST(Timeseries, BytesOverIntervalsEqualLinkBytesWithSpray) {
  expect_conserved("spray");  // trunks: each member link gets its share
}

TEST(Timeseries, LinksSelectWhichRowsAreWritten) {
  const auto kinds_of = [](const std::string& links) {
    const fs::path dir = scratch("select");
    run(traced("ecmp", links), RunOptions(dir));
    std::map<std::string, std::set<std::string>> kinds;  // kind -> links
    for (const auto& row : read_csv(dir / "timeseries.csv")) {
      kinds[row.at("kind")].insert(row.at("link"));
    }
    return kinds;
  };
  auto kinds = kinds_of("uplinks");
  ASSERT_EQ(kinds.size(), 1u);
  EXPECT_EQ(kinds["leaf_up"].size(), 4u * 2 * 2);  // leaves x spines x parallel links
  kinds = kinds_of("downlinks");
  ASSERT_EQ(kinds.size(), 1u);
  EXPECT_EQ(kinds["spine_down"].size(), 16u);
  kinds = kinds_of("fabric");
  EXPECT_EQ(kinds.size(), 2u);
  kinds = kinds_of("host");
  ASSERT_EQ(kinds.size(), 2u);
  EXPECT_EQ(kinds["host_up"].size(), 16u);
  EXPECT_EQ(kinds["host_down"].size(), 16u);
  EXPECT_EQ(kinds_of("all").size(), 4u);
  kinds = kinds_of("[spine1>leaf2#1, h3>leaf0]");
  ASSERT_EQ(kinds.size(), 2u);
  EXPECT_EQ(kinds["spine_down"], std::set<std::string>{"spine1>leaf2#1"});
  EXPECT_EQ(kinds["host_up"], std::set<std::string>{"h3>leaf0"});
}

TEST(Timeseries, EveryIntervalOfTheRunHasARowPerLink) {
  const fs::path dir = scratch("dense");
  const Results r = run(traced("ecmp", "[h0>leaf0]"), RunOptions(dir));
  const auto rows = read_csv(dir / "timeseries.csv");
  const auto intervals = static_cast<std::size_t>((r.end_ps + 6'999'999) / 7'000'000);
  ASSERT_EQ(rows.size(), intervals);
  EXPECT_EQ(rows.front().at("interval_start_ps"), "0");
  EXPECT_EQ(rows.back().at("interval_end_ps"), std::to_string(r.end_ps));
}

TEST(TraceAndTimeseries, SameScenarioAndSeedGiveByteIdenticalFiles) {
  const fs::path a = scratch("det_a");
  const fs::path b = scratch("det_b");
  const fs::path plain = scratch("det_plain");
  run(traced("ecmp"), RunOptions(a));
  run(traced("ecmp"), RunOptions(b));
  for (const char* file : {"trace.json", "timeseries.csv"}) {
    EXPECT_FALSE(slurp(a / file).empty()) << file;
    EXPECT_EQ(slurp(a / file), slurp(b / file)) << file;
  }
  // Listening changes nothing the model computes.
  scenario::Scenario quiet = traced("ecmp");
  quiet.output.trace = false;
  quiet.output.timeseries.enabled = false;
  run(quiet, RunOptions(plain));
  EXPECT_FALSE(fs::exists(plain / "trace.json"));
  EXPECT_FALSE(fs::exists(plain / "timeseries.csv"));
  for (const char* file : {"flows.csv", "links.csv", "collectives.csv"}) {
    EXPECT_EQ(slurp(a / file), slurp(plain / file)) << file;
  }
}

TEST(Timeseries, TooManyRowsStopsTheRunWithAClearMessage) {
  scenario::Scenario s = traced("ecmp");
  s.output.trace = false;
  s.output.timeseries.interval_ps = sim::kNanosecond;  // 64 links x ~80k intervals
  try {
    run(s, RunOptions(scratch("rows")));
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).substr(0, 27), "output.timeseries: 64 links") << e.what();
    EXPECT_NE(std::string(e.what()).find("use a longer output.timeseries.interval or fewer links"),
              std::string::npos)
        << e.what();
  }
}

std::string error_of(const std::string& output_block) {
  const std::string yaml =
      "name: t\n"                                                                // 1
      "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 2}\n"  // 2
      "workload: {collective: ring_allreduce, size_bytes: 1MiB}\n"               // 3
      "output:\n" +                                                              // 4
      output_block;                                                              // 5...
  return testing::error_of_loading(
      [](const std::string& y) { return scenario::load_string(y, "t.yaml"); }, yaml);
}

TEST(TraceAndTimeseriesKeys, BadValuesGiveLocatedErrors) {
  EXPECT_EQ(error_of("  trace: yes\n"),
            "t.yaml:5:10: output.trace: expected true or false, got \"yes\"");
  EXPECT_EQ(error_of("  timeseries: {interval: 10}\n"),
            "t.yaml:5:26: output.timeseries.interval: a duration needs a unit, e.g. 500ns; got "
            "\"10\"");
  EXPECT_EQ(error_of("  timeseries: {interval: 500ps}\n"),
            "t.yaml:5:26: output.timeseries.interval: expected a duration of at least 1ns, got "
            "\"500ps\"");
  EXPECT_EQ(error_of("  timeseries: {links: all}\n"),
            "t.yaml:5:3: output.timeseries: missing required key \"interval\"");
  EXPECT_EQ(error_of("  timeseries: {interval: 1us, link: all}\n"),
            "t.yaml:5:31: output.timeseries.link: unknown key; did you mean \"links\"? allowed: "
            "interval, links");
  EXPECT_EQ(error_of("  timeseries: {interval: 1us, links: uplink}\n"),
            "t.yaml:5:38: output.timeseries.links: expected one of all, host, uplinks, downlinks, "
            "fabric, got \"uplink\" (did you mean \"uplinks\"?)");
  EXPECT_EQ(error_of("  timeseries: {interval: 1us, links: [h0>leaf0, h2>leaf0]}\n"),
            "t.yaml:5:49: output.timeseries.links[1]: expected a directed link of this fabric, "
            "named as in links.csv (e.g. h0>leaf0, leaf0>spine0, spine0>leaf1), got "
            "\"h2>leaf0\"");
  EXPECT_EQ(error_of("  timeseries: {interval: 1us, links: [leaf0>spine1, leaf0>spine1]}\n"),
            "t.yaml:5:53: output.timeseries.links[1]: link \"leaf0>spine1\" is listed twice");
  EXPECT_EQ(error_of("  timeseries: {interval: 1us, links: []}\n"),
            "t.yaml:5:38: output.timeseries.links: expected at least one link name, got an "
            "empty list");
  EXPECT_EQ(error_of("  traces: true\n"),
            "t.yaml:5:3: output.traces: unknown key; did you mean \"trace\"? allowed: dir, "
            "flows, trace, ops, timeseries");
}

TEST(TraceAndTimeseriesKeys, LinkNamesFollowTheFabric) {
  const auto ok = [](const std::string& topology, const std::string& link) {
    try {
      (void)scenario::load_string("name: t\ntopology: {kind: leaf_spine, " + topology +
                                      "}\nworkload: {collective: ring_allreduce, size_bytes: "
                                      "1MiB}\noutput: {timeseries: {interval: 1us, links: [" +
                                      link + "]}}\n",
                                  "t.yaml");
      return true;
    } catch (const sim::ScenarioError&) {
      return false;
    }
  };
  const std::string one = "leaves: 3, spines: 2, hosts_per_leaf: 4";
  const std::string two = one + ", parallel_links: 2";
  EXPECT_TRUE(ok(one, "h5>leaf1"));
  EXPECT_TRUE(ok(one, "leaf2>h11"));
  EXPECT_TRUE(ok(one, "leaf2>spine1"));
  EXPECT_TRUE(ok(one, "spine0>leaf2"));
  EXPECT_TRUE(ok(two, "spine0>leaf2#1"));
  EXPECT_FALSE(ok(one, "h5>leaf0"));        // h5 is on leaf1
  EXPECT_FALSE(ok(one, "h12>leaf3"));       // no such host or leaf
  EXPECT_FALSE(ok(one, "leaf0>spine2"));    // no such spine
  EXPECT_FALSE(ok(one, "leaf0>leaf1"));     // leaves are not cabled together
  EXPECT_FALSE(ok(one, "leaf0>spine0#0"));  // lanes only with parallel links
  EXPECT_FALSE(ok(two, "leaf0>spine0"));    // ... and then required
  EXPECT_FALSE(ok(two, "leaf0>spine0#2"));
  EXPECT_FALSE(ok(two, "h0>leaf0#0"));
  EXPECT_FALSE(ok(one, "h05>leaf1"));
  EXPECT_FALSE(ok(one, "h1"));
  EXPECT_FALSE(ok(one, "spine0>h0"));
}

}  // namespace
}  // namespace spinel::api
