#!/usr/bin/env bash
# fetch.sh — bundles from a plain static web server (`kioskdb publish` + `kiosk --sync-from
# URL`): nginx (Debian nginx-light, foreground, config in $TMP) serving a published web root —
# a first sync applies, a second downloads only the pointer, a new version applies; a download
# killed half way resumes with Range + If-Range (nginx answers 206); a file changed between
# attempts (new ETag) makes nginx answer 200 and the kiosk start over; a server that ignores
# Range, servers that stall before or inside the body, a forged pointer, a pointer to an older
# version, payloads bigger than the signed manifest says (with and without Content-Length).
# Exit: 0 applied, 3 up to date, 4 refused, 5 failed. Every server listens on 127.0.0.1 on a
# free port and is stopped by the trap; every kiosk run is under `timeout`.
. "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] ||
	{ fail "nginx is installed (make deps: nginx-light)"; finish; }
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
chmod 755 "$TMP" # nginx's workers run as www-data when the test runs as root

size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }
is_sample() { cmp -s "$2" "$TMP/sample.db" && ok "$1" || fail "$1"; } # is_sample WHAT FILE

sync_fixtures
bundle() { # bundle DIR DB SEQ [KEY]
	"$KIOSKDB" bundle --db "$2" --key "${4:-$TMP/k.key}" --out "$1" --epoch 1 --seq "$3" >/dev/null ||
		fail "bundle $1"
}
bundle "$TMP/b4" "$TMP/sample.db" 4
bundle "$TMP/b5" "$TMP/sample.db" 5
bundle "$TMP/b6" "$TMP/small.db" 6
bundle "$TMP/b7" "$TMP/sample.db" 7
bundle "$TMP/o8" "$TMP/sample.db" 8 "$TMP/other.key"
SIZE5=$(size_of "$TMP/b5/content.db")
W="$TMP/www"
mkdir -p "$W"
publish() { "$KIOSKDB" publish --bundle "$1" --key "${3:-$TMP/k.key}" --out "$W/$2"; }

conf() { # conf FILE [extra lines]: this test's keys, a short stall timeout
	local f=$1; shift
	{ grep -vE '^(data_dir|sync_)' "$ROOT/assets/kiosk.conf"
	  printf 'sync_pubkey = %s\nkiosk_id = test-kiosk-9\nsync_stall_timeout = 2\n' "$TMP/k.pub"
	  for l in "$@"; do echo "$l"; done; } >"$f"
}
conf "$TMP/kiosk.conf"
conf "$TMP/slow.conf" "sync_max_rate = 65536"
# fetch CONF DATA URL: one `kiosk --sync-from URL` (never more than 60 s)
fetch() { timeout 60 "$KIOSK" --config "$1" --data "$2" --sync-from "$3"; }

# --- publishing --------------------------------------------------------------------------
check_exit "publish a bundle to a web root" 0 publish "$TMP/b5" w1
has "publish names the folder" "$TMP/out" "^latest: .*/w1/stable/latest -> 1\.5$"
[ -s "$W/w1/stable/1.5/content.db" ] && [ -s "$W/w1/stable/1.5/manifest" ] &&
	[ -s "$W/w1/stable/1.5/manifest.minisig" ] && ok "the bundle's files are in CHANNEL/E.S/" ||
	fail "the bundle's files are in CHANNEL/E.S/"
has "latest names the version" "$W/w1/stable/latest" "^bundle = 1\.5$"
check_exit "stock minisign -V accepts the latest pointer" 0 minisign -V -p "$TMP/k.pub" -m "$W/w1/stable/latest"
check_exit "publish refuses a version below latest" 1 publish "$TMP/b4" w1
check_exit "publish refuses the same version again" 1 publish "$TMP/b5" w1
check_exit "publish refuses a bundle another key signed" 1 publish "$TMP/o8" w1
check_exit "publish refuses a bundle for another channel" 1 "$KIOSKDB" publish --bundle "$TMP/b6" --key "$TMP/k.key" --out "$W/w1" --channel beta
check_exit "publish without --key is a usage error" 2 "$KIOSKDB" publish --bundle "$TMP/b6" --out "$W/w1"
publish "$TMP/b5" w2 >/dev/null || fail "publish w2"
publish "$TMP/b5" w3 >/dev/null || fail "publish w3"

