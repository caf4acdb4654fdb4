#!/bin/bash
# The emulated-WAN check in its quick form (tools/pccl_wan --quick): namespaces,
# TUN devices and the emulator, a real master and two real peers 20 ms apart at
# 50 Mbit/s, against `spinel run` of the same WAN. Fails (never skips) when the
# namespaces cannot be made: the check would not have run.
set -euo pipefail
spinel="$1"
emulator="$2"
src="$3"
work="$4.$$"
rm -rf "$work"
trap 'rm -rf "$work"' EXIT
"$src/tools/pccl_wan" --quick --out "$work" --spinel "$spinel" --emulator "$emulator"
