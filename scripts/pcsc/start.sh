#!/usr/bin/env bash
# Starts the PC/SC stack careid's card tests drive: pcscd with vsmartcard's vpcd reader,
# inside a private network namespace whose loopback acknowledges at once (quickack).
# Debian's vpcd sends each message in two writes; with Nagle and delayed ACKs that costs
# ~49 ms per APDU on a normal loopback, under 1 ms here.
#
# Outside the namespace:
#   /run/pcscd/pcscd.comm       the pcscd socket (the client default; pcsc-lite 1.9.9's
#                               daemon does not honour PCSCLITE_CSOCK_NAME)
#   $DIR/vpcd.sock              a Unix socket relayed to vpcd's port 35963 (reader
#                               "Virtual PCD 00 00"): a virtual card connects here
# Idempotent: exits 0 at once when the stack is already up. Needs root (unshare -n).
# CAREID_PCSC_NETNS=0 (or no CAP_SYS_ADMIN) runs it on the shared loopback instead: slow.
# Stop it with scripts/pcsc/stop.sh.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${CAREID_PCSC_DIR:-/run/careid-pcsc}
PCSCD_DIR=/run/pcscd

is_up() {
  [ -f "$DIR/ns.pid" ] && kill -0 "$(cat "$DIR/ns.pid")" 2>/dev/null &&
    [ -S "$PCSCD_DIR/pcscd.comm" ] && [ -S "$DIR/vpcd.sock" ] &&
    grep -q 'daemon ready' "$DIR/stack.log" 2>/dev/null
}

if is_up; then
  echo "pcsc stack: already up (namespace pid $(cat "$DIR/ns.pid"))"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "pcsc stack: needs root (unshare -n, /run/pcscd)" >&2
  exit 1
fi
for cmd in unshare ip pcscd node setsid; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "pcsc stack: '$cmd' is not installed" >&2; exit 1; }
done
[ -f /usr/lib/pcsc/drivers/serial/libifdvpcd.so ] || {
  echo "pcsc stack: vsmartcard-vpcd is not installed" >&2
  exit 1
}

# A half-started stack of ours: clean it up first.
bash "$HERE/stop.sh" >/dev/null 2>&1 || true

# A pcscd that is not ours (Debian's, maybe socket-activated) owns /run/pcscd: stop it,
# the namespaced one must own the default socket.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl stop pcscd.socket pcscd.service >/dev/null 2>&1 || true
fi
if [ -f "$PCSCD_DIR/pcscd.pid" ]; then
  other=$(cat "$PCSCD_DIR/pcscd.pid")
  if [ -n "$other" ] && kill -0 "$other" 2>/dev/null; then
    echo "pcsc stack: stopping the pcscd already running (pid $other)"
    kill "$other" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$other" 2>/dev/null || break; sleep 0.1; done
  fi
fi
rm -f "$PCSCD_DIR/pcscd.pid" "$PCSCD_DIR/pcscd.comm"

mkdir -p "$DIR"
rm -f "$DIR/vpcd.sock" "$DIR/stack.log"
# setsid: the stack's processes form one process group that stop.sh ends.
if [ "${CAREID_PCSC_NETNS:-1}" != 0 ] && unshare -n true 2>/dev/null; then
  setsid unshare -n bash "$HERE/namespace.sh" "$DIR" netns >"$DIR/stack.log" 2>&1 </dev/null &
else
  # No CAP_SYS_ADMIN (an unprivileged container): same stack on the shared loopback. It
  # works, but each APDU then waits ~40 ms for a delayed ACK; the bench target will fail.
  echo "pcsc stack: no network namespace (CAREID_PCSC_NETNS=0 or unshare -n refused); using the shared loopback (slow)" >&2
  setsid bash "$HERE/namespace.sh" "$DIR" shared >"$DIR/stack.log" 2>&1 </dev/null &
fi
echo $! >"$DIR/ns.pid"

for _ in $(seq 1 100); do
  if is_up; then
    echo "pcsc stack: up (namespace pid $(cat "$DIR/ns.pid"))"
    exit 0
  fi
  kill -0 "$(cat "$DIR/ns.pid")" 2>/dev/null || break
  sleep 0.1
done
echo "pcsc stack: did not come up; log follows" >&2
cat "$DIR/stack.log" >&2 || true
bash "$HERE/stop.sh" >/dev/null 2>&1 || true
exit 1
