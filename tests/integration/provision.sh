#!/usr/bin/env bash
# provision.sh — provisioning a kiosk from a signed site config on a USB stick (sync/siteconf.c,
# kioskdb site-sign, kiosk --provision-from, the staff panel): a site.conf signed with a root key
# writes kiosk.conf, site/kiosk-id, keys/trusted/root-N.pub, site/screen-schedule and
# site/provisioned as flash.sh does, and a receipt on the stick; the stock `minisign -V` accepts
# the signature and the provisioned keys. Refused, with DATA unchanged: a flipped bit in the
# config or in the signature, a legacy `Ed` signature, an unknown key, a config for another
# kiosk, a replay of an older serial, a bad line (its number in the message). The same serial
# again is "already installed". A rotated root set is honoured. Then twice through the running
# kiosk's staff panel, with screenshots: a fresh kiosk without a PIN (confirmation), and a
# kiosk with a PIN (the keypad); the kiosk exits with 75 so systemd restarts it on the new
# configuration.
. "$(dirname "$0")/lib.sh"
for k in k other k2; do "$KIOSKDB" keygen --out "$TMP/$k" >/dev/null || fail "keygen $k"; done
KEY=$(sed -n 2p "$TMP/k.pub") KEY2=$(sed -n 2p "$TMP/k2.pub")
HASH=$(echo 1234 | "$KIOSKDB" pin-hash | sed 's/^staff_pin_hash = //')
D="$TMP/data"
conf() { # conf FILE [extra line]: the kiosk's configuration before provisioning
	printf 'site_name = 出厂配置\ndata_dir = %s\nprinter = none\nsync_usb_root = %s/usb\nsync_pubkey = %s/k.pub\n%s\n' \
		"$D" "$TMP" "$TMP" "${2:-}" >"$1"
}
conf "$TMP/conf"
P() { "$KIOSK" --config "$TMP/conf" --provision-from "$1"; }
# site DIR SERIAL [site-sign options...]: DIR/site.conf (from $TMP/site.conf) and its signature
site() {
	local dir=$1 serial=$2
	shift 2
	rm -rf "$dir" && mkdir -p "$dir" && cp "$TMP/site.conf" "$dir/site.conf" &&
		"$KIOSKDB" site-sign --key "$TMP/k.key" --serial "$serial" "$@" "$dir/site.conf" >/dev/null
}
snapshot() { (cd "$D" && find . -type f ! -name '*.log*' -exec sha256sum {} + | sort) >"$TMP/snap.$1"; }
unchanged() { snapshot after; if cmp -s "$TMP/snap.before" "$TMP/snap.after"; then ok "  ... DATA unchanged"; else fail "  ... DATA unchanged"; diff "$TMP/snap.before" "$TMP/snap.after" | head -5 | sed 's/^/#   /'; fi; }

cat >"$TMP/site.conf" <<EOF
# 站点配置
site_name = 示例县政务服务中心政府信息公开查阅点
kiosk_id = prov-01
trusted_key = $KEY
sync_url = https://updates.example.gov.cn/zwgk/shili
staff_pin_hash = $HASH
printer = none
screen_size = 1280x800
idle_timeout = 90
open_hours = 08:30-17:30
open_days = Mon-Fri
EOF
check "kioskdb site-sign signs a good site.conf" site "$TMP/usb/A/kiosk-setup" 100
S="$TMP/usb/A/kiosk-setup"
has "  ... with the serial and target in the trusted comment" "$S/site.conf.minisig" "^trusted comment: kiosk-site serial=100 kiosk_id=prov-01$"
check "minisign -V accepts the signature" minisign -V -p "$TMP/k.pub" -m "$S/site.conf"
check "  ... and it is prehashed (ED, minisign -V -H)" minisign -V -H -p "$TMP/k.pub" -m "$S/site.conf"
cp "$TMP/site.conf" "$TMP/bad.conf" && echo "fontsize = 12" >>"$TMP/bad.conf"
check_exit "kioskdb site-sign refuses a site.conf with problems" 1 "$KIOSKDB" site-sign --key "$TMP/k.key" "$TMP/bad.conf"
has "  ... naming the line as flash.sh does" "$TMP/out" "bad.conf:12: fontsize: unknown key \\(site_name kiosk_id"
[ ! -e "$TMP/bad.conf.minisig" ] && ok "  ... and writes no signature" || fail "  ... and writes no signature"

