#!/usr/bin/env bash
# https.sh — network updates over https, with certificate verification always on
# (sync/fetch.c, config sync_ca_file and sync_require_https). The test makes a throwaway CA
# and server certificates with openssl, then runs Debian's nginx on loopback with one TLS
# server per certificate:
#   good      signed by the test CA, for 127.0.0.1 and localhost
#   otherca   signed by another CA
#   expired   signed by the test CA, valid 2020-2021 only (openssl ca -startdate/-enddate)
#   wrongname signed by the test CA, for updates.other.example only
# and one plain http server. Checks: a sync over https trusting the test CA applies; the
# system store alone does not trust it; each bad certificate is refused with the Chinese line
# and the TLS detail, exit 5, nothing requested, nothing installed, and a failure counted in
# fetch.state (the backoff); a download killed half way resumes over https with Range
# (nginx answers 206); sync_require_https refuses http:// (exit 2, nothing requested) and
# --check-config reports the clash; the running kiosk installs an update over https in the
# background, and against the other CA's server logs the TLS failure, counts it and installs
# nothing. Every server is on 127.0.0.1 and stopped by the trap; every kiosk run is under
# `timeout`.
. "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] ||
	{ fail "nginx is installed (make deps: nginx-light)"; finish; }
command -v openssl >/dev/null || { fail "openssl is installed (make deps: openssl)"; finish; }
NGINX_PID=
cleanup() { # nginx_start's child
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
chmod 755 "$TMP" # nginx's workers run as www-data when the test runs as root

# --- certificates ------------------------------------------------------------------------
C="$TMP/pki"
mkdir -p "$C/db"
cat >"$C/openssl.cnf" <<'CNF'
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ca ]
default_ca = testca
[ testca ]
database = $ENV::PKI/db/index.txt
serial = $ENV::PKI/db/serial
new_certs_dir = $ENV::PKI/db
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[ any ]
commonName = supplied
CNF
export PKI="$C"
: >"$C/db/index.txt"
echo 1000 >"$C/db/serial"
# ca NAME: a self-signed CA (P-256) in $C/NAME.pem, key in $C/NAME.key
ca() {
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-config "$C/openssl.cnf" -extensions v3_ca -subj "/CN=$2" -days 3650 \
		-keyout "$C/$1.key" -out "$C/$1.pem" 2>>"$C/log"
}
# leaf NAME CA SAN [openssl ca dates...]: a server certificate for SAN signed by CA
leaf() {
	local name=$1 issuer=$2 san=$3; shift 3
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-config "$C/openssl.cnf" -subj "/CN=$name" -keyout "$C/$name.key" -out "$C/$name.csr" \
		2>>"$C/log" || return 1
	printf 'basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = %s\n' \
		"$san" >"$C/$name.ext"
	openssl ca -batch -notext -config "$C/openssl.cnf" -cert "$C/$issuer.pem" -keyfile "$C/$issuer.key" \
		-extfile "$C/$name.ext" -in "$C/$name.csr" -out "$C/$name.pem" "$@" 2>>"$C/log"
}
ca ca "Kiosk Test CA" && ca other "Another CA" &&
	leaf good ca "IP:127.0.0.1, DNS:localhost" -days 30 &&
	leaf otherca other "IP:127.0.0.1, DNS:localhost" -days 30 &&
	leaf expired ca "IP:127.0.0.1, DNS:localhost" -startdate 20200101000000Z -enddate 20210101000000Z &&
	leaf wrongname ca "DNS:updates.other.example" -days 30 &&
	ok "openssl makes a test CA and four server certificates" ||
	{ fail "openssl makes a test CA and four server certificates"; sed 's/^/#   /' "$C/log"; finish; }
openssl verify -CAfile "$C/ca.pem" "$C/good.pem" >/dev/null 2>&1 &&
	! openssl verify -CAfile "$C/ca.pem" "$C/expired.pem" >/dev/null 2>&1 &&
	ok "  ... the good one verifies and the expired one does not (openssl verify)" ||
	fail "  ... the good one verifies and the expired one does not (openssl verify)"

