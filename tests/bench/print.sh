#!/usr/bin/env bash
# print.sh — the printing benchmark (part of `make bench`). Prints figures; never fails on timing.
#
# One long document (tests/bench/longdoc.py: the sample's real bodies one after another, 12
# pages of A4 in our layout) is printed
#   - by the kiosk (`kiosk --print` into file: printers): lay out, rasterise at 600 dpi and
#     encode as PCL 5, PWG Raster and ESC/POS; time per page, bytes per page, and the time from
#     开始打印 to the first byte and to the whole first page;
#   - the way a browser-based kiosk would: Chromium prints the same document (kioskdb html, with
#     a print style sheet for A4 at 10.5 pt) to PDF, then Ghostscript turns the PDF into
#     `ljet4` PCL and `pwgraster` at 600 dpi, as CUPS would.
# Each figure is the median of 3 runs.
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/kk-bench-print-XXXXXX)
trap 'rm -rf "$T"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

python3 "$ROOT/tests/bench/longdoc.py" "$ROOT/offline-db/sample" "$T/export" 10000
"$BUILD/kioskdb" build --src "$T/export" --out "$T/long.db" >/dev/null 2>&1 || { echo "bench print: database build failed"; exit 1; }
cat >"$T/k.conf" <<C
site_name = 示例县政务服务中心
data_dir = $T/data
print_pages_per_day = 0
print_pages_per_session = 0
C

echo "bench print: one document, A4, 600 dpi (kiosk) against Chromium + Ghostscript"
for fmt in pcl pwg escpos; do
	for i in 1 2 3; do
		"$BUILD/kiosk" --db "$T/long.db" --config "$T/k.conf" --print bench-long \
			--printer "file:$T/out.$fmt?format=$fmt" 2>/dev/null | sed -n 's/^timing: //p'
	done >"$T/$fmt.runs"
	# "pages 12, layout 0.118 s, tap to first byte 0.005 s, to first page 0.031 s, job 0.229 s, 3182208 bytes"
	pages=$(awk -F'[ ,]+' 'NR==1 {print $2}' "$T/$fmt.runs")
	per=$(awk -F'[ ,]+' '{print ($4 + $18) * 1000 / $2}' "$T/$fmt.runs" | median)
	fb=$(awk -F'[ ,]+' '{print $10 * 1000}' "$T/$fmt.runs" | median)
	fp=$(awk -F'[ ,]+' '{print $15 * 1000}' "$T/$fmt.runs" | median)
	bytes=$(awk -F'[ ,]+' 'NR==1 {print int($20 / $2)}' "$T/$fmt.runs")
	[ "$fmt" = pcl ] && { KP=$pages; KPER=$per; KBYTES=$bytes; }
	[ "$fmt" = pwg ] && { KPWG=$bytes; }
	printf '  kiosk %-7s %2s %-6s: %7.1f ms/page (layout+raster+encode), %8d bytes/page, 开始打印 to first byte %5.1f ms, to first page %6.1f ms\n' \
		"$fmt" "$pages" "$([ "$fmt" = escpos ] && echo bands || echo pages)" "$per" "$bytes" "$fb" "$fp"
done

"$BUILD/kioskdb" html "$T/long.db" bench-long |
	sed 's|</style>|@page{size:A4;margin:15mm}@media print{body{background:#fff}main,main *{font-size:10.5pt!important}h1{font-size:16pt!important}header{display:none}}</style>|' >"$T/long.html"
for i in 1 2 3; do
	s=$(now)
	chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --user-data-dir="$T/chromium-$i" \
		--no-pdf-header-footer --print-to-pdf="$T/long.pdf" "file://$T/long.html" >/dev/null 2>&1
	e=$(now)
	echo "$e - $s" | bc
