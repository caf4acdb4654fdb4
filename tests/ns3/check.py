#!/usr/bin/python3
"""Run one small leaf-spine case in spinel's packet level and in ns-3, and compare them.

Usage: check.py CASE.yaml --spinel BIN --ns3 BIN --work DIR
                [--completion-band F] [--flow-band F] [--share-band F] [--queue-band F]
                [--set KEY.PATH=VALUE ...] [--spinel-set KEY.PATH=VALUE ...]

CASE.yaml is a spinel scenario (tests/ns3/*.yaml): a leaf-spine, `policy: ecmp`, the packet
level under DCTCP with a step at ecn_kmin_bytes = ecn_kmax_bytes, a flow pattern or list, and
`output.timeseries` on the one switch port whose queue is compared. spinel runs it; ns-3
(spinel-ns3-leaf-spine) runs the same fabric with each flow on the spine spinel routed it
over. Four comparisons, each against its band:
  completion  the last flow's completion time (end - start): |ns-3 / spinel - 1|
  flow        every flow's completion time: the largest |ns-3 / spinel - 1|
  share       every flow's share of the flows' summed mean rates: |ns-3 - spinel|
  queue       the port's mean queue over the middle of the run (20% to 80% of the first
              completion): |ns-3 - spinel| / K
--set changes the case for both (to measure a band over variants of it); --spinel-set
changes the scenario spinel runs and not ns-3's: a deliberately wrong spinel, which the
check must catch. Exit status 0 when every comparison holds, 1 when one does not
(each printed with DISAGREE), 2 on a case it cannot compare.
"""
import argparse
import csv
import pathlib
import re
import subprocess
import sys

import yaml

