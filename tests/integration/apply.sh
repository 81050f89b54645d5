#!/usr/bin/env bash
# apply.sh — the kiosk applying signed bundles (`kiosk --data DIR --sync-from BUNDLE`): a first
# install into an empty data folder, the kiosk showing it, replay / rollback / tampering /
# other channel / other key refused with their exit status and Chinese message, a payload over
# the cap, a full disk (a real 6 MiB tmpfs in a user namespace when the kernel allows it, and
# ENOSPC injected while copying), a read-only stick (no receipt, still applied), bundles signed
# by the stock minisign with a `created` date decades away (the clock plays no part), and the
# second key of a comma-separated sync_pubkey. Exit: 0 applied, 3 up to date, 4 refused, 5
# failed, 2 usage.
. "$(dirname "$0")/lib.sh"
command -v minisign >/dev/null || { fail "minisign is installed (make deps)"; finish; }

D="$TMP/data"
sync_fixtures
conf() { # conf FILE DATA_DIR PUBKEYS: the development config with this test's keys and folder
	{ grep -vE '^(data_dir|sync_)' "$ROOT/assets/kiosk.conf"
	  printf 'data_dir = %s\nsync_pubkey = %s\nkiosk_id = test-kiosk-7\n' "$2" "$3"; } >"$1"
}
conf "$TMP/kiosk.conf" "$D" "$TMP/k.pub"
CONF="$TMP/kiosk.conf"
bundle() { # bundle DIR DB SEQ [args]: a bundle of DB as version 1.SEQ
	local dir=$1 db=$2 seq=$3; shift 3
	"$KIOSKDB" bundle --db "$db" --key "$TMP/k.key" --out "$dir" --epoch 1 --seq "$seq" "$@" >/dev/null ||
		fail "bundle $dir"
}
apply() { "$KIOSK" --config "$CONF" --data "$D" --sync-from "$@"; }
status() { "$KIOSK" --config "$CONF" --data "$D" --sync-status >"$TMP/status" 2>&1; }
state_is() { # state_is WHAT PATTERN: --sync-status prints a line matching PATTERN
	status; has "$1" "$TMP/status" "$2"
}
bundle "$TMP/b5" "$TMP/sample.db" 5
bundle "$TMP/b4" "$TMP/sample.db" 4
bundle "$TMP/b6" "$TMP/small.db" 6

# --- a first install, then the kiosk showing it ------------------------------------------
check_exit "nothing installed: --sync-status says so" 1 "$KIOSK" --config "$CONF" --data "$D" --sync-status
has "nothing installed: the staff notice" "$TMP/out" "内容暂时无法显示，请联系工作人员"
check_exit "apply a full bundle to an empty data folder" 0 apply "$TMP/b5"
has "applied: version, slot and counts" "$TMP/out" "^applied: version 1\.5 in slot a \(was 0\.0\), 67 documents, 105 guides"
has "applied: the Chinese line" "$TMP/out" "内容已更新到 1\.5 版：政府信息公开文件 67 份，办事指南 105 项"
state_is "the active slot opens and passes integrity_check" "^active a version 1\.5 floor 1\.5 documents 67 guides 105 integrity ok$"
[ "$(cat "$D/active")" = a ] && [ "$(cat "$D/floor")" = 1.5 ] && ok "active and floor files" || fail "active and floor files"
cmp -s "$D/slots/a/content.db" "$TMP/sample.db" && ok "slot a holds the payload byte for byte" || fail "slot a holds the payload byte for byte"
check_exit "the slot keeps the signed manifest (stock minisign -V)" 0 minisign -V -p "$TMP/k.pub" -m "$D/slots/a/manifest"
has "receipt on the stick: kiosk id and result" "$TMP/b5/receipt-test-kiosk-7.txt" "^result = APPLIED$"
has "receipt: old and new version" "$TMP/b5/receipt-test-kiosk-7.txt" "^new_version = 1\.5$"
has "a line in DATA/log/sync.log" "$D/log/sync.log" " APPLIED 0\.0 -> 1\.5 bundle 1\.5 "
printf 'shot home\n' >"$TMP/shot.script"
check_exit "kiosk --data shows the active slot" 0 "$KIOSK" --config "$CONF" --data "$D" --headless --size 1280x800 --script "$TMP/shot.script" --shots "$TMP/s-data"
check_exit "kiosk --db of the same database" 0 "$KIOSK" --config "$CONF" --db "$TMP/sample.db" --headless --size 1280x800 --script "$TMP/shot.script" --shots "$TMP/s-db"
check_exit "kiosk --data on an empty folder still starts" 0 "$KIOSK" --config "$CONF" --data "$TMP/empty" --headless --size 1280x800 --script "$TMP/shot.script" --shots "$TMP/s-empty"
[ -s "$TMP/s-data/home.png" ] && cmp -s "$TMP/s-data/home.png" "$TMP/s-db/home.png" &&
	ok "the home screen from --data equals the one from --db" || fail "the home screen from --data equals the one from --db"
