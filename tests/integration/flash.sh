#!/usr/bin/env bash
# flash.sh — the technicians' flash.sh against loop devices that stand in for an SD card: a
# small kiosk image made with the image builder's own layout code (board/mkdisk.sh: GPT,
# kiosk-boot FAT, kiosk-root ext4, kiosk-data ext4) is written to a 48 MiB loop device.
# Checks: refusals happen before anything is written (a non-removable disk, a loop device
# without the test override, a mounted target, a bad site.conf, a wrong board, a layout
# that does not match for --keep-data, no confirmation); --dry-run writes nothing; a write is
# read back and verified, and a flipped byte (test hook KK_FLASH_TEST_CORRUPT_AT) is caught;
# provisioning writes kiosk.conf (accepted by kiosk --check-config) and trusted keys that the
# stock minisign accepts; the data partition grows to the disk; --keep-data keeps a marker.
# Needs root (loop devices, mount). Everything made here is undone in the EXIT trap.
. "$(dirname "$0")/lib.sh"
FLASH="$ROOT/flash.sh"
MKDISK="$ROOT/board/mkdisk.sh"

if [ "$(id -u)" != 0 ]; then
	echo "# skipped: flash.sh tests need root (loop devices and mount)"
	finish
fi
for t in losetup sfdisk mkfs.vfat mcopy mkfs.ext4 minisign; do
	command -v "$t" >/dev/null || { fail "tool $t is installed (make deps)"; finish; }
done

LOOP= MNT="$TMP/mnt"
mkdir -p "$MNT"
cleanup() {
	mountpoint -q "$MNT" && umount "$MNT"
	if [ -n "$LOOP" ]; then
		# loop devices stacked on ours (offset mounts of its partitions), then ours
		for l in /sys/block/loop*/loop/backing_file; do
			[ -r "$l" ] && [ "$(cat "$l")" = "$LOOP" ] || continue
			l=${l#/sys/block/}; l=/dev/${l%%/*}
			umount "$l" 2>/dev/null; losetup -d "$l"
		done
		losetup -d "$LOOP"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# --- fixtures: two images of the same layout (v1, v2), one of another layout, a site.conf ----
mkdir -p "$TMP"/{boot,root1,root2,data}
echo qemu-x86_64 >"$TMP/boot/kiosk-board.txt"
echo "release 1" >"$TMP/root1/release"
echo "release 2" >"$TMP/root2/release"
echo "factory content" >"$TMP/data/content.db"
check "mkdisk makes image v1" bash "$MKDISK" "$TMP/v1.img" qemu-x86_64 4 8 8 "$TMP/boot" "$TMP/root1" "$TMP/data"
check "mkdisk makes image v2 (same layout)" bash "$MKDISK" "$TMP/v2.img" qemu-x86_64 4 8 8 "$TMP/boot" "$TMP/root2" "$TMP/data"
check "mkdisk makes an image of another layout" bash "$MKDISK" "$TMP/other.img" qemu-x86_64 4 12 8 "$TMP/boot" "$TMP/root2" "$TMP/data"
has "the image has the three kiosk partitions" <(sfdisk -d "$TMP/v1.img") \
	'name="kiosk-boot".*|name="kiosk-data"'
truncate -s 48M "$TMP/card"
LOOP=$(losetup -fP --show "$TMP/card") || { fail "losetup -fP"; finish; }
ok "a 48 MiB loop device $LOOP stands in for an SD card"

"$KIOSKDB" keygen --out "$TMP/k" >/dev/null 2>&1 || minisign -G -W -p "$TMP/k.pub" -s "$TMP/k.key" >/dev/null
KEY=$(sed -n 2p "$TMP/k.pub")
cat >"$TMP/site.conf" <<EOF
# site.conf of a test kiosk
site_name = 示例县政务服务中心政府信息公开查阅点
kiosk_id = shili-zwfw-01
sync_url = https://updates.example.gov.cn/zwgk/shili
trusted_key = $KEY
staff_pin_hash = \$argon2id\$v=19\$m=65536,t=2,p=1\$c29tZXNhbHRzb21lc2FsdA\$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo0NTY3ODk
printer = usb://03f0:2b17
open_hours = 08:30-17:30
open_days = mon-fri
EOF

cardsum() { sha256sum <"$TMP/card" | cut -c1-64; }
# range_sum FILE START SIZE (sectors)
range_sum() { dd if="$1" bs=512 skip="$2" count="$3" status=none | sha256sum | cut -c1-64; }
# data_mount: mount the card's partition 3 (by its offset: the kernel may lack partition tables)
data_mount() {
	local s z
	read -r s z <<<"$(sfdisk -d "$LOOP" | awk '/name="kiosk-data"/ { gsub(/,/, ""); print $4, $6 }')"
	mount -o loop,offset=$((s * 512)),sizelimit=$((z * 512)) "$LOOP" "$MNT"
}
flash() { KK_FLASH_ALLOW_LOOP=1 "$FLASH" --board qemu-x86_64 --image "$TMP/v1.img" "$@"; }

# --- usage ------------------------------------------------------------------------------------
check_exit "--help" 0 "$FLASH" --help
has "--help names every option" "$TMP/out" '--board BOARD .*--site .*--keep-data.*--dry-run'
check_exit "no device is a usage error" 2 "$FLASH" --board qemu-x86_64
check_exit "an unknown board is a usage error" 2 "$FLASH" --board vax "$LOOP"
check_exit "a missing image is refused" 1 "$FLASH" --board qemu-x86_64 --image "$TMP/none.img" --yes "$LOOP"
has "  ... saying how to make one" "$TMP/out" 'make image BOARD=qemu-x86_64'

# --- refusals before anything is written -----------------------------------------------------
sum0=$(cardsum)
# a fixed disk of this machine (removable = 0, not a loop device): the root file system's disk
sysdisk=
for b in /sys/block/*; do
	n=${b##*/}
	case "$n" in loop* | ram* | zram*) continue ;; esac
	[ "$(cat "$b/removable")" = 0 ] && [ "$(lsblk -dno HOTPLUG "/dev/$n" | tr -d ' ')" != 1 ] && { sysdisk=/dev/$n; break; }
