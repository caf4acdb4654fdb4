"""The assumptions part of the packet-level spraying study's report.

tools/packet_spraying_report calls write_report(DIR, load) when DIR holds
sweeps of tools/packet_spraying_parts (DIR/assumptions*, their files in
DIR/scenarios). Each point's variation (its index in the source's zip) is
read from its values of the zip's keys (so a point run by a smaller sweep of
the same part, as a staged run makes, counts too) and named by the keys where
it differs from the baseline, the source's first. Every ratio is to spray's
CCT on the same point otherwise (same part, collective, size, variation and
seed); a cell gives the median over seeds and, with several, their range.
"""

import math
import os
import re

import pandas as pd
import yaml

SOURCE = "scenarios/paper-spraying/packet_assumptions.yaml"
COLLECTIVE = "workload.collective"
POLICY = "transport.policy"
SIZE = "workload.size_bytes"
REORDER = "transport.packet.reorder_packets"
COUNTERS = ["drops", "timeouts", "retransmitted_packets", "trimmed_packets", "naks", "pauses"]
SHORT = {"ring_allreduce": "ring", "tree_allreduce": "tree",
         "halving_doubling_allreduce": "halving-doubling", "all_to_all": "all-to-all"}
POLICIES = ["split", "spray", "reps", "ecmp", "adaptive", "mprdma:4"]
TIE = 0.01  # within 1%: a tie (seeds move CCT by about that)


