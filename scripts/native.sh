#!/usr/bin/env bash
# Builds the native npm packages the tests load (pcsclite for card readers, better-sqlite3 for
# the SQLite store). `npm install` skips every install script (.npmrc): the demo needs neither,
# and pcsclite cannot build before scripts/setup-system.sh has installed the PC/SC headers.
# Idempotent: a package whose addon already loads is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

loads() { node -e "require('$1')" >/dev/null 2>&1; }
# pcsclite's addon opens the PC/SC library at load; better-sqlite3's opens lazily, so ask it for a database.
loads_sqlite() { node -e "new (require('better-sqlite3'))(':memory:').close()" >/dev/null 2>&1; }

todo=()
loads pcsclite || todo+=(pcsclite)
loads_sqlite || todo+=(better-sqlite3)
[ ${#todo[@]} -eq 0 ] && exit 0
echo "native: building ${todo[*]}"
npm rebuild "${todo[@]}" --ignore-scripts=false --foreground-scripts=false >/dev/null
loads pcsclite || { echo "native: pcsclite still does not load" >&2; exit 1; }
loads_sqlite || { echo "native: better-sqlite3 still does not load" >&2; exit 1; }