[ -s "$TMP/s-empty/home.png" ] && ! cmp -s "$TMP/s-empty/home.png" "$TMP/s-db/home.png" &&
	ok "an empty data folder shows the notice screen instead" || fail "an empty data folder shows the notice screen instead"

# --- replay, rollback, tampering: refused, nothing changes ---------------------------------
check_exit "the same bundle again: up to date" 3 apply "$TMP/b5"
has "up to date: Chinese and English" "$TMP/out" "内容已是最新.*本机内容 1\.5 版"
has "up to date: reason" "$TMP/out" "UP_TO_DATE"
check_exit "an older seq: refused" 4 apply "$TMP/b4"
has "older: message" "$TMP/out" "比已安装的内容旧，已拒绝"
has "receipt of a refusal" "$TMP/b4/receipt-test-kiosk-7.txt" "^result = OLDER$"
check_exit "a newer bundle applies into the other slot" 0 apply "$TMP/b6"
has "newer: slot b, counts of the new content" "$TMP/out" "^applied: version 1\.6 in slot b \(was 1\.5\), 40 documents, 10 guides"
state_is "slot b active, floor 1.6" "^active b version 1\.6 floor 1\.6 documents 40 guides 10 integrity ok$"
check_exit "the 1.5 bundle is now a rollback" 4 apply "$TMP/b5"

bundle "$TMP/b7" "$TMP/sample.db" 7
refused() { # refused WHAT DIR PATTERN [config]: exit 4, the message, and 1.6 still shown
	check_exit "$1: refused" 4 apply "$2"
	has "$1: message" "$TMP/out" "$3"
	state_is "$1: content unchanged" "^active b version 1\.6 floor 1\.6 documents 40 guides 10 integrity ok$"
}
copy() { rm -rf "$TMP/$1"; cp -r "$TMP/b7" "$TMP/$1"; rm -f "$TMP/$1"/receipt-*; }
copy t1; printf 'x' | dd of="$TMP/t1/content.db" bs=1 seek=200000 conv=notrunc 2>/dev/null
refused "flipped payload byte" "$TMP/t1" "更新包已损坏.*PAYLOAD_HASH"
copy t2; sed -i 's/^seq = 7$/seq = 8/' "$TMP/t2/manifest"
refused "edited manifest" "$TMP/t2" "签名无效.*SIG_INVALID"
copy t3; awk 'NR==2 { c = substr($0, 30, 1); $0 = substr($0, 1, 29) (c == "A" ? "B" : "A") substr($0, 31) } { print }' \
	"$TMP/b7/manifest.minisig" >"$TMP/t3/manifest.minisig"
refused "flipped signature" "$TMP/t3" "签名无效.*SIG_INVALID"
copy t4; truncate -s 100000 "$TMP/t4/content.db"
refused "truncated payload" "$TMP/t4" "损坏或不完整.*PAYLOAD_SIZE"
copy t5; rm "$TMP/t5/manifest.minisig"
refused "missing signature" "$TMP/t5" "不完整.*MISSING"
bundle "$TMP/beta" "$TMP/sample.db" 9 --channel beta
refused "another channel" "$TMP/beta" "发布渠道与本终端不符.*WRONG_CHANNEL"
"$KIOSKDB" bundle --db "$TMP/sample.db" --key "$TMP/other.key" --out "$TMP/ok" --epoch 1 --seq 9 >/dev/null
refused "another publisher's key" "$TMP/ok" "未授权的密钥.*SIG_KEY"

# --- hand-made manifests signed with the stock minisign ------------------------------------
handmade() { # handmade DIR DB SEQ CREATED [SIZE]: manifest written here, signed by minisign -S
	local dir=$1 db=$2 seq=$3 created=$4 size=${5:-}
	mkdir -p "$dir" && cp "$db" "$dir/content.db"
	[ -n "$size" ] || size=$(stat -c %s "$db")
	cat >"$dir/manifest" <<EOF
format = 1
product = zwgk-kiosk
channel = stable
epoch = 1
seq = $seq
type = full
base_seq = 0
base_sha256 = none
payload = content.db
payload_size = $size
payload_sha256 = $(sha256sum "$db" | cut -d' ' -f1)
created = $created
EOF
	minisign -S -s "$TMP/k.key" -m "$dir/manifest" -t "zwgk-kiosk stable 1.$seq full" >/dev/null 2>&1 ||
		fail "minisign -S $dir"
}
handmade "$TMP/huge" "$TMP/sample.db" 10 2026-11-23T00:00:00Z 17179869184
refused "a payload of 16 GiB (over the 8 GiB cap)" "$TMP/huge" "已损坏或不完整.*TOO_BIG"
handmade "$TMP/future" "$TMP/sample.db" 10 2099-12-31T23:59:59Z
check_exit "a bundle dated 2099 applies (no clock check)" 0 apply "$TMP/future"
handmade "$TMP/past" "$TMP/small.db" 11 1999-01-01T00:00:00Z
check_exit "a bundle dated 1999 applies after it (order is (epoch, seq), not time)" 0 apply "$TMP/past"
state_is "1.11 active" "^active b version 1\.11 floor 1\.11 documents 40 "