UNITS = {"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}


def value(v):
    """A zip value as results.csv writes it: sizes in bytes, booleans in lower case."""
    v = str(v).lower() if isinstance(v, bool) else str(v)
    size = re.fullmatch(r"(\d+)(B|KiB|MiB|GiB)", v)
    return str(int(size.group(1)) * UNITS[size.group(2)]) if size else v


def name_of(keys, values, base):
    """The variation's name: what it changes from the baseline."""
    words = []
    reorder = values[keys.index(REORDER)]
    base_reorder = base[keys.index(REORDER)]
    for key, v, b in zip(keys, values, base):
        if v == b:
            continue
        short = key.rsplit(".", 1)[-1]
        if short == "retransmit" and reorder == base_reorder:
            words.append(("SACK" if v == "selective" else "go-back-N") + f", bitmap {reorder}")
        elif short == "reorder_packets":
            words.append("in order" if v == "1" else
                         "direct placement" if int(v) >= 65536 else f"bitmap {v}")
        elif short == "retransmit":
            words.append("SACK" if v == "selective" else "go-back-N")
        elif short == "cc":
            words.append("fixed window" if v == "none" else v.upper())
        elif short == "trimming":
            words.append("trimming" if v == "true" else "no trimming")
        elif short == "flow_control":
            words.append("PFC (lossless)" if v == "pfc" else "drop-tail")
        elif short == "buffer_bytes":
            b = int(v)
            words.append(f"{b >> 20} MiB per port" if b % (1 << 20) == 0 else f"{b >> 10} KiB per port")
        else:
            words.append(f"{short} {v}")
    return ", ".join(words) or "baseline"


def variations(root):
    with open(os.path.join(root, SOURCE)) as f:
        zip_group = yaml.safe_load(f)["sweep"]["zip"][0]
    keys = list(zip_group)
    rows = [tuple(value(zip_group[k][i]) for k in keys) for i in range(len(zip_group[keys[0]]))]
    return keys, rows, [name_of(keys, r, rows[0]) for r in rows]


def load_parts(out, root, load):
    """Every assumptions sweep in out, one frame; and per part, what should run."""
    keys, rows, _ = variations(root)
    frames, expected = [], {}
    scenarios = os.path.join(out, "scenarios")
    names = sorted(n[:-5] for n in os.listdir(scenarios)
                   if n.startswith("assumptions") and n.endswith(".yaml")) \
        if os.path.isdir(scenarios) else []
    for part in names:
        with open(os.path.join(scenarios, part + ".yaml")) as f:
            spec = yaml.safe_load(f)
        sweep = spec["sweep"]
        seeds = sweep.get("seeds", 1)
        zip_group = sweep["zip"][0]
        count = len(zip_group[keys[0]])
        mine = [rows.index(tuple(value(zip_group[k][i]) for k in keys)) for i in range(count)]
        grid = sweep["grid"]
        expected[part] = {"points": math.prod(len(v) for v in grid.values()) * count * seeds,
                          "grid": grid, "variations": mine, "seeds": seeds,
                          "failed": "faults" in spec}
        df = load(os.path.join(out, part), COUNTERS)
        if df is None or df.empty:
            continue
        df["variation"] = [rows.index(tuple(value(r[k]) for k in keys))
                           for _, r in df.iterrows()]
        df["part"] = part
        frames.append(df)
    return (pd.concat(frames, ignore_index=True) if frames else None), expected


def with_ratios(df):
    on = ["part", COLLECTIVE, SIZE, "variation", "seed"]
    for policy, column in [("spray", "to_spray"), ("reps", "to_reps")]:
        ref = df[df[POLICY] == policy][on + ["collective_mean_ps"]]
        ref = ref.rename(columns={"collective_mean_ps": "ref_ps"})
        df = df.merge(ref, on=on, how="left")
        df[column] = df["collective_mean_ps"] / df["ref_ps"]
        df = df.drop(columns="ref_ps")
    return df


def cell(x):
    x = x.dropna()
    if x.empty:
        return "–"
    if len(x) == 1:
        return f"{x.iloc[0]:.2f}"
    return f"{x.median():.2f} ({x.min():.2f}–{x.max():.2f})"


def size_name(b):
    return f"{int(b) / 1e6:g} MB" if int(b) >= 1e6 else f"{int(b) / 1e3:g} kB"


def point_groups(df):
    return df.groupby(["part", COLLECTIVE, SIZE, "variation"])


def verdicts(df, names):
    """Per point: split's median over spray's (and REPS's), and its seeds."""
    rows = []
    split = df[df[POLICY] == "split"]
    for (part, coll, size, var), g in point_groups(split):
        r = g["to_spray"].dropna()
        if r.empty:
            continue
        rows.append({"part": part, "collective": coll, "size": size, "variation": var,
                     "name": names[var], "median": r.median(), "min": r.min(), "max": r.max(),
                     "seeds": len(r), "reps": g["to_reps"].dropna().median()})
    return pd.DataFrame(rows)


def where(v):
    return f"{SHORT[v['collective']]} {size_name(v['size'])}" + \
        (", failed cable" if "failure" in v["part"] else "")


def answer_lines(v):
    lines = []
    beats = v[v["median"] < 1 - TIE].sort_values("median")
    ties = v[(v["median"] >= 1 - TIE) & (v["median"] <= 1 + TIE)]
    loses = v[v["median"] > 1 + TIE].sort_values("median", ascending=False)
    total = len(v)
    lines.append(f"Of {total} points (collective, size, variation; healthy and failed cable), "
                 f"split is faster than spray by more than {TIE:.0%} on {len(beats)}, within "
                 f"{TIE:.0%} on {len(ties)}, slower on {len(loses)} (medians over seeds).")
    lines.append("")
    if not beats.empty:
        lines.append("**Split faster than spray** (split / spray, median (range)):")
        for _, b in beats.iterrows():
            lines.append(f"- {b['name']}, {where(b)}: {b['median']:.3f} "
                         f"({b['min']:.3f}–{b['max']:.3f}), {1 - b['median']:.0%} faster")
        lines.append("")
    if not loses.empty:
        lines.append("**Spray faster than split:**")
        for _, b in loses.iterrows():
            lines.append(f"- {b['name']}, {where(b)}: {b['median']:.3f} "
                         f"({b['min']:.3f}–{b['max']:.3f}), spray {1 - 1 / b['median']:.0%} faster")
        lines.append("")
    best = v.loc[v["median"].idxmin()]
    lines.append(f"Largest split advantage over spray: {1 - best['median']:.1%} "
                 f"({best['name']}, {where(best)}); the paper reports up to 30%.")
    r = v.dropna(subset=["reps"])
    if not r.empty:
        bestr = r.loc[r["reps"].idxmin()]
        lines.append(f"Largest split advantage over REPS: {1 - bestr['reps']:.1%} "
                     f"({bestr['name']}, {where(bestr)}); the paper reports up to 40%.")
    return lines


def answer_table(df, v, expected, names):
    """Rows: variations; columns: the question's points (split / spray, split / REPS)."""
    lines = []
    for part in sorted(expected):
        e = expected[part]
        sub = v[v["part"] == part]
        if sub.empty:
            continue
        points = sorted({(c, s) for c, s in zip(sub["collective"], sub["size"])},
                        key=lambda cs: (cs[1], list(SHORT).index(cs[0])))
        title = "failed cable (leaf0–spine0)" if e["failed"] else "healthy"
        lines += [f"#### {part}: {title}", "",
                  "| assumptions | " + " | ".join(
                      f"{SHORT[c]} {size_name(s)}: split / spray" for c, s in points) +
                  " | " + " | ".join(f"{SHORT[c]} {size_name(s)}: split / REPS" for c, s in points
                                     if c in ("halving_doubling_allreduce", "all_to_all")) +
                  " | fastest policy |",
                  "|---" * (1 + len(points) + sum(c in ("halving_doubling_allreduce", "all_to_all")
                                                  for c, _ in points) + 1) + "|"]
        for var in e["variations"]:
            row = [names[var]]
            split = df[(df["part"] == part) & (df["variation"] == var) & (df[POLICY] == "split")]
            for c, s in points:
                row.append(cell(split[(split[COLLECTIVE] == c) & (split[SIZE] == s)]["to_spray"]))
            for c, s in points:
                if c in ("halving_doubling_allreduce", "all_to_all"):
                    row.append(cell(split[(split[COLLECTIVE] == c) & (split[SIZE] == s)]["to_reps"]))
            row.append(fastest(df[(df["part"] == part) & (df["variation"] == var)], points))
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    return lines


def fastest(df, points):
    """Per point, the policy with the lowest median CCT (only where every policy ran)."""
    out = []
    for c, s in points:
        p = df[(df[COLLECTIVE] == c) & (df[SIZE] == s)]
        med = p.groupby(POLICY)["collective_mean_ps"].median()
        if med.empty:
            continue
        out.append(f"{SHORT[c]}: {med.idxmin()}" + ("" if len(med) == len(POLICIES) else
                                                    f" (of {len(med)})"))
    return "; ".join(out) or "–"


def policy_tables(df, expected, names):
    lines = []
    for part in sorted(expected):
        e = expected[part]
        for c in e["grid"].get(COLLECTIVE, []):
            for s in sorted(df[(df["part"] == part) & (df[COLLECTIVE] == c)][SIZE].unique()):
                p = df[(df["part"] == part) & (df[COLLECTIVE] == c) & (df[SIZE] == s)]
                lines += [f"#### {part}: {SHORT[c]}, {size_name(s)}" +
                          (", failed cable" if e["failed"] else ""), "",
                          "| assumptions | " + " | ".join(f"`{x}`" for x in POLICIES) +
                          " | spray: drops, timeouts | split: drops, timeouts |",
                          "|---" * (len(POLICIES) + 3) + "|"]
                for var in e["variations"]:
                    q = p[p["variation"] == var]
                    if q.empty:
                        continue
                    row = [names[var]] + [cell(q[q[POLICY] == x]["to_spray"]) for x in POLICIES]
                    for x in ["spray", "split"]:
                        r = q[q[POLICY] == x]
                        row.append("–" if r.empty else
                                   f"{r['drops'].median():,.0f}, {r['timeouts'].median():,.0f}")
                    lines.append("| " + " | ".join(row) + " |")
                lines.append("")
    return lines


def missing_lines(df, expected):
    lines = []
    for part in sorted(expected):
        e = expected[part]
        have = df[df["part"] == part] if df is not None else pd.DataFrame()
        lines.append(f"- {part}: {len(have)} of {e['points']} points ran" +
                     (" (complete)" if len(have) == e["points"] else ""))
        if len(have) == e["points"]:
            continue
        per = e["points"] // (len(e["grid"][COLLECTIVE]) * len(e["grid"][POLICY]))
        counts = have.groupby([COLLECTIVE, POLICY]).size() if not have.empty else {}
        for c in e["grid"][COLLECTIVE]:
            done = [f"{x} {counts.get((c, x), 0) if len(counts) else 0}"
                    for x in e["grid"][POLICY]]
            lines.append(f"  - {SHORT[c]}, of {per} points per policy: " + ", ".join(done))
    return lines


def write_report(out, root, load):
    """Writes out/assumptions_report.md; False when no assumptions sweep is there."""
    _, _, names = variations(root)
    df, expected = load_parts(out, root, load)
    if not expected:
        return False
    lines = ["# Which assumptions decide spraying against single path", "",
             "CCT / spray's CCT on the same point (same part, collective, size, variation, "
             "seed): median over seeds, (min–max) when several ran. Below 1: faster than "
             "spray. Variations are named by what they change from the baseline (DCTCP, "
             "drop-tail 1 MiB per port, no trimming, single paths in order with go-back-N, "
             "sprayed QPs placing 256 packets past a hole).", "", "## What ran", ""]
    lines += missing_lines(df, expected) + [""]
    if df is not None:
        df = with_ratios(df)
        v = verdicts(df, names)
        if not v.empty:
            lines += ["## The answer", ""] + answer_lines(v) + [""]
            lines += ["## Split against spray and REPS, per variation", ""]
            lines += answer_table(df, v, expected, names)
        lines += ["## Every policy", "",
                  "CCT / spray's; the last two columns: the medians over seeds of spray's and "
                  "split's packet drops and timeouts.", ""]
        lines += policy_tables(df, expected, names)
    with open(os.path.join(out, "assumptions_report.md"), "w") as f:
        f.write("\n".join(lines))
    print(f"report in {os.path.join(out, 'assumptions_report.md')}")
    return True
