// `spinel pccl-master` and `spinel pccl-peer` as separate processes on
// 127.0.0.1, the way a user runs them by hand; help and bad command lines.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "test_support.hpp"

namespace {

using spinel::testing::Result;
using spinel::testing::spinel;

TEST(PcclRealCli, HelpTeachesEachCommand) {
  for (const std::string command : {"pccl-master", "pccl-peer", "pccl-local"}) {
    for (const std::string& args : {command + " --help", "help " + command}) {
      const Result r = spinel(args);
      EXPECT_EQ(r.status, 0) << args;
      EXPECT_NE(r.output.find("127.0.0.1"), std::string::npos) << r.output;
    }
  }
  EXPECT_NE(spinel("--help").output.find("spinel pccl-peer --master"), std::string::npos);
}

TEST(PcclRealCli, BadCommandLinesExitTwoWithAReason) {
  const std::pair<std::string, std::string> cases[] = {
      {"pccl-peer", "needs --master"},
      {"pccl-peer --master 10.1.2.3:7777", "loopback only"},
      {"pccl-peer --master 127.0.0.1:port", "127.0.0.1:PORT"},
      {"pccl-master --port 70000", "--port takes an integer from 0 to 65535"},
      {"pccl-master --step-compute 5", "--step-compute takes a duration"},
      {"pccl-master --keepalive-interval 2s --keepalive-timeout 1s", "longer than"},
      {"pccl-local --churn-min 3s --churn-max 1s", "must not exceed"},
      {"pccl-local --frobnicate", "unknown option '--frobnicate'"},
      {"pccl-master", "the group's key is missing"},
      {"pccl-peer --master 127.0.0.1:7777", "the group's key is missing"},
      {"pccl-master --insecure --tls", "--tls needs the group's key"},
      {"pccl-local --insecure --tls", "--tls needs the group's key"},
      {"pccl-peer --master 127.0.0.1:7777 --key-file /nonexistent/pccl.key",
       "cannot read the key file /nonexistent/pccl.key"},
  };
  for (const auto& [args, reason] : cases) {
    const Result r = spinel(args);
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_NE(r.output.find(reason), std::string::npos) << args << ": " << r.output;
  }
}

TEST(PcclRealCli, KeysComeFromAPrivateFileOrTheEnvironmentNeverTooShort) {
  const auto dir = spinel::testing::scratch_folder("pccl_real_cli_", "keys");
  std::filesystem::create_directories(dir);
  const std::string key = (dir / "pccl.key").string();
  std::ofstream(key) << "0123456789abcdef0123456789abcdef\n";
  std::filesystem::permissions(key, std::filesystem::perms::owner_read |
                                        std::filesystem::perms::group_read |
                                        std::filesystem::perms::others_read);
  Result r = spinel("pccl-master --key-file " + key);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("accessible to others than its owner; make it private with chmod 600"),
            std::string::npos)
      << r.output;
  const Result short_key = spinel::testing::shell("SPINEL_PCCL_KEY=tooshort " +
                                                  std::string(SPINEL_BINARY) + " pccl-master");
  EXPECT_EQ(short_key.status, 2);
  EXPECT_NE(short_key.output.find("the environment variable SPINEL_PCCL_KEY has 8 bytes; it "
                                  "needs at least 16"),
            std::string::npos)
      << short_key.output;
  const Result both =
      spinel::testing::shell("SPINEL_PCCL_KEY=0123456789abcdef0123 " + std::string(SPINEL_BINARY) +
                             " pccl-master --insecure");
  EXPECT_EQ(both.status, 2);
  EXPECT_NE(both.output.find("--insecure, yet a key is given (SPINEL_PCCL_KEY)"), std::string::npos)
      << both.output;
}

