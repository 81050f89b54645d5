#!/usr/bin/env bash
# qemu-lib.sh — what board/image-test.sh and board/boot-test.sh share to watch a kiosk VM:
# the power switch, the QEMU monitor's screendump, and the serial console. Sourced, not run.
#
# The caller sets W (a scratch folder holding mon.sock, the QEMU monitor, and qemu.log), QPID
# (QEMU's pid), accel (kvm or tcg), T0 (power-on, date +%s.%N), SER (this boot's serial log)
# and settle (the kernel command line's kiosk.report=SECONDS: kiosk-report.service prints
# memory use then).
# Output lines are "ok - image: …" / "not ok - image: …" like the other suites.
FAILS=0
ok() { echo "ok - image: $1"; }
fail() { echo "not ok - image: $1"; FAILS=$((FAILS + 1)); }
finish() { exit $((FAILS > 0)); }
power_cut() { # power cut: no shutdown, no flush of the guest
	[ -z "$QPID" ] || kill -9 "$QPID" 2>/dev/null
	wait "$QPID" 2>/dev/null
	QPID=
}
elapsed() { echo "$(date +%s.%N) - $T0" | bc; }
# screendump PATH: prints the number of colours (sampled) of the picture, 0 when none
shot() {
	python3 - "$W/mon.sock" "$1" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1]); s.settimeout(2); s.recv(4096)
    s.sendall(b"screendump " + sys.argv[2].encode() + b"\n"); time.sleep(0.3); s.recv(4096)
    px = open(sys.argv[2], "rb").read().split(b"\n", 3)[3]
    print(len(set(px[i:i + 3] for i in range(0, len(px) - 2, 3 * 5))))
except (OSError, IndexError):
    print(0)
EOF
}
# wait_frame LIMIT: echoes seconds from power-on to the first kiosk frame, nothing on timeout
wait_frame() {
	local n
	while kill -0 "$QPID" 2>/dev/null && [ "$(echo "$(elapsed) < $1" | bc)" = 1 ]; do
		n=$(shot "$W/frame.ppm")
		if [ "$n" -gt 64 ]; then
			printf '%.1f' "$(elapsed)"
			return
		fi
		sleep 0.5
	done
}
# first_frame LIMIT SHOT: wait for the first kiosk frame, keep it as SHOT; on a timeout, show
# what QEMU and the serial console said, and end the test
first_frame() {
	first=$(wait_frame "$1")
	if [ -n "$first" ]; then
		ok "first frame of the kiosk after $first s from power-on ($accel)"
		cp "$W/frame.ppm" "$2" 2>/dev/null
	else
		fail "no kiosk frame within $1 s ($accel)"
		sed 's/^/#   /' "$W/qemu.log" 2>/dev/null
		grep -a 'kiosk\|Kernel panic\|ALERT\|Gave up' "$SER" | tail -15 | sed 's/^/#   /'
		finish
	fi
}
# wait_log REGEX LIMIT: wait until the serial log of this boot has a matching line
wait_log() {
	local end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -lt "$end" ]; do
		grep -aqE -- "$1" "$SER" 2>/dev/null && return 0
		kill -0 "$QPID" 2>/dev/null || return 1
		sleep 1
	done
	return 1
}
shown() { # the content the kiosk logged at its last start in this boot, as its document count
	# (the factory sample has 67, bundle 1.50 40, bundle 1.60 55)
	grep -a 'kiosk\[app\] info: showing content' "$SER" | tail -1 | sed -n 's/.*: \([0-9]*\) documents.*/\1/p'
}
# boot_checks watchdog|nowatchdog: what every first boot of a board image must show in its
# serial log: kiosk.service started, systemd feeding a hardware watchdog (when the VM has one),
# the factory content (the sample: 67 documents)
boot_checks() {
	local ks n
	ks=$(grep -a 'Starting kiosk.service' "$SER" | head -1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
	[ -n "$ks" ] && ok "kiosk.service started ${ks} s after the kernel (guest clock)" || fail "kiosk.service was started"
	if [ "$1" = watchdog ]; then
		grep -aq 'Using hardware watchdog' "$SER" && ok "systemd runs the hardware watchdog" || fail "systemd runs the hardware watchdog"
	fi
	n=$(shown)
	[ "$n" = 67 ] && ok "the kiosk shows the factory content (67 documents)" || fail "the kiosk shows the factory content (logged: ${n:-nothing})"
}
# report_ram: wait for kiosk-report (a loaded TCG guest runs behind our clock: up to 2x); then
# RAM in use, the root still mounted read-only, and the kiosk still running
report_ram() {
	local end mem
	end=$(echo "$T0 + $settle * 2 + 60" | bc)
	while [ "$(echo "$(date +%s.%N) < $end" | bc)" = 1 ] && ! grep -aq 'kk-report uptime' "$SER"; do sleep 1; done
	if ! grep -aq 'kk-report uptime' "$SER"; then
		fail "kiosk-report ran ${settle}s (guest clock) after power-on"
		return
	fi
	mem=$(grep -a 'kk-report mem used' "$SER" | tail -1 | sed 's/.*kk-report mem used //')
	ok "RAM in use ${settle}s (guest clock) after power-on: $mem (MemTotal - MemAvailable)"
	grep -aq 'kk-report root ro' "$SER" && ok "the root file system is mounted read-only" ||
		fail "the root file system is mounted read-only ($(grep -a 'kk-report root' "$SER" | tail -1))"
	grep -aq 'kk-report kiosk.service active' "$SER" && ok "kiosk.service is still active" ||
		fail "kiosk.service is still active ($(grep -a 'kk-report kiosk.service' "$SER" | tail -1))"
}
