#include <filesystem>
#include <set>

#include "workloads/chakra/chakra.hpp"

namespace spinel::workloads::chakra {

namespace {

constexpr std::uint32_t kMaxRanks = 1u << 20;

}  // namespace

std::vector<std::string> trace_files(const std::string& prefix) {
  namespace fs = std::filesystem;
  const fs::path path(prefix);
  const std::string base = path.filename().string();
  if (base.empty()) {
    throw ChakraError(prefix +
                      ": expected a path prefix such as traces/job (for traces/job.0.et, "
                      "traces/job.1.et, ...), not a folder");
  }
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::set<std::uint32_t> found;
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= base.size() + 4 || name.compare(0, base.size() + 1, base + ".") != 0 ||
        name.compare(name.size() - 3, 3, ".et") != 0) {
      continue;
    }
    const std::string digits = name.substr(base.size() + 1, name.size() - base.size() - 4);
    if (digits.empty() || digits.size() > 7 ||
        digits.find_first_not_of("0123456789") != std::string::npos ||
        (digits.size() > 1 && digits[0] == '0')) {
      continue;
    }
    const auto rank = static_cast<std::uint32_t>(std::stoul(digits));
    if (rank < kMaxRanks) found.insert(rank);
  }
  if (error) throw ChakraError(prefix + ": cannot list " + dir.string() + ": " + error.message());
  if (found.empty()) {
    throw ChakraError(prefix + ": no trace files " + base + ".<rank>.et in " + dir.string() +
                      " (Chakra traces are one file per rank: " + base + ".0.et, " + base +
                      ".1.et, ...)");
  }
  std::vector<std::string> files;
  for (std::uint32_t r = 0; r <= *found.rbegin(); ++r) {
    const std::string file = prefix + "." + std::to_string(r) + ".et";
    if (found.count(r) == 0) {
      throw ChakraError(file + ": missing (the trace has files up to rank " +
                        std::to_string(*found.rbegin()) + ", so every rank from 0 needs one)");
    }
    files.push_back(file);
  }
  return files;
}

}  // namespace spinel::workloads::chakra
