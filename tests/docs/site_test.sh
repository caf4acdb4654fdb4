#!/bin/bash
# CTest docs_site: build the documentation site in strict mode (a link to a
# missing page, or a page missing from the nav, is an error), then check every
# link and anchor of the built pages and of the README (check_site.py).
#   site_test.sh MKDOCS ROOT OUTDIR     ROOT holds mkdocs.yml
set -euo pipefail
mkdocs=$1 root=$2 out=$3
if [ ! -x "$mkdocs" ]; then
  echo "docs_site: mkdocs not found (Debian package mkdocs; ./dev setup installs it)" >&2
  exit 1
fi
rm -rf "$out"
"$mkdocs" build --strict --quiet --config-file "$root/mkdocs.yml" --site-dir "$out/site"
exec /usr/bin/python3 "$(dirname "$0")/check_site.py" "$out/site" "$root"
