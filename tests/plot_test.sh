#!/usr/bin/env bash
# tools/plot end to end: a small sweep and a small traced run, every
# subcommand, each PNG checked by its magic bytes; bad input exits 2.
# Usage: plot_test.sh SPINEL_BINARY SOURCE_DIR SCRATCH_DIR
set -euo pipefail
spinel=$1 src=$2 work=$3
plot="$src/tools/plot"
rm -rf "$work" && mkdir -p "$work"

"$spinel" sweep "$src/scenarios/sweep_example.yaml" --out "$work/sweep" --quiet
"$spinel" run "$src/scenarios/trace_example.yaml" --out "$work/run" --quiet
# A graph job's ops.csv (output.ops: true in the example).
"$spinel" run "$src/scenarios/hybrid_example.yaml" --out "$work/graph" --quiet
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$work/run/trace.json"
# Packet level: the same file gains queues, drops, ECN marks and pauses.
sed 's/^name: packet_example/name: packet_series/' "$src/scenarios/packet_example.yaml" >"$work/packet.yaml"
printf 'output:\n  timeseries: {interval: 5us, links: fabric}\n' >>"$work/packet.yaml"
"$spinel" run "$work/packet.yaml" --out "$work/packet" --quiet

"$plot" heatmap "$work/run" -o "$work/heatmap.png"
"$plot" heatmap "$work/run" --kind leaf_up --metric bytes -o "$work/heatmap_up.png"
"$plot" heatmap "$work/packet" --metric max_queue_bytes -o "$work/heatmap_queue.png"
"$plot" series "$work/packet" --metric max_queue_bytes --kind leaf_up -o "$work/series_queue.png"
"$plot" series "$work/packet" --metric ecn_marks --link 'leaf0>spine1' --link 'leaf1>spine0' \
  -o "$work/series_marks.png"
"$plot" series "$work/run" -o "$work/series_util.png"
"$plot" timeline "$work/run" --collective 1 -o "$work/timeline.png"
"$plot" ops "$work/graph" --iteration 1 -o "$work/ops.png"
"$plot" sweep "$work/sweep" --x workload.size_bytes --y ratio_to_ideal \
  --lines transport.policy --logx --logy -o "$work/sweep.png"
"$plot" sweep "$work/sweep" --x workload.size_bytes --y busbw_gbps --where topology.leaves=4 \
  -o "$work/sweep_where.png"
"$plot" cdf "$work/run" -o "$work/cdf_fct.png"
"$plot" cdf "$work/sweep" --column ratio_to_ideal --lines transport.policy -o "$work/cdf_sweep.png"

for png in heatmap heatmap_up heatmap_queue series_queue series_marks series_util timeline ops sweep sweep_where cdf_fct cdf_sweep; do
  f="$work/$png.png"
  [ -s "$f" ] || { echo "FAIL: $f missing or empty" >&2; exit 1; }
  magic=$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')
  [ "$magic" = 89504e470d0a1a0a ] || { echo "FAIL: $f is not a PNG ($magic)" >&2; exit 1; }
done

for cmd in "" heatmap series timeline ops sweep cdf; do
  "$plot" $cmd --help | grep -q "example" || { echo "FAIL: no example in help of '$cmd'" >&2; exit 1; }
done

# A missing column names the ones there are, with exit status 2.
set +e
err=$("$plot" sweep "$work/sweep" --x nope --y ratio_to_ideal -o "$work/x.png" 2>&1)
status=$?
set -e
[ $status -eq 2 ] || { echo "FAIL: missing column exited $status" >&2; exit 1; }
case "$err" in
  *"no column 'nope'; available: point, transport.policy"*) ;;
  *) echo "FAIL: unexpected message: $err" >&2; exit 1 ;;
esac
set +e
"$plot" heatmap "$work/sweep" -o "$work/x.png" 2>/dev/null
status=$?
set -e
[ $status -eq 2 ] || { echo "FAIL: missing timeseries.csv exited $status" >&2; exit 1; }
[ ! -e "$work/x.png" ] || { echo "FAIL: a PNG was written for bad input" >&2; exit 1; }
# Queues exist at packet level only: a flow-level run says so.
set +e
err=$("$plot" series "$work/run" --metric max_queue_bytes -o "$work/x.png" 2>&1)
status=$?
set -e
[ $status -eq 2 ] || { echo "FAIL: flow-level queue series exited $status" >&2; exit 1; }
case "$err" in
  *"packet level only"*) ;;
  *) echo "FAIL: unexpected message: $err" >&2; exit 1 ;;
esac
# Axis labels say what a column is, with its unit.
/usr/bin/python3 - "$plot" <<'PY'
import importlib.machinery, importlib.util, sys
loader = importlib.machinery.SourceFileLoader("plot", sys.argv[1])
spec = importlib.util.spec_from_loader("plot", loader)
plot = importlib.util.module_from_spec(spec)
loader.exec_module(plot)
cases = {"busbw_gbps": "bus bandwidth (Gb/s)", "workload.compute_ps": "workload: compute (ps)",
         "detection.latency_ps": "detection: latency (ps)", "transport.policy": "path policy"}
for column, want in cases.items():
    got = plot.label(column)
    if got != want:
        sys.exit(f"FAIL: label({column!r}) = {got!r}, want {want!r}")
PY
echo "plot test: ok"