# --- nginx -------------------------------------------------------------------------------
. "$ROOT/tests/nginx.sh"
NG="$TMP/nginx"
nginx_start "$NG" "$W"
started=$?
PIDS+=("$NGINX_PID")
[ "$started" -eq 0 ] && ok "nginx serves the web root on 127.0.0.1:$NGINX_PORT" ||
	{ fail "nginx serves the web root"; cat "$NG/stderr" "$NG/error.log" 2>/dev/null | sed 's/^/#   /'; finish; }
PORT=$NGINX_PORT
U="http://127.0.0.1:$PORT"
log_from() { tail -n +"$(($1 + 1))" "$NG/access.log"; } # lines after the first N
lines() { wc -l <"$NG/access.log"; }

D="$TMP/data"
check_exit "first sync from nginx applies" 0 fetch "$TMP/kiosk.conf" "$D" "$U/w1/"
has "applied 1.5 from the network" "$TMP/out" "^applied: version 1\.5 in slot a \(was 0\.0\)"
has "the fetch line: 5 requests" "$TMP/out" "^fetch: READY, [0-9]+ bytes received in 5 requests"
is_sample "the slot holds the payload byte for byte" "$D/slots/a/content.db"
has "manifest fetched before the payload" <(grep -n . "$NG/access.log" | grep -E '/w1/stable/1\.5/(manifest|content)' | head -1) "/manifest 200"
[ -z "$(ls -A "$D/downloads")" ] && ok "the download folder is emptied after the apply" ||
	fail "the download folder is emptied after the apply"
has "fetch.state records a success" "$D/fetch.state" "^failures = 0$"
n=$(lines)
check_exit "second sync: up to date" 3 fetch "$TMP/kiosk.conf" "$D" "$U/w1/"
has "up to date: the Chinese line" "$TMP/out" "内容已是最新"
log_from "$n" >"$TMP/second.log"
[ "$(wc -l <"$TMP/second.log")" -eq 2 ] && ! grep -qvE '^/w1/stable/latest(\.minisig)? 200 ' "$TMP/second.log" &&
	ok "up to date: only latest and latest.minisig were requested" ||
	{ fail "up to date: only latest and latest.minisig were requested"; sed 's/^/#   /' "$TMP/second.log"; }
check_exit "publish a new version" 0 publish "$TMP/b6" w1
check_exit "the new version applies" 0 fetch "$TMP/kiosk.conf" "$D" "$U/w1/"
has "applied 1.6 into the other slot" "$TMP/out" "^applied: version 1\.6 in slot b \(was 1\.5\)"
check_exit "the kiosk shows 1.6" 0 "$KIOSK" --config "$TMP/kiosk.conf" --data "$D" --sync-status
has "status: 1.6, integrity ok" "$TMP/out" "^active b version 1\.6 floor 1\.6 .*integrity ok"

# --- a download killed half way, resumed with Range + If-Range ------------------------------
# kill_midway CONF DATA URL: start a rate-capped sync, wait until part of the payload is on
# disk, SIGKILL it (a power cut as far as the download is concerned).
kill_midway() {
	local part="$2/downloads/1.5/content.db"
	timeout 60 "$KIOSK" --config "$1" --data "$2" --sync-from "$3" >"$TMP/killed.out" 2>&1 &
	local pid=$!
	timeout 30 bash -c "until [ \$(stat -c %s '$part' 2>/dev/null || echo 0) -ge 200000 ]; do sleep 0.1; done"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	local s=$(size_of "$part")
	[ "$s" -ge 200000 ] && [ "$s" -lt "$SIZE5" ] && ok "$4: a partial payload ($s of $SIZE5 bytes)" ||
		fail "$4: a partial payload ($s of $SIZE5 bytes)"
	has "$4: its strong ETag is kept" "$part.etag" '^"[^"]+"$'
}
D2="$TMP/data2"
kill_midway "$TMP/slow.conf" "$D2" "$U/w2/" "killed download"
n=$(lines)
check_exit "resumed download applies" 0 fetch "$TMP/kiosk.conf" "$D2" "$U/w2/"
has "resumed: the fetch line names the offset" "$TMP/out" "^fetch: READY, .* resumed from [1-9][0-9]*, restarts 0$"
log_from "$n" >"$TMP/resume.log"
has "nginx answered the Range request with 206" "$TMP/resume.log" '^/w2/stable/1\.5/content\.db 206 range=bytes=[1-9][0-9]*- if-range="'
is_sample "the resumed payload is byte for byte" "$D2/slots/a/content.db"
received=$(sed -n 's/^fetch: READY, \([0-9]*\) bytes.*/\1/p' "$TMP/out")
[ -n "$received" ] && [ "$received" -lt "$SIZE5" ] && ok "resumed: fewer bytes received than the payload ($received)" ||
	fail "resumed: fewer bytes received than the payload (${received:-?})"

