#!/usr/bin/env bash
# staff.sh — updates from a USB stick in the running kiosk (sync/service.c, ui/staff_panel.c):
# a kiosk with no content sees a stick carrying a signed bundle, asks for the staff PIN on its
# keypad (a wrong PIN is counted), applies the bundle, says so in Chinese, writes a receipt on
# the stick and shows the new content at once; the same stick again is "up to date"; a bundle
# signed by an untrusted key is refused; without a PIN in the config nothing is applied; 取消
# closes the panel; the PIN can also be typed on a USB keyboard.
. "$(dirname "$0")/lib.sh"
DB="$TMP/sample.db"
"$KIOSKDB" build --src "$ROOT/offline-db/sample" --out "$DB" >/dev/null 2>&1 || fail "sample database builds"
"$KIOSKDB" keygen --out "$TMP/k" </dev/null >/dev/null 2>&1 && "$KIOSKDB" keygen --out "$TMP/evil" </dev/null >/dev/null 2>&1 ||
	fail "keys are made"
mkdir -p "$TMP/usb/KINGSTON" "$TMP/evilusb/STICK"
"$KIOSKDB" bundle --db "$DB" --key "$TMP/k.key" --out "$TMP/usb/KINGSTON/kiosk-update" >/dev/null 2>&1 || fail "a bundle is made"
"$KIOSKDB" bundle --db "$DB" --key "$TMP/evil.key" --out "$TMP/evilusb/STICK/kiosk-update" >/dev/null 2>&1 || fail "a foreign bundle is made"
HASH=$(echo 1234 | "$KIOSKDB" pin-hash)
case "$HASH" in 'staff_pin_hash = $argon2id$'*) ok "kioskdb pin-hash makes the config line" ;; *) fail "kioskdb pin-hash makes the config line" ;; esac
check_exit "kioskdb pin-hash refuses a PIN that is not 4-16 digits" 2 sh -c "echo 12a4 | '$KIOSKDB' pin-hash"

conf() { # conf FILE USB_ROOT [PIN line]
	printf 'site_name = 示例县政务服务中心\ndata_dir = %s/data\nprinter = none\nsync_usb_root = %s\nsync_pubkey = %s/k.pub\n%s\n' \
		"$TMP" "$2" "$TMP" "${3:-}" >"$1"
}
conf "$TMP/k.conf" "$TMP/usb" "$HASH"
K() { "$KIOSK" --config "$1" --headless --size 1920x1080 --script "$2" --shots "$3"; }
# keypad at 1920x1080: 1 2 3 / 4 5 6 / 7 8 9 / 删除 0 确定; rows y 422 542 662 782, columns x 613 959 1305
cat >"$TMP/apply.script" <<'S'
shot stick
tap 1305 662
tap 1305 662
tap 1305 662
tap 1305 662
tap 1305 782
shot wrong
tap 613 422
tap 959 422
tap 1305 422
tap 613 542
tap 1305 782
shot result
tap 960 730
shot home
S
check_exit "a stick applied from the staff panel" 0 K "$TMP/k.conf" "$TMP/apply.script" "$TMP/a"
A="$TMP/a"
has "a kiosk without content offers the stick" "$A/stick.txt" "检测到内容更新U盘，请工作人员输入密码。"
has "  ... with a keypad" "$A/stick.txt" "删除 \| 0 \| 确定"
has "a wrong PIN is refused and counted" "$A/wrong.txt" "密码不正确，还可以再试4次。"
has "the right PIN applies the update" "$A/result.txt" "更新完成"
has "  ... saying what is installed now" "$A/result.txt" "内容已更新到1.1版：政府信息公开文件67份，办事指南105项"
has "  ... and that the stick may come out" "$A/result.txt" "回执已写入U盘。现在可以拔出U盘。"
has "the new content shows at once, on the home screen" "$A/home.txt" "共67件文件"
has "  ... with its version in the footer" "$A/home.txt" "内容版本1.1"
ls "$TMP/usb/KINGSTON/kiosk-update"/receipt-*.txt >/dev/null 2>&1 && ok "a receipt was written on the stick" || fail "a receipt was written on the stick"
has "  ... naming the result" "$(ls "$TMP/usb/KINGSTON/kiosk-update"/receipt-*.txt | head -1)" "APPLIED|applied"
check_exit "kiosk --sync-status agrees" 0 "$KIOSK" --config "$TMP/k.conf" --sync-status
has "  ... version 1.1 active" "$TMP/out" "version 1.1"
# every touch target of the panel is at least 80 px
small=$(awk '$3 < 80 || $4 < 80' "$A/stick.hits" | wc -l)
[ "$small" -eq 0 ] && ok "keypad keys are at least 80 px" || fail "keypad keys are at least 80 px ($small smaller)"

