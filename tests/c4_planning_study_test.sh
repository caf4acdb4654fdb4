#!/bin/bash
# The C4 planning study end to end on its quick fabric: the four sweeps run,
# the report is written, planned:2 reaches the analytical ideal in every case
# (and spray's training throughput)
# (two planned queue pairs per connection fill both ports of every NIC),
# spray too, and a single hashed queue pair per connection (ecmp) stays well
# below it (one port of two).
set -euo pipefail
spinel="$1"
src="$2"
work="$3"
rm -rf "$work"
"$src/tools/c4_planning_study" --quick --out "$work" --jobs 2 --spinel "$spinel" > "$work.log" 2>&1 ||
  { cat "$work.log"; exit 1; }
report="$work/report.md"
[ -s "$report" ] || { echo "missing $report"; exit 1; }
python3 - "$report" <<'PY'
import sys
lines = [l for l in open(sys.argv[1]) if l.startswith("| ")]
header = [c.strip() for c in lines[0].strip().strip("|").split("|")]
rows = [[c.strip() for c in l.strip().strip("|").split("|")] for l in lines[1:]]
training = [r for r in rows if r[0] == "training"]
rows = [r for r in rows if r[0] not in ("case", "training")]
assert len(rows) == 5 and len(training) == 1, (rows, training)
cell = dict(zip(header, training[0]))
assert float(cell["planned:2"].split()[0]) == 1.0, training
assert float(cell["ecmp"].split()[0]) < 1.0, training
for row in rows:
    cell = dict(zip(header, row))
    value = lambda p: float(cell[p].split()[0])
    assert value("planned:2") == 1.0, row
    assert value("spray") == 1.0, row
    assert value("ecmp") < 0.8, row
    assert value("mprdma:2") <= value("planned:2"), row
print("c4 planning report ok")
PY
