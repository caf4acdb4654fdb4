#include "sim/recorder.hpp"

#include <charconv>

#include "sim/error.hpp"
#include "sim/units.hpp"

namespace spinel::sim {

namespace {
constexpr std::size_t kFlushBytes = 1 << 20;
}

CsvTable::CsvTable(const std::filesystem::path& path,
                   std::initializer_list<std::string_view> columns)
    : file_(path, std::ios::binary | std::ios::trunc), columns_(columns.size()), path_(path) {
  fail_unless_open();
  for (std::string_view c : columns) cell(c);
  end_row();
  rows_ = 0;
}

CsvTable::CsvTable(const std::filesystem::path& path, std::span<const Column> columns)
    : file_(path, std::ios::binary | std::ios::trunc), columns_(columns.size()), path_(path) {
  fail_unless_open();
  for (const Column& c : columns) cell(c.name);
  end_row();
  rows_ = 0;
}

void CsvTable::fail_unless_open() {
  if (!file_) throw std::runtime_error("cannot write " + path_.string());
}

CsvTable::~CsvTable() {
  flush();
}

void CsvTable::separator() {
  if (cells_in_row_++ > 0) buffer_ += ',';
}

CsvTable& CsvTable::cell(std::int64_t v) {
  separator();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  buffer_.append(buf, end);
  return *this;
}

CsvTable& CsvTable::cell(std::uint64_t v) {
  separator();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  buffer_.append(buf, end);
  return *this;
}

CsvTable& CsvTable::cell(double v) {
  separator();
  buffer_ += format_double(v);
  return *this;
}

CsvTable& CsvTable::cell(std::string_view v) {
  separator();
  if (v.find_first_of(",\"\n") == std::string_view::npos) {
    buffer_ += v;
    return *this;
  }
  buffer_ += '"';
  for (char c : v) {
    if (c == '"') buffer_ += '"';
    buffer_ += c;
  }
  buffer_ += '"';
  return *this;
}

void CsvTable::end_row() {
  if (cells_in_row_ != columns_) {
    throw InternalError(path_.filename().string() + ": row has " + std::to_string(cells_in_row_) +
                        " cells, header has " + std::to_string(columns_));
  }
  buffer_ += '\n';
  cells_in_row_ = 0;
  ++rows_;
  if (buffer_.size() >= kFlushBytes) flush();
}

void CsvTable::flush() {
  if (buffer_.empty()) return;
  file_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  file_.flush();
  buffer_.clear();
}

Recorder::Recorder(std::filesystem::path out_dir) : out_dir_(std::move(out_dir)) {
  std::error_code ec;
  std::filesystem::create_directories(out_dir_, ec);
  if (ec)
    throw std::runtime_error("cannot create output folder " + out_dir_.string() + ": " +
                             ec.message());
}

template <typename Make>
CsvTable* Recorder::open_table(std::string_view name, Make make) {
  if (!enabled()) return nullptr;
  auto it = tables_.find(name);
  if (it == tables_.end()) it = tables_.emplace(std::string(name), make(out_dir_ / name)).first;
  return it->second.get();
}

CsvTable* Recorder::table(std::string_view name, std::initializer_list<std::string_view> columns) {
  return open_table(name, [&](const std::filesystem::path& path) {
    return std::make_unique<CsvTable>(path, columns);
  });
}

CsvTable* Recorder::table(const CsvFile& file) {
  return open_table(file.name, [&](const std::filesystem::path& path) {
    return std::make_unique<CsvTable>(path, file.columns);
  });
}

void Recorder::write_file(std::string_view name, std::string_view contents) const {
  if (!enabled()) return;
  std::ofstream f(out_dir_ / name, std::ios::binary | std::ios::trunc);
  f.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (!f) throw std::runtime_error("cannot write " + (out_dir_ / name).string());
}

void Recorder::flush() {
  for (auto& [name, table] : tables_) table->flush();
}

}  // namespace spinel::sim
