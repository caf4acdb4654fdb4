#pragma once
// The columns of the result files the library API writes, and the list of
// every CSV file a run may write (the transport's included). The writers take
// their header rows from these tables, and docs/output-files.md's column
// tables are generated from them (tools/docgen).
#include <string_view>
#include <vector>

#include "sim/recorder.hpp"

namespace spinel::api::columns {

// Training runs (workload or jobs).
extern const sim::CsvFile collectives;
extern const sim::CsvFile iterations;
extern const sim::CsvFile iteration_breakdown;
extern const sim::CsvFile ops;
extern const sim::CsvFile phases;
extern const sim::CsvFile faults;
extern const sim::CsvFile detections;
extern const sim::CsvFile placement;
// Recovery runs: faults.csv and detections.csv have columns of their own.
extern const sim::CsvFile attempts;
extern const sim::CsvFile recovery_faults;
extern const sim::CsvFile recovery_detections;
// pccl runs.
extern const sim::CsvFile churn;
extern const sim::CsvFile steps;

// One CSV file as the documentation names it: `id` tells apart files of one
// name written by different runs (faults.csv of a training run and of a
// recovery run).
struct OutputFile {
  std::string_view id;
  const sim::CsvFile* file;
};

// Every CSV file any run writes, in the order of docs/output-files.md.
const std::vector<OutputFile>& output_files();

}  // namespace spinel::api::columns
