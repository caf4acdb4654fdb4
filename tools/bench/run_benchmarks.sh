#!/usr/bin/env bash
# Builds the release preset, runs the Google Benchmark suite and prints a short
# table. The full JSON goes to build/release/bench.json.
#
#   tools/bench/run_benchmarks.sh            # everything (the 8,192-host ring takes minutes)
#   tools/bench/run_benchmarks.sh --quick    # skip the 8,192-host ring and the 32,768-GPU runs
#   tools/bench/run_benchmarks.sh -- ARGS    # extra arguments for spinel_bench
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

quick=0
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --) shift; extra+=("$@"); break ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

cmake --preset release
cmake --build --preset release -j

args=(--benchmark_out=build/release/bench.json --benchmark_out_format=json)
# The 8,192-host ring is the only benchmark with 128 leaves.
if [[ $quick -eq 1 ]]; then args+=("--benchmark_filter=-leaves:128/|HierarchicalAllReduce32k"); fi

build/release/spinel_bench "${args[@]}" "${extra[@]}"

python3 - build/release/bench.json <<'PY'
import json
import sys

with open(sys.argv[1]) as f:
    data = json.load(f)


def si(x):
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"


def duration(seconds):
    for div, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us")):
        if seconds >= div:
            return f"{seconds / div:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


SCALE = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
rows = []
for b in data.get("benchmarks", []):
    if b.get("run_type") == "aggregate":
        continue
    name = b["name"]
    if "error_message" in b:
        rows.append((name, "ERROR", b["error_message"]))
        continue
    per_iter = duration(b["real_time"] * SCALE[b.get("time_unit", "ns")])
    if name.startswith("BM_EventQueueHold") or name.startswith("BM_SimulatorHold"):
        what = f"{si(b['items_per_second'])} events/s, {int(b['pending'])} pending"
    elif name.startswith("BM_FlowRecompute"):
        what = (f"{duration(b['recompute'])} per recomputation, "
                f"{b['component_flows']:.0f} flows in component, "
                f"{int(b['active_flows'])} active")
    elif name.startswith("BM_Ring"):
        what = (f"{int(b['hosts'])} hosts: {si(b['flows'])} flows "
                f"({si(b['flows_per_s'])}/s), {si(b['events'])} events "
                f"({si(b['events_per_s'])}/s), {b['vs_ideal']:.2f}x ideal")
    else:
        what = ""
    rows.append((name, per_iter, what))

width = max((len(r[0]) for r in rows), default=10)
print()
print(f"{'benchmark':<{width}}  {'time/iter':>10}  result")
for name, t, what in rows:
    print(f"{name:<{width}}  {t:>10}  {what}")
PY
