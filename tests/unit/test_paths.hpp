#pragma once
// Where the source tree and the built spinel are. They are defined in one
// generated file (test_paths.cpp in the build folder), not on every test's
// command line: the other tests' objects then do not depend on the folder
// they were built in, and ccache shares them across checkouts.
namespace spinel::testing {
extern const char* const kSourceDir;
extern const char* const kSpinelBinary;
}  // namespace spinel::testing

#define SPINEL_SOURCE_DIR (::spinel::testing::kSourceDir)
#define SPINEL_BINARY (::spinel::testing::kSpinelBinary)
