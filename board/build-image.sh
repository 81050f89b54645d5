#!/usr/bin/env bash
# build-image.sh — build a kiosk disk image for one board from Debian 12 packages.
#
# Usage: board/build-image.sh BOARD OUT.img      (make image BOARD=… calls this; needs root)
#
# 1. base root file system: mmdebstrap (Debian bookworm, minbase) with the board's kernel, the
#    common packages (board/common/packages) and the board's; the initramfs holds only the
#    board's modules (BOARD_INITRD_MODULES) and, with BOARD_MICROCODE=all, every x86 CPU's
#    microcode. Cached as build/images/cache/BOARD-base-HASH.tar, HASH over the package lists,
#    suite, architecture, mirror and this step's own text, so a rebuild after a kiosk change
#    takes seconds. Foreign architectures (rpi4 on an x86 machine) need qemu-user-static
#    and binfmt-support: mmdebstrap runs the maintainer scripts through them.
# 2. customise: board/common/rootfs and board/BOARD/rootfs copied over it; the kiosk user
#    (uid/gid 900); build/kiosk (or KIOSK_BIN) as /usr/bin/kiosk; services enabled or masked;
#    kernel modules the board does not need removed (BOARD_PRUNE_MODULES).
# 3. boot partition: kernel, initrd, the kernel command line, kiosk-board.txt (checked by
#    flash.sh), and the board's boot loader (BOARD_BOOT: direct, systemd-boot, rpi).
# 4. data partition: the factory content (build/sample.db or CONTENT_DB), a default kiosk.conf,
#    journal/ and .system/ (systemd's state), owned by the kiosk user.
# 5. board/mkdisk.sh assembles the GPT image.
#
# Environment: MIRROR (default http://deb.debian.org/debian; use a snapshot.debian.org URL to
# rebuild the same packages later), KIOSK_BIN, CONTENT_DB, SOURCE_DATE_EPOCH (file times),
# KIOSK_ROOT_KEYS (comma-separated minisign .pub files: the province's ROOT keys, copied to
# keys/trusted/root-N.pub of the data partition, so a fresh kiosk can check a signed site
# config from a stick before flash.sh ever provisioned it; README "Provisioning from a USB stick").
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 BOARD OUT.img" >&2; exit 2; }
BOARD=$1 OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BDIR="$HERE/$BOARD"
[ -r "$BDIR/board.conf" ] || { echo "build-image: no board $BOARD (board/$BOARD/board.conf)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "build-image: needs root (mmdebstrap --mode=root, chroot, file owners)" >&2; exit 1; }
# shellcheck source=/dev/null
. "$BDIR/board.conf"
SUITE=bookworm
MIRROR=${MIRROR:-http://deb.debian.org/debian}
KIOSK_BIN=${KIOSK_BIN:-$ROOT/build/kiosk}
CONTENT_DB=${CONTENT_DB:-$ROOT/build/sample.db}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}
KIOSK_UID=900

for t in mmdebstrap sfdisk mkfs.vfat mcopy mkfs.ext4 depmod zstd; do
	command -v "$t" >/dev/null || { echo "build-image: missing $t (make deps)" >&2; exit 1; }
done
[ -x "$KIOSK_BIN" ] || { echo "build-image: no kiosk binary $KIOSK_BIN (make all)" >&2; exit 1; }
[ -r "$CONTENT_DB" ] || { echo "build-image: no content database $CONTENT_DB (make sample)" >&2; exit 1; }
if [ "$BOARD_ARCH" != "$(dpkg --print-architecture)" ]; then
	file -L "$KIOSK_BIN" | grep -q "${BOARD_KIOSK_ELF:-none}" || {
		echo "build-image: $KIOSK_BIN is not a $BOARD_ARCH binary: cross-build the kiosk and set KIOSK_BIN" >&2
		exit 1
	}
	# mmdebstrap runs the target's maintainer scripts through qemu-user (binfmt_misc)
	bash "$HERE/binfmt.sh" "$BOARD_ARCH" || exit 1
fi

pkgs=$(grep -hv '^#' "$HERE/common/packages" | tr -s ' \n' ' ')
pkgs="$pkgs $BOARD_KERNEL_PKGS ${BOARD_BOOT_PKGS:-} ${BOARD_PKGS:-}"
pkgs=$(echo $pkgs | tr ' ' ',')
cache="$ROOT/build/images/cache"
mkdir -p "$cache" "$(dirname "$OUT")"
key=$(printf '%s\n' "$SUITE" "$BOARD_ARCH" "$MIRROR" "$pkgs" "${BOARD_INITRD_MODULES:-}" "${BOARD_COMPONENTS:-main}" \
	"${BOARD_MICROCODE:-}" "$(sed -n '/^# --- 1. base/,/^# --- 2. customise/p' "$0")" \
	"$(cat "$HERE/common/dpkg-excludes")" | sha256sum | cut -c1-16)
base="$cache/$BOARD-base-$key.tar"
t0=$(date +%s)

# --- 1. base ------------------------------------------------------------------------------------
if [ ! -s "$base" ]; then
	echo "build-image: mmdebstrap $SUITE $BOARD_ARCH (downloads packages; cached as $base)"
	mods=$(echo "${BOARD_INITRD_MODULES:-}" | tr ' ' '\n')
	# CPU microcode (BOARD_MICROCODE=all): the packages' initramfs hooks default to "auto", which
	# puts in only the microcode of the CPU building the image; a board image must carry every
	# CPU's (loaded early, from the initramfs)
	hooks=()
	[ "${BOARD_MICROCODE:-}" != all ] || hooks+=(--customize-hook='sed -i -e "s/^#*IUCODE_TOOL_INITRAMFS=.*/IUCODE_TOOL_INITRAMFS=early/" \
		-e "s/^#*IUCODE_TOOL_SCANCPUS=.*/IUCODE_TOOL_SCANCPUS=no/" "$1/etc/default/intel-microcode" &&
		sed -i "s/^#*AMD64UCODE_INITRAMFS=.*/AMD64UCODE_INITRAMFS=early/" "$1/etc/default/amd64-microcode" &&
		chroot "$1" update-initramfs -u -k all')
	mmdebstrap --mode=root --format=tar --variant=minbase --arch="$BOARD_ARCH" \
		--components="${BOARD_COMPONENTS:-main}" --include="$pkgs" \
		--setup-hook='mkdir -p "$1/etc/dpkg/dpkg.cfg.d" "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"' \
		--setup-hook="cp '$HERE/common/dpkg-excludes' \"\$1/etc/dpkg/dpkg.cfg.d/kiosk-excludes\"" \
		--setup-hook="printf 'MODULES=list\nCOMPRESS=zstd\n' > \"\$1/etc/initramfs-tools/conf.d/kiosk\"" \
		--setup-hook="printf '%s\n' '$mods' > \"\$1/usr/share/initramfs-tools/modules.d/kiosk-board\"" \
		"${hooks[@]}" \
		--customize-hook='rm -f "$1"/var/cache/apt/*.bin "$1"/var/lib/apt/lists/*_Packages "$1"/var/lib/apt/lists/*_InRelease' \
		"$SUITE" "$base.part" "$MIRROR"
	mv "$base.part" "$base"
fi
t1=$(date +%s)

# --- 2. customise ---------------------------------------------------------------------------------
work=$(mktemp -d "$ROOT/build/images/work-$BOARD-XXXXXX")
trap 'rm -rf "$work"' EXIT
R="$work/root" B="$work/boot" D="$work/data"
mkdir -p "$R" "$B" "$D"
tar -C "$R" --numeric-owner -xpf "$base"
cp -a "$HERE/common/rootfs/." "$R/"
[ ! -d "$BDIR/rootfs" ] || cp -a "$BDIR/rootfs/." "$R/"
chown -R 0:0 "$R/etc/systemd" "$R/etc/udev" "$R/usr/lib/kiosk" 2>/dev/null || true

install -m 0755 "$KIOSK_BIN" "$R/usr/bin/kiosk"
chroot "$R" /usr/sbin/groupadd --system --gid "$KIOSK_UID" kiosk
chroot "$R" /usr/sbin/useradd --system --uid "$KIOSK_UID" --gid kiosk --home-dir /var/lib/kiosk \
	--no-create-home --shell /usr/sbin/nologin --comment "kiosk" kiosk
for g in video input render plugdev lp; do
	chroot "$R" getent group "$g" >/dev/null || chroot "$R" /usr/sbin/groupadd --system "$g"
done
missing=$(chroot "$R" ldd /usr/bin/kiosk 2>&1 | grep 'not found' || true)
[ -z "$missing" ] || { echo "build-image: libraries missing in the image:" >&2; echo "$missing" >&2; exit 1; }

mkdir -p "$R/var/lib/kiosk" "$R/var/log/journal" "$R/run/kiosk/usb"
# the read-only root: what must stay writable lives on the data partition or in tmpfs (fstab)
ln -sfn /run/systemd/resolve/stub-resolv.conf "$R/etc/resolv.conf"
: >"$R/etc/machine-id" # systemd makes a transient one on the read-only root at every boot
rm -f "$R/var/lib/dbus/machine-id"
echo "kiosk-${BOARD//_/-}" >"$R/etc/hostname" # a host name has no underscores
systemctl --root="$R" enable kiosk.service kiosk-screen.service systemd-networkd.service \
	systemd-resolved.service systemd-timesyncd.service kiosk-usb-receipt.path kiosk-report.service >/dev/null
# no login anywhere: not on the display (tty1), nor on any serial console (serial-getty@ is
# masked as a template: ttyS0 on x86, ttyAMA0 on a Pi, whatever console= a technician adds)
systemctl --root="$R" mask getty@tty1.service autovt@tty1.service serial-getty@.service \
	ctrl-alt-del.target debug-shell.service apt-daily.timer apt-daily-upgrade.timer \
	e2scrub_all.timer e2scrub_reap.service systemd-firstboot.service >/dev/null 2>&1 || true
systemctl --root="$R" set-default multi-user.target >/dev/null

kver=$(basename "$(ls -d "$R"/lib/modules/* | sort -V | tail -1)")
for p in ${BOARD_PRUNE_MODULES:-}; do
	rm -rf "${R:?}/lib/modules/$kver/$p"
done
# modules compressed with zstd (kmod decompresses them when loading: about a third of the size)
find "$R/lib/modules/$kver" -name '*.ko' -print0 | xargs -0 -r -P"$(nproc)" -n 64 zstd -q --rm -19
depmod -b "$R" "$kver"
# firmware: only what the board's hardware loads (BOARD_FIRMWARE_KEEP, names under
# /usr/lib/firmware); CPU microcode is in the initramfs already
if [ -n "${BOARD_FIRMWARE_KEEP:-}" ]; then
	for f in "$R"/usr/lib/firmware/*; do
		case " $BOARD_FIRMWARE_KEEP " in *" ${f##*/} "*) ;; *) rm -rf "$f" ;; esac
	done
fi
# What only building needed, or nothing on a kiosk reads (image size goal: README, Board images):
# - Perl, pulled in by usrmerge, which has done its work once the root is built (about 50 MB;
#   init-system-helpers' "usrmerge | usr-is-merged" is left unmet on purpose: no apt runs on
#   the read-only root);
# - translations of system programs (the kiosk brings its own Chinese text), documentation;
# - the Serif CJK faces (the kiosk reads Sans Regular and Bold; Serif covers the same characters,
#   so the image's kiosk.conf lists only DejaVu Sans as fallback);
# - the kernel and initramfs under /boot: the boot partition has the copies the board boots.
chroot "$R" dpkg --purge --force-depends usrmerge libfile-find-rule-perl libnumber-compare-perl libtext-glob-perl \
	perl libperl5.36 perl-modules-5.36 >/dev/null 2>&1 ||
	echo "build-image: note: Perl could not be purged (the image is larger)" >&2
rm -rf "$R"/usr/share/doc/* "$R"/usr/share/man/* "$R"/usr/share/info/* "$R"/var/cache/apt/* \
	"$R"/var/cache/debconf/*-old "$R"/var/lib/dpkg/*-old "$R"/var/log/*.log "$R"/var/log/apt/* \
	"$R"/usr/share/locale/* "$R"/usr/share/fonts/opentype/noto/NotoSerifCJK-*.ttc

if [ "${BOARD_MICROCODE:-}" = all ]; then # the early initramfs (uncompressed cpio) names them
	for v in GenuineIntel AuthenticAMD; do
		grep -aq "kernel/x86/microcode/$v.bin" "$R/boot/initrd.img-$kver" ||
			{ echo "build-image: the initramfs lacks the $v CPU microcode (BOARD_MICROCODE=all)" >&2; exit 1; }
	done
fi

# --- 3. boot partition ---------------------------------------------------------------------------
echo "$BOARD" >"$B/kiosk-board.txt"
cp "$R/boot/vmlinuz-$kver" "$B/vmlinuz"
cp "$R/boot/initrd.img-$kver" "$B/initrd.img"
echo "$BOARD_CMDLINE" >"$B/cmdline.txt"
case "$BOARD_BOOT" in
direct) ;; # QEMU loads vmlinuz and initrd itself (qemu -kernel -initrd -append "$(cat cmdline.txt)")
systemd-boot)
	mkdir -p "$B/EFI/BOOT" "$B/loader/entries"
	cp "$R/usr/lib/systemd/boot/efi/systemd-bootx64.efi" "$B/EFI/BOOT/BOOTX64.EFI"
	printf 'default kiosk.conf\ntimeout 0\neditor no\n' >"$B/loader/loader.conf"
	printf 'title 政府信息公开查阅点\nlinux /vmlinuz\ninitrd /initrd.img\noptions %s\n' "$BOARD_CMDLINE" \
		>"$B/loader/entries/kiosk.conf"
	;;
rpi)
	# Debian's raspi-firmware: the GPU firmware, the device trees, and config.txt naming the
	# kernel and initrd; the Pi 4 EEPROM boots from GPT (bootloader from 2020-09 or later)
	# (the Pi 4 family's: start4*.elf, fixup4*.dat; bootcode.bin and start.elf are for Pi 0-3)
	cp "$R"/usr/lib/raspi-firmware/start4*.elf "$R"/usr/lib/raspi-firmware/fixup4*.dat "$B/"
	cp "$R"/usr/lib/linux-image-"$kver"/broadcom/bcm2711-*.dtb "$B/"
	cp "$BDIR/config.txt" "$B/config.txt"
	;;
*) echo "build-image: unknown BOARD_BOOT=$BOARD_BOOT" >&2; exit 1 ;;
esac
# booted from the boot partition's copies: the kernel and initrd, and on rpi4 the GPU firmware,
# the device trees of every arm64 board, and raspi-firmware's own copies in /boot/firmware
rm -rf "$R"/boot/vmlinuz-* "$R"/boot/initrd.img-* "$R"/boot/firmware/* "$R"/usr/lib/raspi-firmware \
	"$R"/usr/lib/linux-image-*

# --- 4. data partition -----------------------------------------------------------------------------
mkdir -p "$D/journal" "$D/.system/systemd" "$D/site" "$D/keys/trusted"
cp "$CONTENT_DB" "$D/content.db"
sed -e "s/^screen_size = .*/screen_size = $BOARD_SCREEN_SIZE/" \
	-e "s/^orientation = .*/orientation = $BOARD_ORIENTATION/" "$HERE/common/kiosk.conf" >"$D/kiosk.conf"
if [ -n "${KIOSK_ROOT_KEYS:-}" ]; then
	n=0
	for k in $(printf '%s' "$KIOSK_ROOT_KEYS" | tr ',' ' '); do
		n=$((n + 1))
		[ "$n" -le 4 ] || { echo "build-image: KIOSK_ROOT_KEYS: at most 4 keys" >&2; exit 2; }
		case "$(sed -n 2p "$k")" in
		RW[QRST]*) ;; # base64 of "Ed" + key id + key
		*) echo "build-image: KIOSK_ROOT_KEYS: $k is not a minisign public key" >&2; exit 2 ;;
		esac
		cp "$k" "$D/keys/trusted/root-$n.pub"
	done
