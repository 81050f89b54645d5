#!/usr/bin/env bash
# image-test.sh — boot the qemu-x86_64 image and wait for the kiosk's first frame.
#
# Usage: board/image-test.sh IMAGE [TIMEOUT_SECONDS]     (make image-test; needs qemu-system-x86)
#
# QEMU boots the image's own kernel and initrd (copied from its boot partition: the qemu board
# has no boot loader) on a copy of the disk, with a bochs display at 1280x800, an i6300esb
# watchdog, a USB tablet and an xHCI bus, no network, serial console to a log. KVM is used when
# /dev/kvm can run a stock kernel; otherwise software emulation (TCG), which is far slower: a
# machine whose /dev/kvm is PVM (kvm_pvm module: nested virtualisation that needs a PVM guest
# kernel) falls back to TCG. Every 0.5 s a QEMU monitor `screendump` is taken; the first frame
# is the first screen with more than 64 colours (the text console has at most 16; the kiosk's
# anti-aliased Chinese text has hundreds).
# Prints: accelerator, power-on to first frame, image size (file and blocks in use), RAM in use
# after boot (MemTotal - MemAvailable in the guest, printed by kiosk-report.service when the kernel command line
# has kiosk.report=SECONDS).
# Output lines are "ok - image: …" / "not ok - image: …" like the other suites.
set -u
IMG=${1:?usage: image-test.sh IMAGE [TIMEOUT]}
TIMEOUT=${2:-600}
[ -r "$IMG" ] || { echo "not ok - image: no image $IMG (make image BOARD=qemu-x86_64)"; exit 1; }
for t in qemu-system-x86_64 mcopy python3; do
	command -v "$t" >/dev/null || { echo "not ok - image: $t is missing (make deps)"; exit 1; }
done
W=$(mktemp -d /tmp/kk-imgtest-XXXXXX)
QPID=
cleanup() {
	[ -z "$QPID" ] || kill "$QPID" 2>/dev/null
	wait 2>/dev/null
	cp "$W/serial.log" "${KK_IMAGE_LOG:-/tmp/kk-image-serial.log}" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
FAILS=0
ok() { echo "ok - image: $1"; }
fail() { echo "not ok - image: $1"; FAILS=$((FAILS + 1)); }

MTOOLS_SKIP_CHECK=1 mcopy -n -i "$IMG@@1M" ::/vmlinuz ::/initrd.img ::/cmdline.txt "$W/" ||
	{ fail "the boot partition holds vmlinuz, initrd.img, cmdline.txt"; exit 1; }
cp --sparse=always "$IMG" "$W/disk.img"

accel=tcg
if [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; then accel=kvm; fi
[ -z "${KK_IMAGE_ACCEL:-}" ] || accel=$KK_IMAGE_ACCEL
# RAM in use once the kiosk has had time to start (guest seconds): kiosk-report.service
settle=$([ "$accel" = kvm ] && echo 20 || echo 150)
cmdline="$(cat "$W/cmdline.txt") systemd.journald.forward_to_console=1 kiosk.report=$settle"

t0=$(date +%s.%N)
qemu-system-x86_64 -machine q35,accel="$accel" -m 1024 -smp 2 \
	-kernel "$W/vmlinuz" -initrd "$W/initrd.img" -append "$cmdline" \
	-drive file="$W/disk.img",format=raw,if=virtio \
	-vga none -device bochs-display,xres=1280,yres=800 \
	-device i6300esb -device qemu-xhci -device usb-tablet -nic none \
	-display none -monitor unix:"$W/mon.sock",server,nowait -serial file:"$W/serial.log" \
	>"$W/qemu.log" 2>&1 &
QPID=$!
echo "# booting $IMG with $accel (timeout ${TIMEOUT}s)"

# screendump PATH through the monitor; prints the number of colours (capped) of the picture
shot() {
	python3 - "$W/mon.sock" "$1" <<'EOF'
import socket, sys, time, os
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError:
    print(0); sys.exit()
s.settimeout(2)
try:
    s.recv(4096)
    s.sendall(b"screendump " + sys.argv[2].encode() + b"\n")
    time.sleep(0.3)
    s.recv(4096)
except OSError:
    pass
try:
    d = open(sys.argv[2], "rb").read()
    px = d.split(b"\n", 3)[3]
    print(len(set(px[i:i + 3] for i in range(0, len(px) - 2, 3 * 5))))
except (OSError, IndexError):
    print(0)
EOF
}

first=
while :; do
	now=$(date +%s.%N)
	el=$(echo "$now - $t0" | bc)
	kill -0 "$QPID" 2>/dev/null || { fail "QEMU exited early: $(tail -3 "$W/qemu.log")"; break; }
	if [ "$(echo "$el > $TIMEOUT" | bc)" = 1 ]; then break; fi
	n=$(shot "$W/frame.ppm")
	if [ "$n" -gt 64 ]; then
		first=$el
		cp "$W/frame.ppm" "${KK_IMAGE_SHOT:-/tmp/kk-first-frame.ppm}" 2>/dev/null
		break
	fi
	sleep 0.5
done
if [ -n "$first" ]; then
	ok "first frame of the kiosk after $(printf '%.1f' "$first") s from power-on ($accel; $n+ colours; picture in ${KK_IMAGE_SHOT:-/tmp/kk-first-frame.ppm})"
else
	fail "no kiosk frame within ${TIMEOUT}s ($accel)"
	grep -a 'kiosk' "$W/serial.log" | tail -15 | sed 's/^/#   /'
fi
ks=$(grep -a 'Starting kiosk.service' "$W/serial.log" | head -1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
[ -z "$ks" ] && fail "kiosk.service was started" || ok "kiosk.service started ${ks} s after the kernel (guest clock, $accel)"
grep -aq 'Using hardware watchdog' "$W/serial.log" && ok "systemd runs the hardware watchdog" ||
	fail "systemd runs the hardware watchdog"
if grep -aq 'EXT4-fs (vda2).*mounted filesystem.*\(ro\|read-only\)' "$W/serial.log" ||
	! grep -aq 'EXT4-fs (vda2): re-mounted.*r/w' "$W/serial.log"; then
	ok "the root file system stays read-only"
else
	fail "the root file system stays read-only"
fi
# RAM after boot: wait for kiosk-report (a loaded TCG guest runs behind our clock: up to 2x)
end=$(echo "$t0 + $settle * 2 + 60" | bc)
while [ "$(echo "$(date +%s.%N) < $end" | bc)" = 1 ] && ! grep -aq 'kk-report uptime' "$W/serial.log"; do sleep 1; done
mem=$(grep -a 'kk-report mem used' "$W/serial.log" | tail -1 | sed 's/.*kk-report mem used //')
[ -n "$mem" ] && ok "RAM in use ${settle}s (guest clock) after power-on: $mem (MemTotal - MemAvailable)" || echo "# RAM in use: not reported"
grep -a 'kk-report' "$W/serial.log" | sed 's/^.*kk-report /# /' 
size=$(stat -c %s "$IMG")
used=$(du -k "$IMG" | cut -f1)
ok "image size $((size / 1048576)) MiB file, $((used / 1024)) MiB of blocks in use"
exit $((FAILS > 0))
