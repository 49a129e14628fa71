#!/usr/bin/env bash
# Installs and starts what the tests need outside npm, on a Debian 12 machine with only Node:
# a compiler for the native npm packages, the PC/SC stack, Chromium for the browser tests, and
# PostgreSQL on 127.0.0.1:5432 (trust auth, database `test`). Idempotent; quick when
# everything is already there.
set -euo pipefail

need_pkgs=()
# g++, make, python3: node-gyp builds pcsclite and better-sqlite3 (scripts/native.sh).
# postgresql-client: pg_isready and psql, used below even where the server is elsewhere.
for pkg in g++ make python3 pkg-config pcscd libpcsclite-dev vsmartcard-vpcd opensc yubico-piv-tool \
  iproute2 openssl chromium postgresql-client; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need_pkgs+=("$pkg")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-system: missing Debian packages (${need_pkgs[*]}); run as root or install them" >&2
    exit 1
  fi
  echo "setup-system: installing ${need_pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

# PostgreSQL on 127.0.0.1:5432 with trust auth and a database `test`. A machine that has no
# server gets Debian's, set to trust local connections (a test database on a test machine).
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && ! command -v pg_ctlcluster >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || { echo "setup-system: PostgreSQL is not installed; run as root" >&2; exit 1; }
  echo "setup-system: installing postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  for hba in /etc/postgresql/*/main/pg_hba.conf; do
    sed -i -E 's/^(local|host)(\s+all\s+all\s+.*)\s(peer|md5|scram-sha-256)\s*$/\1\2 trust/' "$hba"
    sed -i -E 's/^(local\s+all\s+postgres\s+)peer\s*$/\1trust/' "$hba"
  done
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 ||
    psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test'
else
  echo "setup-system: PostgreSQL is not reachable on 127.0.0.1:5432" >&2
  [ "${CI:-}" = "true" ] && exit 1
fi