// A peer whose key is not the master's is refused; it says so and exits 1.
TEST(PcclRealCli, APeerWithAnotherKeyIsRefused) {
  const auto dir = spinel::testing::scratch_folder("pccl_real_cli_", "wrong_key");
  std::filesystem::create_directories(dir);
  const std::string bin = SPINEL_BINARY;
  const std::string d = dir.string();
  const std::string script =
      "SPINEL_PCCL_KEY=the-masters-key-0123456789 " + bin + " pccl-master --duration 20s > " + d +
      "/master.txt 2>&1 & M=$!\n" + "i=0; while ! grep -q listening " + d +
      "/master.txt && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done\n" +
      "P=$(grep -o '127.0.0.1:[0-9]*' " + d + "/master.txt | head -n 1)\n" +
      "SPINEL_PCCL_KEY=another-key-0123456789abc timeout 20 " + bin +
      " pccl-peer --master $P; echo \"peer status $?\"\nsleep 0.2; kill $M; cat " + d +
      "/master.txt\n";
  std::ofstream(dir / "session.sh") << script;
  const Result r = spinel::testing::shell("sh " + (dir / "session.sh").string());
  EXPECT_NE(r.output.find("peer status 1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("lost the master"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("keyed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("the proof does not check"), std::string::npos) << r.output;
}

TEST(PcclRealCli, PeersInSeparateProcessesPrintTheSameHashesForEachStep) {
  const auto dir = spinel::testing::scratch_folder("pccl_real_cli_", "session");
  std::filesystem::create_directories(dir);
  const std::string bin = SPINEL_BINARY;
  const std::string d = dir.string();
  // The key the way the help says to make one: a file only its owner reads.
  const std::string key = " --key-file " + d + "/pccl.key";
  std::string peers;
  for (int n = 1; n <= 3; ++n) {
    peers += "timeout 30 " + bin + " pccl-peer" + key + " --master $P --steps 6 > " + d + "/peer" +
             std::to_string(n) + ".txt 2>&1 & p" + std::to_string(n) + "=$!\n";
  }
  const std::string script = "(umask 077; head -c 32 /dev/urandom | base64 > " + d +
                             "/pccl.key)\n" + bin + " pccl-master" + key +
                             " --port 0 --step-compute 50ms --retry-backoff 50ms > " + d +
                             "/master.txt 2>&1 & M=$!\n" + "i=0; while ! grep -q listening " + d +
                             "/master.txt && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done\n" +
                             "P=$(grep -o '127.0.0.1:[0-9]*' " + d + "/master.txt | head -n 1)\n" +
                             peers + "wait $p1 $p2 $p3\nkill $M\ncat " + d + "/peer*.txt\n";
  std::ofstream(dir / "session.sh") << script;
  const Result r = spinel::testing::shell("sh " + (dir / "session.sh").string());
  ASSERT_EQ(r.status, 0) << r.output;

  // op -> the (result, weights) hash pairs the peers printed for it. (No
  // std::regex: GCC 12 warns inside it under the sanitizers, and warnings
  // are errors.)
  std::map<std::string, std::set<std::string>> hashes;
  std::map<std::string, int> printed;
  std::istringstream in(r.output);
  std::size_t lines = 0;
  for (std::string text; std::getline(in, text);) {
    const std::size_t at = text.find("peer ");
    if (at == std::string::npos) continue;
    unsigned peer = 0;
    unsigned step = 0;
    unsigned size = 0;
    unsigned attempt = 0;
    char result[17] = {};
    char weights[17] = {};
    if (std::sscanf(text.c_str() + at,
                    "peer %u step %u: %u peers, attempt %u, result %16[0-9a-f], weights "
                    "%16[0-9a-f]",
                    &peer, &step, &size, &attempt, result, weights) != 6 ||
        std::strlen(result) != 16 || std::strlen(weights) != 16) {
      continue;
    }
    ++lines;
    const std::string op = std::to_string(step);
    hashes[op].insert(std::string(result) + " " + weights);
    ++printed[op];
  }
  EXPECT_GE(lines, 12U) << r.output;
  int shared = 0;
  for (const auto& [op, pairs] : hashes) {
    EXPECT_EQ(pairs.size(), 1U) << "step " << op << " differs between peers:\n" << r.output;
    shared += printed[op] >= 2 ? 1 : 0;
  }
  EXPECT_GE(shared, 3) << r.output;
  EXPECT_NE(r.output.find("left the group"), std::string::npos) << r.output;
}

}  // namespace
