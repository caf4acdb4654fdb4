#pragma once
// PCCL's real mode on the command line: `spinel pccl-master` and
// `spinel pccl-peer` run one master or one peer over TCP on 127.0.0.1 (one
// per terminal), `spinel pccl-local` a whole group in this process with
// peers killed and restarted at random under the invariant checker.
#include <string>
#include <string_view>
#include <vector>

namespace spinel::tools {

int cmd_pccl_master(const std::vector<std::string>& args);
int cmd_pccl_peer(const std::vector<std::string>& args);
int cmd_pccl_local(const std::vector<std::string>& args);

std::string_view pccl_master_help();
std::string_view pccl_peer_help();
std::string_view pccl_local_help();

}  // namespace spinel::tools
