#!/usr/bin/env bash
# watchdog.sh — the kiosk under systemd's notify protocol (app/sdnotify.c, the UI loop's
# heartbeat): with NOTIFY_SOCKET and WATCHDOG_USEC set as systemd sets them for kiosk.service,
# the running kiosk (SDL's offscreen driver, no display needed) sends READY=1 after its first
# frame and WATCHDOG=1 at least every half interval. A real AF_UNIX datagram socket listens.
. "$(dirname "$0")/lib.sh"
DB="$TMP/sample.db"
"$KIOSKDB" build --src "$ROOT/offline-db/sample" --out "$DB" >/dev/null 2>&1 || fail "sample database builds"
python3 - "$KIOSK" "$DB" "$ROOT/assets/kiosk.conf" "$TMP/notify.sock" >"$TMP/msgs" 2>&1 <<'PY'
import os, socket, subprocess, sys, time
kiosk, db, conf, path = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.2)
env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="1000000", SDL_VIDEODRIVER="offscreen")
p = subprocess.Popen([kiosk, "--db", db, "--config", conf, "--window", "800x600"], env=env,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
t0 = time.time()
try:
    while time.time() - t0 < 4:
        try:
            print("%.2f %s" % (time.time() - t0, s.recv(256).decode()))
        except socket.timeout:
            pass
finally:
    p.terminate()
    p.wait(timeout=10)
PY
has "READY=1 once the first frame is up" "$TMP/msgs" "READY=1"
n=$(grep -c "WATCHDOG=1" "$TMP/msgs")
[ "$n" -ge 4 ] && ok "WATCHDOG=1 at least every half second for WATCHDOG_USEC=1000000 ($n in 4 s)" ||
	fail "WATCHDOG=1 at least every half second for WATCHDOG_USEC=1000000 (got $n in 4 s)"
finish