# --- a second trusted key; a read-only stick -----------------------------------------------
conf "$TMP/two.conf" "$D" "$TMP/k.pub, $TMP/other.pub"
"$KIOSKDB" bundle --db "$TMP/sample.db" --key "$TMP/other.key" --out "$TMP/o12" --epoch 1 --seq 12 >/dev/null
chmod a-w "$TMP/o12"
if touch "$TMP/o12/probe" 2>/dev/null; then rm -f "$TMP/o12/probe"; ro=0; else ro=1; fi
check_exit "sync_pubkey lists two keys: the second one's bundle applies" 0 \
	"$KIOSK" --config "$TMP/two.conf" --data "$D" --sync-from "$TMP/o12"
if [ $ro -eq 1 ]; then
	[ ! -e "$TMP/o12/receipt-test-kiosk-7.txt" ] && ok "a read-only stick: applied, no receipt" ||
		fail "a read-only stick: applied, no receipt"
else
	ok "a read-only stick: not testable as root (applied all the same)"
fi
chmod u+w "$TMP/o12"
check_exit "without sync_pubkey the apply is a configuration error" 2 \
	"$KIOSK" --config "$TMP/kiosk.conf" --data "$D" --sync-from "$TMP/o12" --config /dev/null

# --- full disk -------------------------------------------------------------------------------
bundle "$TMP/b20" "$TMP/sample.db" 20
rm -rf "$TMP/d2"
KK_FAULT_AT=9 KK_FAULT_MODE=enospc "$KIOSK" --config "$CONF" --data "$TMP/d2" --sync-from "$TMP/b20" >"$TMP/out" 2>&1
[ $? -eq 5 ] && ok "ENOSPC while copying: failed (5)" || fail "ENOSPC while copying: failed (5)"
has "ENOSPC: the staff message" "$TMP/out" "存储空间不足.*NO_SPACE"
[ -z "$(ls -A "$TMP/d2/staging" 2>/dev/null)" ] && ok "ENOSPC: staging emptied" || fail "ENOSPC: staging emptied"
if unshare -rm true 2>/dev/null; then
	# a real 6 MiB file system: the 3 MiB payload + the 32 MiB margin does not fit
	cat >"$TMP/tmpfs.sh" <<EOF
mkdir -p "$TMP/small" && mount -t tmpfs -o size=6m tmpfs "$TMP/small" || exit 99
"$KIOSK" --config "$CONF" --data "$TMP/small/data" --sync-from "$TMP/b20"
echo "exit=\$?"
ls -A "$TMP/small/data/slots"
EOF
	unshare -rm sh "$TMP/tmpfs.sh" >"$TMP/out" 2>&1
	has "a full 6 MiB tmpfs: not enough space (5)" "$TMP/out" "^exit=5$"
	has "a full tmpfs: the message names the sizes" "$TMP/out" "需要 [0-9]+ MB，可用 [0-9]+ MB"
	if grep -q '^[ab]$' "$TMP/out"; then fail "a full tmpfs: no slot written"; else ok "a full tmpfs: no slot written"; fi
else
	echo "# apply.sh: no user namespaces here; the real small file system is skipped (ENOSPC injected above)"
fi
# --- a read-only data folder (a bind mount remounted read-only in a user namespace) ---------
if unshare -rm true 2>/dev/null; then
	mkdir -p "$D/staging/new" && echo half >"$D/staging/new/content.db" # a crashed apply's rest
	cat >"$TMP/ro.sh" <<EOF
mount --bind "$D" "$D" && mount -o remount,ro,bind "$D" || exit 99
"$KIOSK" --config "$CONF" --data "$D" --sync-status; echo "status=\$?"
"$KIOSK" --config "$CONF" --data "$D" --sync-from "$TMP/b20"; echo "apply=\$?"
EOF
	unshare -rm sh "$TMP/ro.sh" >"$TMP/out" 2>&1
	has "a read-only data folder still shows its content" "$TMP/out" "^active a version 1\.12 floor 1\.12 .* integrity ok$"
	has "a read-only data folder: status 0" "$TMP/out" "^status=0$"
	has "a read-only data folder: an apply fails (5)" "$TMP/out" "^apply=5$"
	has "a read-only data folder: the reason" "$TMP/out" "FAILED: .*not writable"
	state_is "once writable again, the same content" "^active a version 1\.12 "
	[ -z "$(ls -A "$D/staging")" ] && ok "staging emptied at the next start" || fail "staging emptied at the next start"
fi
check_exit "usage: --sync-from without a folder" 2 "$KIOSK" --config "$CONF" --sync-from
finish
