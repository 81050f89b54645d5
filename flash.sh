#!/usr/bin/env bash
# flash.sh — write a kiosk board image to an SD card or USB disk and provision it (technicians).
#
#   ./flash.sh --board BOARD [--image FILE] [--site site.conf] [--keep-data] [--yes] [--dry-run] DEVICE
#
# Steps, each printed as it runs (with --dry-run: printed, nothing written, nothing mounted):
#   1. check the arguments, the image (partition table, board) and site.conf (every key);
#   2. check DEVICE: a whole block device, removable or hot-plugged (USB, SD), not read-only,
#      holding nothing mounted, no swap, no LVM/RAID on it, large enough;
#   3. show model and size and ask for the device name to be typed (or --yes);
#   4. write the image (or, with --keep-data, only the boot and root partitions) with progress;
#   5. flush (sync, blockdev --flushbufs), read back what was written, compare SHA-256;
#   6. grow the data partition to the end of the disk (full write only);
#   7. provision: mount the data partition, write kiosk.conf, the kiosk id, trusted keys and the
#      screen schedule from site.conf, unmount.
# Every refusal and failure prints what to do next in Chinese (the technicians) and English.
# Exit status: 0 done, 1 refused or failed, 2 usage error.
#
# Test-only environment (tests/integration/flash.sh; never set these on a technician's laptop):
#   KK_FLASH_ALLOW_LOOP=1     accept a loop device (/dev/loopN) although it is not removable:
#                             the tests stand in for an SD card with a loop device over a file,
#                             since a test machine has no card reader and must never risk a disk.
#   KK_FLASH_TEST_CORRUPT_AT=BYTE  after writing and flushing, flip the byte at that offset of the
#                             device (only a loop device, only with KK_FLASH_ALLOW_LOOP=1): the
#                             card that silently drops a write, so the read-back check must fail.
set -u
umask 022
export LC_ALL=C.UTF-8

ROOT=$(cd "$(dirname "$0")" && pwd)
KIOSK_UID=900 # the kiosk user and group in every image (board/common/build-rootfs.sh)

usage() {
	cat <<'EOF'
usage: ./flash.sh --board BOARD [--image FILE] [--site site.conf] [--keep-data] [--yes] [--dry-run] DEVICE

  --board BOARD    generic-x86_64, rpi4 or qemu-x86_64 (folders of board/)
  --image FILE     the image to write (default: build/images/BOARD.img from `make image BOARD=…`)
  --site FILE      provision the data partition from this site.conf (see board/site.conf.example)
  --keep-data      write only the boot and root partitions; the data partition (content, logs,
                   statistics, configuration) stays; needs the same partition layout on DEVICE
  --yes            do not ask for the device name to be typed
  --dry-run        print every step; write nothing, mount nothing
  DEVICE           the whole card or disk, e.g. /dev/sdb or /dev/mmcblk0 (see `lsblk`)

用法：./flash.sh --board 板型 --site 站点配置 /dev/sdX
先用 lsblk 找到SD卡或U盘的设备名（拔插一次看哪个出现/消失）。--keep-data 只更新系统，保留数据分区。
EOF
}

# fail "中文" "english" [status]: the two messages, then exit
fail() {
	echo "错误：$1" >&2
	echo "error: $2" >&2
	exit "${3:-1}"
}
say() { echo "flash: $*"; }
step() { echo "== $*"; }

DRY=0
# act CMD...: run a command that changes something (printed; only printed with --dry-run)
act() {
	if [ "$DRY" = 1 ]; then
		echo "[dry-run] would run: $*"
		return 0
	fi
	echo "+ $*"
	"$@"
}

board= image= site= keep=0 yes=0 device=
while [ $# -gt 0 ]; do
	case "$1" in
	--help | -h) usage; exit 0 ;;
	--board) [ $# -ge 2 ] || fail "--board 后面要写板型" "--board needs a value" 2; board=$2; shift ;;
	--image) [ $# -ge 2 ] || fail "--image 后面要写镜像文件" "--image needs a value" 2; image=$2; shift ;;
	--site) [ $# -ge 2 ] || fail "--site 后面要写站点配置文件" "--site needs a value" 2; site=$2; shift ;;
	--keep-data) keep=1 ;;
	--yes | -y) yes=1 ;;
	--dry-run | -n) DRY=1 ;;
	-*) usage >&2; fail "不认识的选项 $1" "unknown option $1" 2 ;;
	*)
		[ -z "$device" ] || fail "只能写一个设备（多了 $1）" "only one DEVICE (extra: $1)" 2
		device=$1
		;;
	esac
	shift
