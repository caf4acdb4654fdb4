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
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$work/run/trace.json"

"$plot" heatmap "$work/run" -o "$work/heatmap.png"
"$plot" heatmap "$work/run" --kind leaf_up --metric bytes -o "$work/heatmap_up.png"
"$plot" timeline "$work/run" --collective 1 -o "$work/timeline.png"
"$plot" sweep "$work/sweep" --x workload.size_bytes --y ratio_to_ideal \
  --lines transport.policy --logx --logy -o "$work/sweep.png"
"$plot" sweep "$work/sweep" --x workload.size_bytes --y busbw_gbps --where topology.leaves=4 \
  -o "$work/sweep_where.png"
"$plot" cdf "$work/run" -o "$work/cdf_fct.png"
"$plot" cdf "$work/sweep" --column ratio_to_ideal --lines transport.policy -o "$work/cdf_sweep.png"

for png in heatmap heatmap_up timeline sweep sweep_where cdf_fct cdf_sweep; do
  f="$work/$png.png"
  [ -s "$f" ] || { echo "FAIL: $f missing or empty" >&2; exit 1; }
  magic=$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')
  [ "$magic" = 89504e470d0a1a0a ] || { echo "FAIL: $f is not a PNG ($magic)" >&2; exit 1; }
done

for cmd in "" heatmap timeline sweep cdf; do
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
echo "plot test: ok"
