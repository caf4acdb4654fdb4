#!/usr/bin/env bash
# GNU parallel over ssh, as docs/sweeps.md shows it: an sshd of the test's own
# on 127.0.0.1 (its own config, host key and client key) stands for the hosts
# node1 and node2; the page's recipe runs word for word, and its merged
# results.csv must be byte for byte that of the sweep run in one process.
# Usage: ssh_sweep_test.sh SPINEL_BINARY SOURCE_DIR SCRATCH_DIR
set -euo pipefail
spinel=$1 src=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/cluster/common.sh
. "$here/common.sh"

need_root "the ssh sweep test"
need_programs /usr/sbin/sshd ssh ssh-keygen rsync parallel perl python3

rm -rf "$work" && mkdir -p "$work"
# Daemon files go to a short path of their own (sockets, keys).
tmp=$(mktemp -d /tmp/spinel-ssh.XXXXXX)
sshd_pid=
cleanup() {
  local status=$?
  if [ -n "$sshd_pid" ]; then
    ssh -O exit node1 2>/dev/null || true
    kill "$sshd_pid" 2>/dev/null || true
    wait "$sshd_pid" 2>/dev/null || true
  fi
  if [ $status -ne 0 ] && [ -f "$tmp/sshd.log" ]; then
    echo "--- sshd log" && cat "$tmp/sshd.log"
  fi
  rm -rf "$tmp"
  exit $status
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# sshd wants its privilege-separation folder; Debian makes it only when the service starts.
mkdir -p /run/sshd && chmod 755 /run/sshd
ssh-keygen -q -t ed25519 -N '' -C spinel-test-host -f "$tmp/host_key"
ssh-keygen -q -t ed25519 -N '' -C spinel-test-client -f "$tmp/client_key"
cp "$tmp/client_key.pub" "$tmp/authorized_keys"
echo "spinel-test-sshd $(cat "$tmp/host_key.pub")" >"$tmp/known_hosts"

# The "hosts" find spinel on the PATH an ssh command gets, as the page asks.
mkdir -p "$tmp/remote_bin" "$tmp/remote_home"
ln -s "$spinel" "$tmp/remote_bin/spinel"
port=$(spare_port)
cat >"$tmp/sshd_config" <<CONFIG
ListenAddress 127.0.0.1
Port $port
HostKey $tmp/host_key
PidFile none
AuthorizedKeysFile $tmp/authorized_keys
AllowUsers $(id -un)
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
# The key lives under /tmp, which is world-writable (with the sticky bit).
StrictModes no
# pam_loginuid refuses sessions in containers; keys need no PAM.
UsePAM no
# Two "hosts" of 8 jobs each share this one sshd and one connection to it:
# more than the default 10 at once.
MaxStartups 64
MaxSessions 64
# A HOME of its own: the dotfiles of this machine do not run in the "hosts"' shells.
SetEnv PATH=$tmp/remote_bin:/usr/local/bin:/usr/bin:/bin HOME=$tmp/remote_home
CONFIG
/usr/sbin/sshd -D -e -f "$tmp/sshd_config" 2>"$tmp/sshd.log" &
sshd_pid=$!

# node1 and node2 are this sshd, for ssh and for the rsync that GNU parallel runs.
cat >"$tmp/ssh_config" <<CONFIG
Host node1 node2
  HostName 127.0.0.1
  Port $port
  User $(id -un)
  IdentityFile $tmp/client_key
  IdentitiesOnly yes
  HostKeyAlias spinel-test-sshd
  UserKnownHostsFile $tmp/known_hosts
  StrictHostKeyChecking yes
  LogLevel ERROR
  # One connection for all jobs, as the page suggests: each job opens several sessions.
  ControlMaster auto
  ControlPath $tmp/control-%C
  ControlPersist 120
CONFIG
mkdir -p "$tmp/bin"
printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$tmp/ssh_config" >"$tmp/bin/ssh"
# The recipe's bare `spinel` must run on the "hosts", never here.
printf '#!/bin/sh\necho "spinel ran on this machine, not over ssh" >&2\nexit 1\n' >"$tmp/bin/spinel"
chmod +x "$tmp/bin/ssh" "$tmp/bin/spinel"
export PATH="$tmp/bin:$PATH"
export PARALLEL_HOME="$work/parallel_home"
wait_for "sshd on 127.0.0.1:$port" 20 ssh -o BatchMode=yes node1 true

# The page's recipe, in a folder like the repository root, on a copy of the example.
run="$work/run"
mkdir -p "$run"
repository_like "$run" "$src" "$spinel"
cp "$src/scenarios/sweep_example.yaml" "$run/big.yaml"
recipe "$src/docs/sweeps.md" ssh_sweep_test.sh >"$work/recipe.sh"
echo "--- the recipe (docs/sweeps.md)" && cat "$work/recipe.sh"
(cd "$run" && timeout 150 bash -euo pipefail "$work/recipe.sh")

"$spinel" sweep "$run/big.yaml" --quiet --out "$work/whole"
cmp "$run/out/big/results.csv" "$work/whole/results.csv"
echo "ssh sweep: the merged results.csv is that of one process"
