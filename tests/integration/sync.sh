#!/usr/bin/env bash
# sync.sh — signed bundles end to end with kioskdb: keygen, a full bundle of the sample
# database, verify, the stock minisign (Debian `minisign`) accepting our signature and our
# secret key, and tampered copies refused with the right reason and Chinese message.
. "$(dirname "$0")/lib.sh"
SAMPLE="$ROOT/offline-db/sample"
command -v minisign >/dev/null || { fail "minisign is installed (make deps)"; finish; }

check_exit "build the sample database" 0 "$KIOSKDB" build --src "$SAMPLE" --out "$TMP/sample.db"
check_exit "keygen" 0 "$KIOSKDB" keygen --out "$TMP/k"
check_exit "keygen never overwrites a key" 1 "$KIOSKDB" keygen --out "$TMP/k"
check_exit "keygen of a second key" 0 "$KIOSKDB" keygen --out "$TMP/other"
check_exit "bundle the sample db" 0 "$KIOSKDB" bundle --db "$TMP/sample.db" --key "$TMP/k.key" \
	--out "$TMP/b" --epoch 3 --seq 5
check_exit "bundle refuses an existing folder" 1 "$KIOSKDB" bundle --db "$TMP/sample.db" \
	--key "$TMP/k.key" --out "$TMP/b"
check_exit "bundle refuses --epoch without --seq" 2 "$KIOSKDB" bundle --db "$TMP/sample.db" \
	--key "$TMP/k.key" --out "$TMP/b2" --epoch 3
check_exit "bundle refuses a damaged database" 1 sh -c \
	"head -c 20000 '$TMP/sample.db' > '$TMP/half.db' && '$KIOSKDB' bundle --db '$TMP/half.db' --key '$TMP/k.key' --out '$TMP/b3'"
[ ! -e "$TMP/b3" ] && ok "a failed bundle leaves no folder" || fail "a failed bundle leaves no folder"
check_exit "bundle refuses a channel that is not [a-z0-9-]" 2 "$KIOSKDB" bundle --db "$TMP/sample.db" \
	--key "$TMP/k.key" --out "$TMP/b4" --channel "Beta Test"
[ ! -e "$TMP/b4" ] && ok "a refused channel leaves no folder" || fail "a refused channel leaves no folder"
check_exit "verify the bundle" 0 "$KIOSKDB" verify "$TMP/b" --pub "$TMP/k.pub"
has "verify prints the version" "$TMP/out" '^ok: .* version 3\.5 channel stable'
check_exit "stock minisign -V accepts the manifest" 0 minisign -V -p "$TMP/k.pub" -m "$TMP/b/manifest"
has "minisign checked the trusted comment" "$TMP/out" 'Trusted comment: zwgk-kiosk stable 3\.5 full'
echo "hello" >"$TMP/f"
check_exit "stock minisign signs with our secret key" 0 minisign -S -s "$TMP/k.key" -m "$TMP/f"
check_exit "stock minisign verifies that with our public key" 0 minisign -V -p "$TMP/k.pub" -m "$TMP/f"
check_exit "inspect" 0 "$KIOSKDB" inspect "$TMP/b"
has "inspect shows version and type" "$TMP/out" '^version: 3\.5$'
has "inspect counts documents" "$TMP/out" '^documents: [1-9][0-9]+$'
has "inspect counts guides" "$TMP/out" '^guides: 105$'

# refused: run verify on a tampered copy; exit 1 with the reason name and its Chinese message
refused() { # what DIR REASON ZH [extra verify args]
	local what=$1 dir=$2 reason=$3 zh=$4; shift 4
	check_exit "$what: refused" 1 "$KIOSKDB" verify "$dir" --pub "$TMP/k.pub" "$@"
	has "$what: $reason" "$TMP/out" "$zh.* \\($reason: "
}
copy() { rm -rf "$TMP/$1"; cp -r "$TMP/b" "$TMP/$1"; }

refused "equal version (replay)" "$TMP/b" UP_TO_DATE "内容已是最新" --floor 3.5
refused "older version (rollback)" "$TMP/b" OLDER "比已安装的内容旧" --floor 3.6
refused "older epoch" "$TMP/b" OLDER "比已安装的内容旧" --floor 4.0
check_exit "a newer bundle passes the floor" 0 "$KIOSKDB" verify "$TMP/b" --pub "$TMP/k.pub" --floor 2.99
refused "another channel" "$TMP/b" WRONG_CHANNEL "发布渠道" --channel beta
check_exit "verify with another key" 1 "$KIOSKDB" verify "$TMP/b" --pub "$TMP/other.pub"
has "another key: SIG_KEY" "$TMP/out" "未授权的密钥.* \\(SIG_KEY: "

copy t1; sed -i 's/^seq = 5$/seq = 6/' "$TMP/t1/manifest"
refused "edited manifest" "$TMP/t1" SIG_INVALID "签名无效"
copy t2; sed -i '4s/^trusted comment: zwgk/trusted comment: Zwgk/;3s/^trusted comment: zwgk/trusted comment: Zwgk/' "$TMP/t2/manifest.minisig"
refused "edited trusted comment" "$TMP/t2" SIG_INVALID "签名无效"
copy t3; awk 'NR==2 { c = substr($0, 30, 1); $0 = substr($0, 1, 29) (c == "A" ? "B" : "A") substr($0, 31) } { print }' \
	"$TMP/b/manifest.minisig" >"$TMP/t3/manifest.minisig"
refused "flipped signature bits" "$TMP/t3" SIG_INVALID "签名无效"
copy t4; printf 'x' | dd of="$TMP/t4/content.db" bs=1 seek=100000 conv=notrunc 2>/dev/null
refused "flipped payload byte" "$TMP/t4" PAYLOAD_HASH "更新包已损坏"
copy t5; echo extra >>"$TMP/t5/content.db"
refused "grown payload" "$TMP/t5" PAYLOAD_SIZE "损坏或不完整"
copy t6; truncate -s 1000 "$TMP/t6/content.db"
refused "truncated payload" "$TMP/t6" PAYLOAD_SIZE "损坏或不完整"
copy t7; rm "$TMP/t7/content.db"
refused "missing payload" "$TMP/t7" MISSING "不完整"
copy t8; head -c 5000 /dev/zero >>"$TMP/t8/manifest"
refused "oversize manifest" "$TMP/t8" TOO_BIG "文件过大"
# a bundle from another publisher with a payload swapped in is refused by its signature
check_exit "bundle with the other key" 0 "$KIOSKDB" bundle --db "$TMP/sample.db" --key "$TMP/other.key" \
	--out "$TMP/o" --epoch 3 --seq 9
copy t9; cp "$TMP/o/manifest" "$TMP/o/manifest.minisig" "$TMP/t9/"
refused "another publisher's manifest" "$TMP/t9" SIG_KEY "未授权的密钥"

check_exit "verify without --pub is a usage error" 2 "$KIOSKDB" verify "$TMP/b"
check_exit "a bad --floor is a usage error" 2 "$KIOSKDB" verify "$TMP/b" --pub "$TMP/k.pub" --floor 3
finish
