#!/usr/bin/env bash
# print-ipp.sh — the IPP Everywhere client (firmware/print/ipp_client.c) against a real printer
# simulator: CUPS' ippeveprinter on 127.0.0.1 takes PWG Raster jobs and spools them (-k); the
# spooled files are decoded by an independent chain, cups-filters' rastertopdf and poppler's
# pdftoppm, and the pages checked (count, order, ink where drawn, white margins). A second
# simulator runs a print command that reports media-empty (ippeveprinter's "STATE:" protocol)
# until the test "adds paper". Misbehaving servers (silent; closing mid-answer) come from
# ipptest itself.
. "$(dirname "$0")/lib.sh"
IPPTEST="$BUILD/ipptest"
RASTERTOPDF=/usr/lib/cups/filter/rastertopdf
for t in ippeveprinter pdftoppm dbus-daemon; do
	command -v $t >/dev/null || { fail "$t is installed (make deps)"; finish; }
done
[ -x "$RASTERTOPDF" ] || { fail "rastertopdf is installed (make deps: cups-filters)"; finish; }
[ -x "$IPPTEST" ] || { fail "$IPPTEST is built (make $IPPTEST)"; finish; }

PIDS=()
cleanup() {
	[ -n "${REFILL:-}" ] && touch "$REFILL" # lets a waiting print command end
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	[ -n "${DBUS_PID:-}" ] && kill "$DBUS_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# ippeveprinter wants a D-Bus system bus for Avahi even with -r off: a private one
dbus-daemon --session --fork --print-address=1 --print-pid=1 >"$TMP/dbus" 2>/dev/null
export DBUS_SYSTEM_BUS_ADDRESS=$(sed -n 1p "$TMP/dbus")
DBUS_PID=$(sed -n 2p "$TMP/dbus")

# free_port: a port nothing listens on
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 40000))
		(exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }
	done
	echo 0
}

# start_printer NAME SPOOL COMMAND [-a ATTRFILE]: sets PORT; the printer answers queries when
# it returns 0
start_printer() {
	local name=$1 spool=$2 cmd=$3; shift 3
	local opts=(-f image/pwg-raster -F image/pwg-raster -M KK -m Sim)
	[ $# -gt 0 ] && opts=("$@") # an attributes file says it all (-a excludes -f/-F/-M/-m)
	mkdir -p "$spool"
	for _ in 1 2 3 4 5; do
		PORT=$(free_port)
		ippeveprinter -r off -p "$PORT" -d "$spool" -k -c "$cmd" "${opts[@]}" "$name" \
			>>"$TMP/$name.log" 2>&1 &
		PIDS+=($!)
		for _ in $(seq 1 50); do
			if timeout 10 "$IPPTEST" query "ipp://127.0.0.1:$PORT/ipp/print" >"$TMP/q" 2>&1; then
				return 0
			fi
			kill -0 "${PIDS[-1]}" 2>/dev/null || break
			sleep 0.2
		done
		kill "${PIDS[-1]}" 2>/dev/null
	done
	return 1
}

# decode SPOOLFILE PREFIX: rastertopdf, then one PGM per page at 75 dpi; echoes the page count
decode() {
	env -u PPD CONTENT_TYPE=image/pwg-raster FINAL_CONTENT_TYPE=application/pdf \
		timeout 120 "$RASTERTOPDF" 1 kiosk test 1 "" "$1" >"$2.pdf" 2>"$2.err" || { echo 0; return; }
	timeout 120 pdftoppm -r 75 -gray "$2.pdf" "$2" 2>/dev/null || { echo 0; return; }
	ls "$2"-*.pgm 2>/dev/null | wc -l
}

# check_pages PREFIX MARKS...: page k of the decoded job shows MARKS[k] squares, ink in the
# body and the footer band, and nothing in the margins
check_pages() {
	local prefix=$1; shift
	local k=0 bad=0 f line
	for want in "$@"; do
		k=$((k + 1))
		f=$(ls "$prefix"-*.pgm | sort -t- -k2 -n | sed -n "${k}p")
		line=$("$IPPTEST" pgm "$f")
		echo "$line" | awk -v want="$want" '{
			for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			exit !(v["body"] > 0.2 && v["body"] < 0.8 && v["footer"] > 0.95 && v["margin"] == 0 && v["marks"] == want)
		}' || { bad=1; echo "#   page $k: $line (want marks=$want)"; }
	done
	return $bad
}

