#!/usr/bin/python3
"""tools/perf/perf_check's judgement on made-up spinel_bench results (no timing).

  tests/perf_check_test.py PERF_CHECK WORKDIR

Writes spinel_bench-style JSON files whose CPU times are chosen here, records a
baseline from them with --update (the median of the runs), and checks the
verdicts and exit statuses: the same speed passes, 20% slower passes, 30%
slower fails (1) when the confirmation run agrees and passes when it does not,
a uniformly slower machine passes (the calibration absorbs it), a missing or
failed benchmark and a baseline without a case are errors (2).
"""

import json
import os
import re
import subprocess
import sys

PERF_CHECK, WORKDIR = sys.argv[1], sys.argv[2]
os.makedirs(WORKDIR, exist_ok=True)

# The benchmark names perf_check runs, read from it (one source of truth).
with open(PERF_CHECK) as f:
    source = f.read()
CALIBRATION = re.search(r'^CALIBRATION = "([^"]+)"', source, re.M).group(1)
CASES = dict(re.findall(r'^    "(\w+)": "(BM_[^"]+)",$', source, re.M))
assert len(CASES) >= 6, CASES

failures = []


def results(name, scale=None, calibration_ns=50.0, drop=None, error=None):
    """A results file: each case 1 ms x its index, times `scale` per case."""
    scale = scale or {}
    runs = [(CALIBRATION, calibration_ns, "ns")]
    for i, (case, bench) in enumerate(CASES.items()):
        runs.append((bench, (i + 1) * scale.get(case, 1.0), "ms"))
    benchmarks = []
    for bench, t, unit in runs:
        if bench == drop:
            continue
        # Three repetitions around t: the median is t.
        for rep, factor in enumerate((1.1, 1.0, 0.95)):
            b = {"name": bench, "run_type": "iteration", "repetition_index": rep,
                 "iterations": 1, "real_time": t * factor * 3, "cpu_time": t * factor,
                 "time_unit": unit}
            if bench == error:
                b.update(error_occurred=True, error_message="the collective did not finish")
            benchmarks.append(b)
        benchmarks.append({"name": bench + "_median", "run_type": "aggregate",
                           "aggregate_name": "median", "cpu_time": 1e9, "time_unit": unit})
    path = os.path.join(WORKDIR, name + ".json")
    with open(path, "w") as f:
        json.dump({"context": {"host_name": "test", "num_cpus": 2, "load_avg": [0.5, 0.5, 0.5]},
                   "benchmarks": benchmarks}, f)
    return path


def check(what, args, want_status, want_in_output=()):
    done = subprocess.run([sys.executable, PERF_CHECK, *args], capture_output=True, text=True)
    output = done.stdout + done.stderr
    problems = []
    if done.returncode != want_status:
        problems.append(f"exit status {done.returncode}, expected {want_status}")
    problems += [f"no {s!r} in the output" for s in want_in_output if s not in output]
    if problems:
        failures.append(f"{what}: {'; '.join(problems)}\n{output}")
    print(f"{'ok  ' if not problems else 'FAIL'} {what}")
    return output


baseline = os.path.join(WORKDIR, "baseline.json")
first, second = list(CASES)[0], list(CASES)[1]
check("--update records the median of its runs",
      ["--update", "--baseline", baseline, "--results", results("base_slow", {first: 1.5}),
       results("base"), results("base_fast", {first: 0.8})], 0, ["written"])
with open(baseline) as f:
    recorded = json.load(f)
for i, case in enumerate(CASES):
    want = (i + 1) * 1e-3 / 50e-9
    got = recorded["cases"][case]["normalised"]
    if abs(got - want) > want * 1e-3:
        failures.append(f"baseline {case}: normalised {got}, expected {want}")

check("the same speed passes",
      ["--baseline", baseline, "--results", results("same")], 0, ["passed", "1.00"])
check("20% slower is inside the band",
      ["--baseline", baseline, "--results", results("slower20", {first: 1.2})], 0, ["1.20"])
out = check("30% slower fails when the confirmation run agrees",
            ["--baseline", baseline, "--results", results("slower30", {second: 1.3}),
             results("slower30b", {second: 1.35})], 1, ["SLOWER", "1.30", "1.35", second])
if re.search(rf"^{first}\s.*SLOWER", out, re.M):
    failures.append("30% slower: an unchanged case was called slower")
check("30% slower passes when the confirmation run does not agree",
      ["--baseline", baseline, "--results", results("slower30", {second: 1.3}),
       results("same")], 0, ["SLOWER", "confirmation", "passed"])
check("30% slower fails with no confirmation run given",
      ["--baseline", baseline, "--results", results("slower30", {second: 1.3})], 1,
      ["first run decides"])
check("a machine twice as slow in every case passes",
      ["--baseline", baseline, "--results",
       results("slow_machine", {c: 2.0 for c in CASES}, calibration_ns=100.0)], 0, ["passed"])
check("the same times on a faster calibration fail",
      ["--baseline", baseline, "--results", results("faster_calibration", calibration_ns=35.0)],
      1, ["SLOWER"])
check("40% faster passes and asks for --update",
      ["--baseline", baseline, "--results", results("faster", {first: 0.6})], 0,
      ["faster: --update"])
check("--tolerance 0.1 fails 20% slower",
      ["--tolerance", "0.1", "--baseline", baseline, "--results",
       results("slower20b", {first: 1.2})], 1, ["SLOWER"])
check("a missing benchmark is an error",
      ["--baseline", baseline, "--results", results("missing", drop=CASES[second])], 2,
      ["missing"])
check("a benchmark in error is an error",
      ["--baseline", baseline, "--results", results("error", error=CASES[first])], 2,
      ["did not finish"])

del recorded["cases"][second]
partial = os.path.join(WORKDIR, "partial_baseline.json")
with open(partial, "w") as f:
    json.dump(recorded, f)
check("a baseline without a case is an error",
      ["--baseline", partial, "--results", results("same")], 2, [second, "--update"])
check("no baseline is an error",
      ["--baseline", os.path.join(WORKDIR, "none.json"), "--results", results("same")], 2,
      ["--update"])

if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
