#pragma once
// Checks a Schedule's bookkeeping: every step's sends are what the step's
// receivers expect, and every transfer is on a pair its phase lists with at
// least the transfer's bytes. Returns the bytes the whole schedule sends.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "workloads/schedule.hpp"

namespace spinel::testing {

inline std::uint64_t checked_bytes(const workloads::Schedule& schedule, const std::string& label) {
  using workloads::Transfer;
  const std::uint32_t n = schedule.ranks();
  std::uint64_t sent = 0;
  std::vector<std::vector<Transfer>> pairs(schedule.phases());
  for (std::uint32_t p = 0; p < schedule.phases(); ++p) schedule.phase_pairs(p, pairs[p]);
  for (std::uint32_t step = 0; step < schedule.steps(); ++step) {
    std::vector<Transfer> sends;
    for (std::uint32_t r = 0; r < n; ++r) schedule.sends(step, r, sends);
    std::map<std::uint32_t, std::uint32_t> received;
    for (const Transfer& t : sends) {
      EXPECT_LT(t.src, n) << label;
      EXPECT_LT(t.dst, n) << label;
      EXPECT_NE(t.src, t.dst) << label << " step " << step;
      ++received[t.dst];
      sent += t.bytes;
      const auto& listed = pairs[schedule.phase_of(step)];
      const bool found = std::any_of(listed.begin(), listed.end(), [&](const Transfer& x) {
        return x.src == t.src && x.dst == t.dst && x.bytes >= t.bytes;
      });
      EXPECT_TRUE(found) << label << " step " << step;
    }
    for (std::uint32_t r = 0; r < n; ++r) {
      EXPECT_EQ(schedule.receives(step, r), received[r])
          << label << " step " << step << " rank " << r;
    }
  }
  return sent;
}

}  // namespace spinel::testing
