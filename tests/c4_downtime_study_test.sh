#!/bin/bash
# The C4 downtime study end to end on its quick fabric: the sweep runs, the
# report is written, every job finishes, and C4-style detection loses less
# of the job's GPU time than people do, at either checkpoint interval.
set -euo pipefail
spinel="$1"
src="$2"
work="$3"
rm -rf "$work"
"$src/tools/c4_downtime_study" --quick --out "$work" --jobs 2 --spinel "$spinel" > "$work.log" 2>&1 ||
  { cat "$work.log"; exit 1; }
report="$work/report.md"
[ -s "$report" ] || { echo "missing $report"; exit 1; }
python3 - "$report" <<'PY'
import sys
rows = [l.split("|")[1:-1] for l in open(sys.argv[1]) if l.startswith("| manual") or l.startswith("| c4")]
lost = {(r[0].strip(), r[1].strip()): float(r[4]) for r in rows}
assert len(lost) == 4, rows
for every in ("30 min", "10 min"):
    assert lost["c4", every] < lost["manual", every] / 3, lost
assert all(r[11].strip() == "0.0" for r in rows), "false alarms: %s" % rows
PY
echo "c4 downtime report ok"
