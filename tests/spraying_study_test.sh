#!/bin/bash
# The packet-spraying study end to end on its quick fabric: every sweep runs,
# the report is written with the figures, and the verdicts that a 16-host
# fabric can show come out as the theory says (split = spray in congestion
# with ranks in order; ECMP never below spray).
set -euo pipefail
spinel="$1"
src="$2"
work="$3"
rm -rf "$work"
"$src/tools/spraying_study" --quick --out "$work" --jobs 2 --spinel "$spinel" > "$work.log" 2>&1 ||
  { cat "$work.log"; exit 1; }
report="$work/report.md"
for f in "$report" "$work/cct_vs_size.png" "$work/congestion_random.png"; do
  [ -s "$f" ] || { echo "missing $f"; exit 1; }
done
grep -q "equals ideal spraying in maximum congestion when the premises hold | \*\*confirmed\*\*" "$report" ||
  { echo "split != spray with ranks in order:"; grep "premises hold" "$report"; exit 1; }
grep -q "Hash-based ECMP has no such guarantee | \*\*confirmed\*\*" "$report" ||
  { echo "ECMP verdict:"; grep "Hash-based" "$report"; exit 1; }
grep -q "^## Three tiers" "$report" && [ -s "$work/cct_vs_size_clos3.png" ] ||
  { echo "the three-tier part is missing from the report"; exit 1; }
grep -q "^## Three tiers, a failed core link" "$report" ||
  { echo "the three-tier failure part is missing from the report"; exit 1; }
if grep -q "not run" "$report" || ! grep -q "failed leaf-spine cable" "$report"; then echo "a part of the study did not run:"; grep "not run" "$report"; exit 1; fi
echo "study report ok"