UNITS = {
    "size": {"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "KiB": 1024, "MiB": 1024**2,
             "GiB": 1024**3},
    "rate": {"bps": 1e-9, "Kbps": 1e-6, "Mbps": 1e-3, "Gbps": 1, "Tbps": 1e3},
    "time": {"ps": 1e-3, "ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9},
}


def quantity(value, kind):
    """A scenario quantity in bytes, Gb/s or ns."""
    m = re.fullmatch(r"\s*([0-9.e+-]+)\s*([A-Za-zµ]*)\s*", str(value))
    if not m or m.group(2) not in UNITS[kind]:
        sys.exit(f"check.py: cannot read {value!r} as a {kind}")
    return float(m.group(1)) * UNITS[kind][m.group(2)]


def refuse(why):
    print(f"not comparable with ns-3: {why}")
    sys.exit(2)


def ns3_arguments(scenario):
    """ns-3's settings from the scenario: only what both models can match is accepted."""
    try:
        return matched_settings(scenario)
    except (KeyError, TypeError) as e:
        refuse(f"the case must set {e} explicitly (ns-3 is given what the case states)")


def matched_settings(scenario):
    if scenario.get("transport", {}).get("model") != "packet":
        refuse("the case must run at packet level (transport.model: packet)")
    topo, packet = scenario["topology"], scenario["transport"]["packet"]
    if topo.get("kind") != "leaf_spine" or scenario["transport"].get("policy") != "ecmp":
        refuse("a leaf_spine with policy: ecmp is needed (one route per flow)")
    if packet.get("cc") != "dctcp" or packet.get("ack_every", 1) != 1:
        refuse("cc: dctcp with an ACK per packet is needed")
    # ns-3's headers: TCP 20 + IPv4 20 + PPP 2 on data segments and pure ACKs alike.
    if packet.get("header_bytes") != 42 or packet.get("ack_bytes") != 42:
        refuse("header_bytes and ack_bytes must be 42 (ns-3's TCP/IPv4/PPP headers)")
    for key, default in [("flow_control", "drop_tail"), ("buffer", "per_port"),
                         ("priority_queues", False), ("trimming", False)]:
        if packet.get(key, default) != default:
            refuse(f"{key} must be {default} (the ns-3 side has no other)")
    k = quantity(packet["ecn_kmin_bytes"], "size")
    if quantity(packet["ecn_kmax_bytes"], "size") != k:
        refuse("ecn_kmin_bytes = ecn_kmax_bytes (DCTCP's step) is needed")
    links = scenario["output"]["timeseries"]["links"]
    if len(links) != 1:
        refuse("output.timeseries.links must name the one port compared")
    args = {
        "leaves": topo["leaves"], "hostsPerLeaf": topo["hosts_per_leaf"], "spines": topo["spines"],
        "hostRateGbps": quantity(topo["host_link"]["rate"], "rate"),
        "hostLatencyNs": quantity(topo["host_link"]["latency"], "time"),
        "spineRateGbps": quantity(topo["spine_link"]["rate"], "rate"),
        "spineLatencyNs": quantity(topo["spine_link"]["latency"], "time"),
        "mtuBytes": int(quantity(packet["mtu_bytes"], "size")),
        "bufferBytes": int(quantity(packet["buffer_bytes"], "size")),
        "ecnBytes": int(k),
        "windowBytes": int(quantity(packet["window_bytes"], "size")),
        "dctcpG": float(packet.get("dctcp_g", 1 / 16)),
        "rtoNs": quantity(packet["rto"], "time"),
        "queueLink": links[0],
        "intervalNs": quantity(scenario["output"]["timeseries"]["interval"], "time"),
    }
    return args


def run(command):
    if subprocess.run(command).returncode != 0:
        print(f"check.py: {command[0]} failed")
        sys.exit(2)


def set_key(scenario, assignment):
    path, value = assignment.split("=", 1)
    node = scenario
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = yaml.safe_load(value)


def mean_queue(rows, interval_ps, first_end_ps):
    """Mean of the per-interval largest queue, over 20% to 80% of the first completion.

    ns-3's series has rows only for intervals a packet joined: the others count as empty."""
    lo, hi = 0.2 * first_end_ps, 0.8 * first_end_ps
    series = {int(r[0]): float(r[1]) for r in rows}
    starts = range(int(lo // interval_ps) * interval_ps, int(hi), interval_ps)
    picked = [series.get(s, 0.0) for s in starts if s >= lo]
    return sum(picked) / len(picked) if picked else 0.0


def summarise(flows):
    """Per flow: (completion ps, share of the summed mean rates); the first completion."""
    rates = {f: size / (end - start) for f, (size, start, end) in flows.items()}
    total = sum(rates.values())
    first = min(end for _, _, end in flows.values())
    return {f: (end - start, rates[f] / total) for f, (size, start, end) in flows.items()}, first


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("case")
    ap.add_argument("--spinel", required=True)
    ap.add_argument("--ns3", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--completion-band", type=float, default=0.05)
    ap.add_argument("--flow-band", type=float, default=0.05)
    ap.add_argument("--share-band", type=float, default=0.02)
    ap.add_argument("--queue-band", type=float, default=0.25)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--spinel-set", action="append", default=[])
    opt = ap.parse_args()

    scenario = yaml.safe_load(pathlib.Path(opt.case).read_text())
    for assignment in opt.set:
        set_key(scenario, assignment)
    name = scenario["name"]
    ns3 = ns3_arguments(scenario)
    work = pathlib.Path(opt.work)
    work.mkdir(parents=True, exist_ok=True)
    flows = scenario["workload"].get("flows")
    if isinstance(flows, str):  # a flow list, relative to the case's folder
        scenario["workload"]["flows"] = str(pathlib.Path(opt.case).parent.resolve() / flows)
    for assignment in opt.spinel_set:
        set_key(scenario, assignment)
    (work / "spinel.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False))
    run([opt.spinel, "run", str(work / "spinel.yaml"), "--out", str(work / "spinel"), "--quiet"])

    spinel_flows, routes = {}, []
    with open(work / "spinel" / "flows.csv") as f:
        for r in csv.DictReader(f):
            if r["subflow"] != "0":
                refuse("a flow split over subflows")
            spine = re.search(r">spine([0-9]+)>", r["path"])
            routes.append([r["tag"], r["src_host"], r["dst_host"], r["size_bytes"], r["start_ps"],
                           spine.group(1) if spine else -1])
            spinel_flows[int(r["tag"])] = (int(r["size_bytes"]), int(r["start_ps"]),
                                           int(r["end_ps"]))
    with open(work / "ns3_flows_in.csv", "w") as f:
        f.write("id,src,dst,size_bytes,start_ps,spine\n")
        f.writelines(",".join(str(x) for x in r) + "\n" for r in routes)
    with open(work / "spinel" / "timeseries.csv") as f:
        spinel_queue = [(r["interval_start_ps"], r["max_queue_bytes"]) for r in csv.DictReader(f)]

    command = [opt.ns3, f"--flows={work / 'ns3_flows_in.csv'}",
               f"--outFlows={work / 'ns3_flows.csv'}", f"--outQueue={work / 'ns3_queue.csv'}"]
    command += [f"--{k}={v}" for k, v in ns3.items()]
    run(command)
    ns3_flows = {}
    with open(work / "ns3_flows.csv") as f:
        for r in csv.DictReader(f):
            if int(r["end_ps"]) < 0:
                print(f"{name}: DISAGREE (ns-3 did not finish flow {r['id']})")
                sys.exit(1)
            ns3_flows[int(r["id"])] = (int(r["size_bytes"]), int(r["start_ps"]), int(r["end_ps"]))
    with open(work / "ns3_queue.csv") as f:
        ns3_queue = [(r["interval_start_ps"], r["max_queue_bytes"]) for r in csv.DictReader(f)]

    s_flows, s_first = summarise(spinel_flows)
    n_flows, n_first = summarise(ns3_flows)
    flow = max(abs(n_flows[f][0] / s_flows[f][0] - 1) for f in s_flows)
    share = max(abs(n_flows[f][1] - s_flows[f][1]) for f in s_flows)
    interval_ps = round(ns3["intervalNs"] * 1000)
    s_queue = mean_queue(spinel_queue, interval_ps, s_first)
    n_queue = mean_queue(ns3_queue, interval_ps, n_first)
    queue = abs(n_queue - s_queue) / ns3["ecnBytes"]

    s_last = max(c for c, _ in s_flows.values())
    n_last = max(c for c, _ in n_flows.values())
    completion = abs(n_last / s_last - 1)
    for f in sorted(s_flows):
        print(f"{name}: flow {f}: completion spinel {s_flows[f][0] / 1e6:.1f} us, ns-3 "
              f"{n_flows[f][0] / 1e6:.1f} us; share spinel {s_flows[f][1]:.4f}, "
              f"ns-3 {n_flows[f][1]:.4f}")
    print(f"{name}: {len(s_flows)} flows; last completion spinel {s_last / 1e6:.1f} us, "
          f"ns-3 {n_last / 1e6:.1f} us")
    print(f"{name}: mean queue at {ns3['queueLink']}: spinel {s_queue / 1024:.1f} KiB, "
          f"ns-3 {n_queue / 1024:.1f} KiB (K = {ns3['ecnBytes'] / 1024:.0f} KiB)")
    failed = []
    for what, value, band, unit in [("completion", completion, opt.completion_band, "relative"),
                                    ("flow", flow, opt.flow_band, "relative"),
                                    ("share", share, opt.share_band, "absolute"),
                                    ("queue", queue, opt.queue_band, "of K")]:
        ok = value <= band
        print(f"{name}: {what}: largest difference {value:.4f} {unit}, band {band} "
              f"{'ok' if ok else 'DISAGREE'}")
        if not ok:
            failed.append(what)
    if failed:
        print(f"{name}: DISAGREE ({', '.join(failed)})")
        sys.exit(1)
    print(f"{name}: agree")


if __name__ == "__main__":
    main()