# --- bundles and nginx -------------------------------------------------------------------
sync_fixtures
W="$TMP/www"
mkdir -p "$W"
"$KIOSKDB" bundle --db "$TMP/sample.db" --key "$TMP/k.key" --out "$TMP/b5" --epoch 1 --seq 5 >/dev/null &&
	"$KIOSKDB" bundle --db "$TMP/small.db" --key "$TMP/k.key" --out "$TMP/b6" --epoch 1 --seq 6 >/dev/null ||
	fail "bundles are made"
for r in w w2 bg; do
	"$KIOSKDB" publish --bundle "$TMP/b5" --key "$TMP/k.key" --out "$W/$r" >/dev/null || fail "publish $r"
done
chmod -R a+rX "$W" "$C"

. "$ROOT/tests/nginx.sh"
NG="$TMP/nginx"
mkdir -p "$NG"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
declare -A PORT
NGINX_EXTRA=""
for s in good otherca expired wrongname; do
	PORT[$s]=$(free_port)
	: >"$NG/$s.log"
	NGINX_EXTRA+="  server {
    listen 127.0.0.1:${PORT[$s]} ssl;
    ssl_certificate $C/$s.pem;
    ssl_certificate_key $C/$s.key;
    access_log $NG/$s.log kk;
    root $W;
  }
"
done
# the plain http server is nginx_start's own (its log: $NG/access.log)
if nginx_start "$NG" "$W" &&
	timeout 10 bash -c "until (exec 3<>/dev/tcp/127.0.0.1/${PORT[good]}) 2>/dev/null; do sleep 0.1; done"; then
	ok "nginx serves the web root over TLS on four ports of 127.0.0.1"
else
	fail "nginx serves the web root over TLS"
	cat "$NG/stderr" "$NG/error.log" 2>/dev/null | sed 's/^/#   /'
	finish
fi
PORT[plain]=$NGINX_PORT
url() { echo "https://127.0.0.1:${PORT[$1]}/$2/"; }

conf() { # conf FILE [extra lines]
	local f=$1; shift
	{ grep -vE '^(data_dir|sync_)' "$ROOT/assets/kiosk.conf"
	  printf 'sync_pubkey = %s\nkiosk_id = test-kiosk-7\nsync_stall_timeout = 5\n' "$TMP/k.pub"
	  for l in "$@"; do echo "$l"; done; } >"$f"
}
conf "$TMP/ca.conf" "sync_ca_file = $C/ca.pem"
conf "$TMP/system.conf"
conf "$TMP/slow.conf" "sync_ca_file = $C/ca.pem" "sync_max_rate = 65536"
conf "$TMP/strict.conf" "sync_ca_file = $C/ca.pem" "sync_require_https = yes"
conf "$TMP/missing.conf" "sync_ca_file = $C/no-such-ca.pem"
fetch() { timeout 60 "$KIOSK" --config "$1" --data "$2" --sync-from "$3"; }

# --- a good server ------------------------------------------------------------------------
D="$TMP/data"
check_exit "a sync over https trusting the test CA (sync_ca_file) applies" 0 fetch "$TMP/ca.conf" "$D" "$(url good w)"
has "  ... version 1.5 in slot a" "$TMP/out" "^applied: version 1\.5 in slot a \(was 0\.0\)"
has "  ... all five files came over TLS" "$TMP/out" "^fetch: READY, [0-9]+ bytes received in 5 requests"
cmp -s "$D/slots/a/content.db" "$TMP/sample.db" && ok "  ... the slot holds the payload byte for byte" ||
	fail "  ... the slot holds the payload byte for byte"
