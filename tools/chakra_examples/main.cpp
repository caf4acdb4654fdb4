// Writes the example Chakra traces shipped in scenarios/chakra/:
//   spinel-chakra-examples scenarios/chakra
#include <exception>
#include <filesystem>
#include <iostream>

#include "workloads/chakra/examples.hpp"

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]) == "--help") {
    std::cerr << "Usage: spinel-chakra-examples DIR\n"
                 "Writes the example Chakra traces (allreduce_1MiB.<rank>.et, "
                 "pipeline.<rank>.et) into DIR.\n";
    return argc == 2 ? 0 : 2;
  }
  try {
    std::filesystem::create_directories(argv[1]);
    spinel::workloads::chakra::write_example_traces(argv[1]);
  } catch (const std::exception& e) {
    std::cerr << "spinel-chakra-examples: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
