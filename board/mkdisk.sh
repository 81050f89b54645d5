#!/usr/bin/env bash
# mkdisk.sh — the kiosk disk layout: a GPT disk image with three partitions, made from folders
# without mounting anything (so it needs no loop devices and no root for the file systems):
#
#   1  kiosk-boot  FAT (EFI system partition type)  kernel, initrd, boot loader, kiosk-board.txt
#   2  kiosk-root  ext4, label kiosk-root            the read-only root file system
#   3  kiosk-data  ext4, label kiosk-data            content slots, kiosk.conf, logs, spool
#
# The partition names (GPT PARTLABEL) and file-system labels are what the image's fstab,
# flash.sh (--keep-data compares the table, provisioning looks for kiosk-data) and the tests
# rely on; keep them. Partitions start on 1 MiB boundaries. The GUIDs of the table and of the
# partitions are derived from the board name, and file times from SOURCE_DATE_EPOCH when set,
# so the same inputs give the same table.
#
# Usage: board/mkdisk.sh OUT BOARD BOOT_MB ROOT_MB DATA_MB BOOT_DIR ROOT_DIR DATA_DIR
# Needs: sfdisk (fdisk), mkfs.vfat (dosfstools), mcopy (mtools), mkfs.ext4 >= 1.43 (-d).
set -euo pipefail

if [ $# -ne 8 ]; then
	echo "usage: $0 OUT BOARD BOOT_MB ROOT_MB DATA_MB BOOT_DIR ROOT_DIR DATA_DIR" >&2
	exit 2
fi
out=$1 board=$2 boot_mb=$3 root_mb=$4 data_mb=$5 boot_dir=$6 root_dir=$7 data_dir=$8
for n in "$boot_mb" "$root_mb" "$data_mb"; do
	case "$n" in '' | *[!0-9]*) echo "mkdisk: sizes are whole MiB, got '$n'" >&2; exit 2 ;; esac
done
for d in "$boot_dir" "$root_dir" "$data_dir"; do
	[ -d "$d" ] || { echo "mkdisk: no folder $d" >&2; exit 2; }
done

# guid NAME: a GUID made from the board name and NAME (stable across builds)
guid() {
	local h
	h=$(printf 'kiosk-%s-%s' "$board" "$1" | sha256sum | cut -c1-32)
	printf '%s-%s-4%s-8%s-%s\n' "${h:0:8}" "${h:8:4}" "${h:13:3}" "${h:17:3}" "${h:20:12}"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kk-mkdisk-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export E2FSPROGS_FAKE_TIME=${SOURCE_DATE_EPOCH:-}
[ -n "$E2FSPROGS_FAKE_TIME" ] || unset E2FSPROGS_FAKE_TIME

# 1 MiB in front (protective MBR, primary GPT, alignment), 1 MiB behind (backup GPT)
total_mb=$((1 + boot_mb + root_mb + data_mb + 1))
rm -f "$out.part"
truncate -s "${total_mb}M" "$out.part"
sfdisk --quiet --no-reread --no-tell-kernel "$out.part" <<EOF
label: gpt
label-id: $(guid table)
first-lba: 2048
start=2048, size=${boot_mb}MiB, type=U, name=kiosk-boot, uuid=$(guid boot)
size=${root_mb}MiB, type=L, name=kiosk-root, uuid=$(guid root)
size=${data_mb}MiB, type=L, name=kiosk-data, uuid=$(guid data)
EOF

# boot: FAT (mkfs.vfat picks FAT12/16/32 from the size; UEFI firmware and the Pi read all)
mkfs.vfat -C -n KBOOT -i "$(guid fat | cut -c1-8)" "$tmp/boot.fs" $((boot_mb * 1024)) >/dev/null
if [ -n "$(ls -A "$boot_dir")" ]; then
	MTOOLS_SKIP_CHECK=1 mcopy -s -p -m -i "$tmp/boot.fs" "$boot_dir"/* ::/
fi
# root and data: ext4 filled from the folders (owners and modes kept, the top folder's too)
mkfs.ext4 -q -F -L kiosk-root -U "$(guid rootfs)" -E hash_seed="$(guid roothash)",root_owner="$(stat -c %u:%g "$root_dir")" \
	-d "$root_dir" "$tmp/root.fs" "${root_mb}M" >/dev/null
mkfs.ext4 -q -F -L kiosk-data -U "$(guid datafs)" -E hash_seed="$(guid datahash)",root_owner="$(stat -c %u:%g "$data_dir")" \
	-d "$data_dir" "$tmp/data.fs" "${data_mb}M" >/dev/null

off=1
for p in boot:$boot_mb root:$root_mb data:$data_mb; do
	dd if="$tmp/${p%%:*}.fs" of="$out.part" bs=1M seek="$off" conv=notrunc,sparse status=none
	off=$((off + ${p#*:}))
done
mv "$out.part" "$out"