# --- the file changed between attempts: If-Range no longer matches, nginx sends 200 -----------
D3="$TMP/data3"
kill_midway "$TMP/slow.conf" "$D3" "$U/w3/" "before the change"
touch -d '2030-01-01 00:00:00' "$W/w3/stable/1.5/content.db" # new mtime: nginx's ETag changes
n=$(lines)
check_exit "changed file: the sync still applies" 0 fetch "$TMP/kiosk.conf" "$D3" "$U/w3/"
has "changed file: the kiosk started over" "$TMP/out" "^fetch: READY, .* resumed from 0, restarts 1$"
log_from "$n" >"$TMP/changed.log"
has "changed file: a ranged request answered 200 in full" "$TMP/changed.log" "^/w3/stable/1\.5/content\.db 200 range=bytes=[1-9][0-9]*- if-range=\"[^ ]* bytes=$SIZE5$"
is_sample "changed file: the result verifies byte for byte" "$D3/slots/a/content.db"

# --- hostile servers ---------------------------------------------------------------------
# D holds 1.6 now.
cp -r "$W/w1" "$W/forged"
sed -i 's/^seq = 6$/seq = 9/; s/^bundle = 1\.6$/bundle = 1.9/' "$W/forged/stable/latest"
n=$(lines)
check_exit "a forged latest pointer is refused" 4 fetch "$TMP/kiosk.conf" "$D" "$U/forged/"
has "forged: bad signature, in Chinese and English" "$TMP/out" "签名无效.*BAD_SIGNATURE: latest pointer: signature BADSIG"
! log_from "$n" | grep -q '/forged/stable/1\.' && ok "forged: nothing but the pointer was requested" ||
	fail "forged: nothing but the pointer was requested"
publish "$TMP/b4" older >/dev/null || fail "publish older"
n=$(lines)
check_exit "a latest naming an older version is refused" 4 fetch "$TMP/kiosk.conf" "$D" "$U/older/"
has "older: says so" "$TMP/out" "OLDER: server offers 1\.4, below the floor 1\.6: nothing downloaded"
! log_from "$n" | grep -q '/older/stable/1\.' && ok "older: no bundle file was requested" ||
	fail "older: no bundle file was requested"
publish "$TMP/o8" otherkey "$TMP/other.key" >/dev/null || fail "publish with the other key"
check_exit "a latest signed by an untrusted key is refused" 4 fetch "$TMP/kiosk.conf" "$D" "$U/otherkey/"
has "other key: KEYID" "$TMP/out" "BAD_SIGNATURE: latest pointer: signature KEYID"
publish "$TMP/b7" big >/dev/null || fail "publish big"
head -c 100000 /dev/urandom >>"$W/big/stable/1.7/content.db"
check_exit "a payload bigger than the manifest says is refused" 4 fetch "$TMP/kiosk.conf" "$D" "$U/big/"
has "bigger: stopped at the signed size" "$TMP/out" "DAMAGED: .*more bytes than the signed manifest says"
[ "$(size_of "$D/downloads/1.7/content.db")" -le "$SIZE5" ] && ok "bigger: nothing past the signed size on disk" ||
	fail "bigger: nothing past the signed size on disk"