# --- a printer that prints --------------------------------------------------------------------
SPOOL="$TMP/spool"
if ! start_printer kkprinter "$SPOOL" /bin/true; then
	fail "ippeveprinter starts"; sed 's/^/#   /' "$TMP/kkprinter.log" | tail -5; finish
fi
ok "ippeveprinter starts on 127.0.0.1:$PORT"
URI="ipp://127.0.0.1:$PORT/ipp/print"

check_exit "Get-Printer-Attributes" 0 timeout 20 "$IPPTEST" query "$URI"
has "printer is idle with no problems" "$TMP/out" '^state=3$'
has "make and model" "$TMP/out" '^model=KK Sim'
has "takes image/pwg-raster" "$TMP/out" '^pwg_raster=1$'
has "black_1 chosen" "$TMP/out" '^raster_bits=1$'
has "PWG resolutions" "$TMP/out" '^res=300,600$'
has "margins (top,bottom,left,right hundredths of mm)" "$TMP/out" '^margins=0,0,340,340$'
has "media-default" "$TMP/out" '^media_default=na_letter_8.5x11in$'
has "media-ready" "$TMP/out" '^media_ready=na_letter_8.5x11in,'

check_exit "12-page Print-Job completes" 0 timeout 120 "$IPPTEST" print "$URI" --pages 12 --title "政府信息公开 第1号"
has "12 pages sent" "$TMP/out" '^pages_sent=12$'
has "job completed" "$TMP/out" '^job_state=completed$'
JOB=$(sed -n 's/^job_id=//p' "$TMP/out")
FILE=$(ls "$SPOOL"/"$JOB"-*.pwg 2>/dev/null | head -1)
[ -n "$FILE" ] && ok "job $JOB spooled" || fail "job $JOB spooled"
N=$(decode "$FILE" "$TMP/j1")
[ "$N" = 12 ] && ok "rastertopdf + pdftoppm decode 12 pages" || fail "rastertopdf + pdftoppm decode 12 pages (got $N)"
check "pages in order, ink in body and footer, blank margins" check_pages "$TMP/j1" 1 2 3 4 5 6 7 8 9 10 11 12
grep -q 'Print-Job successful-ok' "$TMP/kkprinter.log" && ok "printer logged Print-Job successful-ok" || fail "printer logged Print-Job successful-ok"

# copies: this printer says copies-supported 1-1, so the client sends the pages twice over
check_exit "2 copies of 3 pages" 0 timeout 120 "$IPPTEST" print "$URI" --pages 3 --copies 2
has "6 pages sent" "$TMP/out" '^pages_sent=6$'
JOB=$(sed -n 's/^job_id=//p' "$TMP/out")
N=$(decode "$(ls "$SPOOL"/"$JOB"-*.pwg | head -1)" "$TMP/j2")
[ "$N" = 6 ] && ok "copies: 6 pages decoded" || fail "copies: 6 pages decoded (got $N)"
check "copies: pages 1 2 3 1 2 3" check_pages "$TMP/j2" 1 2 3 1 2 3

check_exit "cancel after the first page" 1 timeout 120 "$IPPTEST" print "$URI" --pages 5 --cancel-after 1
has "cancel: ECANCELED" "$TMP/out" '^rc=ECANCELED$'
has "cancel: the document ended after one page" "$TMP/out" '^pages_sent=1$'
has "cancel: a job was created" "$TMP/out" '^job_id=[1-9]'
# the simulator prints with /bin/true: on a loaded machine it may finish the one-page document
# before Cancel-Job arrives and answer "not possible"; either way the request reached it
for _ in $(seq 1 50); do grep -q "Cancel-Job " "$TMP/kkprinter.log" && break; sleep 0.1; done
has "cancel: the printer got Cancel-Job" "$TMP/kkprinter.log" 'Cancel-Job [a-z-]+'

