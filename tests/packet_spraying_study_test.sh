#!/bin/bash
# The packet-level spraying study end to end on its quick fabric: every
# sweep (packet and flow level, healthy and with a failed cable, and the
# assumptions study's parts) runs with no failed point, and the reports have
# their tables, every policy and every part complete.
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
assumptions="$work/assumptions_report.md"
[ -s "$assumptions" ] || { echo "missing $assumptions"; exit 1; }
[ "$(grep -c "points ran (complete)" "$assumptions")" = 4 ] || { echo "an assumptions part is incomplete"; exit 1; }
for text in "## The answer" "Largest split advantage over spray" "| in order |" "| SACK, direct placement, NSCC, trimming |"; do
  grep -qF "$text" "$assumptions" || { echo "assumptions report: no \"$text\""; exit 1; }
done
echo "packet study report ok"
