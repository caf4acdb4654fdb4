#!/bin/bash
# The packet-level spraying study end to end on its quick fabric: every
# sweep (packet and flow level, healthy and with a failed cable) runs with
# no failed point, and the report has both tables and every policy.
set -euo pipefail
spinel="$1"
src="$2"
work="$3"
rm -rf "$work"
"$src/tools/packet_spraying_study" --quick --out "$work" --jobs 2 --spinel "$spinel" > "$work.log" 2>&1 ||
  { cat "$work.log"; exit 1; }
report="$work/packet_report.md"
[ -s "$report" ] || { echo "missing $report"; exit 1; }
if grep -q "not run" "$report"; then echo "a part of the study did not run"; exit 1; fi
for policy in ecmp mprdma:8 split spray reps adaptive; do
  [ "$(grep -c "| $policy |" "$report")" = 8 ] || { echo "$policy: not in every row group"; exit 1; }
done
grep -q "One leaf-spine cable down" "$report" || { echo "no failure table"; exit 1; }
grep -q '`split` / `spray` CCT at packet level' "$report" || { echo "no split summary"; exit 1; }
echo "packet study report ok"
