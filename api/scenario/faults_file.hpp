#pragma once
// `faults_file: PATH`: a fault schedule as CSV, one fault a row, for
// schedules too long to write as a YAML list (yaml-cpp keeps about 3.5 KB of
// nodes per `faults:` item; a row costs only its Fault). The header names
// the columns with the keys of a `faults:` map (at, link, host, switch,
// plane, state, port, rate, loss, factor, period, until); an empty cell is
// an absent key. Lines starting with # are comments. PATH is relative to the
// scenario file's folder. Each row is read as a `faults:` map is, one row at
// a time; its errors are FILE:LINE:1: faults_file[ROW].KEY: ...
#include <functional>
#include <span>

#include "api/scenario/yaml_reader.hpp"

namespace spinel::scenario {

// Reads the file `path` names, handing each row to `read_rows` as a map.
void read_faults_file(const Value& path,
                      const std::function<void(std::span<const Value>)>& read_rows);

}  // namespace spinel::scenario