check_exit "a page that cannot be made stops the job" 1 timeout 120 "$IPPTEST" print "$URI" --pages 3 --fail-page 2
has "failed page: its error" "$TMP/out" '^rc=ENOSPC$'
has "failed page: one page went out" "$TMP/out" '^pages_sent=1$'
# the simulator writes its log line after answering: give it a moment to land
for _ in $(seq 1 50); do
	N=$(grep -cE 'Cancel-Job [a-z-]+' "$TMP/kkprinter.log")
	[ "$N" -ge 2 ] && break
	sleep 0.1
done
[ "$N" -ge 2 ] && ok "failed page: the job was cancelled" || fail "failed page: the job was cancelled ($N)"
check_exit "a failing first page sends an empty document" 1 timeout 120 "$IPPTEST" print "$URI" --pages 3 --fail-page 1
has "failed first page: its error" "$TMP/out" '^rc=ENOSPC$'

check_exit "a wrong resource is refused" 1 timeout 20 "$IPPTEST" query "ipp://127.0.0.1:$PORT/nothing/here"
has "wrong resource: EPROTO" "$TMP/out" '^rc=EPROTO$'
check_exit "a non-ipp URI is refused" 1 timeout 20 "$IPPTEST" query "http://127.0.0.1:$PORT/ipp/print"
has "non-ipp URI: EINVAL" "$TMP/out" '^uri rc=EINVAL$'

# --- the kiosk prints a sample document ------------------------------------------------------
# `kiosk --print` lays out the 2024 annual report (8 pages of A4 with tables) for this printer
# and sends it; the spooled job is decoded as above and every page checked: blank outer 5 mm,
# the title in the header band, the footer (索引号, page N / M, QR code) in the footer band,
# text down the body.
DB="$TMP/sample.db"
"$KIOSKDB" build --src "$ROOT/offline-db/sample" --out "$DB" >/dev/null 2>&1 || fail "sample database builds"
printf 'site_name = 示例县政务服务中心\ndata_dir = %s/kdata\n' "$TMP" >"$TMP/k.conf"
check_exit "kiosk --print a sample document to the IPP printer" 0 timeout 120 \
	"$KIOSK" --db "$DB" --config "$TMP/k.conf" --print doc-2025-0004 --printer "$URI"