check_exit "after all that the kiosk still shows 1.6" 0 "$KIOSK" --config "$TMP/kiosk.conf" --data "$D" --sync-status
has "still 1.6, integrity ok" "$TMP/out" "^active b version 1\.6 floor 1\.6 .*integrity ok"
check_exit "a redirect to file:// is not followed" 5 fetch "$TMP/kiosk.conf" "$D" "$U/redir/"
has "redirect: a clear message" "$TMP/out" "NETWORK: GET .*/redir/stable/latest: .*(not supported|disabled|Protocol)"
check_exit "a URL with a query is a usage error" 2 fetch "$TMP/kiosk.conf" "$D" "$U/w1/?x=1"

# --- misbehaving servers (tests/integration/fetch_server.py) -------------------------------
PYLOG="$TMP/py.log"
pyserve() { # pyserve MODE ROOT [N]: start a server, set PY to its base URL
	rm -f "$TMP/pyport"
	python3 "$ROOT/tests/integration/fetch_server.py" "$1" "$2" "$TMP/pyport" "$PYLOG" "${3:-0}" 2>>"$TMP/py.err" &
	PIDS+=($!)
	PYPID=$!
	timeout 10 bash -c "until [ -s '$TMP/pyport' ]; do sleep 0.1; done"
	PY="http://127.0.0.1:$(cat "$TMP/pyport" 2>/dev/null)"
}
pystop() { kill "$PYPID" 2>/dev/null; wait "$PYPID" 2>/dev/null; }

# A server with strong ETags that ignores Range; the first payload GET is cut at 500000 bytes.
publish "$TMP/b5" py >/dev/null || fail "publish py"
pyserve norange "$W/py" 500000
D4="$TMP/data4"
check_exit "a connection dropped mid-payload fails" 5 fetch "$TMP/kiosk.conf" "$D4" "$PY/"
[ "$(size_of "$D4/downloads/1.5/content.db")" -eq 500000 ] && ok "dropped: the partial payload is kept" ||
	fail "dropped: the partial payload is kept ($(size_of "$D4/downloads/1.5/content.db"))"
has "dropped: fetch.state counts the failure" "$D4/fetch.state" "^failures = 1$"
: >"$PYLOG"
check_exit "a server that ignores Range: the sync starts over and applies" 0 fetch "$TMP/kiosk.conf" "$D4" "$PY/"
has "ignores Range: the kiosk asked for a range" "$PYLOG" '^GET /stable/1\.5/content\.db range=bytes=500000- if-range="[0-9a-f]+" 200$'
has "ignores Range: counted as a restart" "$TMP/out" "^fetch: READY, .* resumed from 0, restarts 1$"
is_sample "ignores Range: the result verifies byte for byte" "$D4/slots/a/content.db"
has "ignores Range: fetch.state reset" "$D4/fetch.state" "^failures = 0$"
pystop

pyserve stall-head "$W/py"
D5="$TMP/data5"
start=$(date +%s)
check_exit "a server that never answers: fails" 5 fetch "$TMP/kiosk.conf" "$D5" "$PY/"
has "never answers: a clear message" "$TMP/out" "NETWORK: GET .*/stable/latest: timed out"
[ $(($(date +%s) - start)) -lt 50 ] && ok "never answers: gave up on its own (stall timeout 2 s)" ||
	fail "never answers: gave up on its own"
pystop
pyserve stall-body "$W/py" 300000
check_exit "a server that stops mid-payload: fails" 5 fetch "$TMP/kiosk.conf" "$D5" "$PY/"
has "stops mid-payload: a clear message" "$TMP/out" "NETWORK: GET .*/stable/1\.5/content\.db: timed out"
has "two failures in fetch.state" "$D5/fetch.state" "^failures = 2$"
pystop
pyserve endless "$W/py"
check_exit "an endless payload without Content-Length is refused" 4 fetch "$TMP/kiosk.conf" "$D5" "$PY/"
has "endless: stopped at the signed size" "$TMP/out" "DAMAGED: .*payload larger than the signed manifest says"
[ "$(size_of "$D5/downloads/1.5/content.db")" -le "$SIZE5" ] && ok "endless: nothing past the signed size on disk" ||
	fail "endless: nothing past the signed size on disk"
pystop
finish
