#pragma once
// Which spinel this is: the release version and the git commit it was built
// from (read when the build was configured; "unknown" outside a checkout).
#include <string_view>

namespace spinel::api {

std::string_view version();
std::string_view git_commit();

}  // namespace spinel::api
