#!/bin/bash
# The emulated-WAN check in its quick form (tools/pccl_wan --quick): namespaces,
# TUN devices and the emulator, a real master and two real peers 20 ms apart at
# 50 Mbit/s, against `spinel run` of the same WAN. Without root, or where no
# namespace with a TUN device can be made, it exits 77 (CTest: skipped, with the
# reason); a failure after that fails.
set -euo pipefail
spinel="$1"
emulator="$2"
src="$3"
work="$4.$$"
rm -rf "$work"
trap 'rm -rf "$work"' EXIT
"$src/tools/pccl_wan" --quick --out "$work" --spinel "$spinel" --emulator "$emulator"