# the same stick again: nothing to do
printf 'tap 613 422\ntap 959 422\ntap 1305 422\ntap 613 542\ntap 1305 782\nshot again\n' >"$TMP/again.script"
check_exit "the same stick again" 0 K "$TMP/k.conf" "$TMP/again.script" "$TMP/b"
has "  ... is up to date" "$TMP/b/again.txt" "无需更新"

# a bundle signed by a key this kiosk does not trust
conf "$TMP/evil.conf" "$TMP/evilusb" "$HASH"
check_exit "a foreign bundle" 0 K "$TMP/evil.conf" "$TMP/again.script" "$TMP/c"
has "  ... is refused" "$TMP/c/again.txt" "没有更新"
has "  ... for its signature" "$TMP/c/again.txt" "签名"
check_exit "  ... and the content stays" 0 "$KIOSK" --config "$TMP/k.conf" --sync-status

# no staff PIN in the config: the panel says so and applies nothing
conf "$TMP/nopin.conf" "$TMP/usb" ""
printf 'shot nopin\ntap 960 730\nshot closed\n' >"$TMP/nopin.script"
rm -rf "$TMP/data"
check_exit "a kiosk without a staff PIN" 0 K "$TMP/nopin.conf" "$TMP/nopin.script" "$TMP/d"
has "  ... says it cannot update here" "$TMP/d/nopin.txt" "本机没有设置工作人员密码，不能在这里更新。"
if grep -q "内容更新" "$TMP/d/closed.txt"; then fail "  ... 知道了 closes the panel"; else ok "  ... 知道了 closes the panel"; fi
[ ! -d "$TMP/data/slots" ] || [ -z "$(ls "$TMP/data/slots" 2>/dev/null)" ] && ok "  ... and installs nothing" || fail "  ... and installs nothing"

# 取消 closes the panel without applying
printf 'tap 960 970\nshot cancelled\n' >"$TMP/cancel.script"
check_exit "取消 on the panel" 0 K "$TMP/k.conf" "$TMP/cancel.script" "$TMP/e"
if grep -q "请工作人员输入密码" "$TMP/e/cancelled.txt"; then fail "  ... closes it"; else ok "  ... closes it"; fi
[ -z "$(ls "$TMP/data/slots" 2>/dev/null)" ] && ok "  ... and installs nothing" || fail "  ... and installs nothing"

# staff with a USB keyboard: digits type the PIN, Backspace deletes, Return confirms; letters
# and digits typed while no keypad is shown do nothing
printf 'type 12x9
shot typed
key Backspace
type 34
key Return
shot kbresult
' >"$TMP/kb.script"
check_exit "the PIN typed on a USB keyboard" 0 K "$TMP/k.conf" "$TMP/kb.script" "$TMP/f"
has "  ... shows one dot per digit, letters ignored" "$TMP/f/typed.txt" "^[0-9]+ [0-9]+	●●●$"
has "  ... and applies the update" "$TMP/f/kbresult.txt" "更新完成"
finish
