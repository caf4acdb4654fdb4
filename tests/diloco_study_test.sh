#!/bin/bash
# The DiLoCo study end to end in its quick form (tools/diloco_study --quick):
# both sweeps run and the report is written; async DiLoCo at H = 10 with int8
# hides the all-reduce in every outer step without churn, sync never does,
# int8 exposes less than fp32, and under churn the aborts show as exposed time.
# Then the 16-site network (--sites 16): a longer ring exposes more than on 8
# sites, and async int8 at H = 10 still hides it.
set -euo pipefail
spinel="$1"
src="$2"
work="$3"
rm -rf "$work"
"$src/tools/diloco_study" --quick --out "$work" --jobs 2 --spinel "$spinel" > "$work.log" 2>&1 ||
  { cat "$work.log"; exit 1; }
"$src/tools/diloco_study" --quick --sites 16 --out "$work/16-sites" --jobs 2 --spinel "$spinel" \
  > "$work.16.log" 2>&1 || { cat "$work.16.log"; exit 1; }
report="$work/report.md"
[ -s "$report" ] || { echo "missing $report"; exit 1; }
python3 - "$report" "$work/16-sites/report.md" <<'PY'
import sys
def read(path):
    tables, rows = [], None
    for line in open(path):
        if line.startswith("| H |"):
            head = [c.strip() for c in line.strip().strip("|").split("|")]
            rows = []
            tables.append((head, rows))
        elif line.startswith("| ") and rows is not None and not line.startswith("|---"):
            rows.append(dict(zip(head, [c.strip() for c in line.strip().strip("|").split("|")])))
    assert len(tables) == 2, tables
    plain, churn = tables[0][1], tables[1][1]
    assert len(plain) == 8 and len(churn) == 2, (plain, churn)
    return {(r["H"], r["async"], r["quantisation"]): r for r in plain}, churn
def ms(text):
    value, unit = text.split()
    return float(value) * (1000 if unit == "s" else 1)
cell, churn = read(sys.argv[1])
assert cell[("10", "async", "int8")]["hidden"] == "100%", cell
for r in cell.values():
    if r["async"] == "sync":
        assert r["hidden"] == "0%" and ms(r["exposed per outer step"]) > 100, r
for h in ("1", "10"):
    for mode in ("sync", "async"):
        assert ms(cell[(h, mode, "int8")]["exposed per outer step"]) < \
            ms(cell[(h, mode, "none")]["exposed per outer step"]), (h, mode)
r = [r for r in churn if r["async"] == "async"][0]
assert int(r["aborts"]) >= 1 and ms(r["exposed after an abort"]) > 1, r
sixteen, _ = read(sys.argv[2])
for key in [("1", "sync", "none"), ("1", "sync", "int8")]:
    assert ms(sixteen[key]["exposed per outer step"]) > ms(cell[key]["exposed per outer step"]), key
assert sixteen[("10", "async", "int8")]["hidden"] == "100%", sixteen
print("diloco study: ok")
PY