has "the kiosk reports 8 sheets" "$TMP/out" "printed 8 sheet"
has "  ... on the printer it asked for" "$TMP/out" "8 page\(s\) on KK Sim"
FILE=$(ls -t "$SPOOL"/*.pwg 2>/dev/null | head -1)
N=$(decode "$FILE" "$TMP/kdoc")
[ "$N" = 8 ] && ok "the document decodes to 8 pages" || fail "the document decodes to 8 pages (got $N)"
bad=0
for f in $(ls "$TMP"/kdoc-*.pgm 2>/dev/null | sort -t- -k2 -n); do
	line=$("$IPPTEST" pgm-doc "$f")
	echo "$line" | awk '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		exit !(v["margin"] == 0 && v["header"] > 50 && v["footer"] > 500 && v["body_rows"] > 0.05)
	}' || { bad=1; echo "#   $f: $line"; }
done
[ "$N" = 8 ] && [ $bad -eq 0 ] && ok "every page: white edges, header, footer with QR, text in the body" ||
	fail "every page: white edges, header, footer with QR, text in the body"

# --- a grey printer that makes copies itself -----------------------------------------------
# Attributes from a file: only sgray_8, 300 dpi, copies 1-99. The print command records the
# copies the job asked for (ippeveprinter passes job attributes as IPP_* variables).
cat >"$TMP/grey.conf" <<EOF
ATTR keyword pwg-raster-document-type-supported sgray_8
ATTR resolution pwg-raster-document-resolution-supported 300dpi
ATTR mimeMediaType document-format-supported image/pwg-raster
ATTR rangeOfInteger copies-supported 1-99
EOF
cat >"$TMP/copies.sh" <<EOF
#!/bin/sh
echo "\$IPP_COPIES" >"$TMP/copies"
EOF
chmod +x "$TMP/copies.sh"
if start_printer kkgrey "$TMP/spool3" "$TMP/copies.sh" -a "$TMP/grey.conf"; then
	URI3="ipp://127.0.0.1:$PORT/ipp/print"
	check_exit "grey printer: 3 copies of 2 pages" 0 timeout 120 "$IPPTEST" print "$URI3" --pages 2 --copies 3
	has "grey printer: sgray_8 chosen" "$TMP/out" '^bits=8$'
	has "grey printer: pages sent once" "$TMP/out" '^pages_sent=2$'
	JOB=$(sed -n 's/^job_id=//p' "$TMP/out")
	N=$(decode "$(ls "$TMP/spool3/$JOB"-*.pwg | head -1)" "$TMP/j3")
	[ "$N" = 2 ] && ok "grey: 2 pages decoded" || fail "grey: 2 pages decoded (got $N)"
	check "grey: pages in order, ink in body and footer, blank margins" check_pages "$TMP/j3" 1 2
	[ "$(cat "$TMP/copies" 2>/dev/null)" = 3 ] && ok "grey: the printer got copies=3" ||
		fail "grey: the printer got copies=3 (got $(cat "$TMP/copies" 2>/dev/null))"
else
	fail "grey ippeveprinter starts"; sed 's/^/#   /' "$TMP/kkgrey.log" | tail -5
fi

# --- a printer out of paper -------------------------------------------------------------------
# The print command reports media-empty and waits (at most 60 s) for $REFILL: the staff
# adding paper. It takes the refill (removes the file) so the next job waits again.
REFILL="$TMP/refill"
cat >"$TMP/nopaper.sh" <<EOF
#!/bin/sh
echo "STATE: +media-empty" >&2
i=0
while [ ! -e "$REFILL" ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done
rm -f "$REFILL"
echo "STATE: -media-empty" >&2
exit 0
EOF
chmod +x "$TMP/nopaper.sh"
if ! start_printer kknopaper "$TMP/spool2" "$TMP/nopaper.sh"; then
	fail "second ippeveprinter starts"; finish
fi
URI2="ipp://127.0.0.1:$PORT/ipp/print"
check_exit "media-empty: job completes once paper is added" 0 timeout 120 "$IPPTEST" print "$URI2" --pages 2 --refill "$REFILL"
has "media-empty: seen while the job waited" "$TMP/out" '^progress problems=media-empty '
has "media-empty: Chinese text for the resident" "$TMP/out" '^problem_text=打印机缺纸，请联系工作人员。$'
has "media-empty: in the result's problems" "$TMP/out" '^problems=media-empty$'

check_exit "media-empty: a job that never gets paper times out" 1 timeout 120 "$IPPTEST" print "$URI2" --pages 1 --timeout 3000
has "no paper: ETIMEDOUT" "$TMP/out" '^rc=ETIMEDOUT$'
has "no paper: job still processing" "$TMP/out" '^job_state=processing$'
for _ in $(seq 1 20); do
	timeout 20 "$IPPTEST" query "$URI2" >"$TMP/q2" 2>&1
	grep -q '^problems=media-empty$' "$TMP/q2" && break
	sleep 0.5
done
has "Get-Printer-Attributes reports media-empty" "$TMP/q2" '^problems=media-empty$'
has "printer-state-reasons as sent" "$TMP/q2" '^reasons=media-empty'
touch "$REFILL"

# --- servers that misbehave -------------------------------------------------------------------
check_exit "silent server" 0 timeout 30 "$IPPTEST" stall
has "silent server: ETIMEDOUT" "$TMP/out" '^rc=ETIMEDOUT$'
has "silent server: the printer is gone" "$TMP/out" '^problems=gone$'
awk -F= '/^elapsed_ms=/ { exit !($2 >= 900 && $2 < 20000) }' "$TMP/out" &&
	ok "silent server: gave up after its timeout, no hang" || fail "silent server: elapsed"
check_exit "server closing mid-answer" 0 timeout 30 "$IPPTEST" close-mid
has "closing mid-answer: EPROTO" "$TMP/out" '^rc=(EPROTO|EIO)$'
finish
