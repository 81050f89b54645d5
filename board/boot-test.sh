#!/usr/bin/env bash
# boot-test.sh — boot a generic-x86_64 or rpi4 image in QEMU and check it comes up as a kiosk:
# the first frame, kiosk.service, the hardware watchdog where the VM has one, the factory
# content, a read-only root, RAM in use. (board/image-test.sh plays a whole kiosk life on the
# qemu-x86_64 image; this is the first boot of the real boards' images.)
#
# Usage: board/boot-test.sh BOARD IMAGE [TIMEOUT_SECONDS]     (make boot-test BOARD=…)
#
#   generic-x86_64  UEFI firmware (OVMF) → systemd-boot on the EFI partition → the kernel, with
#                   the disk on NVMe (as in a mini-PC), the ICH9 TCO watchdog of QEMU's q35
#                   (iTCO_wdt, as on Intel boards), a bochs display at the board's 1920x1080
#                   (64 MiB of video memory: two 1920x1080 buffers do not fit the default 16).
#   rpi4            QEMU 7.2 has no Raspberry Pi 4 machine, so the image's own arm64 kernel and
#                   initrd (the boot partition's vmlinuz and initrd.img, what the Pi firmware
#                   loads) boot on QEMU's "virt" machine (Cortex-A72, like the Pi 4's), the
#                   disk on virtio, a virtio-gpu display. This checks everything above the
#                   firmware: kernel, initramfs, root, systemd, udev, SDL on KMSDRM, the
#                   arm64 kiosk; not the GPU firmware, config.txt or the Pi's own drivers.
#                   The virt machine has no watchdog the arm64 kernel drives.
#
# The test runs on a sparse copy of the image. Only the copy's boot entry gets what the test
# reads: the serial console, the journal forwarded to it, kiosk.report=SECONDS.
# Prints "ok - image: …" / "not ok - image: …"; the first frame is kept as
# /tmp/kk-BOARD-first-frame.ppm (KK_IMAGE_SHOT).
set -u
BOARD=${1:?usage: boot-test.sh BOARD IMAGE [TIMEOUT]}
IMG=${2:?usage: boot-test.sh BOARD IMAGE [TIMEOUT]}
TIMEOUT=${3:-900}
HERE=$(cd "$(dirname "$0")" && pwd)
[ -r "$IMG" ] || { echo "not ok - image: no image $IMG (make image BOARD=$BOARD)"; exit 1; }
[ -r "$HERE/$BOARD/board.conf" ] || { echo "not ok - image: no board $BOARD"; exit 1; }
# shellcheck source=/dev/null
. "$HERE/$BOARD/board.conf"
SW=${BOARD_SCREEN_SIZE%x*} SH=${BOARD_SCREEN_SIZE#*x}
W=$(mktemp -d /tmp/kk-boottest-XXXXXX)
QPID=
# shellcheck source=board/qemu-lib.sh
. "$HERE/qemu-lib.sh"
cleanup() {
	[ -z "$QPID" ] || kill -9 "$QPID" 2>/dev/null
	wait 2>/dev/null
	cp "$W"/serial-1.log "${KK_IMAGE_LOG:-/tmp/kk-$BOARD-serial.log}" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
for t in mcopy python3 bc; do
	command -v "$t" >/dev/null || { fail "$t is missing (make deps)"; finish; }
done
accel=tcg
if [ "$BOARD_ARCH" = amd64 ] && [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; then accel=kvm; fi
slow=$([ "$accel" = kvm ] && echo 1 || echo 6)
[ "$BOARD_ARCH" = arm64 ] && slow=12 # arm64 on x86 under TCG: about twice as slow again
settle=$((20 * slow))
extra="console=ttyS0 systemd.journald.forward_to_console=1 kiosk.report=$settle"
[ "$BOARD_ARCH" = arm64 ] && extra="console=ttyAMA0 systemd.journald.forward_to_console=1 kiosk.report=$settle"
# quiet goes: the kernel's messages on the serial console are part of what the test keeps
extra="$extra loglevel=6"

cp --sparse=always "$IMG" "$W/disk.img" || { fail "copy $IMG"; finish; }
mt() { MTOOLS_SKIP_CHECK=1 "$@"; }
case "$BOARD" in
generic-x86_64)
	code=/usr/share/OVMF/OVMF_CODE_4M.fd vars=/usr/share/OVMF/OVMF_VARS_4M.fd
	[ -r "$code" ] || { fail "UEFI firmware $code (package ovmf)"; finish; }
	command -v qemu-system-x86_64 >/dev/null || { fail "qemu-system-x86_64 (package qemu-system-x86)"; finish; }
	cp "$vars" "$W/vars.fd"
	mt mcopy -n -i "$W/disk.img@@1M" ::/loader/entries/kiosk.conf "$W/entry" ||
		{ fail "the EFI partition holds loader/entries/kiosk.conf"; finish; }
	sed -i "s|^options .*|& $extra|" "$W/entry"
	mt mcopy -o -i "$W/disk.img@@1M" "$W/entry" ::/loader/entries/kiosk.conf
	qemu=(qemu-system-x86_64 -machine q35,accel="$accel" -m 1024 -smp 2
		-drive if=pflash,format=raw,readonly=on,file="$code" -drive if=pflash,format=raw,file="$W/vars.fd"
		-drive file="$W/disk.img",format=raw,if=none,id=disk -device nvme,drive=disk,serial=kiosk0
		-vga none -device bochs-display,xres="$SW",yres="$SH",vgamem=64M)
	watchdog=watchdog
	;;
rpi4)
	command -v qemu-system-aarch64 >/dev/null || { fail "qemu-system-aarch64 (package qemu-system-arm)"; finish; }
	mt mcopy -n -i "$W/disk.img@@1M" ::/vmlinuz ::/initrd.img ::/cmdline.txt ::/config.txt "$W/" ||
		{ fail "the boot partition holds vmlinuz, initrd.img, cmdline.txt, config.txt"; finish; }
	ls_boot=$(mt mdir -b -i "$W/disk.img@@1M" ::/ 2>/dev/null)
	for f in start4.elf fixup4.dat bcm2711-rpi-4-b.dtb bcm2711-rpi-400.dtb bcm2711-rpi-cm4-io.dtb; do
		echo "$ls_boot" | grep -q "/$f$" || fail "the boot partition holds the Pi 4 firmware's $f"
	done
	ok "the boot partition holds the Pi 4 firmware (start4.elf, fixup4.dat), device trees, config.txt"
	qemu=(qemu-system-aarch64 -machine virt -cpu cortex-a72 -m 1024 -smp 2
		-kernel "$W/vmlinuz" -initrd "$W/initrd.img" -append "$(cat "$W/cmdline.txt") $extra"
		-drive file="$W/disk.img",format=raw,if=virtio
		-device virtio-gpu-pci,xres="$SW",yres="$SH")
	watchdog=nowatchdog
	;;
*) fail "boot-test knows generic-x86_64 and rpi4 (qemu-x86_64: board/image-test.sh)"; finish ;;
esac

SER=$W/serial-1.log
T0=$(date +%s.%N)
"${qemu[@]}" -device qemu-xhci,id=xhci -device usb-tablet,bus=xhci.0 -nic none -display none \
	-monitor unix:"$W/mon.sock",server,nowait -serial file:"$SER" >"$W/qemu.log" 2>&1 &
QPID=$!
echo "# booting $BOARD ($IMG) with $accel, timeout ${TIMEOUT}s"
first_frame "$TIMEOUT" "${KK_IMAGE_SHOT:-/tmp/kk-$BOARD-first-frame.ppm}"
wait_log 'showing content' $((10 * slow))
boot_checks "$watchdog"
report_ram
grep -a 'kk-report watchdog' "$SER" | tail -1 | sed 's/.*kk-report /# /'
grep -a 'kiosk\[app\] info: display' "$SER" | tail -1 | sed 's/.*info: /# /'
power_cut
size=$(stat -c %s "$IMG")
used=$(du -k "$IMG" | cut -f1)
ok "image size $((size / 1048576)) MiB file, $((used / 1024)) MiB of blocks in use"
finish
