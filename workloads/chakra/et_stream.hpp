#pragma once
// The framing of a .et file: messages, each preceded by its length as a
// base-128 varint. Splits a file's bytes into messages without trusting any
// length it reads (a length past the end of the file is an error, not a read).
#include <cstdint>
#include <string>
#include <string_view>

namespace spinel::workloads::chakra {

// The bytes of one file, read whole.
std::string read_file_bytes(const std::string& path);

class EtStream {
 public:
  // `bytes` must outlive the stream; `path` names it in errors.
  EtStream(std::string path, std::string_view bytes) : path_(std::move(path)), bytes_(bytes) {}
  // The next message's bytes and where its length prefix starts; false at
  // the end of the file. Throws ChakraError on a truncated varint or a
  // length past the end.
  bool next(std::string_view& message, std::uint64_t& offset);
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string_view bytes_;
  std::uint64_t at_ = 0;
};

}  // namespace spinel::workloads::chakra