done
[ -n "$board" ] || { usage >&2; fail "缺少 --board（板型：$(ls "$ROOT/board" | grep -v '\.' | grep -v common | tr '\n' ' ')）" "--board is required" 2; }
[ -n "$device" ] || { usage >&2; fail "缺少目标设备，例如 /dev/sdb（用 lsblk 查看）" "DEVICE is required (see lsblk)" 2; }
case "$board" in
*[!a-z0-9_-]* | common) fail "板型名称不对：$board" "bad board name: $board" 2 ;;
esac
bconf="$ROOT/board/$board/board.conf"
[ -r "$bconf" ] || fail "没有这个板型：$board（可选：$(cd "$ROOT/board" && ls -d */ | tr -d / | grep -v common | tr '\n' ' ')）" \
	"no such board: $board (no $bconf)" 2
[ -n "$image" ] || image="$ROOT/build/images/$board.img"

for t in sfdisk lsblk blockdev dd sha256sum mount umount blkid; do
	command -v "$t" >/dev/null ||
		fail "缺少工具 $t，请先安装：apt-get install util-linux fdisk coreutils mount" "missing tool $t"
done

# conf_get FILE KEY: the value of KEY=value (quotes removed) in a board.conf
conf_get() {
	sed -n "s/^$2=\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}[[:space:]]*\$/\\1/p" "$1" | tail -n 1
}

