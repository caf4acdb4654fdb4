#!/usr/bin/env bash
# A fuzz campaign's figures per target, from its folders (./dev fuzz):
#   summary.sh CAMPAIGN_DIR
# Executions and new inputs are summed over the target's restarts; cov (code
# edges reached) and ft (features) are the last run's final figures; wall
# and CPU seconds come from /usr/bin/time (time.txt).
set -euo pipefail
printf '%-15s %10s %8s %6s %7s %7s %7s %8s %s\n' target execs exec/s cov ft corpus wall_s cpu_s findings
for dir in "$1"/*/; do
  name=$(basename "$dir")
  log=$dir/fuzz.log
  [ -f "$log" ] || continue
  execs=$(awk -F': *' '/^stat::number_of_executed_units/ {s += $2} END {print s + 0}' "$log")
  last=$(grep -E '^#[0-9]+' "$log" | grep ' cov: ' | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(find "$dir/corpus" -type f | wc -l)
  read -r wall user sys <"$dir/time.txt" 2>/dev/null || { wall=0 user=0 sys=0; }
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.0f", u + s}')
  rate=$(awk -v e="$execs" -v w="$wall" 'BEGIN {printf "%.0f", w > 0 ? e / w : 0}')
  findings=$(cat "$dir/findings" 2>/dev/null || echo 0)
  printf '%-15s %10s %8s %6s %7s %7s %7.0f %8s %s\n' "$name" "$execs" "$rate" "${cov:-?}" \
    "${ft:-?}" "$corpus" "$wall" "$cpu" "$findings"
done
