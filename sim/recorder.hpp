#pragma once
// Where the layers report what happened. A run's result tables (flows.csv,
// links.csv, collectives.csv, ...) are CsvTables owned by one Recorder, which
// writes them into the run's output folder. A Recorder without a folder keeps
// nothing (benchmarks, tests that only need the numbers).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace spinel::sim {

// One column of a result file: its header name and what it holds. The writers
// build their header rows from these tables and the output-file reference
// (docs/output-files.md) is generated from the same tables (tools/docgen).
struct Column {
  std::string_view name;
  std::string_view meaning;  // one line of markdown
};

// A CSV file a run writes: its name and its columns, in order.
struct CsvFile {
  std::string_view name;
  std::span<const Column> columns;
};

// One CSV file: a header, then rows built cell by cell. Buffered; numbers are
// formatted with std::to_chars so the bytes are the same everywhere.
class CsvTable {
 public:
  CsvTable(const std::filesystem::path& path, std::initializer_list<std::string_view> columns);
  CsvTable(const std::filesystem::path& path, std::span<const Column> columns);
  ~CsvTable();
  CsvTable(const CsvTable&) = delete;
  CsvTable& operator=(const CsvTable&) = delete;

  CsvTable& cell(std::int64_t v);
  CsvTable& cell(std::uint64_t v);
  CsvTable& cell(std::uint32_t v) { return cell(static_cast<std::uint64_t>(v)); }
  CsvTable& cell(int v) { return cell(static_cast<std::int64_t>(v)); }
  CsvTable& cell(double v);
  CsvTable& cell(std::string_view v);  // quoted if it holds a comma, quote or newline
  CsvTable& cell(const char* v) { return cell(std::string_view(v)); }
  void end_row();

  [[nodiscard]] std::uint64_t rows() const { return rows_; }
  void flush();

 private:
  void separator();
  void fail_unless_open();
  std::ofstream file_;
  std::string buffer_;
  std::size_t columns_ = 0;
  std::size_t cells_in_row_ = 0;
  std::uint64_t rows_ = 0;
  std::filesystem::path path_;
};

class Recorder {
 public:
  Recorder() = default;  // records nothing
  explicit Recorder(std::filesystem::path out_dir);

  [[nodiscard]] bool enabled() const { return !out_dir_.empty(); }
  [[nodiscard]] const std::filesystem::path& out_dir() const { return out_dir_; }

  // Opens `name` (e.g. "flows.csv") with the given header on first call;
  // returns nullptr when the recorder is disabled.
  CsvTable* table(std::string_view name, std::initializer_list<std::string_view> columns);
  // The same, with the file's name and header from its column table.
  CsvTable* table(const CsvFile& file);

  // Writes a whole file at once (summary.json, ...); no-op when disabled.
  void write_file(std::string_view name, std::string_view contents) const;

  void flush();

 private:
  template <typename Make>
  CsvTable* open_table(std::string_view name, Make make);

  std::filesystem::path out_dir_;
  std::map<std::string, std::unique_ptr<CsvTable>, std::less<>> tables_;
};

}  // namespace spinel::sim