# parts FILE_OR_DEVICE: "N START SIZE NAME" per partition (sectors of 512 bytes)
parts() {
	sfdisk -d "$1" 2>/dev/null | awk '
		/ : start=/ {
			n = $1; sub(/.*[^0-9]/, "", n)
			s = $0; sub(/.*start= */, "", s); sub(/,.*/, "", s)
			z = $0; sub(/.*size= */, "", z); sub(/,.*/, "", z)
			nm = ""; if (match($0, /name="[^"]*"/)) nm = substr($0, RSTART + 6, RLENGTH - 7)
			print n, s, z, nm
		}'
}

# --- 1. the image ---------------------------------------------------------------------------
step "1/7 image $image"
[ -f "$image" ] || fail "找不到镜像文件 $image。请先运行 make image BOARD=$board，或用 --image 指定镜像。" \
	"no image file $image: run make image BOARD=$board or give --image"
[ -r "$image" ] || fail "镜像文件 $image 无法读取（权限）" "cannot read $image"
img_size=$(stat -c %s "$image")
img_parts=$(parts "$image")
img_names=$(echo "$img_parts" | awk '{ printf "%s ", $4 }')
[ "$img_names" = "kiosk-boot kiosk-root kiosk-data " ] ||
	fail "$image 不是查阅点镜像（分区应为 kiosk-boot kiosk-root kiosk-data）。请重新下载或重新生成镜像。" \
		"$image is not a kiosk image (partitions: ${img_names:-none}; want kiosk-boot kiosk-root kiosk-data)"
read -r _ p1_start p1_size _ <<<"$(echo "$img_parts" | sed -n 1p)"
read -r _ p2_start p2_size _ <<<"$(echo "$img_parts" | sed -n 2p)"
read -r _ p3_start p3_size _ <<<"$(echo "$img_parts" | sed -n 3p)"
if command -v mtype >/dev/null; then
	img_board=$(MTOOLS_SKIP_CHECK=1 mtype -i "$image@@$((p1_start * 512))" ::/kiosk-board.txt 2>/dev/null | tr -d '\r\n')
	[ "$img_board" = "$board" ] ||
		fail "镜像 $image 是为板型「${img_board:-未知}」生成的，不是 $board。请选对镜像或板型。" \
			"image $image is for board '${img_board:-unknown}', not $board"
else
	say "mtools not installed: the board named inside the image is not checked"
fi
say "image: $img_size bytes, boot ${p1_size}s root ${p2_size}s data ${p3_size}s (sectors), board $board"

# --- site.conf ------------------------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kk-flash-XXXXXX")
mnt= data_loop=
cleanup() {
	if [ -n "$mnt" ] && mountpoint -q "$mnt" 2>/dev/null; then umount "$mnt" 2>/dev/null; fi
	if [ -n "$data_loop" ]; then losetup -d "$data_loop" 2>/dev/null; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Each site.conf problem is collected (file:line: key: message) and all are shown at once.
site_bad() { echo "$site:$1: $2" >>"$tmp/problems"; }
declare -A S=()
nkeys=0
valid_utf8() { printf '%s' "$1" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; }
has_ctl() { printf '%s' "$1" | LC_ALL=C grep -q '[[:cntrl:]]'; }

if [ -n "$site" ]; then
	step "site configuration $site"
	[ -f "$site" ] && [ -r "$site" ] || fail "找不到站点配置文件 $site" "cannot read site.conf $site"
	[ "$(stat -c %s "$site")" -le 65536 ] || fail "站点配置文件太大（超过64KB），请检查是否选错文件" "$site is larger than 64 KiB"
	: >"$tmp/problems"
	ln=0
	while IFS= read -r line || [ -n "$line" ]; do
		ln=$((ln + 1))
		line=${line%$'\r'}
		[ "$ln" = 1 ] && line=${line#$'\xef\xbb\xbf'}
		t=${line#"${line%%[![:space:]]*}"}
		case "$t" in '' | '#'*) continue ;; esac
		case "$t" in *=*) ;; *) site_bad "$ln" "expected key = value"; continue ;; esac
		k=${t%%=*}; k=${k%"${k##*[![:space:]]}"}
		v=${t#*=}; v=${v#"${v%%[![:space:]]*}"}; v=${v%"${v##*[![:space:]]}"}
		case "$v" in \"*\") v=${v#\"}; v=${v%\"} ;; esac
		if ! valid_utf8 "$v" || has_ctl "$v"; then site_bad "$ln" "$k: not valid UTF-8 text"; continue; fi
		case "$v" in *\"*) site_bad "$ln" "$k: must not contain a double quote"; continue ;; esac
		case "$k" in
		site_name)
			[ -n "$v" ] && [ ${#v} -le 80 ] && [ "$(printf '%s' "$v" | wc -c)" -lt 256 ] ||
				site_bad "$ln" "site_name: 1 to 80 characters (the name on every screen)" ;;
		kiosk_id)
			printf '%s' "$v" | grep -Eq '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$' ||
				site_bad "$ln" "kiosk_id: 1 to 32 of A-Z a-z 0-9 . _ - (e.g. tancheng-zwfw-01)" ;;
		sync_url)
			printf '%s' "$v" | grep -Eq '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/+-]*)?$' &&
				[ ${#v} -le 400 ] ||
				site_bad "$ln" "sync_url: expected https://host[:port]/path (no spaces or commas)" ;;
		trusted_key)
			# a minisign public key: base64 of "Ed" + key id (8) + Ed25519 key (32) = 56 chars
			if printf '%s' "$v" | grep -Eq '^[A-Za-z0-9+/]{54}==$|^[A-Za-z0-9+/]{56}$' &&
				[ "$(printf '%s' "$v" | base64 -d 2>/dev/null | head -c 2)" = Ed ] &&
				[ "$(printf '%s' "$v" | base64 -d 2>/dev/null | wc -c)" = 42 ]; then
				:
			else
				site_bad "$ln" "trusted_key: expected a minisign public key (the second line of KEY.pub from kioskdb keygen, starting RWQ)"
			fi
			S[trusted_key_$((${S[trusted_key_n]:-0} + 1))]=$v
			S[trusted_key_n]=$((${S[trusted_key_n]:-0} + 1))
			[ "${S[trusted_key_n]}" -le 4 ] || site_bad "$ln" "trusted_key: at most 4 keys"
			continue ;;
		staff_pin_hash)
			printf '%s' "$v" | grep -Eq '^\$argon2id?\$v=19\$m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]{8,}\$[A-Za-z0-9+/]{16,}$' &&
				[ ${#v} -lt 256 ] ||
				site_bad "$ln" "staff_pin_hash: expected an argon2id hash (\$argon2id\$v=19\$m=…), never the PIN itself" ;;
		printer)
			printf '%s' "$v" | grep -Eq '^(auto|none|usb://[0-9a-fA-F]{4}:[0-9a-fA-F]{4}(/[A-Za-z0-9._-]{1,64})?|ipp://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[A-Za-z0-9._/-]*)$' ||
				site_bad "$ln" "printer: expected auto, none, usb://VID:PID[/SERIAL] or ipp://host[:port]/path" ;;
		screen_size)
			printf '%s' "$v" | grep -Eq '^[0-9]{3,4}x[0-9]{3,4}$' ||
				site_bad "$ln" "screen_size: expected WIDTHxHEIGHT, e.g. 1920x1080" ;;
		orientation)
			case "$v" in landscape | portrait) ;; *) site_bad "$ln" "orientation: landscape or portrait" ;; esac ;;
		idle_timeout)
			printf '%s' "$v" | grep -Eq '^[0-9]{1,5}$' && [ "$v" -le 86400 ] ||
				site_bad "$ln" "idle_timeout: seconds, 0 to 86400" ;;
		open_hours)
			if printf '%s' "$v" | grep -Eq '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$'; then
				a=${v%-*} b=${v#*-}
				[ "${a/:/}" \< "${b/:/}" ] || site_bad "$ln" "open_hours: opening must be before closing"
			else
				site_bad "$ln" "open_hours: expected HH:MM-HH:MM, e.g. 08:30-17:30"
			fi ;;
		open_days)
			printf '%s' "$v" | grep -Eiq '^(daily|(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?(,(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?)*)$' ||
				site_bad "$ln" "open_days: daily, or days and ranges such as mon-fri or mon-fri,sat" ;;
		*)
			site_bad "$ln" "$k: unknown key (site_name kiosk_id sync_url trusted_key staff_pin_hash printer screen_size orientation idle_timeout open_hours open_days)"
			continue ;;
		esac
		[ -z "${S[$k]+x}" ] || site_bad "$ln" "$k: set twice"
		S[$k]=$v
		nkeys=$((nkeys + 1))
	done <"$site"
	[ -n "${S[site_name]:-}" ] || site_bad 0 "site_name: missing (the name of the reading point)"
	[ -n "${S[kiosk_id]:-}" ] || site_bad 0 "kiosk_id: missing (a unique name for this kiosk)"
	[ "${S[trusted_key_n]:-0}" -ge 1 ] || site_bad 0 "trusted_key: missing (at least one key that signs content updates)"
	if [ -n "${S[open_days]:-}" ] && [ -z "${S[open_hours]:-}" ]; then site_bad 0 "open_days: needs open_hours"; fi
	if [ -s "$tmp/problems" ]; then
		sed 's/^/  /' "$tmp/problems" >&2
		fail "站点配置文件 $site 有 $(wc -l <"$tmp/problems") 处错误（见上面各行），改正后再运行。什么也没有写入。" \
			"site.conf has problems (listed above); nothing was written"
	fi

	# kiosk.conf: the board's panel, then the site (keys of README "Configuration")
	size=${S[screen_size]:-$(conf_get "$bconf" BOARD_SCREEN_SIZE)}
	orient=${S[orientation]:-$(conf_get "$bconf" BOARD_ORIENTATION)}
	sources=usb
	[ -z "${S[sync_url]:-}" ] || sources="usb,${S[sync_url]}"
	{
		echo "# kiosk.conf — written by flash.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ) from $(basename "$site")"
		echo "# for board $board, kiosk ${S[kiosk_id]}. Keys: README.md, Configuration."
		echo "site_name = ${S[site_name]}"
		echo "screen_size = ${size:-1920x1080}"
		echo "orientation = ${orient:-landscape}"
		echo "fullscreen = yes"
		echo "idle_timeout = ${S[idle_timeout]:-120}"
		echo "data_dir = /var/lib/kiosk"
		echo "printer = ${S[printer]:-auto}"
		echo "sync_sources = $sources"
		echo "kiosk_id = ${S[kiosk_id]}"
		# the root keys written below (keys/trusted/root-N.pub): they verify content updates
		keys=
		for i in $(seq 1 "${S[trusted_key_n]}"); do keys="${keys:+$keys,}/var/lib/kiosk/keys/trusted/root-$i.pub"; done
		echo "sync_pubkey = $keys"
		[ -z "${S[staff_pin_hash]:-}" ] || echo "staff_pin_hash = ${S[staff_pin_hash]}"
		echo "log_level = info"
		echo "font_fallback = /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	} >"$tmp/kiosk.conf"
	kiosk_bin=${KK_BUILD:-$ROOT/build}/kiosk
	if [ -x "$kiosk_bin" ] && ! "$kiosk_bin" --check-config "$tmp/kiosk.conf" >"$tmp/check" 2>&1; then
		cat "$tmp/check" >&2
		fail "生成的 kiosk.conf 没有通过检查（见上面），请把这段输出发给开发人员。" "the kiosk.conf made from site.conf fails kiosk --check-config"
	fi
	if [ -n "${S[open_hours]:-}" ]; then
		days=${S[open_days]:-daily}
		{
			echo "# screen schedule (board/common/usr/lib/kiosk/kiosk-screen): display on at opening, off at closing"
			echo "open=${S[open_hours]%-*}"
			echo "close=${S[open_hours]#*-}"
			echo "days=$(printf '%s' "$days" | tr 'A-Z' 'a-z')"
		} >"$tmp/screen-schedule"
	fi
	say "site ${S[site_name]} / kiosk ${S[kiosk_id]}: $nkeys settings, ${S[trusted_key_n]} trusted key(s)"
fi

# --- 2. the device --------------------------------------------------------------------------
step "2/7 device $device"
[ -e "$device" ] || fail "设备 $device 不存在。请插好SD卡或U盘，用 lsblk 查看设备名（例如 /dev/sdb）。" \
	"$device does not exist (see lsblk)"
dev=$(readlink -f "$device")
[ -b "$dev" ] || fail "$device 不是块设备（不是磁盘）。请用 lsblk 查看SD卡或U盘的设备名，例如 /dev/sdb。" \
	"$device is not a block device"
name=${dev##*/}
if [ -e "/sys/class/block/$name/partition" ]; then
	fail "$device 是一个分区，不是整张卡。请写整个设备（例如 /dev/sdb，而不是 /dev/sdb1）。" \
		"$device is a partition; give the whole disk (e.g. /dev/sdb, not /dev/sdb1)"
fi
[ -d "/sys/block/$name" ] || fail "$device 不是整块磁盘。请用 lsblk 查看（TYPE 为 disk 的那一行）。" \
	"$device is not a whole disk"
is_loop=0
case "$name" in loop[0-9]*) is_loop=1 ;; esac
removable=$(cat "/sys/block/$name/removable" 2>/dev/null || echo 0)
hotplug=$(lsblk -dno HOTPLUG "$dev" 2>/dev/null | tr -d ' ')
if [ "$is_loop" = 1 ]; then
	[ "${KK_FLASH_ALLOW_LOOP:-}" = 1 ] ||
		fail "$device 是回环设备（loop），不是SD卡或U盘，已拒绝写入。" \
			"refused: $device is a loop device (only tests may write one, with KK_FLASH_ALLOW_LOOP=1)"
	say "loop device accepted for a test (KK_FLASH_ALLOW_LOOP=1)"
elif [ "$removable" != 1 ] && [ "$hotplug" != 1 ]; then
	fail "$device 不是可移动磁盘（可能是本机系统盘），已拒绝写入。请确认插入的是SD卡或U盘，用 lsblk 查看设备名（RM 或 HOTPLUG 列为 1 的才可以写）。" \
		"refused: $device is not a removable or hot-plugged disk (/sys/block/$name/removable = $removable)"
fi
[ "$(cat "/sys/block/$name/ro" 2>/dev/null || echo 0)" = 0 ] ||
	fail "$device 是只读的。SD卡侧面的写保护开关（LOCK）请拨到另一边，再重新插入。" \
		"$device is read-only (the SD card's lock switch?)"

# Everything that lives on this disk: the disk itself and its partitions, as major:minor.
devnums=$(cat "/sys/block/$name/dev")
for p in /sys/block/"$name"/"$name"*; do
	[ -e "$p/dev" ] && devnums="$devnums $(cat "$p/dev")"
done
mounted=$(awk -v nums=" $devnums " 'index(nums, " " $3 " ") { print $5 }' /proc/self/mountinfo)
mounted="$mounted $(lsblk -nro MOUNTPOINTS "$dev" 2>/dev/null | tr '\n' ' ')"
mounted=$(echo $mounted)
if [ -n "$mounted" ]; then
	for m in $mounted; do
		case "$m" in / | /boot | /boot/* | /usr | /var | /home | /etc | /opt | /srv | \[SWAP\])
			fail "$device 是本机的系统盘（挂载在 $m），绝对不能写入，已拒绝。请用 lsblk 找到SD卡或U盘的设备名。" \
				"refused: $device holds a system mount ($m)" ;;
		esac
	done
	fail "$device 上有分区正在使用（挂载在：$mounted）。请先在文件管理器里“弹出”或运行 umount 卸载这些分区，再运行本程序。" \
		"refused: $device has mounted file systems ($mounted); unmount them first"
fi
for p in "/sys/block/$name" /sys/block/"$name"/"$name"*; do
	[ -d "$p/holders" ] && [ -n "$(ls -A "$p/holders" 2>/dev/null)" ] &&
		fail "$device 正被其他设备（LVM/RAID/加密盘：$(ls "$p/holders" | tr '\n' ' ')）使用，已拒绝写入。请确认设备名是否正确。" \
			"refused: $device is in use by $(ls "$p/holders" | tr '\n' ' ')"
done
# a loop device over this disk (a partition mounted with mount -o loop,offset=…, a VM's disk)
for l in /sys/block/loop*/loop/backing_file; do
	[ -r "$l" ] || continue
	[ "$(readlink -f "$(cat "$l")")" = "$dev" ] || continue
	l=${l#/sys/block/}; l=${l%%/*}
	fail "$device 正被回环设备 /dev/$l 使用（可能挂载了其中的分区，或正被虚拟机使用）。请先卸载（umount）并运行 losetup -d /dev/$l。" \
		"refused: $device is in use by the loop device /dev/$l"
done
if awk 'NR > 1 { print $1 }' /proc/swaps 2>/dev/null | while read -r s; do
	s=$(readlink -f "$s"); case "${s##*/}" in "$name" | "$name"[0-9p]*) exit 1 ;; esac
done; then :; else
	fail "$device 上有正在使用的交换分区，已拒绝写入。" "refused: $device holds active swap"
fi
dev_size=$(blockdev --getsize64 "$dev" 2>/dev/null) ||
	fail "读不到 $device 的大小。请重新插入SD卡或U盘再试。" "cannot read the size of $device"
[ "$dev_size" -ge "$img_size" ] ||
	fail "$device 太小（$((dev_size / 1048576)) MiB），镜像需要 $((img_size / 1048576)) MiB。请换一张更大的SD卡（至少 $(((img_size + 1073741823) / 1073741824)) GB）。" \
		"$device is too small ($dev_size bytes; the image needs $img_size)"

part_node() { # DEVICE N: the node of partition N
	case "$1" in *[0-9]) echo "${1}p$2" ;; *) echo "$1$2" ;; esac
}