done
if [ -n "$sysdisk" ]; then
	before=$(dd if="$sysdisk" bs=1M count=1 status=none 2>/dev/null | sha256sum)
	check_exit "refuses the fixed disk $sysdisk (even with the loop override set)" 1 \
		env KK_FLASH_ALLOW_LOOP=1 "$FLASH" --board qemu-x86_64 --image "$TMP/v1.img" --yes "$sysdisk"
	has "  ... in Chinese" "$TMP/out" "错误：$sysdisk 不是可移动磁盘"
	has "  ... and English" "$TMP/out" "^error: refused: $sysdisk is not a removable"
	if grep -q '== 4/7 write' "$TMP/out"; then fail "  ... before the write step"; else ok "  ... before the write step"; fi
	after=$(dd if="$sysdisk" bs=1M count=1 status=none 2>/dev/null | sha256sum)
	if ! dd if="$sysdisk" bs=512 count=1 status=none 2>/dev/null >/dev/null; then
		echo "# $sysdisk cannot be read here: its first MiB is not compared"
	elif [ "$before" = "$after" ]; then ok "  ... and its first MiB is unchanged"
	else fail "  ... and its first MiB is unchanged"; fi
else
	echo "# no fixed disk on this machine: the non-removable refusal is not exercised"
fi
check_exit "refuses a loop device without KK_FLASH_ALLOW_LOOP" 1 \
	"$FLASH" --board qemu-x86_64 --image "$TMP/v1.img" --yes "$LOOP"
has "  ... saying so" "$TMP/out" '回环设备.*已拒绝写入'
check_exit "refuses a regular file" 1 flash --yes "$TMP/v1.img"
has "  ... as not a block device" "$TMP/out" '不是块设备'
check_exit "refuses the wrong board for the image" 1 \
	env KK_FLASH_ALLOW_LOOP=1 "$FLASH" --board rpi4 --image "$TMP/v1.img" --yes "$LOOP"
