#include "api/scenario/recovery_section.hpp"

#include <optional>
#include <string>

namespace spinel::scenario {

namespace {

// Durations here may be long; the clock's limit is 2^63 ps (106 days).
constexpr sim::Time kLongest = sim::kForever / 4;

}  // namespace

RandomFaultKind read_fault_kind(const Value& x) {
  return x.to_enum<RandomFaultKind>({{"straggler", RandomFaultKind::straggler},
                                     {"hang", RandomFaultKind::hang},
                                     {"nic_degraded", RandomFaultKind::nic_degraded},
                                     {"uplink_degraded", RandomFaultKind::uplink_degraded},
                                     {"uplink_down", RandomFaultKind::uplink_down},
                                     {"nic_down", RandomFaultKind::nic_down},
                                     {"nic_port_down", RandomFaultKind::nic_port_down}});
}

RecoveryConfig read_recovery(const Value& v) {
  RecoveryConfig r;
  v.read_map({
      {"checkpoint_interval", Need::optional,
       [&](const Value& x) {
         r.checkpoint_interval_ps = x.to_duration_ps(kLongest);
         if (r.checkpoint_interval_ps <= 0)
           x.fail("expected a duration above 0, got " + x.describe());
       }},
      {"restart", Need::optional,
       [&](const Value& x) { r.restart_ps = x.to_duration_ps(kLongest); }},
      {"repair", Need::optional, [&](const Value& x) { r.repair_ps = x.to_duration_ps(kLongest); }},
      {"fast_forward", Need::optional, [&](const Value& x) { r.fast_forward = x.to_bool(); }},
  });
  return r;
}

std::vector<FaultRate> read_fault_process(const Value& v) {
  std::vector<FaultRate> process;
  for (const Value& item : v.to_list()) {
    FaultRate f;
    item.read_map({
        {"kind", Need::required, [&](const Value& x) { f.kind = read_fault_kind(x); }},
        // In hours: an element's MTBF is years, beyond the clock's range.
        {"mtbf_hours", Need::required,
         [&](const Value& x) { f.mtbf_hours = x.to_decimal(0.001, 1e9); }},
        {"factor", Need::optional, [&](const Value& x) { f.factor = x.to_decimal(1.0, 1000.0); }},
        {"rate_fraction", Need::optional,
         [&](const Value& x) {
           f.rate_fraction = x.to_fraction();
           if (f.rate_fraction <= 0 || f.rate_fraction >= 1) {
             x.fail("expected a fraction above 0 and below 1, got " + x.describe());
           }
         }},
    });
    process.push_back(f);
  }
  return process;
}

sim::Json recovery_to_json(const RecoveryConfig& r, const std::vector<FaultRate>& process) {
  sim::Json j = sim::Json::object();
  j["checkpoint_interval_ps"] = static_cast<std::int64_t>(r.checkpoint_interval_ps);
  j["restart_ps"] = static_cast<std::int64_t>(r.restart_ps);
  j["repair_ps"] = static_cast<std::int64_t>(r.repair_ps);
  j["fast_forward"] = r.fast_forward;
  sim::Json list = sim::Json::array();
  for (const FaultRate& f : process) {
    sim::Json e = sim::Json::object();
    e["kind"] = std::string(to_string(f.kind));
    e["mtbf_hours"] = f.mtbf_hours;
    e["factor"] = f.factor;
    e["rate_fraction"] = f.rate_fraction;
    list.push_back(std::move(e));
  }
  j["fault_process"] = std::move(list);
  return j;
}

}  // namespace spinel::scenario
