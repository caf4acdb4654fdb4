#pragma once
// The columns of the result files the transport writes. The writers take
// their header rows from these tables, and docs/output-files.md is generated
// from them (tools/docgen), so the reference follows every column change.
#include "sim/recorder.hpp"

namespace spinel::transport::columns {

extern const sim::CsvFile flows;              // flows.csv: flow and packet level
extern const sim::CsvFile links;              // links.csv: flow and packet level
extern const sim::CsvFile timeseries;         // timeseries.csv at flow level
extern const sim::CsvFile packet_timeseries;  // timeseries.csv at packet level (per port)
extern const sim::CsvFile ports;              // ports.csv: packet level

}  // namespace spinel::transport::columns
