#!/usr/bin/env bash
# board.sh — the pieces of the board images that can run without building one: the scripts
# parse; the screen schedule (board/common/rootfs/usr/lib/kiosk/kiosk-screen) decides on and
# off at the right minutes and days, and its timer specifications are valid for systemd; every
# board.conf declares what build-image.sh and flash.sh read; the fstab mounts the partitions
# mkdisk.sh names, root read-only. (Building and booting an image: make image-test.)
. "$(dirname "$0")/lib.sh"
B="$ROOT/board"
C="$B/common/rootfs"
SCREEN="$C/usr/lib/kiosk/kiosk-screen"

for f in "$C"/usr/lib/kiosk/*; do check "sh -n ${f##*/}" sh -n "$f"; done
for f in "$B"/*.sh "$ROOT/flash.sh"; do check "bash -n ${f#$ROOT/}" bash -n "$f"; done

# status DAY HHMM: what kiosk-screen says for that moment with the schedule in $TMP/sched
status() { KIOSK_SCREEN_CONF="$TMP/sched" KIOSK_SCREEN_NOW="$1 $2" sh "$SCREEN" status 2>/dev/null; }
want() { # what DAY HHMM on|off
	local got
	got=$(status "$2" "$3")
	[ "$got" = "$4" ] && ok "screen schedule: $1" || fail "screen schedule: $1 (got '$got', want $4)"
}
printf 'open=08:30\nclose=17:30\ndays=mon-fri,sat\n' >"$TMP/sched"
want "Wednesday 08:29 is before opening" 3 0829 off
want "Wednesday 08:30 is open" 3 0830 on
want "Wednesday 17:29 is open" 3 1729 on
want "Wednesday 17:30 is closed" 3 1730 off
want "Saturday 10:00 is open (mon-fri,sat)" 6 1000 on
want "Sunday 10:00 is closed" 7 1000 off
printf 'open=09:00\nclose=12:00\ndays=sat-mon\n' >"$TMP/sched"
want "a range over the weekend includes Sunday" 7 1000 on
want "  ... and Monday" 1 1000 on
want "  ... but not Tuesday" 2 1000 off
printf 'open=09:00\nclose=12:00\n' >"$TMP/sched"
want "no days: daily" 4 1100 on
printf 'open=18:00\nclose=08:00\n' >"$TMP/sched"
want "a schedule closing before it opens is ignored: always on" 3 0300 on
printf 'open=8:30\nclose=17:30\n' >"$TMP/sched"
want "a malformed time is ignored: always on" 3 0300 on
rm -f "$TMP/sched"
want "no schedule: always on" 3 0300 on

printf 'open=08:30\nclose=17:30\ndays=mon-fri,sat\n' >"$TMP/sched"
KIOSK_SCREEN_CONF="$TMP/sched" sh "$SCREEN" calendar >"$TMP/cal"
has "the opening timer" "$TMP/cal" '^Mon\.\.Fri,Sat \*-\*-\* 08:30:00$'
has "the closing timer" "$TMP/cal" '^Mon\.\.Fri,Sat \*-\*-\* 17:30:00$'
if command -v systemd-analyze >/dev/null; then
	while read -r spec; do
		check "systemd accepts OnCalendar=$spec" systemd-analyze calendar "$spec"
	done <"$TMP/cal"
else
	echo "# systemd-analyze missing: the OnCalendar strings are not checked by systemd"
fi

for conf in "$B"/*/board.conf; do
	name=$(basename "$(dirname "$conf")")
	miss=
	for k in BOARD_NAME BOARD_ARCH BOARD_KERNEL_PKGS BOARD_BOOT BOARD_CMDLINE BOARD_SCREEN_SIZE \
		BOARD_ORIENTATION BOARD_INITRD_MODULES BOARD_BOOT_MB BOARD_ROOT_MB BOARD_DATA_MB; do
		grep -q "^$k=" "$conf" || miss="$miss $k"
	done
	[ -z "$miss" ] && ok "$name/board.conf declares every key" || fail "$name/board.conf declares every key (missing:$miss)"
	has "$name: BOARD_NAME is the folder" "$conf" "^BOARD_NAME=$name\$"
	has "$name: a boot method build-image.sh knows" "$conf" '^BOARD_BOOT=(direct|systemd-boot|rpi)$'
	has "$name: the kernel mounts kiosk-root read-only" "$conf" '^BOARD_CMDLINE=".*root=PARTLABEL=kiosk-root ro '
	( set -e; . "$conf"; [ "$BOARD_BOOT_MB" -ge 32 ] && [ "$BOARD_ROOT_MB" -ge 512 ] && [ "$BOARD_DATA_MB" -ge 64 ] ) &&
		ok "$name: partition sizes" || fail "$name: partition sizes"
done
has "fstab: root read-only by its partition name" "$C/etc/fstab" '^PARTLABEL=kiosk-root +/ +ext4 +ro,'
has "fstab: the data partition at the kiosk's data_dir" "$C/etc/fstab" '^PARTLABEL=kiosk-data +/var/lib/kiosk +ext4 '
has "fstab: the journal on the data partition" "$C/etc/fstab" '^/var/lib/kiosk/journal +/var/log/journal +none +bind'
for p in kiosk-boot kiosk-root kiosk-data; do
	has "mkdisk names the partition $p" "$B/mkdisk.sh" "name=$p, "
done
has "the factory kiosk.conf keeps data on the data partition" "$B/common/kiosk.conf" '^data_dir = /var/lib/kiosk$'
has "kiosk.service reads the data partition's kiosk.conf" "$C/usr/lib/systemd/system/kiosk.service" \
	'^ExecStart=/usr/bin/kiosk --fullscreen --config /var/lib/kiosk/kiosk.conf$'
if [ -x "$KIOSK" ]; then
	check_exit "kiosk --check-config accepts the factory kiosk.conf" 0 "$KIOSK" --check-config "$B/common/kiosk.conf"
fi
finish