has "  ... naming the image's board" "$TMP/out" '是为板型「qemu-x86_64」生成的'

# a card that is too small
truncate -s 8M "$TMP/small"
small=$(losetup -f --show "$TMP/small")
check_exit "refuses a card smaller than the image" 1 flash --yes "$small"
has "  ... saying how large a card is needed" "$TMP/out" '太小.*请换一张更大的SD卡'
losetup -d "$small"

# a bad site.conf: every problem listed with its line, nothing written
cat >"$TMP/bad.conf" <<'EOF'
site_name =
kiosk_id = 示例 01
sync_url = ftp://example.org/x
trusted_key = RWQnotakey
staff_pin_hash = 123456
printer = lpt1
open_hours = 18:00-08:00
colour = blue
EOF
check_exit "refuses a bad site.conf" 1 flash --site "$TMP/bad.conf" --yes "$LOOP"
for k in "1: site_name" "2: kiosk_id" "3: sync_url" "4: trusted_key" "5: staff_pin_hash" "6: printer" "7: open_hours" "8: colour: unknown key"; do
	has "  ... line $k" "$TMP/out" "bad.conf:$k"
done
has "  ... and says nothing was written" "$TMP/out" '什么也没有写入'
grep -q 123456 "$TMP/out" && fail "  ... never echoes what may be the PIN" || ok "  ... never echoes what may be the PIN"

# the kiosk's C parser (firmware/sync/siteconf.c, used for signed site configs on a stick and
# by kioskdb site-sign) reports exactly what flash.sh reports, line for line
"$KIOSKDB" keygen --out "$TMP/sitekey" >/dev/null
goodkey=$(sed -n 2p "$TMP/sitekey.pub")
{
	printf '\xef\xbb\xbfsite_name = "示例"\r\n'
	printf 'site_name = 又一个\nkiosk_id = ok-1\ntrusted_key = %s\ntrusted_key = RWQbad\n' "$goodkey"
	printf 'trusted_key = %s\ntrusted_key = %s\ntrusted_key = %s\n' "$goodkey" "$goodkey" "$goodkey"
	printf 'idle_timeout = 99999\nscreen_size = 1920x1080x\norientation = sideways\n'
	printf 'open_days = mon-fri,xyz\nsync_url = https://a.example.cn/p q\nprinter = usb://03f0:2b17/ABC\n'
	printf 'say = "a"b"\ntabbed = a\tb\nsite_name2 = \xff\nnoequals\n  # comment\n\n = x\n'
	printf 'open_hours = 09:00-09:00\nstaff_pin_hash = $argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'
} >"$TMP/parity.conf"
flash --site "$TMP/parity.conf" --yes "$LOOP" >"$TMP/out" 2>&1
grep -o "$TMP/parity.conf:.*" "$TMP/out" >"$TMP/parity.sh.txt"
"$KIOSKDB" site-sign --key "$TMP/sitekey.key" "$TMP/parity.conf" >/dev/null 2>"$TMP/parity.c.raw"
grep -o "$TMP/parity.conf:.*" "$TMP/parity.c.raw" >"$TMP/parity.c.txt"
if [ "$(wc -l <"$TMP/parity.sh.txt")" -ge 12 ] && cmp -s "$TMP/parity.sh.txt" "$TMP/parity.c.txt"; then
	ok "the kiosk's site.conf parser reports exactly flash.sh's $(wc -l <"$TMP/parity.sh.txt") problems"
else
	fail "the kiosk's site.conf parser reports exactly flash.sh's problems"
	diff "$TMP/parity.sh.txt" "$TMP/parity.c.txt" | sed 's/^/#   /' | head -20
fi