# --keep-data: the disk must carry the same layout (boot and root identical, data at the same
# start and at least as large), and its data partition a kiosk data file system.
if [ "$keep" = 1 ]; then
	dev_parts=$(parts "$dev")
	want=$(printf '1 %s %s kiosk-boot\n2 %s %s kiosk-root\n' "$p1_start" "$p1_size" "$p2_start" "$p2_size")
	got12=$(echo "$dev_parts" | sed -n 1,2p)
	read -r n3 d3_start d3_size d3_name <<<"$(echo "$dev_parts" | sed -n 3p)"
	if [ "$got12" != "$want" ] || [ "${n3:-}" != 3 ] || [ "${d3_name:-}" != kiosk-data ] ||
		[ "${d3_start:-0}" != "$p3_start" ] || [ "${d3_size:-0}" -lt "$p3_size" ]; then
		echo "  image:  $(echo "$img_parts" | tr '\n' ';')" >&2
		echo "  device: $(echo "$dev_parts" | tr '\n' ';')" >&2
		fail "$device 的分区和这个镜像不一致（不是同一版本布局的查阅点卡），不能保留数据。请去掉 --keep-data 重新完整写入（数据分区会被清空，之后用 --site 重新配置），或先备份数据。" \
			"refused --keep-data: the partition table of $device does not match the image (boot and root must be identical, data at the same start)"
	fi
	dlabel=$(blkid -p -O $((p3_start * 512)) -o value -s LABEL "$dev" 2>/dev/null)
	[ "$dlabel" = kiosk-data ] ||
		fail "$device 的第3分区不是查阅点数据分区（标签：${dlabel:-无}），不能保留数据。请去掉 --keep-data 完整写入。" \
			"refused --keep-data: partition 3 of $device has no kiosk-data file system (label: ${dlabel:-none})"
