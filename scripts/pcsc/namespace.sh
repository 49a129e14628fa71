#!/usr/bin/env bash
# Runs inside `unshare -n` (see start.sh): loopback with quickack, pcscd, and a relay from
# a Unix socket outside the namespace to vpcd's TCP port inside it. MODE `shared` runs the
# same on the host's loopback, without touching its routes.
set -euo pipefail
DIR=$1
MODE=${2:-netns}
if [ "$MODE" = netns ]; then
  ip link set lo up
  # Quick ACKs on the local routes (the /8 and the more specific 127.0.0.1/32 the sockets
  # actually use): vpcd's two-write messages no longer wait for a delayed ACK.
  ip route change local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 table local quickack 1
  ip route change local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 table local quickack 1
fi
pcscd --foreground --error 2>&1 &
pcscd_pid=$!
trap 'kill $pcscd_pid ${relay_pid:-} 2>/dev/null; wait' EXIT INT TERM
# pcscd prints nothing at --error level; wait for its socket, then say so for start.sh.
for _ in $(seq 1 100); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.05; done
# One TCP connection to vpcd per client of the Unix socket: connect = card inserted.
node "$(dirname "$0")/relay.mjs" "$DIR/vpcd.sock" 127.0.0.1 35963 &
relay_pid=$!
for _ in $(seq 1 100); do [ -S "$DIR/vpcd.sock" ] && break; sleep 0.05; done
echo "pcsc stack: daemon ready"
wait
