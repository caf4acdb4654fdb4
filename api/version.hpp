#pragma once
// Which spinel this is: the release version and the git commit it was built
// from (read when the build was configured; "unknown" outside a checkout).
#include <string_view>

namespace spinel::api {

std::string_view version();
std::string_view git_commit();
// How it was built: CMake's build type ("Release", "Debug", ...; "" when
// none was set) and the C++ compiler ("GNU 12.2.0").
std::string_view build_type();
std::string_view compiler();

}  // namespace spinel::api
