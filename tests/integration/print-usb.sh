#!/usr/bin/env bash
# print-usb.sh — the USB printer transport (firmware/print/usb.c) through the real libusb,
# against fake printers under umockdev: tests/usb/make_testbed.py writes the sysfs of a root
# hub, an HP LaserJet 1300 (PCL) and an HP laser with IPP-over-USB, plus a Pantum plugged in
# later; BUILD/tests/usbtest (tests/usb/usbtest.c) builds the testbed in-process, plays the
# printers' firmware in a usbfs ioctl handler and prints one line per check: listing, device
# IDs, language choice, a PCL job compared byte for byte, port status, stall, timeout,
# IPP-over-USB read/write, unplug mid-job, hotplug. umockdev-wrapper preloads libumockdev.
# Then a second run against umockdev-run's own replay of a usbmon capture (see below).
. "$(dirname "$0")/lib.sh"

USBTEST="$BUILD/tests/usbtest"
if [ ! -x "$USBTEST" ]; then
	fail "usbtest is built ($USBTEST; make $USBTEST)"
	finish
fi
if ! command -v umockdev-wrapper >/dev/null; then
	fail "umockdev-wrapper is installed (Debian package umockdev)"
	finish
fi
check "make_testbed.py writes the fake bus" python3 "$ROOT/tests/usb/make_testbed.py" "$TMP/bed"

# The ASan build: libumockdev-preload comes before libasan in the preload order, which ASan
# would otherwise refuse.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# run_usbtest NAME COMMAND...: run one usbtest mode; its "ok"/"not ok" lines count, and so
# does a time-out, a crash, a sanitizer report, or a run that stops before its last line.
run_usbtest() {
	local name=$1 rc
	shift
	SUITE_NAME="$SUITE" timeout 120 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
	cat "$TMP/$name.out"
	if [ "$rc" -eq 124 ]; then
		fail "$name: finished in time (timed out)"
	elif [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$TMP/$name.out"; then
		fail "$name: exited $rc without reporting a failed check"
		sed 's/^/#   /' "$TMP/$name.err" | tail -20
	fi
	grep -q "^ok - .*every scenario ran to its end" "$TMP/$name.out" || fail "$name: ran every scenario"
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/$name.err"; then
		grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' -A8 "$TMP/$name.err" | head -30 | sed 's/^/#   /'
		fail "$name: no sanitizer report"
	fi
	FAILS=$((FAILS + $(grep -c '^not ok' "$TMP/$name.out")))
}

run_usbtest usbtest umockdev-wrapper "$USBTEST" "$TMP/bed"

# The same transport against umockdev-run's stock replay of a usbmon capture (replay.pcap from
# make_testbed.py): umockdev itself compares every bulk OUT URB with the capture and completes
# it with the recorded status (-32 stall, -19 unplug). Control requests cannot be replayed this
# way in umockdev 0.17 (it matches a URB by endpoint and buffer length, and libusb's control
# URB, endpoint 0 with 8 + wLength bytes, never equals usbmon's record, endpoint 0x80 with
# wLength), so the listing times out on them and the printer is opened by VID:PID; the device
# ID path is covered above by the in-process handler.
SYSFS=/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1
run_usbtest replay umockdev-run -d "$TMP/bed/replay.umockdev" -p "$SYSFS=$TMP/bed/replay.pcap" \
	-- "$USBTEST" --replay "$TMP/bed"
finish
