# Shared by the cluster tests (sourced): skipping with a reason, spare ports,
# the recipes of docs/sweeps.md, and the folder a recipe runs in.

# ctest's SKIP_RETURN_CODE for these tests.
readonly skip_status=77

skip() {
  echo "SKIPPED: $*"
  exit "$skip_status"
}

# The daemons run as their own users and bind ports; only root can set that up.
need_root() {
  [ "$(id -u)" -eq 0 ] || skip "$1 needs root to start its daemons (CI runs ./dev test as root)"
}

# Skips when a program is missing: ./dev test installs them, a bare ctest may not have them.
need_programs() {
  local missing=() program
  for program in "$@"; do
    command -v "$program" >/dev/null || missing+=("$program")
  done
  [ ${#missing[@]} -eq 0 ] || skip "not installed: ${missing[*]} (./dev test installs the Debian packages)"
}

# A TCP port on 127.0.0.1 that nothing listens on now.
spare_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Prints the code block that follows `<!-- recipe tested by tests/cluster/NAME -->`
# in docs/sweeps.md: the tests run what the page shows, so the two cannot drift.
recipe() {
  local page=$1 name=$2
  awk -v marker="<!-- recipe tested by tests/cluster/$name -->" '
    $0 == marker { found = 1; next }
    found == 1 && /^```/ { found = 2; next }
    found == 1 && NF { exit 1 }
    found == 2 && /^```/ { exit }
    found == 2 { print }
    END { if (found != 2) exit 1 }' "$page" ||
    { echo "no code block after <!-- recipe tested by tests/cluster/$name --> in $page" >&2; exit 1; }
}

# A folder laid out like the repository root, as the recipes expect: tools/,
# scenarios/ and build/release/spinel.
repository_like() {
  local folder=$1 root=$2 spinel=$3
  mkdir -p "$folder/build/release"
  ln -s "$root/tools" "$folder/tools"
  ln -s "$root/scenarios" "$folder/scenarios"
  ln -s "$spinel" "$folder/build/release/spinel"
}

# Polls COMMAND until it succeeds or SECONDS pass; says what it waited for on failure.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "gave up after ${seconds} s waiting for $what" >&2
      return 1
    fi
    sleep 0.2
  done
}
