#!/usr/bin/env bash
# stickmount.sh — the stick watcher on /proc/self/mountinfo (sync/mounts.c, sync/service.c):
# while a headless kiosk runs, a real file system is mounted under its sync_usb_root (a
# loop-mounted FAT image made with mkfs.vfat and mcopy, as a USB stick is; in a user namespace,
# where loop devices are out of reach, or on a kernel without FAT, a tmpfs filled beside and
# moved into place with mount --move, so it appears whole in one mount-table change; a kernel
# without FAT but with ext4 — this build VM's — gets a loop-mounted ext4 image made with
# mkfs.ext4 -d, which the board's kiosk-usb mounts as well), the staff panel opens, the
# kiosk logs the mount-table wake-up; the file system is unmounted and the panel closes. Prints
# the time from the kiosk starting to wait to the panel being open.
#
# Needs to mount: as root the test re-runs itself in a private mount namespace (unshare
# --mount), so nothing it mounts can leak into the machine's; not root, it uses unshare --mount
# --map-root-user; without either it fails with a clear message. The trap always unmounts.
if [ -z "${KK_STICKMOUNT_NS:-}" ]; then
	if [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null; then
		exec env KK_STICKMOUNT_NS=root unshare --mount --propagation private bash "$0" "$@"
	elif unshare --mount --map-root-user true 2>/dev/null; then
		exec env KK_STICKMOUNT_NS=user unshare --mount --map-root-user bash "$0" "$@"
	fi
	echo "not ok - stickmount: cannot mount a file system: run as root, or allow user namespaces (unshare --mount --map-root-user)"
	exit 1
fi
. "$(dirname "$0")/lib.sh"
MNT="$TMP/usb/STICK" LOOP= KPID=
cleanup() {
	[ -z "$KPID" ] || kill "$KPID" 2>/dev/null
	mountpoint -q "$MNT" 2>/dev/null && umount "$MNT"
	mountpoint -q "$TMP/stage" 2>/dev/null && umount "$TMP/stage"
	[ -z "$LOOP" ] || losetup -d "$LOOP" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p "$MNT" "$TMP/src/kiosk-setup" "$TMP/data" "$TMP/stage"

"$KIOSKDB" keygen --out "$TMP/k" >/dev/null || fail "keygen"
printf 'site_name = 挂载测试查阅点\nkiosk_id = mount-01\ntrusted_key = %s\n' "$(sed -n 2p "$TMP/k.pub")" \
	>"$TMP/src/kiosk-setup/site.conf"
"$KIOSKDB" site-sign --key "$TMP/k.key" --serial 7 "$TMP/src/kiosk-setup/site.conf" >/dev/null ||
	fail "site-sign"

# the stick: a FAT image (root), or a tmpfs filled at a stage point (user namespace)
kind=tmpfs
modprobe -q vfat 2>/dev/null
if [ "$KK_STICKMOUNT_NS" = root ] && grep -qw vfat /proc/filesystems &&
	command -v mkfs.vfat >/dev/null && command -v mcopy >/dev/null &&
	LOOP=$(losetup -f 2>/dev/null) && [ -n "$LOOP" ]; then
	LOOP=
	truncate -s 8M "$TMP/stick.img"
	mkfs.vfat -n KIOSKSTICK "$TMP/stick.img" >/dev/null &&
		mcopy -s -i "$TMP/stick.img" "$TMP/src/kiosk-setup" ::/ && kind=vfat ||
		fail "a FAT stick image is made (mkfs.vfat, mcopy)"
elif [ "$KK_STICKMOUNT_NS" = root ] && grep -qw ext4 /proc/filesystems && command -v mkfs.ext4 >/dev/null &&
	LOOP=$(losetup -f 2>/dev/null) && [ -n "$LOOP" ]; then
	LOOP= # ext4 sticks are mounted too (kiosk-usb: ro,noload)
	mkfs.ext4 -q -L KIOSKSTICK -d "$TMP/src" "$TMP/stick.img" 8M >/dev/null 2>&1 && kind=ext4 ||
		fail "an ext4 stick image is made (mkfs.ext4 -d)"
fi
if [ "$kind" = tmpfs ]; then
	mount -t tmpfs -o size=4m kk-stick "$TMP/stage" && cp -r "$TMP/src/kiosk-setup" "$TMP/stage/" ||
		fail "a tmpfs stick is staged"
fi
mount_stick() {
	if [ "$kind" = vfat ] || [ "$kind" = ext4 ]; then
		LOOP=$(losetup -f --show "$TMP/stick.img") &&
			mount -t "$kind" -o "ro$([ "$kind" = ext4 ] && echo ,noload)" "$LOOP" "$MNT"
	else
		mount --move "$TMP/stage" "$MNT"
	fi
}
ok "the stick is a $kind file system ($KK_STICKMOUNT_NS namespace)"

printf 'site_name = 示例县政务服务中心\ndata_dir = %s/data\nprinter = none\nsync_usb_root = %s/usb\nsync_pubkey = %s/k.pub\n' \
	"$TMP" "$TMP" "$TMP" >"$TMP/conf"
cat >"$TMP/s.script" <<'S'
shot before
await staff 30
shot mounted
await nostaff 30
shot removed
S
# wait_for FILE PATTERN SECONDS: until FILE has a line matching PATTERN
wait_for() {
	local i=0
	while [ $i -lt $(($3 * 50)) ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.02
		i=$((i + 1))
	done
	return 1
}
timeout 90 "$KIOSK" --config "$TMP/conf" --headless --size 1920x1080 --script "$TMP/s.script" \
	--shots "$TMP/shots" >"$TMP/kout" 2>"$TMP/klog" &
KPID=$!
if wait_for "$TMP/kout" "waiting for the staff panel to open" 30; then
	ok "the kiosk runs and waits for a stick"
else
	fail "the kiosk runs and waits for a stick"
	sed 's/^/#   /' "$TMP/klog" | head -20
fi
t_mount=$(date +%s%3N)
if mount_stick; then ok "a $kind stick is mounted under sync_usb_root"; else fail "a $kind stick is mounted under sync_usb_root"; fi
if wait_for "$TMP/kout" "staff panel open after" 30; then
	ok "the staff panel opens"
else
	fail "the staff panel opens"
fi
wait_for "$TMP/kout" "waiting for the staff panel to close" 30
umount "$MNT" && ok "the stick is unmounted" || fail "the stick is unmounted"
[ -z "$LOOP" ] || { losetup -d "$LOOP"; LOOP=; }
wait "$KPID"
st=$?
KPID=
[ "$st" = 0 ] && ok "the kiosk finishes its script (the panel closed again)" ||
	{ fail "the kiosk finishes its script (exit $st)"; sed 's/^/#   /' "$TMP/klog" | tail -20; }
has "the panel was not there before the mount" "$TMP/kout" "waiting for the staff panel to open"
if grep -q "站点配置" "$TMP/shots/before.txt" 2>/dev/null; then fail "  ... (before: no panel)"; else ok "  ... (before: no panel)"; fi
has "with the stick mounted the panel offers its site configuration" "$TMP/shots/mounted.txt" "检测到站点配置U盘"
if grep -q "站点配置" "$TMP/shots/removed.txt" 2>/dev/null; then fail "after the unmount the panel is gone"; else ok "after the unmount the panel is gone"; fi
has "the worker woke on the mount table change (poll on /proc/self/mountinfo)" "$TMP/klog" "mount table changed"
has "  ... and found the stick on the mount" "$TMP/klog" "site config stick found: .*/usb/STICK/kiosk-setup"
has "  ... and saw it go" "$TMP/klog" "stick taken out before it was unlocked"
[ ! -e "$TMP/data/kiosk.conf" ] && ok "nothing was applied without a confirmation" || fail "nothing was applied without a confirmation"
t_panel=$(sed -n 's/.*staff panel open after .*(wall clock \([0-9]*\) ms).*/\1/p' "$TMP/kout")
echo "# stickmount: $kind stick: staff panel open $((${t_panel:-0} - t_mount)) ms after the mount command started (losetup and mount included)"
finish