fi

# --- 3. confirm -----------------------------------------------------------------------------
step "3/7 confirm"
lsblk -o NAME,SIZE,TYPE,TRAN,MODEL,LABEL,FSTYPE "$dev" 2>/dev/null | sed 's/^/  /'
model=$(lsblk -dno VENDOR,MODEL "$dev" 2>/dev/null | tr -s ' ' | sed 's/^ //; s/ $//')
say "target $dev: ${model:-unknown model}, $dev_size bytes ($((dev_size / 1000000000)) GB)"
if [ "$keep" = 1 ]; then
	say "will write the boot and root partitions; the data partition is kept"
else
	say "will ERASE EVERYTHING on $dev and write $image"
fi
if [ "$DRY" = 1 ]; then
	say "dry run: no confirmation asked, nothing will be written"
elif [ "$yes" = 1 ]; then
	say "confirmed by --yes"
else
	printf '将清除 %s（%s）上的所有内容。确认请输入设备名 %s： / type %s to confirm: ' "$dev" "${model:-?}" "$name" "$name"
	answer=
	read -r answer || true
	[ "$answer" = "$name" ] || [ "$answer" = "$dev" ] ||
		fail "没有确认（输入的是「$answer」，应为 $name），什么也没有写入。" "not confirmed; nothing was written"
