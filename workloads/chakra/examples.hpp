#pragma once
// The example traces shipped in scenarios/chakra/ (written by
// tools/chakra_examples, checked byte for byte by the tests).
#include <string>

namespace spinel::workloads::chakra {

// allreduce_1MiB.<rank>.et (16 ranks) and pipeline.<rank>.et (8 ranks) in `dir`.
void write_example_traces(const std::string& dir);

}  // namespace spinel::workloads::chakra
