#pragma once
// The `topology:` section when `kind: wan`: sites joined by long-fat links.
//
//   topology:
//     kind: wan
//     sites:
//       - {name: eu, hosts: 4, host_link: {rate: 100Gbps, latency: 10us}}
//       - {name: us, hosts: 4}
//     wan_link: {rate: 100Gbps, rtt: 80ms}    # every pair of sites (full mesh) ...
//     wan_links:                              # ... unless links are listed
//       - {a: eu, b: us, rate: 100Gbps, latency: 40ms}
#include "api/scenario/yaml_reader.hpp"
#include "topology/config.hpp"

namespace spinel::scenario {

// Reads and validates the whole topology map (its `kind` already read as wan).
topology::WanConfig read_wan(const Value& v);

}  // namespace spinel::scenario
