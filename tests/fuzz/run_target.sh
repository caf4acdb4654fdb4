#!/usr/bin/env bash
# One fuzz target's run, for CTest (tests/fuzz/CMakeLists.txt) and ./dev fuzz:
#   run_target.sh [--campaign] TARGET SECONDS WORK DICT REGRESSIONS [SEED...]
# Replays every input in REGRESSIONS (each must pass), then fuzzes for SECONDS
# from a corpus of the SEEDs (files, or folders of them) with a fixed seed
# (FUZZ_SEED, default 1). A finding fails the run, its input left in
# WORK/artifacts/ for a regression. With --campaign the corpus in WORK is
# kept from run to run and a finding does not stop the campaign: the target
# restarts (with the next seed) until SECONDS are used; WORK/fuzz.log holds
# libFuzzer's output and WORK/findings the count.
set -euo pipefail
campaign=0
if [ "${1:-}" = "--campaign" ]; then campaign=1; shift; fi
target=$1 seconds=$2 work=$3 dict=$4 regressions=$5
shift 5

if [ "$campaign" = 0 ]; then rm -rf "$work"; fi
mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
# Targets that write files (fuzz_chakra) do it here, not in /tmp.
export TMPDIR=$work/tmp
n=0
for seed in "$@"; do
  if [ -d "$seed" ]; then files=("$seed"/*); else files=("$seed"); fi
  for f in "${files[@]}"; do
    n=$((n + 1))
    cp "$f" "$work/corpus/seed-$n-$(basename "$f")"
  done
done

options=(-timeout=25 -rss_limit_mb=2048 -artifact_prefix="$work/artifacts/" -print_final_stats=1)
if [ -f "$dict" ]; then options+=(-dict="$dict"); fi

if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
  echo "== $(basename "$target"): replaying $(ls "$regressions" | wc -l) regression inputs"
  status=0
  "$target" "${options[@]}" "$regressions"/* >"$work/replay.log" 2>&1 || status=$?
  if [ "$status" != 0 ]; then
    cat "$work/replay.log"
    exit "$status"
  fi
fi

seed=${FUZZ_SEED:-1}
if [ "$campaign" = 0 ]; then
  echo "== $(basename "$target"): $seconds s from $n seeds, -seed=$seed"
  exec "$target" "${options[@]}" -seed="$seed" -max_total_time="$seconds" "$work/corpus"
fi

end=$(($(date +%s) + seconds))
findings=$(cat "$work/findings" 2>/dev/null || echo 0)
while [ "$(date +%s)" -lt "$end" ]; do
  left=$((end - $(date +%s)))
  echo "== $(date -u +%FT%TZ) $(basename "$target"): $left s, -seed=$seed" >>"$work/fuzz.log"
  # libFuzzer's timeout handler can deadlock in ASan's allocator (it allocates
  # inside SIGALRM); a run still there a minute past its time is killed.
  if ! timeout -s KILL $((left + 60)) "$target" "${options[@]}" -seed="$seed" \
    -max_total_time="$left" "$work/corpus" >>"$work/fuzz.log" 2>&1; then
    findings=$((findings + 1))
    echo "$findings" >"$work/findings"
  fi
  seed=$((seed + 1))
done
echo "$(basename "$target"): $findings findings; inputs in $work/artifacts, log $work/fuzz.log"
