#!/bin/bash
# The C4 detection campaign end to end on its quick fabric: the sweep runs,
# the report is written, and on these 18 runs the detector finds every
# straggler, hang, degraded NIC link and dead NIC with the right class and
# suspect, and raises no false alarm.
set -euo pipefail
spinel="$1"
src="$2"
work="$3"
rm -rf "$work"
"$src/tools/c4_detection_study" --quick --out "$work" --jobs 2 --spinel "$spinel" > "$work.log" 2>&1 ||
  { cat "$work.log"; exit 1; }
report="$work/report.md"
[ -s "$report" ] || { echo "missing $report"; exit 1; }
for kind in straggler hang nic_degraded nic_down; do
  grep -q "^| $kind | 3 | 3 | 3 | 3 | 3 |" "$report" || { echo "$kind:"; cat "$report"; exit 1; }
done
[ "$(grep -c '^| [a-z_]* | 3 | .* | 0 |$' "$report")" = 6 ] || { echo "false alarms:"; cat "$report"; exit 1; }
echo "c4 detection report ok"
