#!/usr/bin/env bash
# image-test.sh — the qemu-x86_64 image the way a technician, staff and a power cut meet it.
#
# Usage: board/image-test.sh IMAGE [TIMEOUT_SECONDS]   (make image-test; root: losetup, mount)
#   KK_IMAGE_CUTS=N   random power cuts after the update (default 2)
#   KK_IMAGE_QUICK=1  only the first boot: first frame, figures (no stick, no cuts)
#
# 1. Provisioning: a root key pair and a staff PIN are made with kioskdb, a site.conf names
#    them, and flash.sh (the technician's command) writes IMAGE to a 2 GiB loop device and
#    provisions it: the VM boots that disk.
# 2. First boot with a virtual USB stick (usb-storage on xHCI, FAT) holding a signed bundle of
#    new content in kiosk-update/. The test waits for the kiosk's first frame (QEMU monitor
#    screendump: the first screen with more than 64 colours; the console has at most 16),
#    for the staff panel (the kiosk's journal on the serial console), types the PIN on the
#    VM's keyboard (QMP send-key), waits for "APPLIED", and closes the result with 好的 touched
#    through QMP input events on the USB tablet.
# 3. A second stick with a newer bundle; the VM is killed (no shutdown) at a random moment
#    while that bundle is being applied; then N more cuts at random moments of a boot.
# 4. A last boot must show exactly the old or the new content: the version the kiosk logs is
#    one of the two bundles, and on the host `kiosk --sync-status` and PRAGMA integrity_check
#    pass on the data partition.
# Prints: accelerator, power-on to first frame, image size, RAM in use after boot. KVM is used
# when /dev/kvm can run a stock kernel; a machine whose /dev/kvm is PVM (kvm_pvm: nested
# virtualisation that needs a PVM guest kernel) falls back to TCG, which is far slower.
# Output lines are "ok - image: …" / "not ok - image: …" like the other suites.
set -u
IMG=${1:?usage: image-test.sh IMAGE [TIMEOUT]}
TIMEOUT=${2:-600}
CUTS=${KK_IMAGE_CUTS:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${KK_BUILD:-$ROOT/build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
KIOSK=$BUILD/kiosk
KIOSKDB=$BUILD/kioskdb
SW=1280 SH=800 # the board's panel (board.conf BOARD_SCREEN_SIZE)
[ -r "$IMG" ] || { echo "not ok - image: no image $IMG (make image BOARD=qemu-x86_64)"; exit 1; }
for t in qemu-system-x86_64 mcopy mmd mkfs.vfat python3 losetup sfdisk sqlite3; do
	command -v "$t" >/dev/null || { echo "not ok - image: $t is missing (make deps)"; exit 1; }
done
[ -x "$KIOSK" ] && [ -x "$KIOSKDB" ] || { echo "not ok - image: build $KIOSK and $KIOSKDB first (make)"; exit 1; }
W=$(mktemp -d /tmp/kk-imgtest-XXXXXX)
QPID= LOOP=
# shellcheck source=board/qemu-lib.sh
. "$HERE/qemu-lib.sh"
cleanup() {
	[ -z "$QPID" ] || kill -9 "$QPID" 2>/dev/null
	wait 2>/dev/null
	mountpoint -q "$W/mnt" 2>/dev/null && umount "$W/mnt"
	[ -z "$LOOP" ] || losetup -d "$LOOP" 2>/dev/null
	cat "$W"/serial-*.log >"${KK_IMAGE_LOG:-/tmp/kk-image-serial.log}" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

MTOOLS_SKIP_CHECK=1 mcopy -n -i "$IMG@@1M" ::/vmlinuz ::/initrd.img ::/cmdline.txt "$W/" ||
	{ fail "the boot partition holds vmlinuz, initrd.img, cmdline.txt"; finish; }
accel=tcg
if [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; then accel=kvm; fi
[ -z "${KK_IMAGE_ACCEL:-}" ] || accel=$KK_IMAGE_ACCEL
slow=$([ "$accel" = kvm ] && echo 1 || echo 6) # TCG runs a boot about 6x slower
settle=$((20 * slow))                          # RAM in use: kiosk-report after this (guest s)

# --- 1. provisioning with flash.sh -------------------------------------------------------------
PIN=2468
"$KIOSKDB" keygen --out "$W/root" >/dev/null || { fail "kioskdb keygen"; finish; }
hash=$(echo "$PIN" | "$KIOSKDB" pin-hash | sed -n 's/^staff_pin_hash = //p')
cat >"$W/site.conf" <<EOF
site_name = 镜像测试县政务服务中心
kiosk_id = qemu-image-test
trusted_key = $(sed -n 2p "$W/root.pub")
staff_pin_hash = $hash
printer = none
EOF
truncate -s 2G "$W/disk.img"
LOOP=$(losetup -f --show "$W/disk.img") || { fail "losetup for the virtual disk"; finish; }
if KK_FLASH_ALLOW_LOOP=1 KK_BUILD="$BUILD" "$ROOT/flash.sh" --board qemu-x86_64 --image "$IMG" \
	--site "$W/site.conf" --yes "$LOOP" >"$W/flash.log" 2>&1; then
	ok "flash.sh wrote, verified and provisioned the virtual disk ($(grep -c . "$W/flash.log") lines of progress)"
else
	fail "flash.sh wrote and provisioned the virtual disk"
	tail -15 "$W/flash.log" | sed 's/^/#   /'
	finish
fi
losetup -d "$LOOP"
LOOP=
# data partition offset and size (bytes), for checks on the host between boots
read -r DOFF DSIZE < <(sfdisk -J "$W/disk.img" | python3 -c '
import json, sys
for p in json.load(sys.stdin)["partitiontable"]["partitions"]:
    if p.get("name") == "kiosk-data": print(p["start"] * 512, p["size"] * 512)')

# --- 2. bundles on sticks ----------------------------------------------------------------------
mkbundle() { # SEED DOCS SEQ OUTDIR: a content database and its signed full bundle
	"$KIOSKDB" gen --out "$W/gen$1" --documents "$2" --guides 6 --seed "$1" >/dev/null 2>&1 &&
		"$KIOSKDB" build --src "$W/gen$1" --out "$W/c$1.db" >/dev/null 2>&1 &&
		"$KIOSKDB" bundle --db "$W/c$1.db" --key "$W/root.key" --out "$4" --epoch 1 --seq "$3" >/dev/null 2>&1
}
mkstick() { # BUNDLE_DIR IMAGE LABEL: a FAT stick with the bundle in kiosk-update/
	truncate -s 64M "$2" && mkfs.vfat -n "$3" "$2" >/dev/null && MTOOLS_SKIP_CHECK=1 mmd -i "$2" ::/kiosk-update &&
		MTOOLS_SKIP_CHECK=1 mcopy -i "$2" "$1"/* ::/kiosk-update/
}
mkbundle 11 40 50 "$W/b1" && mkstick "$W/b1" "$W/stick1.img" UPDATE1 && mkbundle 12 55 60 "$W/b2" &&
	mkstick "$W/b2" "$W/stick2.img" UPDATE2 || { fail "bundles and stick images"; finish; }
ok "two signed bundles (1.50: 40 documents, 1.60: 55 documents) on FAT stick images"

# where the keypad keys and the 好的 button are at SWxSH: the same kiosk, headless, same layout
mkdir -p "$W/layout/usb/STICK" "$W/layout/data"
cp -r "$W/b1" "$W/layout/usb/STICK/kiosk-update"
printf 'site_name = 测试\ndata_dir = %s\nprinter = none\nsync_usb_root = %s\nsync_pubkey = %s\nstaff_pin_hash = %s\n' \
	"$W/layout/data" "$W/layout/usb" "$W/root.pub" "$hash" >"$W/layout/k.conf"
printf 'shot pad\n' >"$W/layout/s0"
"$KIOSK" --config "$W/layout/k.conf" --headless --size "${SW}x$SH" --script "$W/layout/s0" --shots "$W/layout/shots" >/dev/null 2>&1
printf 'shot pad\ntap %s\nshot one\nkey Backspace\ntype %s\nkey Return\nshot result\n' \
	"$(awk 'NR == 2 { print int($1 + $3 / 2), int($2 + $4 / 2) }' "$W/layout/shots/pad.hits" 2>/dev/null)" "$PIN" >"$W/layout/s"
rm -rf "$W/layout/data" && mkdir -p "$W/layout/data"
"$KIOSK" --config "$W/layout/k.conf" --headless --size "${SW}x$SH" --script "$W/layout/s" --shots "$W/layout/shots" >/dev/null 2>&1
# the PIN field: the line of dots after one digit (y, size), and the keypad's left and right edges
read -r DOT_Y DOT_H < <(awk -F'\t' '$2 ~ /●/ { split($1, a, " "); print a[1], a[2] }' "$W/layout/shots/one.txt")
# 好的 on the result panel
OK_XY=$(awk 'NR == 2 { print int($1 + $3 / 2), int($2 + $4 / 2) }' "$W/layout/shots/result.hits" 2>/dev/null)
read -r DOT_X0 DOT_X1 < <(awk 'NR == 2 { x0 = $1 } NR == 4 { x1 = $1 + $3 } END { print x0, x1 }' "$W/layout/shots/pad.hits")
# keypad rects in order: 1 2 3 / 4 5 6 / 7 8 9 / 删除 0 确定 (rows 2-13 of the hits file)
key() { # KEY -> "x y" centre
	local n
	case "$1" in [1-9]) n=$(($1 + 1)) ;; 0) n=12 ;; ok) n=13 ;; esac
	awk -v n="$n" 'NR == n { print int($1 + $3 / 2), int($2 + $4 / 2) }' "$W/layout/shots/pad.hits"
}
[ "$(wc -l <"$W/layout/shots/pad.hits" 2>/dev/null || echo 0)" -ge 13 ] && [ -n "${DOT_H:-}" ] ||
	{ fail "the keypad layout at ${SW}x$SH (headless kiosk)"; finish; }

# --- QEMU ----------------------------------------------------------------------------------------
BOOT=0
boot() { # [STICK_IMAGE]: power on; serial log $W/serial-$BOOT.log
	BOOT=$((BOOT + 1))
	local stick=()
	[ -z "${1:-}" ] || stick=(-drive if=none,id=stick,format=raw,file="$1" -device usb-storage,bus=xhci.0,drive=stick)
	SER=$W/serial-$BOOT.log
	rm -f "$W/mon.sock" "$W/qmp.sock"
	T0=$(date +%s.%N)
	qemu-system-x86_64 -machine q35,accel="$accel" -m 1024 -smp 2 \
		-kernel "$W/vmlinuz" -initrd "$W/initrd.img" \
		-append "$(cat "$W/cmdline.txt") systemd.journald.forward_to_console=1 kiosk.report=$settle" \
		-drive file="$W/disk.img",format=raw,if=virtio \
		-vga none -device bochs-display,xres=$SW,yres=$SH \
		-device i6300esb -device qemu-xhci,id=xhci -device usb-tablet,bus=xhci.0 "${stick[@]}" -nic none \
		-display none -monitor unix:"$W/mon.sock",server,nowait -qmp unix:"$W/qmp.sock",server,nowait \
		-serial file:"$SER" >"$W/qemu.log" 2>&1 &
	QPID=$!
}
# qmp MODE ARGS...: input through QEMU's QMP socket, one python for both kinds
#   qmp tap X Y [X Y ...]  touches on the USB tablet. Its axes run 0..32767, but SDL 2.26's evdev
#                          input passes an absolute pointer's values on as pixels (touchscreens,
#                          ABS_MT, are scaled; absolute mice are not): the values are pixels.
#   qmp keys KEY...        key presses on the VM's keyboard (QEMU qcodes: 0-9, ret, backspace)
qmp() {
	python3 - "$W/qmp.sock" "$SW" "$SH" "$slow" "$@" <<'EOF'
import json, socket, sys, time
sock, w, h, slow, mode, args = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6:]
s = socket.socket(socket.AF_UNIX); s.connect(sock); f = s.makefile("rw")
def cmd(c):
    f.write(json.dumps(c) + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            return r
f.readline()
cmd({"execute": "qmp_capabilities"})
def ev(*events):
    cmd({"execute": "input-send-event", "arguments": {"events": list(events)}})
if mode == "keys":
    for k in args:
        cmd({"execute": "send-key", "arguments": {"keys": [{"type": "qcode", "data": k}], "hold-time": 100}})
        time.sleep(0.3 * slow)
pts = [int(v) for v in args] if mode == "tap" else []
for i in range(0, len(pts) - 1, 2):
    x, y = min(pts[i], w - 1), min(pts[i + 1], h - 1)
    ev({"type": "abs", "data": {"axis": "x", "value": x}}, {"type": "abs", "data": {"axis": "y", "value": y}})
    time.sleep(0.15 * slow)
    ev({"type": "btn", "data": {"down": True, "button": "left"}})
    time.sleep(0.15 * slow)
    ev({"type": "btn", "data": {"down": False, "button": "left"}})
    time.sleep(0.5 * slow)
EOF
}
tap() { qmp tap "$@"; }
keys() { qmp keys "$@"; }
# dots: how many dots the PIN field shows now (dark runs across the field's rows)
dots() {
	shot "$W/pin.ppm" >/dev/null
	python3 - "$W/pin.ppm" "$DOT_Y" "$DOT_H" "$DOT_X0" "$DOT_X1" <<'EOF'
import sys
parts = open(sys.argv[1], "rb").read().split(b"\n", 3)
w, px = int(parts[1].split()[0]), parts[3]
y0, hgt, x0, x1 = (int(v) for v in sys.argv[2:6])
best = 0
for y in range(y0, y0 + hgt * 2):
    runs, dark = 0, False
    for x in range(x0, x1):
        o = (y * w + x) * 3
        k = px[o] < 90 and px[o + 1] < 90 and px[o + 2] < 90
        runs += k and not dark
        dark = k
    best = max(best, runs)
print(best)
EOF
}
# staff type the PIN: on a USB keyboard (the panel takes digits, Backspace and Return), since
# touches from QEMU's USB tablet are now and then lost under emulation; the dots are counted on
# the screen before Return, as a person would look
pin_and_apply() {
	local n
	# shellcheck disable=SC2046
	keys $(echo "$PIN" | sed 's/./& /g')
	sleep "$slow"
	PIN_DOTS=$(dots)
	[ "$PIN_DOTS" = "${#PIN}" ] || echo "# the PIN field shows $PIN_DOTS dots for ${#PIN} digits"
	keys ret
	wait_log 'staff PIN accepted|wrong staff PIN' $((20 * slow)) && grep -aq 'staff PIN accepted' "$SER"
}

# --- 3. first boot: first frame, staff panel, PIN, update applied -------------------------------
boot "$W/stick1.img"
echo "# booting $IMG with $accel (timeout ${TIMEOUT}s), a stick with bundle 1.50 inserted"
first_frame "$TIMEOUT" "${KK_IMAGE_SHOT:-/tmp/kk-first-frame.ppm}"
boot_checks watchdog
if [ "${KK_IMAGE_QUICK:-0}" != 1 ]; then
	if wait_log 'kiosk\[sync\] info: update stick found' $((30 * slow)); then
		ok "the stick was mounted (udev, read-only) and the kiosk offers it to staff"
		sleep $((2 * slow))
		if pin_and_apply; then
			ok "the staff PIN typed on the keyboard is accepted (${PIN_DOTS:-?} dots were shown)"
		else
			fail "the staff PIN typed on the keyboard is accepted"
			grep -a 'kiosk\[' "$SER" | tail -8 | sed 's/^/#   /'
		fi
		if wait_log 'stick .*: APPLIED' $((60 * slow)); then
			ok "bundle 1.50 applied from the stick: $(grep -a 'stick .*: APPLIED' "$SER" | tail -1 | sed 's/.*APPLIED — //')"
		else
			fail "bundle 1.50 applied from the stick"
			grep -a 'kiosk\[sync\]' "$SER" | tail -8 | sed 's/^/#   /'
		fi
		sleep $((2 * slow))
		shot "$W/result.ppm" >/dev/null
		cmp -s "$W/frame.ppm" "$W/result.ppm" && fail "the result panel shows after the update" ||
			ok "the result panel shows after the update"
		# 好的 by touch (USB tablet); a touch lost under emulation is repeated, as a person would
		for try in 1 2 3; do
			# shellcheck disable=SC2086
			tap $OK_XY
			sleep $((2 * slow))
			shot "$W/home.ppm" >/dev/null
			cmp -s "$W/result.ppm" "$W/home.ppm" || break
		done
		if cmp -s "$W/result.ppm" "$W/home.ppm" || cmp -s "$W/frame.ppm" "$W/home.ppm"; then
			fail "好的 (touch) closes the panel onto the new content"
		else
			ok "好的 (touch, $try tap(s)) closes the panel onto the new content"
			cp "$W/home.ppm" "${KK_IMAGE_SHOT_UPDATED:-/tmp/kk-updated-frame.ppm}" 2>/dev/null
		fi
	else
		fail "the kiosk offers the stick to staff"
		grep -a 'kiosk-usb\|kiosk\[sync\]' "$SER" | tail -8 | sed 's/^/#   /'
	fi
fi
report_ram
power_cut

if [ "${KK_IMAGE_QUICK:-0}" != 1 ]; then
	# --- 4. power cuts ------------------------------------------------------------------------
	boot "$W/stick2.img"
	if [ -n "$(wait_frame "$TIMEOUT")" ] && wait_log 'update stick found' $((30 * slow)); then
		new1=$(shown)
		[ "$new1" = 40 ] && ok "after a power cut the kiosk comes back on 1.50 (40 documents)" ||
			fail "after a power cut the kiosk comes back on 1.50 (shows ${new1:-nothing} documents)"
		sleep $((2 * slow))
		pin_and_apply || fail "the PIN for bundle 1.60 is accepted"
		sleep "$(awk -v s="$slow" -v r="$RANDOM" 'BEGIN { printf "%.1f", (r % 100) / 100 * 3 * s }')"
		power_cut
		ok "power cut while bundle 1.60 was being applied"
	else
		fail "second boot with bundle 1.60 on a stick"
		power_cut
	fi
	for i in $(seq 1 "$CUTS"); do
		boot
		at=$(awk -v s="$slow" -v r="$RANDOM" 'BEGIN { printf "%.1f", 1 + (r % 1000) / 1000 * 12 * s }')
		sleep "$at"
		power_cut
		ok "power cut $i at ${at}s after power-on"
	done
	# --- 5. the last boot: exactly old or new content ------------------------------------------
	boot
	last=$(wait_frame "$TIMEOUT")
	wait_log 'showing content' 30
	v=$(shown)
	case "$v" in
	40 | 55) ok "after the cuts the kiosk shows a whole version: $([ "$v" = 40 ] && echo 1.50 || echo 1.60) ($v documents; first frame after ${last:-?} s)" ;;
	*) fail "after the cuts the kiosk shows 1.50 or 1.60 (shows ${v:-nothing} documents; first frame ${last:-none})" ;;
	esac
	power_cut
	mkdir -p "$W/mnt"
	if mount -o loop,offset="$DOFF",sizelimit="$DSIZE" "$W/disk.img" "$W/mnt"; then
		if "$KIOSK" --data "$W/mnt" --sync-status >"$W/status" 2>/dev/null; then
			ok "on the host, kiosk --sync-status: $(grep -m1 '^active' "$W/status")"
		else
			fail "on the host: kiosk --sync-status"
			sed 's/^/#   /' "$W/status"
		fi
		act=$(cat "$W/mnt/active" 2>/dev/null)
		r=$(sqlite3 "file:$W/mnt/slots/$act/content.db?immutable=1" 'PRAGMA integrity_check' 2>&1)
		[ "$r" = ok ] && ok "PRAGMA integrity_check of the active slot ($act): ok" || fail "integrity_check of slot $act: $r"
		umount "$W/mnt"
	else
		fail "mount the data partition on the host"
	fi
fi
size=$(stat -c %s "$IMG")
used=$(du -k "$IMG" | cut -f1)
ok "image size $((size / 1048576)) MiB file, $((used / 1024)) MiB of blocks in use"
finish
