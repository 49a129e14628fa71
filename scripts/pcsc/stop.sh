#!/usr/bin/env bash
# Stops the stack start.sh started (its process group only). Idempotent.
set -uo pipefail
DIR=${CAREID_PCSC_DIR:-/run/careid-pcsc}
[ -f "$DIR/ns.pid" ] || exit 0
pid=$(cat "$DIR/ns.pid")
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
fi
rm -f "$DIR/ns.pid" "$DIR/vpcd.sock"
# pcscd removes its socket and pid file on a clean exit; after a KILL they linger.
if [ -f /run/pcscd/pcscd.pid ] && ! kill -0 "$(cat /run/pcscd/pcscd.pid)" 2>/dev/null; then
  rm -f /run/pcscd/pcscd.pid /run/pcscd/pcscd.comm
fi
echo "pcsc stack: stopped"
