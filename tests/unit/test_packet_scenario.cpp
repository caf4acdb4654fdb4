// transport.model: packet and the transport.packet block: defaults, every
// key, and located errors for bad values.
#include <gtest/gtest.h>

#include <string>

#include "api/scenario/scenario.hpp"
#include "test_support.hpp"

namespace spinel {
namespace {

using scenario::load_string;

const std::string kBase =
    "name: t\n"                       // 1
    "topology:\n"                     // 2
    "  kind: leaf_spine\n"            // 3
    "  leaves: 2\n"                   // 4
    "  spines: 2\n"                   // 5
    "  hosts_per_leaf: 2\n"           // 6
    "workload:\n"                     // 7
    "  collective: ring_allreduce\n"  // 8
    "  size_bytes: 1MiB\n"            // 9
    "transport:\n"                    // 10
    "  model: packet\n";              // 11

std::string error_of(const std::string& yaml) {
  return testing::error_of_loading([](const std::string& y) { return load_string(y, "t.yaml"); },
                                   yaml);
}

TEST(PacketScenario, Defaults) {
  const scenario::Scenario s = load_string(kBase, "t.yaml");
  EXPECT_EQ(s.transport.model, transport::Model::packet);
  const transport::PacketConfig& p = s.transport.packet;
  EXPECT_EQ(p.mtu_bytes, 4096U);
  EXPECT_EQ(p.header_bytes, 64U);
  EXPECT_EQ(p.cc, transport::CongestionControl::dctcp);
  EXPECT_EQ(p.rto_ps, 100 * sim::kMicrosecond);
  const std::string json = sim::json_text(scenario::to_json(s));
  EXPECT_NE(json.find("\"mtu_bytes\": 4096"), std::string::npos) << json;
}

TEST(PacketScenario, EveryKey) {
  const scenario::Scenario s = load_string(kBase +
                                               "  packet:\n"
                                               "    mtu_bytes: 9000\n"
                                               "    header_bytes: 48\n"
                                               "    ack_bytes: 60\n"
                                               "    ack_every: 4\n"
                                               "    buffer_bytes: 2MiB\n"
                                               "    ecn_kmin_bytes: 50KiB\n"
                                               "    ecn_kmax_bytes: 200KiB\n"
                                               "    ecn_pmax: 10%\n"
                                               "    cc: none\n"
                                               "    dctcp_g: 0.125\n"
                                               "    window_bytes: 256KiB\n"
                                               "    rto: 1ms\n"
                                               "    reorder_packets: 64\n"
                                               "    spray: random\n"
                                               "    retransmit: selective\n"
                                               "    reps_buffer: 16\n",
                                           "t.yaml");
  const transport::PacketConfig& p = s.transport.packet;
  EXPECT_EQ(p.mtu_bytes, 9000U);
  EXPECT_EQ(p.header_bytes, 48U);
  EXPECT_EQ(p.ack_bytes, 60U);
  EXPECT_EQ(p.ack_every, 4U);
  EXPECT_EQ(p.buffer_bytes, 2U * 1024 * 1024);
  EXPECT_EQ(p.ecn_kmin_bytes, 50U * 1024);
  EXPECT_EQ(p.ecn_kmax_bytes, 200U * 1024);
  EXPECT_DOUBLE_EQ(p.ecn_pmax, 0.1);
  EXPECT_EQ(p.cc, transport::CongestionControl::none);
  EXPECT_DOUBLE_EQ(p.dctcp_g, 0.125);
  EXPECT_EQ(p.window_bytes, 256U * 1024);
  EXPECT_EQ(p.rto_ps, sim::kMillisecond);
  EXPECT_EQ(p.reorder_packets, 64U);
  EXPECT_EQ(p.spray, transport::SprayChoice::random);
  EXPECT_EQ(p.retransmit, transport::Retransmit::selective);
  EXPECT_EQ(p.reps_buffer, 16U);
}

TEST(PacketScenario, FlowControlBuffersAndDcqcnKeys) {
  const scenario::Scenario s = load_string(kBase +
                                               "  packet:\n"
                                               "    flow_control: pfc\n"
                                               "    pfc_xoff_bytes: 128KiB\n"
                                               "    pfc_xon_bytes: 96KiB\n"
                                               "    pfc_headroom_bytes: 100KiB\n"
                                               "    shared_buffer_bytes: 16MiB\n"
                                               "    dt_alpha: 0.5\n"
                                               "    cc: dcqcn\n"
                                               "    dcqcn_g: 0.0625\n"
                                               "    dcqcn_alpha_timer: 10us\n"
                                               "    dcqcn_increase_timer: 20us\n"
                                               "    dcqcn_byte_counter_bytes: 1MiB\n"
                                               "    dcqcn_fast_recovery_steps: 3\n"
                                               "    dcqcn_ai_rate: 100Mbps\n"
                                               "    dcqcn_hai_rate: 1Gbps\n"
                                               "    dcqcn_min_rate: 10Mbps\n"
                                               "    dcqcn_cnp_interval: 4us\n",
                                           "t.yaml");
  const transport::PacketConfig& p = s.transport.packet;
  EXPECT_EQ(p.flow_control, transport::FlowControl::pfc);
  EXPECT_EQ(p.pfc_xoff_bytes, 128U * 1024);
  EXPECT_EQ(p.pfc_xon_bytes, 96U * 1024);
  EXPECT_EQ(p.pfc_headroom_bytes, 100U * 1024);
  EXPECT_EQ(p.buffer, transport::BufferSharing::per_port);
  EXPECT_EQ(p.shared_buffer_bytes, 16U * 1024 * 1024);
  EXPECT_DOUBLE_EQ(p.dt_alpha, 0.5);
  EXPECT_EQ(p.cc, transport::CongestionControl::dcqcn);
  EXPECT_DOUBLE_EQ(p.dcqcn.g, 0.0625);
  EXPECT_EQ(p.dcqcn.alpha_timer_ps, 10 * sim::kMicrosecond);
  EXPECT_EQ(p.dcqcn.increase_timer_ps, 20 * sim::kMicrosecond);
  EXPECT_EQ(p.dcqcn.byte_counter_bytes, 1U << 20);
  EXPECT_EQ(p.dcqcn.fast_recovery_steps, 3U);
  EXPECT_DOUBLE_EQ(p.dcqcn.ai_gbps, 0.1);
  EXPECT_DOUBLE_EQ(p.dcqcn.hai_gbps, 1.0);
  EXPECT_DOUBLE_EQ(p.dcqcn.min_gbps, 0.01);
  EXPECT_EQ(p.dcqcn.cnp_interval_ps, 4 * sim::kMicrosecond);
  const scenario::Scenario shared =
      load_string(kBase + "  packet:\n    buffer: shared\n", "t.yaml");
  EXPECT_EQ(shared.transport.packet.buffer, transport::BufferSharing::shared);
  EXPECT_EQ(shared.transport.packet.flow_control, transport::FlowControl::drop_tail);
}

TEST(PacketScenario, LocatedErrors) {
  EXPECT_STARTS_WITH(error_of(kBase + "  packet:\n    mtu_bytes: 10\n"),
                     "t.yaml:13:16: transport.packet.mtu_bytes: ");
  EXPECT_STARTS_WITH(error_of(kBase + "  packet:\n    flow_control: lossless\n"),
                     "t.yaml:13:19: transport.packet.flow_control: ");
  EXPECT_STARTS_WITH(
      error_of(kBase + "  packet:\n    pfc_xoff_bytes: 64KiB\n    pfc_xon_bytes: 128KiB\n"),
      "t.yaml:14:20: transport.packet.pfc_xon_bytes: pfc_xon_bytes (131072) is above");
  EXPECT_STARTS_WITH(error_of(kBase + "  packet:\n    flow_control: pfc\n    buffer: shared\n"),
                     "t.yaml:14:13: transport.packet.buffer: buffer: shared applies to drop_tail");
  EXPECT_STARTS_WITH(error_of(kBase + "  packet:\n    dcqcn_ai_rate: 0Gbps\n"),
                     "t.yaml:13:20: transport.packet.dcqcn_ai_rate: ");
  EXPECT_STARTS_WITH(error_of(kBase + "  packet:\n    cc: cubic\n"),
                     "t.yaml:13:9: transport.packet.cc: ");
  EXPECT_STARTS_WITH(error_of(kBase + "  packet:\n    mtu: 4096\n"),
                     "t.yaml:13:5: transport.packet.mtu: ");
  EXPECT_STARTS_WITH(
      error_of(kBase + "  packet:\n    ecn_kmin_bytes: 1MiB\n    ecn_kmax_bytes: 1KiB\n"),
      "t.yaml:14:21: transport.packet.ecn_kmax_bytes: ecn_kmax_bytes (1024) is "
      "below ecn_kmin_bytes");
  EXPECT_STARTS_WITH(error_of(kBase + "  packet:\n    buffer_bytes: 1KiB\n"),
                     "t.yaml:13:19: transport.packet.buffer_bytes: a port's buffer must hold");
  EXPECT_STARTS_WITH(error_of(kBase + "  packet:\n    rto: 0ns\n"),
                     "t.yaml:13:10: transport.packet.rto: expected a timeout above 0");
  EXPECT_STARTS_WITH(error_of(kBase + "  packet:\n    ecn_pmax: 2\n"),
                     "t.yaml:13:15: transport.packet.ecn_pmax: ");
  // The block belongs to the packet model only.
  std::string flow = kBase;
  flow.replace(flow.find("packet\n"), 6, "flow");
  EXPECT_STARTS_WITH(error_of(flow + "  packet:\n    mtu_bytes: 9000\n"),
                     "t.yaml:12:3: transport.packet: the packet block is read only with model: "
                     "packet");
  // REPS and adaptive routing need queues: packet level only.
  EXPECT_STARTS_WITH(error_of(flow + "  policy: reps\n"),
                     "t.yaml:12:11: transport.policy: reps reacts to queues and ECN marks");
  EXPECT_STARTS_WITH(error_of(kBase + "  packet:\n    retransmit: sack\n"),
                     "t.yaml:13:17: transport.packet.retransmit: ");
  EXPECT_STARTS_WITH(error_of(kBase + "  packet:\n    reps_buffer: 0\n"),
                     "t.yaml:13:18: transport.packet.reps_buffer: ");
}

}  // namespace
}  // namespace spinel
