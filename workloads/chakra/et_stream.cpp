#include "workloads/chakra/et_stream.hpp"

#include <fstream>
#include <iterator>

#include "workloads/chakra/chakra.hpp"

namespace spinel::workloads::chakra {

std::string read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ChakraError(path + ": cannot open the file");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw ChakraError(path + ": cannot read the file");
  return bytes;
}

bool EtStream::next(std::string_view& message, std::uint64_t& offset) {
  if (at_ >= bytes_.size()) return false;
  offset = at_;
  std::uint64_t length = 0;
  std::uint64_t p = at_;
  for (int shift = 0;; shift += 7) {
    if (p >= bytes_.size()) {
      throw ChakraError(path_ + ": byte offset " + std::to_string(offset) +
                        ": the file ends inside a message's length (a truncated varint)");
    }
    if (shift > 63) {
      throw ChakraError(path_ + ": byte offset " + std::to_string(offset) +
                        ": a message length longer than 10 bytes (not a varint; is this a "
                        "Chakra .et file?)");
    }
    const auto byte = static_cast<unsigned char>(bytes_[p++]);
    length |= std::uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80u) == 0) break;
  }
  const std::uint64_t left = bytes_.size() - p;
  if (length > left) {
    throw ChakraError(path_ + ": byte offset " + std::to_string(offset) + ": a message of " +
                      std::to_string(length) + " bytes, but only " + std::to_string(left) +
                      " bytes are left in the file (truncated, or not a Chakra .et file)");
  }
  message = bytes_.substr(p, length);
  at_ = p + length;
  return true;
}

}  // namespace spinel::workloads::chakra