fi

# --- 4. write -------------------------------------------------------------------------------
# ranges: "START_BYTE LENGTH" pieces of the image written at the same offset of the device
if [ "$keep" = 1 ]; then
	ranges="$((p1_start * 512)) $((p1_size * 512))
$((p2_start * 512)) $((p2_size * 512))"
else
	ranges="0 $img_size"
fi
step "4/7 write"
while read -r off len; do
	act dd if="$image" of="$dev" bs=4M iflag=skip_bytes,count_bytes oflag=seek_bytes,direct \
		skip="$off" seek="$off" count="$len" conv=notrunc,fsync status=progress ||
		fail "写入 $device 失败（SD卡或读卡器出错）。请换一个USB口或读卡器重试；仍失败请换一张SD卡。" \
			"writing $device failed (see the dd message above)"
done <<<"$ranges"

# --- 5. flush and verify ----------------------------------------------------------------------
step "5/7 flush and verify"
act sync
act blockdev --flushbufs "$dev" ||
	fail "无法刷新 $device 的缓存。请不要拔卡，重新运行本程序。" "blockdev --flushbufs $dev failed"
if [ -n "${KK_FLASH_TEST_CORRUPT_AT:-}" ] && [ "$DRY" = 0 ]; then
	[ "$is_loop" = 1 ] && [ "${KK_FLASH_ALLOW_LOOP:-}" = 1 ] ||
		fail "KK_FLASH_TEST_CORRUPT_AT 只用于测试" "KK_FLASH_TEST_CORRUPT_AT is for loop-device tests only"
	b=$(dd if="$dev" bs=1 skip="$KK_FLASH_TEST_CORRUPT_AT" count=1 status=none | od -An -tu1 | tr -d ' ')
	printf "\\$(printf %03o $((255 - b)))" |
		dd of="$dev" bs=1 seek="$KK_FLASH_TEST_CORRUPT_AT" conv=notrunc status=none
	blockdev --flushbufs "$dev"
	say "test hook: flipped the byte at offset $KK_FLASH_TEST_CORRUPT_AT"