done | median >"$T/chromium.s"
CP=$(pdfinfo "$T/long.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
CP=${CP:-0}
if [ "$CP" -gt 0 ]; then
	gs_time() { # device extra-args...
		local dev=$1
		shift
		for i in 1 2 3; do
			s=$(now)
			gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE="$dev" -r600 "$@" -sOutputFile="$T/gs.$dev" "$T/long.pdf" >/dev/null 2>&1
			e=$(now)
			echo "$e - $s" | bc
		done | median
	}
	CH=$(awk -v s="$(cat "$T/chromium.s")" -v p="$CP" 'BEGIN {print s * 1000 / p}')
	GL=$(awk -v s="$(gs_time ljet4)" -v p="$CP" 'BEGIN {print s * 1000 / p}')
	GLB=$(($(stat -c %s "$T/gs.ljet4") / CP))
	GP=$(awk -v s="$(gs_time pwgraster -dcupsColorSpace=3 -dcupsBitsPerColor=1)" -v p="$CP" 'BEGIN {print s * 1000 / p}')
	GPB=$(($(stat -c %s "$T/gs.pwgraster") / CP))
	printf '  Chromium --print-to-pdf     %2s pages : %7.1f ms/page\n' "$CP" "$CH"
	printf '  Ghostscript PDF -> ljet4             : %7.1f ms/page, %8d bytes/page\n' "$GL" "$GLB"
	printf '  Ghostscript PDF -> pwgraster black_1 : %7.1f ms/page, %8d bytes/page\n' "$GP" "$GPB"
	awk -v k="$KPER" -v c="$CH" -v g="$GL" -v kb="$KBYTES" -v gb="$GLB" -v kw="$KPWG" -v gw="$GPB" -v kp="$KP" -v cp="$CP" 'BEGIN {
		printf "  browser path (Chromium + ljet4)      : %7.1f ms/page -> the kiosk is %.1fx faster (goal >= 5x), faster than Ghostscript alone: %s\n", c + g, (c + g) / k, (k < g ? "yes" : "no")
		printf "  PCL bytes/page ours vs ljet4         : %.2f (goal <= 1); PWG ours vs Ghostscript: %.2f\n", kb / gb, kw / gw
		printf "  whole document (%d pages ours, %d Chromium): PCL %.2f, PWG %.2f of Ghostscript'"'"'s bytes\n", kp, cp, kb * kp / (gb * cp), kw * kp / (gw * cp)
	}'
else
	echo "  Chromium produced no PDF: browser path not measured"
fi

# The same pages, dot for dot: our PWG job -> rastertopdf (cups-filters) -> Ghostscript at 600
# dpi. The PDF holds our 600 dpi page images, so Ghostscript encodes exactly our dots and the
# bytes compare the encoders alone.
RASTERTOPDF=/usr/lib/cups/filter/rastertopdf
if [ -x "$RASTERTOPDF" ] && env -u PPD CONTENT_TYPE=image/pwg-raster FINAL_CONTENT_TYPE=application/pdf \
	"$RASTERTOPDF" 1 kiosk bench 1 "" "$T/out.pwg" >"$T/ours.pdf" 2>/dev/null; then
	OP=$(pdfinfo "$T/ours.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
	gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pwgraster -r600 -dcupsColorSpace=3 -dcupsBitsPerColor=1 \
		-sOutputFile="$T/same.pwg" "$T/ours.pdf" >/dev/null 2>&1
	gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=ljet4 -r600 -sOutputFile="$T/same.pcl" "$T/ours.pdf" >/dev/null 2>&1
	awk -v p="${OP:-0}" -v kw="$KPWG" -v kb="$KBYTES" -v gw="$(stat -c %s "$T/same.pwg" 2>/dev/null || echo 0)" \
		-v gb="$(stat -c %s "$T/same.pcl" 2>/dev/null || echo 0)" 'BEGIN {
		if (p == 0 || gw == 0 || gb == 0) { print "  same pages through Ghostscript: not measured"; exit }
		printf "  same pages, dot for dot (our raster -> rastertopdf -> gs), bytes/page:\n"
		printf "    PWG ours %8d vs pwgraster %8d (%.2f, goal <= 1)\n", kw, gw / p, kw / (gw / p)
		printf "    PCL ours %8d vs ljet4     %8d (%.2f, goal <= 1)\n", kb, gb / p, kb / (gb / p)
	}'
else
	echo "  rastertopdf missing or failed: same-page comparison not measured"
fi
