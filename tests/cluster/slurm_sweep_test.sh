#!/usr/bin/env bash
# tools/slurm/sweep.sbatch on a real one-node Slurm cluster that the test
# starts (munged, slurmctld, slurmd from Debian, by hand, on spare ports), with
# the recipe of docs/sweeps.md run line by line: the array, the merge, the rerun
# of two deleted shards. Each merged results.csv must be byte for byte that of
# the sweep run in one process. Also: a requeued task appends to its log,
# --cpus-per-task=K gives K threads, one CPU more than a node has pends with
# Reason=PartitionConfig (the page's warning), and a one-task array without
# SWEEP_SHARDS is refused.
# Usage: slurm_sweep_test.sh SPINEL_BINARY SOURCE_DIR SCRATCH_DIR
set -euo pipefail
spinel=$1 src=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/cluster/common.sh
. "$here/common.sh"

need_root "the Slurm sweep test"
need_programs munged mungekey slurmctld slurmd sbatch squeue scontrol sinfo setpriv python3

rm -rf "$work" && mkdir -p "$work"
# Daemon files go to a short path of their own: munge's socket path has a length limit.
tmp=$(mktemp -d /tmp/spinel-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()
queue_empty() { [ -z "$(squeue -h 2>/dev/null)" ]; }
cleanup() {
  local status=$?
  trap - EXIT
  if [ -n "${SLURM_CONF:-}" ] && [ -f "$tmp/slurm/slurmctld.pid" ]; then
    # Jobs first, so that no slurmstepd or spinel outlives the daemons.
    scancel --quiet --full --user "$(id -un)" 2>/dev/null || true
    wait_for "the jobs to be cancelled" 20 queue_empty || true
  fi
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ $status -ne 0 ]; then
    local log
    for log in "$tmp"/munge/munged.out "$tmp"/slurm/*.out "$work"/run/slurm-*.out; do
      [ -f "$log" ] && echo "--- $log" && tail -n 30 "$log"
    done
  fi
  rm -rf "$tmp"
  exit $status
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# munged as the munge user, with a key of its own; its socket folder must be
# mode 755 (and so its parents) so that the Slurm daemons and commands reach the socket.
install -d -o munge -g munge -m 755 "$tmp/munge"
install -d -o munge -g munge -m 755 "$tmp/munge/socket"
mungekey --create --keyfile="$tmp/munge/munge.key"
chown munge:munge "$tmp/munge/munge.key" && chmod 400 "$tmp/munge/munge.key"
socket=$tmp/munge/socket/munge.socket.2
setpriv --reuid=munge --regid=munge --init-groups \
  munged --foreground --socket="$socket" --key-file="$tmp/munge/munge.key" \
  --log-file="$tmp/munge/munged.log" --pid-file="$tmp/munge/munged.pid" \
  --seed-file="$tmp/munge/munged.seed" >"$tmp/munge/munged.out" 2>&1 &
pids+=($!)
wait_for "munged's socket" 20 test -S "$socket"

# One node, described by slurmd -C, everything under $tmp.
mkdir -p "$tmp/slurm/state" "$tmp/slurm/spool"
host=$(hostname -s)
node=$(slurmd -C | head -n 1)
case "$node" in NodeName=*) ;; *) echo "slurmd -C printed no node line: $node" >&2 && exit 1 ;; esac
ctld_port=$(spare_port)
slurmd_port=$(spare_port)
while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(spare_port); done
cat >"$tmp/slurm/slurm.conf" <<CONFIG
ClusterName=spineltest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$tmp/slurm/state
SlurmdSpoolDir=$tmp/slurm/spool
SlurmctldPidFile=$tmp/slurm/slurmctld.pid
SlurmdPidFile=$tmp/slurm/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONFIG
export SLURM_CONF=$tmp/slurm/slurm.conf
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurm/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$tmp/slurm/slurmd.out" 2>&1 &
pids+=($!)
node_idle() { [ "$(sinfo -h -o %t 2>/dev/null)" = idle ]; }
wait_for "the node to be idle in sinfo" 60 node_idle
echo "slurm: $(sinfo -h -o '%P %c CPUs %t')"

# Waits until job $1 (every task of it) has left the queue; fails unless every
# task completed with exit status 0.
wait_job() {
  local job=$1
  job_gone() { [ -z "$(squeue -h -j "$job" 2>/dev/null)" ]; }
  wait_for "job $job to finish" 120 job_gone
  local states
  states=$(scontrol -o show job "$job" | grep -o 'JobState=[A-Z_]* .*ExitCode=[0-9:]*' |
    sed 's/JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\)/\1 \2/' | sort | uniq -c)
  echo "job $job: $states"
  [ "$(echo "$states" | grep -vc ' COMPLETED 0:0$')" -eq 0 ]
}

# The points of shard I of N: every point folder whose index % N == I.
delete_shards() {
  local shards=$1 list=$2 folder index
  for folder in out/big/points/*; do
    index=$((10#$(basename "$folder" | cut -d- -f1)))
    if [[ ",$list," == *",$((index % shards)),"* ]]; then rm -rf "$folder"; fi
  done
}

run="$work/run"
mkdir -p "$run"
repository_like "$run" "$src" "$spinel"
cp "$src/scenarios/sweep_example.yaml" "$run/big.yaml"
"$spinel" sweep "$run/big.yaml" --quiet --out "$work/whole"
cd "$run"

recipe "$src/docs/sweeps.md" slurm_sweep_test.sh >"$work/recipe.sh"
echo "--- the recipe (docs/sweeps.md)" && cat "$work/recipe.sh"
merges=0
while IFS= read -r line; do
  [ -n "${line// /}" ] || continue
  echo "\$ $line"
  # A rerun of named shards: delete them first, and see the merge miss them.
  if [[ "$line" =~ SWEEP_SHARDS=([0-9]+).*--array=([0-9,]+) ]]; then
    rerun_shards=${BASH_REMATCH[1]} rerun_shard=${BASH_REMATCH[2]%%,*}
    delete_shards "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
    if "$spinel" merge out/big >/dev/null 2>&1; then
      echo "merge succeeded with shards ${BASH_REMATCH[2]} deleted" >&2 && exit 1
    fi
  fi
  output=$(bash -euo pipefail -c "$line")
  echo "$output"
  if [[ "$output" =~ ^Submitted\ batch\ job\ ([0-9]+) ]]; then
    wait_job "${BASH_REMATCH[1]}"
    last_job=${BASH_REMATCH[1]}
  fi
  if [[ "$line" == *" merge "* ]]; then
    cmp out/big/results.csv "$work/whole/results.csv"
    merges=$((merges + 1))
  fi
done <"$work/recipe.sh"
# The recipe merges after the array and after the rerun.
[ "$merges" -ge 2 ] || { echo "the recipe merged $merges times, expected 2" >&2 && exit 1; }
[ -n "${rerun_shard:-}" ] || { echo "the recipe reruns no shard" >&2 && exit 1; }

# A requeued task runs again into the same log, after the first attempt's lines.
task=${last_job}_$rerun_shard
log=slurm-$task.out
scontrol requeue "$task"
# Slurm holds a requeued job for 2 minutes (Reason=BeginTime); let it start now.
scontrol update JobId="$task" StartTime=now
wait_job "$last_job"
attempts=$(grep -c "^spinel sweep big.yaml: shard $rerun_shard/$rerun_shards" "$log")
[ "$attempts" -eq 2 ] || { echo "$log has $attempts attempts, expected 2" >&2 && cat "$log" && exit 1; }
"$spinel" merge out/big >/dev/null
cmp out/big/results.csv "$work/whole/results.csv"
echo "requeue: $log holds both attempts"

# --cpus-per-task=K on the command line: K threads per task, the same results.
cpus=$(sinfo -h -o %c)
submitted=$(sbatch --cpus-per-task="$cpus" --array=0-1 tools/slurm/sweep.sbatch big.yaml out/wide)
job=${submitted##* }
wait_job "$job"
grep -q "on $(hostname), $cpus threads" "slurm-${job}_0.out" || { cat "slurm-${job}_0.out" && exit 1; }
"$spinel" merge out/wide >/dev/null
cmp out/wide/results.csv "$work/whole/results.csv"
echo "--cpus-per-task=$cpus: $cpus threads per task"

# The trap the page warns of: more CPUs than a node has, and sbatch still takes it.
submitted=$(sbatch --cpus-per-task=$((cpus + 1)) --array=0-1 tools/slurm/sweep.sbatch big.yaml out/wide)
job=${submitted##* }
pending_for_config() { squeue -h -j "$job" -o %r | grep -q PartitionConfig; }
wait_for "job $job to pend with Reason=PartitionConfig" 30 pending_for_config
scancel "$job"
echo "--cpus-per-task=$((cpus + 1)): pends with Reason=PartitionConfig"

# One task id without SWEEP_SHARDS would run the whole sweep as shard 0/1: refused.
submitted=$(sbatch --array=2 tools/slurm/sweep.sbatch big.yaml out/big)
job=${submitted##* }
if wait_job "$job"; then echo "--array=2 without SWEEP_SHARDS ran" >&2 && exit 1; fi
grep -q 'SWEEP_SHARDS=N sbatch --array=2' "slurm-${job}_2.out" ||
  { cat "slurm-${job}_2.out" && exit 1; }
echo "--array=2 without SWEEP_SHARDS: refused"
echo "slurm sweep: every merged results.csv is that of one process"