check_exit "--provision-from applies a signed site config" 0 P "$S"
has "  ... saying so in Chinese" "$TMP/out" "站点配置已更新：示例县政务服务中心政府信息公开查阅点（prov-01）"
check "  ... kiosk.conf passes kiosk --check-config" "$KIOSK" --check-config "$D/kiosk.conf"
has "  ... kiosk.conf: site name" "$D/kiosk.conf" "^site_name = 示例县政务服务中心政府信息公开查阅点$"
has "  ... kiosk.conf: the site's screen" "$D/kiosk.conf" "^screen_size = 1280x800$"
has "  ... kiosk.conf: idle timeout" "$D/kiosk.conf" "^idle_timeout = 90$"
has "  ... kiosk.conf: sources usb and the sync URL" "$D/kiosk.conf" "^sync_sources = usb,https://updates.example.gov.cn/zwgk/shili$"
has "  ... kiosk.conf: the staff PIN hash" "$D/kiosk.conf" '^staff_pin_hash = \$argon2id\$'
has "  ... kiosk.conf: the kiosk id" "$D/kiosk.conf" "^kiosk_id = prov-01$"
has "  ... kiosk.conf: the provisioned roots as sync_pubkey" "$D/kiosk.conf" "^sync_pubkey = $D/keys/trusted/root-1.pub$"
[ "$(stat -c %a "$D/kiosk.conf")" = 640 ] && ok "  ... kiosk.conf is 0640 (the PIN hash)" || fail "  ... kiosk.conf is 0640"
has "  ... site/kiosk-id" "$D/site/kiosk-id" "^prov-01$"
check "  ... keys/trusted/root-1.pub holds the key" grep -qxF "$KEY" "$D/keys/trusted/root-1.pub"
check "  ... which minisign -V accepts" minisign -V -p "$D/keys/trusted/root-1.pub" -m "$S/site.conf"
has "  ... site/screen-schedule" "$D/site/screen-schedule" "^days=mon-fri$"
has "  ... site/screen-schedule opening" "$D/site/screen-schedule" "^open=08:30$"
has "  ... site/provisioned records the serial" "$D/site/provisioned" "^serial=100$"
ls "$D"/site/*.new "$D"/*.new "$D"/keys/trusted/*.new >/dev/null 2>&1 && fail "  ... no temporary file left" || ok "  ... no temporary file left"
has "  ... a receipt is on the stick" "$S/receipt-prov-01.txt" "^result = APPLIED$"
check_exit "the same config again" 3 P "$S"
has "  ... is already installed" "$TMP/out" "无需更新"

snapshot before
# refusals
cp -r "$S" "$TMP/flip" && rm -f "$TMP/flip"/receipt-*
python3 - "$TMP/flip/site.conf" <<'PY'
import sys; p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[40] ^= 1; open(p, 'wb').write(b)
PY
check_exit "a flipped bit in site.conf" 4 P "$TMP/flip"
has "  ... is refused: signature invalid" "$TMP/out" "签名无效"
unchanged
cp -r "$S" "$TMP/flipsig" && rm -f "$TMP/flipsig"/receipt-*
python3 - "$TMP/flipsig/site.conf.minisig" <<'PY'
import base64, sys
p = sys.argv[1]; lines = open(p).read().split('\n')
raw = bytearray(base64.b64decode(lines[1])); raw[20] ^= 1; lines[1] = base64.b64encode(bytes(raw)).decode()
open(p, 'w').write('\n'.join(lines))
PY
check_exit "a flipped bit in the signature" 4 P "$TMP/flipsig"
has "  ... is refused: signature invalid" "$TMP/out" "签名无效"
sed -i 's/serial=100/serial=900/' "$TMP/flipsig/site.conf.minisig"
cp "$S/site.conf" "$TMP/flipsig/site.conf"
check_exit "an edited trusted comment (a higher serial)" 4 P "$TMP/flipsig"
has "  ... is refused: signature invalid" "$TMP/out" "签名无效.*BADCOMMENT|BADSIG"
mkdir -p "$TMP/legacy" && cp "$TMP/site.conf" "$TMP/legacy/"
timeout 10 minisign -S -l -s "$TMP/k.key" -m "$TMP/legacy/site.conf" -t "kiosk-site serial=300 kiosk_id=prov-01" </dev/null >/dev/null 2>&1 ||
	fail "minisign -S -l makes a legacy signature"
check_exit "a legacy Ed signature (minisign -l) by the trusted key" 4 P "$TMP/legacy"
has "  ... is refused as legacy" "$TMP/out" "签名无效.*LEGACY"
unchanged
mkdir -p "$TMP/unknown" && cp "$TMP/site.conf" "$TMP/unknown/" &&
	"$KIOSKDB" site-sign --key "$TMP/other.key" --serial 400 "$TMP/unknown/site.conf" >/dev/null
check_exit "a config signed by a key the kiosk does not trust" 4 P "$TMP/unknown"
has "  ... is refused" "$TMP/out" "签名无效.*does not trust"
unchanged
site "$TMP/otherkiosk" 500 --for prov-02
check_exit "a config signed for another kiosk_id" 4 P "$TMP/otherkiosk"
has "  ... is refused: not this kiosk's" "$TMP/out" "不是本机的配置（它是给 prov-02 的，本机是 prov-01）"
unchanged
site "$TMP/old" 50
check_exit "a replay of an older serial" 4 P "$TMP/old"
has "  ... is refused: older than installed" "$TMP/out" "比已安装的旧（编号 50，本机已是 100）"
unchanged
mkdir -p "$TMP/badline" && cp "$TMP/bad.conf" "$TMP/badline/site.conf" &&
	"$KIOSKDB" site-sign --key "$TMP/k.key" --serial 600 --force --for prov-01 "$TMP/badline/site.conf" >/dev/null 2>&1
check_exit "a signed config with a bad key" 4 P "$TMP/badline"
has "  ... is refused with the line number" "$TMP/out" "配置有错误：第12行 fontsize: unknown key"
unchanged
mkdir -p "$TMP/stock" && cp "$TMP/site.conf" "$TMP/stock/"
timeout 10 minisign -S -s "$TMP/k.key" -m "$TMP/stock/site.conf" -t "kiosk-site serial=150 kiosk_id=*" </dev/null >/dev/null 2>&1 ||
	fail "minisign -S signs"
check_exit "a config signed by the stock minisign (ED, for any kiosk)" 0 P "$TMP/stock"
has "  ... is applied" "$D/site/provisioned" "^serial=150$"
has "  ... target * recorded" "$D/site/provisioned" '^target=\*$'

# a new root set: k2 joins; then a config signed by k2 alone is trusted (DATA/keys/trusted)
printf 'trusted_key = %s\n' "$KEY2" >>"$TMP/site.conf"
site "$TMP/rot" 700
check_exit "a config adding a second root key" 0 P "$TMP/rot"
check "  ... keys/trusted/root-2.pub" grep -qxF "$KEY2" "$D/keys/trusted/root-2.pub"
has "  ... sync_pubkey lists both" "$D/kiosk.conf" "root-1.pub,$D/keys/trusted/root-2.pub$"
sed -i '/^trusted_key = '"${KEY//\//\\/}"'$/d' "$TMP/site.conf"
mkdir -p "$TMP/rot2" && cp "$TMP/site.conf" "$TMP/rot2/" &&
	"$KIOSKDB" site-sign --key "$TMP/k2.key" --serial 800 "$TMP/rot2/site.conf" >/dev/null
check_exit "a config signed by the new root (trusted through DATA/keys/trusted)" 0 P "$TMP/rot2"
check "  ... leaves one root" grep -qxF "$KEY2" "$D/keys/trusted/root-1.pub"
[ ! -e "$D/keys/trusted/root-2.pub" ] && ok "  ... and removes the old root-2.pub" || fail "  ... and removes the old root-2.pub"

# --- crash safety: killed (and failed with EIO) at every write, fsync, rename and unlink ----
# A: 2 keys and a screen schedule; B: 1 key, none. After each cut every file is whole, A's or
# B's; B's serial is recorded only when every file is B's; the stick again completes it.
C="$TMP/crash"
cp "$TMP/site.conf" "$TMP/site.keep"
printf 'site_name = 甲\nkiosk_id = cr-01\ntrusted_key = %s\ntrusted_key = %s\nopen_hours = 08:00-18:00\n' "$KEY" "$KEY2" >"$TMP/site.conf"
site "$TMP/cA" 1
printf 'site_name = 乙\nkiosk_id = cr-02\ntrusted_key = %s\nprinter = auto\n' "$KEY2" >"$TMP/site.conf"
site "$TMP/cB" 2 --for cr-01 # B renames the kiosk
mv "$TMP/site.keep" "$TMP/site.conf"
printf 'data_dir = %s\nsync_pubkey = %s/k.pub\n' "$C" "$TMP" >"$TMP/cconf"
PC() { "$KIOSK" --config "$TMP/cconf" --provision-from "$1"; }
# state DIR: one line per file, its content without dates and comments (absent: "-")
state() {
	local f
	for f in kiosk.conf site/kiosk-id site/screen-schedule site/provisioned keys/trusted/root-1.pub keys/trusted/root-2.pub; do
		if [ -f "$1/$f" ]; then echo "$f $(grep -v -e '^#' -e '^date=' -e '^untrusted comment' "$1/$f" | sha256sum | cut -c1-16)"; else echo "$f -"; fi
	done
}
rm -rf "$C" && PC "$TMP/cA" >/dev/null 2>&1 && cp -a "$C" "$TMP/base" && state "$C" >"$TMP/stA"
PC "$TMP/cB" >/dev/null 2>&1 && state "$C" >"$TMP/stB"
rm -f "$TMP"/cB/receipt-*
[ "$(diff "$TMP/stA" "$TMP/stB" | grep -c '^<')" = 6 ] &&
	ok "crash fixtures: configs A and B differ in every provisioned file" || fail "crash fixtures differ in every file"
bad=0 runs=0 steps=0
for mode in kill eio; do
	for n in $(seq 1 60); do
		rm -rf "$C" && cp -a "$TMP/base" "$C"
		KK_FAULT_AT=$n KK_FAULT_MODE=$mode PC "$TMP/cB" >"$TMP/cout" 2>&1
		rc=$?
		[ $rc = 0 ] && { [ $mode = kill ] && steps=$((n - 1)); break; }
		runs=$((runs + 1))
		want=137; [ $mode = eio ] && want=5
		# (an EIO in the receipt on the stick, after DATA is done, is not a failure: exit 0 ends the loop)
		[ $rc = $want ] || { bad=$((bad + 1)); echo "# $mode at $n: exit $rc, want $want"; }
		state "$C" >"$TMP/st"
		# every file A's or B's, whole
		while read -r f h; do
			ha=$(grep "^$f " "$TMP/stA" | cut -d' ' -f2) hb=$(grep "^$f " "$TMP/stB" | cut -d' ' -f2)
			[ "$h" = "$ha" ] || [ "$h" = "$hb" ] || { bad=$((bad + 1)); echo "# $mode at $n: $f is neither A's nor B's"; }
		done <"$TMP/st"
		if grep -q "^site/provisioned $(grep '^site/provisioned ' "$TMP/stB" | cut -d' ' -f2)$" "$TMP/st" && ! cmp -s "$TMP/st" "$TMP/stB"; then
			bad=$((bad + 1)); echo "# $mode at $n: B's serial recorded before every file is B's"
		fi
		"$KIOSK" --check-config "$C/kiosk.conf" >/dev/null 2>&1 || { bad=$((bad + 1)); echo "# $mode at $n: kiosk.conf fails --check-config"; }
		PC "$TMP/cB" >/dev/null 2>&1
		rc=$?
		state "$C" >"$TMP/st"
		{ [ $rc = 0 ] || [ $rc = 3 ]; } && cmp -s "$TMP/st" "$TMP/stB" || { bad=$((bad + 1)); echo "# $mode at $n: the stick again does not complete B (exit $rc)"; }
		rm -f "$TMP"/cB/receipt-*
	done
done
[ "$steps" -ge 15 ] && [ "$bad" = 0 ] && ok "killed or failed at each of the $steps steps ($runs cut runs): whole files, A's or B's; the serial last; the stick again completes it" ||
	fail "crash safety: $bad problems in $runs cut runs ($steps steps)"

# --- the staff panel ------------------------------------------------------------------------
# a fresh kiosk (no PIN): the stick's config after a confirmation on the panel
rm -rf "$D" "$TMP/usb"
sed -i '/^staff_pin_hash/d' "$TMP/site.conf"
printf 'trusted_key = %s\n' "$KEY" >>"$TMP/site.conf"
site "$TMP/usb/STICK/kiosk-setup" 1000
K() { "$KIOSK" --config "$1" --headless --size 1920x1080 --script "$2" --shots "$3"; }
cat >"$TMP/fresh.script" <<'S'
shot offered
tap 700 770
shot result
tap 960 770
shot closed
S
check_exit "a fresh kiosk applies a signed config from its staff panel (exit 75: restart)" 75 K "$TMP/conf" "$TMP/fresh.script" "$TMP/a"
has "  ... the panel offers it without a PIN" "$TMP/a/offered.txt" "检测到站点配置U盘。本机还没有设置工作人员密码。"
has "  ... with a confirm button" "$TMP/a/offered.txt" "确认配置"
has "  ... then says it was updated" "$TMP/a/result.txt" "站点配置已更新：示例县政务服务中心政府信息公开查阅点（prov-01）"
has "  ... and that the kiosk restarts" "$TMP/a/result.txt" "重新启动"
has "  ... the files are written" "$D/site/provisioned" "^serial=1000$"
has "  ... the receipt is on the stick" "$TMP/usb/STICK/kiosk-setup/receipt-prov-01.txt" "^result = APPLIED$"
printf 'shot again\n' >"$TMP/again.script"
check_exit "the kiosk restarted with the stick still in" 0 K "$TMP/conf" "$TMP/again.script" "$TMP/a2"
if grep -q "站点配置" "$TMP/a2/again.txt"; then fail "  ... does not offer the installed config again"; else ok "  ... does not offer the installed config again"; fi
small=$(awk '$3 < 80 || $4 < 80' "$TMP/a/offered.hits" 2>/dev/null | wc -l)
[ -s "$TMP/a/offered.hits" ] && [ "$small" -eq 0 ] && ok "  ... its buttons are at least 80 px" || fail "  ... its buttons are at least 80 px"

# a kiosk with a PIN: the keypad first; a refused config (older) is shown with its reason
conf "$TMP/pin.conf" "staff_pin_hash = $HASH"
site "$TMP/usb/STICK/kiosk-setup" 999
cat >"$TMP/pin.script" <<'S'
shot pin
tap 613 422
tap 959 422
tap 1305 422
tap 613 542
tap 1305 782
shot older
tap 960 770
shot closed
S
check_exit "a kiosk with a PIN: an older config" 0 K "$TMP/pin.conf" "$TMP/pin.script" "$TMP/b"
has "  ... asks for the PIN" "$TMP/b/pin.txt" "检测到站点配置U盘，请工作人员输入密码。"
has "  ... then refuses: older than installed" "$TMP/b/older.txt" "比已安装的旧"
site "$TMP/usb/STICK/kiosk-setup" 1001 --for prov-02
check_exit "a kiosk with a PIN: a config for another kiosk" 0 K "$TMP/pin.conf" "$TMP/pin.script" "$TMP/c"
has "  ... is refused: not this kiosk's" "$TMP/c/older.txt" "不是本机的配置"
site "$TMP/usb/STICK/kiosk-setup" 1002
check_exit "a kiosk with a PIN: a newer config (exit 75: restart)" 75 K "$TMP/pin.conf" "$TMP/pin.script" "$TMP/d"
has "  ... is applied" "$TMP/d/older.txt" "站点配置已更新"
has "  ... serial recorded" "$D/site/provisioned" "^serial=1002$"
finish
