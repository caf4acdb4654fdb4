#include "workloads/pccl/messages.hpp"

#include "workloads/pccl/config.hpp"

#include <array>

namespace spinel::pccl {

std::string_view message_name(const Message& m) {
  static constexpr std::array<std::string_view, std::variant_size_v<Message>> kNames = {
      "register",         "vote_topology",
      "vote_sync",        "sync_done",
      "vote_collective",  "collective_done",
      "report_abort",     "leave",
      "keepalive",        "topology",
      "sync_plan",        "start_collective",
      "abort_collective", "complete_collective",
      "too_few_peers",    "chunk",
      "state_request",    "state_reply"};
  return kNames[m.index()];
}

std::string_view to_string(NoticeKind kind) {
  switch (kind) {
    case NoticeKind::admitted:
      return "admitted";
    case NoticeKind::departed:
      return "departed";
    case NoticeKind::kicked:
      return "kicked";
    case NoticeKind::topology_update:
      return "topology_update";
    case NoticeKind::sync_begin:
      return "sync_begin";
    case NoticeKind::sync_end:
      return "sync_end";
    case NoticeKind::collective_start:
      return "collective_start";
    case NoticeKind::collective_abort:
      return "collective_abort";
    case NoticeKind::collective_complete:
      return "collective_complete";
    case NoticeKind::peer_aborted:
      return "peer_aborted";
    case NoticeKind::peer_finished:
      return "peer_finished";
    case NoticeKind::peer_synced:
      return "peer_synced";
    case NoticeKind::peer_step:
      return "peer_step";
  }
  return "?";
}

std::string_view to_string(ChurnKind kind) {
  switch (kind) {
    case ChurnKind::join:
      return "join";
    case ChurnKind::leave:
      return "leave";
    case ChurnKind::death:
      return "death";
    case ChurnKind::stall:
      return "stall";
  }
  return "?";
}

}  // namespace spinel::pccl
