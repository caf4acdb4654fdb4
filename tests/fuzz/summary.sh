#!/usr/bin/env bash
# A fuzz campaign's figures per target, from its folders (./dev fuzz):
#   summary.sh CAMPAIGN_DIR
# Executions are summed over the target's restarts; cov (code edges reached)
# and ft (features) are the last run's latest figures; wall and CPU seconds
# come from /usr/bin/time (time.txt; while running: wall so far, CPU 0).
set -euo pipefail
printf '%-15s %10s %8s %6s %7s %7s %7s %8s %s\n' target execs exec/s cov ft corpus wall_s cpu_s findings
for dir in "$1"/*/; do
  name=$(basename "$dir")
  log=$dir/fuzz.log
  [ -f "$log" ] || continue
  # Each run's last "#N" line counts its executions (a run cut short has no final stats).
  execs=$(awk '/^== / {s += n; n = 0} /^#[0-9]+\t/ {n = substr($1, 2)} END {print s + n}' "$log")
  last=$(grep -E '^#[0-9]+' "$log" | grep ' cov: ' | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(find "$dir/corpus" -type f | wc -l)
  # A campaign still running: wall seconds since its first run started, CPU unknown.
  if ! read -r wall user sys <"$dir/time.txt" 2>/dev/null; then
    first=$(sed -n 's/^== \([^ ]*\) .*/\1/p' "$log" | head -1)
    wall=$(($(date +%s) - $(date -d "$first" +%s))) user=0 sys=0
  fi
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.0f", u + s}')
  rate=$(awk -v e="$execs" -v w="$wall" 'BEGIN {printf "%.0f", (w > 0 ? e / w : 0)}')
  findings=$(cat "$dir/findings" 2>/dev/null || echo 0)
  printf '%-15s %10s %8s %6s %7s %7s %7.0f %8s %s\n' "$name" "$execs" "$rate" "${cov:-?}" \
    "${ft:-?}" "$corpus" "$wall" "$cpu" "$findings"
done