# --dry-run: every step printed, nothing touched
check_exit "--dry-run with a site.conf" 0 flash --site "$TMP/site.conf" --dry-run "$LOOP"
has "  ... prints the write" "$TMP/out" "^\[dry-run\] would run: dd if=$TMP/v1.img of=$LOOP"
has "  ... prints the flush" "$TMP/out" "^\[dry-run\] would run: blockdev --flushbufs $LOOP"
has "  ... prints the growing of the data partition" "$TMP/out" '^\[dry-run\] would run: resize2fs'
has "  ... prints the kiosk.conf it would write" "$TMP/out" '^\[dry-run\]   site_name = 示例县'
[ "$(cardsum)" = "$sum0" ] && ok "  ... and the card is unchanged" || fail "  ... and the card is unchanged"

# no confirmation
echo "sdz" | flash "$LOOP" >"$TMP/out" 2>&1
[ $? = 1 ] && grep -q '没有确认' "$TMP/out" && ok "a wrong device name typed at the prompt refuses" ||
	fail "a wrong device name typed at the prompt refuses"
[ "$(cardsum)" = "$sum0" ] && ok "  ... and the card is unchanged" || fail "  ... and the card is unchanged"

# --- write, verify, grow, provision ------------------------------------------------------------
echo "${LOOP##*/}" | flash --site "$TMP/site.conf" "$LOOP" >"$TMP/out" 2>&1
rc=$?
[ $rc = 0 ] && ok "writes the image after the device name is typed" || { fail "writes the image (exit $rc)"; sed 's/^/#   /' "$TMP/out" | tail -20; }
has "  ... shows progress" "$TMP/out" 'bytes .* copied'
has "  ... verifies the read-back hash" "$TMP/out" '^flash: verified'
read -r _ b_s b_z _ <<<"$(sfdisk -d "$TMP/v1.img" | awk '/name="kiosk-root"/ { gsub(/,/, ""); print $1, $4, $6 }')"
[ "$(range_sum "$TMP/card" "$b_s" "$b_z")" = "$(range_sum "$TMP/v1.img" "$b_s" "$b_z")" ] &&
	ok "  ... the root partition on the card is the image's" || fail "  ... the root partition on the card is the image's"
dsize=$(sfdisk -d "$LOOP" | awk '/name="kiosk-data"/ { gsub(/,/, ""); print $6 }')
[ "${dsize:-0}" -gt $((30 * 2048)) ] && ok "  ... the data partition grew to the end of the card" ||
	fail "  ... the data partition grew to the end of the card ($dsize sectors)"
if data_mount; then
	ok "  ... the data partition mounts"
	blocks=$(df -k --output=size "$MNT" | tail -1 | tr -d ' ')
	[ "$blocks" -gt 30000 ] && ok "  ... its file system was grown too" || fail "  ... its file system was grown too ($blocks KiB)"
	has "  ... kiosk.conf has the site name" "$MNT/kiosk.conf" '^site_name = 示例县政务服务中心政府信息公开查阅点$'
	has "  ... the sync URL after usb" "$MNT/kiosk.conf" '^sync_sources = usb,https://updates\.example\.gov\.cn/zwgk/shili$'
	has "  ... the printer" "$MNT/kiosk.conf" '^printer = usb://03f0:2b17$'
	has "  ... the staff PIN hash" "$MNT/kiosk.conf" '^staff_pin_hash = \$argon2id\$v=19\$'
	has "  ... the board's screen" "$MNT/kiosk.conf" '^screen_size = 1280x800$'
	has "  ... the kiosk id (receipts, site configs)" "$MNT/kiosk.conf" '^kiosk_id = shili-zwfw-01$'
	has "  ... sync_pubkey names the provisioned root keys" "$MNT/kiosk.conf" '^sync_pubkey = /var/lib/kiosk/keys/trusted/root-1\.pub'
	if [ -x "$KIOSK" ]; then
		check_exit "  ... kiosk --check-config accepts it" 0 "$KIOSK" --check-config "$MNT/kiosk.conf"
	fi
	has "  ... the kiosk id" "$MNT/site/kiosk-id" '^shili-zwfw-01$'
	has "  ... the screen schedule" "$MNT/site/screen-schedule" '^open=08:30$'
	echo "a content update" >"$TMP/f"
	minisign -S -s "$TMP/k.key" -m "$TMP/f" >/dev/null 2>&1
	check_exit "  ... the stock minisign verifies with the provisioned trusted key" 0 \
		minisign -V -p "$MNT/keys/trusted/root-1.pub" -m "$TMP/f"
	has "  ... whose comment names the key id as minisign does" "$MNT/keys/trusted/root-1.pub" \
		"minisign public key $(sed -n 1p "$TMP/k.pub" | awk '{ print $NF }')"
	has "  ... the factory content is there" "$MNT/content.db" '^factory content$'
	echo "staff statistics" >"$MNT/marker"
	umount "$MNT"