has "  ... nginx served the payload over TLS" "$NG/good.log" '^/w/stable/1\.5/content\.db 200 '
check_exit "https also with sync_require_https = yes: up to date" 3 fetch "$TMP/strict.conf" "$D" "$(url good w)"

# --- refusals: nothing is requested, nothing installed, the failure is counted -------------------
# refused NAME CONF DATA URL ZH EN: exit 5, both lines, no request reached the server
refused() {
	local n=$1 before
	before=$(cat "$NG"/{good,otherca,expired,wrongname}.log | wc -l)
	check_exit "$n: refused (exit 5)" 5 fetch "$2" "$3" "$4"
	has "$n: the Chinese line for staff" "$TMP/out" "$5"
	has "$n: the TLS detail for the log" "$TMP/out" "TLS: GET https://.*/latest: TLS: .*$6"
	[ "$(cat "$NG"/{good,otherca,expired,wrongname}.log | wc -l)" -eq "$before" ] &&
		ok "$n: no request reached the server" || fail "$n: no request reached the server"
}
B="$TMP/bad"
refused "unknown CA (system store only)" "$TMP/system.conf" "$B" "$(url good w)" \
	"更新服务器的证书无法验证，请联系技术人员" "certificate"
has "  ... fetch.state counts a failure (backoff)" "$B/fetch.state" "^failures = 1$"
refused "a certificate signed by another CA" "$TMP/ca.conf" "$B" "$(url otherca w)" \
	"更新服务器的证书无法验证，请联系技术人员" "(unable to get local issuer|self.signed|certificate verify).*X509 verify result (20|19|2)\)"
has "  ... fetch.state counts a second failure" "$B/fetch.state" "^failures = 2$"
refused "an expired certificate" "$TMP/ca.conf" "$B" "$(url expired w)" \
	"证书已过期或尚未生效（也可能是本机时间不对）" "expired.*X509 verify result 10\)"
refused "a certificate for another host name" "$TMP/ca.conf" "$B" "$(url wrongname w)" \
	"更新服务器的证书无法验证，请联系技术人员" "(subject name|host ?name).*127\.0\.0\.1"
refused "a sync_ca_file that does not exist" "$TMP/missing.conf" "$B" "$(url good w)" \
	"更新服务器的证书无法验证，请联系技术人员" "no-such-ca\.pem"
has "  ... five failures in fetch.state" "$B/fetch.state" "^failures = 5$"
has "  ... with a jitter line" "$B/fetch.state" "^jitter = -?[0-9]+$"
check_exit "after all that nothing is installed" 1 "$KIOSK" --config "$TMP/ca.conf" --data "$B" --sync-status
has "  ... no active slot" "$TMP/out" "^active none floor 0\.0"
[ -z "$(ls -A "$B/downloads" 2>/dev/null)" ] && ok "  ... and nothing downloaded" ||
	fail "  ... and nothing downloaded ($(ls -A "$B/downloads"))"

# --- sync_require_https ------------------------------------------------------------------
P="http://127.0.0.1:${PORT[plain]}/w/"
check_exit "plain http is allowed by default" 0 fetch "$TMP/system.conf" "$TMP/plain" "$P"
: >"$NG/access.log"
check_exit "sync_require_https = yes refuses an http:// web root (exit 2)" 2 fetch "$TMP/strict.conf" "$TMP/strict" "$P"
has "  ... in Chinese and English" "$TMP/out" "加密（https）.*INSECURE: --sync-from http://"
[ ! -s "$NG/access.log" ] && ok "  ... asking the server nothing" || fail "  ... asking the server nothing"
[ ! -e "$TMP/strict/fetch.state" ] && ok "  ... and leaving fetch.state alone" || fail "  ... and leaving fetch.state alone"
conf "$TMP/clash.conf" "sync_require_https = yes" "sync_sources = usb, $P"
check_exit "--check-config reports sync_require_https with an http:// source" 2 "$KIOSK" --check-config "$TMP/clash.conf"
has "  ... naming both keys" "$TMP/out" "sync_sources names an http:// web root but sync_require_https = yes"

