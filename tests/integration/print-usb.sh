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
SUITE_NAME="$SUITE" timeout 120 umockdev-wrapper "$USBTEST" "$TMP/bed" >"$TMP/usb.out" 2>"$TMP/usb.err"
rc=$?
cat "$TMP/usb.out"
if [ "$rc" -eq 124 ]; then
	fail "usbtest finished in time (timed out)"
elif [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$TMP/usb.out"; then
	fail "usbtest exited $rc without reporting a failed check"
	sed 's/^/#   /' "$TMP/usb.err" | tail -20
fi
# the last line usbtest prints: nothing may pass by dying half-way
grep -q "^ok - .*every scenario ran to its end" "$TMP/usb.out" || fail "usbtest ran every scenario"
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/usb.err"; then
	grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' -A8 "$TMP/usb.err" | head -30 | sed 's/^/#   /'
	fail "no sanitizer report"
fi
FAILS=$((FAILS + $(grep -c '^not ok' "$TMP/usb.out")))

# The same transport against umockdev-run's stock replay of a usbmon capture (replay.pcap from
# make_testbed.py): umockdev itself compares every bulk OUT URB with the capture and completes
# it with the recorded status (-32 stall, -19 unplug). Control requests cannot be replayed this
# way in umockdev 0.17 (it matches a URB by endpoint and buffer length, and libusb's control
# URB, endpoint 0 with 8 + wLength bytes, never equals usbmon's record, endpoint 0x80 with
# wLength), so the listing times out on them and the printer is opened by VID:PID; the device
# ID path is covered above by the in-process handler.
SYSFS=/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1
SUITE_NAME="$SUITE" timeout 120 umockdev-run -d "$TMP/bed/replay.umockdev" -p "$SYSFS=$TMP/bed/replay.pcap" \
	-- "$USBTEST" --replay "$TMP/bed" >"$TMP/replay.out" 2>"$TMP/replay.err"
rc=$?
cat "$TMP/replay.out"
if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$TMP/replay.out"; then
	fail "usbtest --replay exited $rc without reporting a failed check"
	sed 's/^/#   /' "$TMP/replay.err" | tail -20
fi
grep -q "^ok - .*every scenario ran to its end" "$TMP/replay.out" || fail "usbtest --replay ran every scenario"
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/replay.err"; then
	grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' -A8 "$TMP/replay.err" | head -30 | sed 's/^/#   /'
	fail "no sanitizer report (replay)"
fi
FAILS=$((FAILS + $(grep -c '^not ok' "$TMP/replay.out")))
finish
