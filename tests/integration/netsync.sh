#!/usr/bin/env bash
# netsync.sh — the running kiosk takes updates from a web server in the background
# (sync/service.c + sync/fetch.c): an empty kiosk whose sync_sources names a web root served by
# nginx on loopback installs the content it finds there and shows it; a newer version published
# while a resident reads a document is applied in the background and shown only once the kiosk
# is back on its home screen; the next check waits for sync_interval (DATA/fetch.state).
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/nginx.sh"
sync_fixtures
cleanup() { [ -n "${NGINX_PID:-}" ] && kill "$NGINX_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
"$KIOSKDB" bundle --db "$TMP/sample.db" --key "$TMP/k.key" --out "$TMP/b1" >/dev/null 2>&1 || fail "bundle 1.1"
"$KIOSKDB" bundle --db "$TMP/small.db" --key "$TMP/k.key" --out "$TMP/b2" --epoch 1 --seq 9 >/dev/null 2>&1 || fail "bundle 1.9"
mkdir -p "$TMP/www"
"$KIOSKDB" publish --bundle "$TMP/b1" --key "$TMP/k.key" --out "$TMP/www/w" >/dev/null 2>&1 || fail "publish 1.1"
chmod a+x "$TMP" && chmod -R a+rX "$TMP/www" # nginx workers run as nobody
nginx_start "$TMP/nginx" "$TMP/www" || { fail "nginx starts"; finish; }
ok "nginx serves the web root on 127.0.0.1:$NGINX_PORT"
printf 'site_name = 示例县政务服务中心\ndata_dir = %s/data\nprinter = none\nsync_sources = http://127.0.0.1:%s/w/\nsync_pubkey = %s/k.pub\nsync_interval = 3600\nsync_start_spread = 0\n' \
	"$TMP" "$NGINX_PORT" "$TMP" >"$TMP/k.conf"
K() { "$KIOSK" --config "$TMP/k.conf" --headless --size 1920x1080 --script "$1" --shots "$2"; }

printf 'wait 10\nshot home\n' >"$TMP/first.script"
check_exit "an empty kiosk with a web root in sync_sources" 0 K "$TMP/first.script" "$TMP/a"
has "  ... installs what the server offers and shows it" "$TMP/a/home.txt" "共67件文件"
has "  ... version 1.1" "$TMP/a/home.txt" "内容版本1.1"
[ -s "$TMP/data/fetch.state" ] && ok "  ... and records the check in fetch.state" || fail "  ... and records the check in fetch.state"

# a newer version appears while a resident reads a document
"$KIOSKDB" publish --bundle "$TMP/b2" --key "$TMP/k.key" --out "$TMP/www/w" >/dev/null 2>&1 || fail "publish 1.9"
chmod -R a+rX "$TMP/www"
rm -f "$TMP/data/fetch.state" # the next check is due now
cat >"$TMP/reading.script" <<'S'
tap 342 398
tap 900 480
shot reading
tap 294 60
wait 10
shot home
S
check_exit "an update found while a resident reads" 0 K "$TMP/reading.script" "$TMP/b"
has "  ... leaves the reader on the old document" "$TMP/b/reading.txt" "内容版本1.1"
has "  ... and shows the new content once back on the home screen" "$TMP/b/home.txt" "共40件文件"
check_exit "kiosk --sync-status agrees" 0 "$KIOSK" --config "$TMP/k.conf" --sync-status
has "  ... version 1.9" "$TMP/out" "version 1.9"

# a key rotation over the network: keyring 1 (signed by the image's root) names a release key
# the kiosk has never seen; the bundle, signed by that key, carries the keyring, and so does
# the published folder: the kiosk walks the chain, then trusts the pointer and the bundle
"$KIOSKDB" keygen --out "$TMP/rel" </dev/null >/dev/null 2>&1 || fail "release key"
"$KIOSKDB" keyring --root "$TMP/k.key" --release "$TMP/rel.pub" --version 1 --out "$TMP/kr" >/dev/null 2>&1 ||
	fail "keyring 1 is made"
"$KIOSKDB" bundle --db "$TMP/sample.db" --key "$TMP/rel.key" --keyring "$TMP/kr" --out "$TMP/b3" --epoch 1 --seq 12 >/dev/null 2>&1 ||
	fail "a bundle signed by the release key"
check_exit "publish a bundle that carries a keyring" 0 "$KIOSKDB" publish --bundle "$TMP/b3" --key "$TMP/rel.key" --out "$TMP/www/w"
chmod -R a+rX "$TMP/www"
ls "$TMP/www/w/stable/keyring.1" "$TMP/www/w/stable/keyring.1.1.minisig" >/dev/null 2>&1 && ok "  ... the keyring is published beside the pointer" || fail "  ... the keyring is published beside the pointer"
rm -f "$TMP/data/fetch.state"
check_exit "the kiosk follows a key rotation over the network" 0 K "$TMP/first.script" "$TMP/r"
check_exit "  ... and installs the release key's bundle" 0 "$KIOSK" --config "$TMP/k.conf" --sync-status
has "  ... version 1.12" "$TMP/out" "version 1.12"
has "  ... keeping keyring 1" "$TMP/data/keyring" "^version = 1$"

# the next check waits for sync_interval: nothing is requested
: >"$TMP/nginx/access.log"
check_exit "a restart within sync_interval" 0 K "$TMP/first.script" "$TMP/c"
n=$(grep -c . "$TMP/nginx/access.log")
[ "$n" -eq 0 ] && ok "  ... asks the server nothing" || fail "  ... asks the server nothing ($n requests)"
finish