else
	fail "  ... the data partition mounts"
fi

# --- a mounted target is refused ----------------------------------------------------------------
# (mounting changes the data file system itself: compare the table, boot and root)
d_s=$(sfdisk -d "$LOOP" | awk '/name="kiosk-data"/ { gsub(/,/, ""); print $4 }')
sum1=$(range_sum "$TMP/card" 0 "$d_s")
if [ -b "${LOOP}p3" ]; then mount "${LOOP}p3" "$MNT"; else data_mount; fi
check_exit "refuses a card with a mounted partition" 1 flash --yes "$LOOP"
has "  ... saying to unmount it first" "$TMP/out" '(正在使用|正被回环设备).*umount'
umount "$MNT"
[ "$(range_sum "$TMP/card" 0 "$d_s")" = "$sum1" ] && ok "  ... and the table, boot and root are unchanged" ||
	fail "  ... and the table, boot and root are unchanged"

# --- a corrupted write is detected -------------------------------------------------------------
check_exit "a byte flipped after the write fails the verify" 1 \
	env KK_FLASH_TEST_CORRUPT_AT=$((b_s * 512 + 4096 + 7)) KK_FLASH_ALLOW_LOOP=1 \
	"$FLASH" --board qemu-x86_64 --image "$TMP/v2.img" --keep-data --yes "$LOOP"
has "  ... telling the technician to use another card" "$TMP/out" '校验失败.*请换一张SD卡'
has "  ... in English too" "$TMP/out" '^error: verify failed'

# --- --keep-data -------------------------------------------------------------------------------
check_exit "--keep-data refuses another layout" 1 env KK_FLASH_ALLOW_LOOP=1 \
	"$FLASH" --board qemu-x86_64 --image "$TMP/other.img" --keep-data --yes "$LOOP"
has "  ... explaining the partition tables differ" "$TMP/out" '分区和这个镜像不一致.*去掉 --keep-data'
check_exit "--keep-data writes release 2" 0 env KK_FLASH_ALLOW_LOOP=1 \
	"$FLASH" --board qemu-x86_64 --image "$TMP/v2.img" --keep-data --yes "$LOOP"
has "  ... verified" "$TMP/out" '^flash: verified'
[ "$(range_sum "$TMP/card" "$b_s" "$b_z")" = "$(range_sum "$TMP/v2.img" "$b_s" "$b_z")" ] &&
	ok "  ... the root partition is release 2" || fail "  ... the root partition is release 2"
if data_mount; then
	has "  ... the marker on the data partition is still there" "$MNT/marker" '^staff statistics$'
	has "  ... and the provisioned kiosk.conf" "$MNT/kiosk.conf" '^site_name = 示例县'
	umount "$MNT"
else
	fail "  ... the data partition mounts after --keep-data"
fi
sed -i 's/^kiosk_id = .*/kiosk_id = shili-zwfw-02/' "$TMP/site.conf"
check_exit "--keep-data --site re-provisions" 0 env KK_FLASH_ALLOW_LOOP=1 \
	"$FLASH" --board qemu-x86_64 --image "$TMP/v2.img" --keep-data --site "$TMP/site.conf" --yes "$LOOP"
if data_mount; then
	has "  ... the new kiosk id" "$MNT/site/kiosk-id" '^shili-zwfw-02$'
	has "  ... the marker still there" "$MNT/marker" '^staff statistics$'
	umount "$MNT"
else
	fail "  ... the data partition mounts after --keep-data --site"
fi
finish
