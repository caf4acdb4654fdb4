#pragma once
// spinel's library API, in one header: load a scenario (a file or a
// string), run it with observers for progress and traces, and read its
// results in memory; with an output folder the run also writes its files.
// See examples/run_scenario.cpp.
#include "api/results.hpp"
#include "api/run.hpp"
#include "api/version.hpp"
