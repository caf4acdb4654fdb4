#!/bin/bash
# What a user of the package gets, from a built tree:
#   1. `cmake --install` into an empty prefix: the installed spinel runs an
#      installed scenario, and a program outside the tree (examples/outside)
#      builds against the installed library with find_package(spinel) and runs;
#   2. `cpack -G DEB`: the .deb unpacks into an empty root (dpkg-deb -x, so
#      the machine's own /usr is never touched), declares its run-time
#      dependencies, and its spinel runs its scenarios.
#   install_test.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1
src=$2
work=$3
rm -rf "$work"
mkdir -p "$work"

echo "== cmake --install"
cmake --install "$build" --prefix "$work/usr" >"$work/install.log"
prefix=$work/usr
test -x "$prefix/bin/spinel"
test -f "$prefix/share/spinel/scenarios/quickstart.yaml"
test -x "$prefix/share/spinel/tools/plot"
test -f "$prefix/share/doc/spinel/LICENSE"
test -f "$prefix/include/spinel/api/spinel.hpp"
test -f "$prefix/lib/cmake/spinel/spinelConfig.cmake"
(cd "$work" && "$prefix/bin/spinel" run "$prefix/share/spinel/scenarios/quickstart.yaml" \
  --out "$work/out_installed" --quiet)
grep -q '"collective_mean_ps"' "$work/out_installed/summary.json"

echo "== a program outside the tree, against the installed package"
cmake -S "$src/examples/outside" -B "$work/outside" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$work/outside.log"
cmake --build "$work/outside" -j 2 >>"$work/outside.log"
"$work/outside/run_scenario" 7 >"$work/outside.out" 2>/dev/null
cat "$work/outside.out"
grep -q "^job a: 4 collectives" "$work/outside.out"
grep -q "^spinel 0" "$work/outside.out"

echo "== cpack -G DEB"
(cd "$build" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log")
deb=$(ls "$work"/pkg/spinel_*.deb)
dpkg-deb -f "$deb" Package Version Depends
dpkg-deb -f "$deb" Depends | grep -q "libyaml-cpp"
dpkg-deb -x "$deb" "$work/root"
root_spinel=$work/root/usr/bin/spinel
"$root_spinel" --version
(cd "$work" && "$root_spinel" run "$work/root/usr/share/spinel/scenarios/quickstart.yaml" \
  --out "$work/out_deb" --quiet)
cmp "$work/out_installed/collectives.csv" "$work/out_deb/collectives.csv"
echo "install_test: ok"