fi
while read -r off len; do
	if [ "$DRY" = 1 ]; then
		echo "[dry-run] would compare sha256 of $len bytes at $off of $image and of $dev"
		continue
	fi
	want=$(dd if="$image" bs=4M iflag=skip_bytes,count_bytes skip="$off" count="$len" status=none | sha256sum | cut -c1-64)
	got=$(dd if="$dev" bs=4M iflag=skip_bytes,count_bytes,direct skip="$off" count="$len" status=none | sha256sum | cut -c1-64)
	say "sha256 image  $want ($len bytes at $off)"
	say "sha256 device $got"
	[ "$want" = "$got" ] ||
		fail "校验失败：读回的数据和镜像不一致，这张SD卡（或读卡器）不可靠。请换一张SD卡（或换读卡器）后重新写入，不要使用这张卡。" \
			"verify failed: what was read back from $device differs from the image (bad card or reader)"
done <<<"$ranges"
[ "$DRY" = 1 ] || say "verified: the device holds exactly the image"

# --- 6. grow the data partition to the end of the disk --------------------------------------
step "6/7 data partition"
# data_open: make $data the data partition as a block device: the kernel's node (sdb3,
# mmcblk0p3) once the table is re-read, or, on a kernel without partition tables (the test VM),
# a loop device over the partition's range of the disk. A desktop that automounted the fresh
# partition is undone first, so the file system is never mounted twice.
data= data_loop=
data_open() {
	local node s z m
	node=$(part_node "$dev" 3)
	if [ "$DRY" = 1 ]; then
		echo "[dry-run] would run: blockdev --rereadpt $dev"
		data=$node
		return 0
	fi
	[ -z "$data_loop" ] || losetup -d "$data_loop"
	data_loop=
	act blockdev --rereadpt "$dev" 2>/dev/null || act partx -u "$dev" 2>/dev/null || true
	command -v udevadm >/dev/null && udevadm settle --timeout=10 2>/dev/null
	read -r _ s z _ <<<"$(parts "$dev" | sed -n 3p)"
	for _ in 1 2 3 4 5 6; do [ -b "$node" ] && break; sleep 0.5; done
	if [ -b "$node" ]; then
		for m in $(awk -v d="$(cat "/sys/class/block/${node##*/}/dev" 2>/dev/null)" '$3 == d { print $5 }' /proc/self/mountinfo); do
			act umount "$m" || fail "数据分区被系统自动挂载在 $m，无法卸载。请关闭打开它的窗口后重试。" "cannot unmount the automounted $m"
		done
		data=$node
	else
		data_loop=$(losetup -f --show --offset $((s * 512)) --sizelimit $((z * 512)) "$dev") ||
			fail "无法访问数据分区。请拔出再插入SD卡，然后用 --keep-data --site 重新运行来完成配置。" \
				"no node $node and no loop device over partition 3 of $device"
		data=$data_loop
		say "no partition node $node (kernel without partition tables): using $data over its range"
	fi
}
if [ "$keep" = 1 ]; then
	say "kept: the data partition was not written"
elif [ "$dev_size" -gt $((img_size + 4 * 1048576)) ]; then
	# the backup GPT goes to the real end of the disk, then partition 3 takes the rest
	act sfdisk --quiet --relocate gpt-bak-std "$dev" &&
		{ [ "$DRY" = 1 ] && echo "[dry-run] would run: echo ', +' | sfdisk -N 3 $dev" ||
			{ echo "+ echo ', +' | sfdisk -N 3 $dev"; echo ', +' | sfdisk --quiet --no-reread --no-tell-kernel -N 3 "$dev"; }; } ||
		fail "扩大数据分区失败。系统已写好，可以使用，但数据分区较小；请联系开发人员。" "growing the data partition failed"
	data_open
	act e2fsck -f -p "$data"
	[ $? -le 1 ] || # 1: errors corrected
		fail "数据分区的文件系统检查失败。请重新完整写入一次；仍失败请换一张SD卡。" "e2fsck $data failed"
	act resize2fs "$data" ||
		fail "扩大数据分区的文件系统失败。请重新完整写入一次；仍失败请换一张SD卡。" "resize2fs $data failed"
else
	say "the disk is the image's size: the data partition stays as in the image"
fi

# --- 7. provision ---------------------------------------------------------------------------
step "7/7 provision"
if [ -z "$site" ]; then
	if [ "$keep" = 1 ]; then
		say "no --site: the data partition and its configuration are kept as they were"
	else
		say "no --site: the data partition is not configured (the kiosk starts with its defaults)"
	fi
	[ "$DRY" = 1 ] && say "dry run finished: nothing was written" || say "done: $device is ready / 完成，可以拔出SD卡了"
	exit 0
fi
[ -n "$data" ] || data_open
if [ "$DRY" = 1 ]; then
	echo "[dry-run] would mount $data and write kiosk.conf:"
	sed 's/^/[dry-run]   /' "$tmp/kiosk.conf"
	echo "[dry-run] would write site/kiosk-id, keys/trusted/root-1..${S[trusted_key_n]}.pub${S[open_hours]:+, site/screen-schedule}, site/provisioned"
	say "dry run finished: nothing was written"
	exit 0
fi
mnt="$tmp/data"
mkdir -p "$mnt"
mount -t ext4 -o nosuid,nodev,noexec "$data" "$mnt" ||
	fail "无法挂载数据分区 $data（文件系统可能损坏）。请去掉 --keep-data 重新完整写入。" "cannot mount $data"
# put SRC DEST MODE: write a file atomically (a temporary name, then rename)
put() {
	install -m "$3" -o 0 -g "$KIOSK_UID" "$1" "$mnt/$2.new" && mv -f "$mnt/$2.new" "$mnt/$2"
}
provision_files() {
	local i kid
	mkdir -p "$mnt/site" "$mnt/keys/trusted" || return 1
	# the kiosk may provision itself later from a signed site config on a stick: its folders
	chown "$KIOSK_UID:$KIOSK_UID" "$mnt/site" "$mnt/keys" "$mnt/keys/trusted" || return 1
	put "$tmp/kiosk.conf" kiosk.conf 0640 || return 1
	printf '%s\n' "${S[kiosk_id]}" >"$tmp/kiosk-id" && put "$tmp/kiosk-id" site/kiosk-id 0644 || return 1
	rm -f "$mnt"/keys/trusted/root-*.pub || return 1
	for i in $(seq 1 "${S[trusted_key_n]}"); do
		kid=$(printf '%s' "${S[trusted_key_$i]}" | base64 -d | od -An -tx8 -j2 -N8 | tr -d ' \n' | tr a-f A-F) # minisign shows the id as a little-endian number
		printf 'untrusted comment: minisign public key %s (root %d, provisioned by flash.sh)\n%s\n' \
			"$kid" "$i" "${S[trusted_key_$i]}" >"$tmp/root-$i.pub" || return 1
		put "$tmp/root-$i.pub" "keys/trusted/root-$i.pub" 0644 || return 1
	done
	if [ -f "$tmp/screen-schedule" ]; then
		put "$tmp/screen-schedule" site/screen-schedule 0644 || return 1
	else
		rm -f "$mnt/site/screen-schedule" || return 1
	fi
	printf 'date=%s\nboard=%s\nimage_sha256=%s\nkept_data=%s\nkiosk_id=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		"$board" "$(sha256sum <"$image" | cut -c1-64)" "$keep" "${S[kiosk_id]}" >"$tmp/provisioned" || return 1
	put "$tmp/provisioned" site/provisioned 0644 || return 1
	sync -f "$mnt/kiosk.conf"
}
if ! provision_files; then
	umount "$mnt"
	fail "写入配置失败（数据分区已满或损坏）。请去掉 --keep-data 重新完整写入。" "writing the configuration to $data failed"
fi
umount "$mnt" || fail "无法卸载数据分区，请稍等再拔卡，运行 sync 后重试。" "cannot unmount $data"
mnt=
say "provisioned ${S[kiosk_id]} (${S[site_name]})"
say "done: $device is ready; you can remove it now / 完成，可以拔出SD卡了"
