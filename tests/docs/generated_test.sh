#!/bin/bash
# CTest docs_generated: the generated blocks of the docs (<!-- generated: NAME -->:
# scenario keys, sweepable keys, output columns) must be what spinel-docgen makes
# of the code's tables now; on a difference it prints the diff and how to
# regenerate.
#   generated_test.sh DOCGEN DOCS_DIR WORK
set -euo pipefail
docgen=$1 docs=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cp -r "$docs" "$work/docs"
"$docgen" --write "$work/docs" >/dev/null
blocks=$(cat "$docs"/*.md | grep -c '^<!-- generated: ' || true)
if ! diff -ru "$docs" "$work/docs"; then
  echo "docs_generated: the generated sections of $docs differ from the tables in the code" \
    "(diff above: - committed, + generated); regenerate them with" >&2
  echo "  ./dev docs --regenerate" >&2
  echo "or: cmake --build --preset release --target spinel-docgen &&" \
    "build/release/spinel-docgen --write docs" >&2
  exit 1
fi
if [ "$blocks" -eq 0 ]; then
  echo "docs_generated: no generated block in $docs" >&2
  exit 1
fi
echo "docs_generated: $blocks generated blocks up to date"