fi
chown -R "$KIOSK_UID:$KIOSK_UID" "$D"
# site/ and keys/ stay the kiosk's: it provisions itself from a signed site config on a stick
# (firmware/sync/siteconf.c renames new files into them); the files flash.sh puts there are root's
chown -R 0:0 "$D/.system" "$D/journal"
chmod 0700 "$D/.system"
chown 0:"$KIOSK_UID" "$D/kiosk.conf"
chmod 0640 "$D/kiosk.conf"
chmod 0755 "$D"
chgrp systemd-journal "$D/journal" 2>/dev/null || chgrp "$(chroot "$R" getent group systemd-journal | cut -d: -f3)" "$D/journal"
chmod 2755 "$D/journal"

# --- 5. the disk ---------------------------------------------------------------------------------
used=$(du -sm "$R" | cut -f1)
[ "$used" -lt $((BOARD_ROOT_MB * 95 / 100)) ] ||
	{ echo "build-image: root needs ${used} MiB, BOARD_ROOT_MB=$BOARD_ROOT_MB is too small" >&2; exit 1; }
bash "$HERE/mkdisk.sh" "$OUT" "$BOARD" "$BOARD_BOOT_MB" "$BOARD_ROOT_MB" "$BOARD_DATA_MB" "$B" "$R" "$D"
t2=$(date +%s)
echo "build-image: $OUT: $BOARD, kernel $kver, root ${used} MiB used of $BOARD_ROOT_MB, image $(($(stat -c %s "$OUT") / 1048576)) MiB"
echo "build-image: base $((t1 - t0)) s (cached: $( [ $((t1 - t0)) -lt 5 ] && echo yes || echo no)), customise and assemble $((t2 - t1)) s"
