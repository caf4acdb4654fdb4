#pragma once
// The sweep the in-process sweep tests run: 2 policies x 2 sizes x 2 seeds =
// 8 points of a few microseconds each.
#include <string_view>

namespace spinel::testing {

inline constexpr std::string_view kTinySweep =
    "name: tiny\n"
    "topology: {kind: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 2}\n"
    "workload: {collective: ring_allreduce, size_bytes: 64KiB, placement: random}\n"
    "output: {flows: false}\n"
    "sweep:\n"
    "  grid:\n"
    "    transport.policy: [ecmp, spray]\n"
    "    workload.size_bytes: [64KiB, 128KiB]\n"
    "  seeds: 2\n";

}  // namespace spinel::testing