# --- resume over https -------------------------------------------------------------------
SIZE=$(stat -c %s "$TMP/b5/content.db")
D2="$TMP/data2"
part="$D2/downloads/1.5/content.db"
timeout 60 "$KIOSK" --config "$TMP/slow.conf" --data "$D2" --sync-from "$(url good w2)" >"$TMP/killed.out" 2>&1 &
pid=$!
timeout 30 bash -c "until [ \$(stat -c %s '$part' 2>/dev/null || echo 0) -ge 200000 ]; do sleep 0.1; done"
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
s=$(stat -c %s "$part" 2>/dev/null || echo 0)
[ "$s" -ge 200000 ] && [ "$s" -lt "$SIZE" ] && ok "a download over https killed half way leaves a partial payload ($s of $SIZE bytes)" ||
	fail "a download over https killed half way leaves a partial payload ($s of $SIZE bytes)"
n=$(wc -l <"$NG/good.log")
check_exit "  ... resumed over https, it applies" 0 fetch "$TMP/ca.conf" "$D2" "$(url good w2)"
has "  ... from where it stopped" "$TMP/out" "^fetch: READY, .* resumed from [1-9][0-9]*, restarts 0$"
tail -n +"$((n + 1))" "$NG/good.log" >"$TMP/resume.log"
has "  ... nginx answered the Range request with 206 over TLS" "$TMP/resume.log" '^/w2/stable/1\.5/content\.db 206 range=bytes=[1-9][0-9]*- if-range="'
cmp -s "$D2/slots/a/content.db" "$TMP/sample.db" && ok "  ... the resumed payload is byte for byte" ||
	fail "  ... the resumed payload is byte for byte"

# --- the running kiosk, in the background --------------------------------------------------
printf 'site_name = 示例县政务服务中心\ndata_dir = %s/bgdata\nprinter = none\nsync_sources = %s\nsync_pubkey = %s/k.pub\nsync_ca_file = %s/ca.pem\nsync_require_https = yes\nsync_interval = 3600\nsync_start_spread = 0\n' \
	"$TMP" "$(url good bg)" "$TMP" "$C" >"$TMP/bg.conf"
printf 'wait 10\nshot home\n' >"$TMP/bg.script"
check_exit "the running kiosk with an https web root in sync_sources" 0 timeout 120 "$KIOSK" --config "$TMP/bg.conf" \
	--headless --size 1920x1080 --script "$TMP/bg.script" --shots "$TMP/shots"
has "  ... installs the update in the background and shows it" "$TMP/shots/home.txt" "共67件文件"
check_exit "  ... kiosk --sync-status agrees" 0 "$KIOSK" --config "$TMP/bg.conf" --sync-status
has "  ... version 1.5" "$TMP/out" "version 1\.5"
has "  ... fetched over TLS" "$NG/good.log" '^/bg/stable/1\.5/content\.db 200 '
# the same against a server whose certificate another CA signed: logged, counted, nothing shown
sed "s|^data_dir = .*|data_dir = $TMP/bgbad|; s|^sync_sources = .*|sync_sources = $(url otherca bg)|" \
	"$TMP/bg.conf" >"$TMP/bgbad.conf"
check_exit "the running kiosk with an https web root it cannot verify" 0 timeout 120 "$KIOSK" --config "$TMP/bgbad.conf" \
	--headless --size 1920x1080 --script "$TMP/bg.script" --shots "$TMP/shots2"
has "  ... logs the TLS failure in English" "$TMP/out" "TLS: .*(unable to get local issuer|self.signed|certificate verify)"
has "  ... counts it in fetch.state (backoff)" "$TMP/bgbad/fetch.state" "^failures = 1$"
check_exit "  ... and installs nothing" 1 "$KIOSK" --config "$TMP/bgbad.conf" --sync-status
finish
