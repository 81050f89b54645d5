#!/usr/bin/env bash
# bench.sh — benchmarks for `make bench`. Prints figures only; never fails on timing.
#   1. text: our layout + atlas against SDL_ttf's wrapped renderer
#   1b. printing: bench_print (layout, raster, encoders) and print.sh (the kiosk against
#       Chromium + Ghostscript on one document)
#   2. content: generate and build a 100,000-document export; open, list and read it
#   3. search: latency per query class on that database, against LIKE and trigram; index size
#      and build rate
#   4. sync: verify + apply a full bundle against cat; the same bundle fetched from nginx on
#      loopback (kiosk --sync-from URL) against curl -o /dev/null
set -u
BUILD=${1:-build}
N=${KK_BENCH_DOCS:-100000}
T=$(mktemp -d /tmp/kk-bench-XXXXXX)
trap 'if [ -n "${NGINX_PID:-}" ]; then kill "$NGINX_PID" 2>/dev/null; fi; rm -rf "$T"' EXIT
FONT=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
secs() { local s=$(date +%s.%N); "$@" >/dev/null 2>&1; local e=$(date +%s.%N); echo "$e - $s" | bc; }

"$BUILD/bench_text" "$FONT" 2
echo
"$BUILD/bench_print" "$FONT" /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc 2
echo
bash "$(dirname "$0")/print.sh" "$BUILD"
echo
echo "bench content: $N synthetic documents + 2000 guides"
printf '  kioskdb gen                                      : %8.2f s\n' "$(secs "$BUILD/kioskdb" gen --out "$T/export" --documents "$N" --guides 2000 --seed 1)"
printf '  export size (JSON)                               : %8s\n' "$(du -sh "$T/export" | cut -f1)"
printf '  kioskdb build                                    : %8.2f s\n' "$(secs "$BUILD/kioskdb" build --src "$T/export" --out "$T/big.db")"
printf '  database size                                    : %8s\n' "$(du -h "$T/big.db" | cut -f1)"
printf '  kioskdb info (open, quick_check, counts)          : %8.3f s\n' "$(secs "$BUILD/kioskdb" info "$T/big.db")"
# --- start-up: the kiosk against Chromium showing the same document ------------------------
# The kiosk: process start -> home -> 政府信息公开目录 (100k rows) -> the newest document's first
# frame, at 1920x1080. Chromium: process start -> the same document as an HTML page
# (kioskdb html) -> screenshot. Wall time and peak RSS (the largest process), median of 5.
cat >"$T/open.script" <<'S'
tap 345 400
tap 900 470
S
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
kiosk_start() {
	for i in 1 2 3 4 5; do
		/usr/bin/time -f '%e %M' -o "$T/time.txt" "$BUILD/kiosk" --db "$T/big.db" \
			--config assets/kiosk.conf --headless --size 1920x1080 --script "$T/open.script" \
			>/dev/null 2>&1
		cat "$T/time.txt"
	done >"$T/kiosk.runs"
}
# Chromium forks a browser, a zygote, a GPU and a renderer process: sample every process whose
# command line names this run's profile folder, and keep the largest peak (VmHWM).
chromium_start() {
	local html=$1 out=$2
	for i in 1 2 3 4 5; do
		local prof="$T/chromium-profile-$i" peak=0 s e pid
		s=$(date +%s.%N)
		chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--user-data-dir="$prof" --window-size=1920,1080 --hide-scrollbars \
			--screenshot="$out" "file://$html" >/dev/null 2>&1 &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			for p in $(pgrep -f -- "--user-data-dir=$prof"); do
				h=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null)
				[ -n "$h" ] && [ "$h" -gt "$peak" ] && peak=$h
			done
			sleep 0.01
		done
		wait "$pid"
		e=$(date +%s.%N)
		echo "$(echo "$e - $s" | bc) $peak"
	done >"$T/chromium.runs"
}
kiosk_start
"$BUILD/kioskdb" html "$T/big.db" >"$T/doc.html"
echo
echo "bench start-up: process start to the first frame of the newest document, 100k-document database, 1920x1080"
printf '  kiosk (home, catalogue, document)                : %8.3f s, peak RSS %6.1f MiB\n' \
	"$(cut -d' ' -f1 "$T/kiosk.runs" | median)" "$(echo "$(cut -d' ' -f2 "$T/kiosk.runs" | median) / 1024" | bc -l)"
if command -v chromium >/dev/null; then
	chromium_start "$T/doc.html" "$T/chromium.png"
	printf '  Chromium headless --screenshot, same document   : %8.3f s, peak RSS %6.1f MiB (largest process)\n' \
		"$(cut -d' ' -f1 "$T/chromium.runs" | median)" "$(echo "$(cut -d' ' -f2 "$T/chromium.runs" | median) / 1024" | bc -l)"
else
	echo "  Chromium: not installed (make bench installs Debian's chromium)"
fi

cat >"$T/walk.script" <<'S'
tap 230 295
tap 600 340
drag 640 700 640 200 300
wait 500
key Escape
tap 290 136
tap 600 340
S
printf '  kiosk headless start + list + 2 documents        : %8.3f s\n' "$(secs "$BUILD/kiosk" --db "$T/big.db" --config assets/kiosk.conf --headless --size 1280x800 --script "$T/walk.script")"
printf '  same on the 67-document sample                   : %8.3f s\n' "$(secs "$BUILD/kiosk" --db "$BUILD/sample.db" --config assets/kiosk.conf --headless --size 1280x800 --script "$T/walk.script")"
echo
echo "bench search: $N documents + 2000 guides, our tokenizer (FTS5) vs LIKE and trigram"
"$BUILD/bench_search" query "$T/big.db" "$T"
cp "$T/big.db" "$T/copy.db" && "$BUILD/bench_search" reindex "$T/copy.db"
rm -f "$T/copy.db" "$T/trigram.db"
echo
echo "bench scroll: the 2024 annual report (text + 4 statistics tables + chart) at 1920x1080,"
echo "  12 flings, a frame every 16 ms (software renderer, KK_FRAME_STATS=1):"
for mode in "kiosk (scroll cache + glyph atlas)" "no scroll cache (atlas only)" \
	"naive: TTF_RenderUTF8_Blended per line"; do
	case $mode in
	no*) env=KK_NO_SCROLL_CACHE=1 ;;
	naive*) env=KK_NAIVE_TEXT=1 ;;
	*) env=KK_BENCH=1 ;;
	esac
	printf '  %-40s: ' "$mode"
	env "$env" KK_FRAME_STATS=1 "$BUILD/kiosk" --db "$BUILD/sample.db" --config assets/kiosk.conf \
		--headless --size 1920x1080 --script tests/bench/scroll.script 2>/dev/null
done

# --- sync: verify + apply a full bundle of the big database, against reading its bytes once --
# Both runs read a warm page cache (the bundle was just written): the ratio is the cost of
# SHA-256, the staging copy + fsync, quick_check and the switch over a plain read. As root the
# same runs are repeated from a cold page cache (sync; drop_caches before each), as a kiosk
# reading a stick would. Under each apply: the kiosk's own step times (its "apply took" log).
echo
echo "bench sync: full bundle of the $N-document database, kiosk --sync-from into an empty data folder"
"$BUILD/kioskdb" keygen --out "$T/sync" >/dev/null 2>&1
"$BUILD/kioskdb" bundle --db "$T/big.db" --key "$T/sync.key" --out "$T/bundle" --epoch 1 --seq 1 >/dev/null 2>&1
{ grep -vE '^(data_dir|sync_)' assets/kiosk.conf; echo "sync_pubkey = $T/sync.pub"; } >"$T/sync.conf"
COLD=0
[ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/drop_caches ] && COLD=1
dropc() { sync; echo 3 >/proc/sys/vm/drop_caches; }
# secs_log: secs with the command's stderr kept in $T/last.err; steps: the step times it logged
secs_log() { local s=$(date +%s.%N); "$@" >/dev/null 2>"$T/last.err"; local e=$(date +%s.%N); echo "$e - $s" | bc; }
steps() { sed -n 's/.*\(apply took .*\)/    \1/p' "$T/last.err"; }
printf '  payload size                                     : %8s\n' "$(du -h "$T/bundle/content.db" | cut -f1)"
cat_s=$(secs cat "$T/bundle/content.db")
verify_s=$(secs "$BUILD/kioskdb" verify "$T/bundle" --pub "$T/sync.pub")
apply_s=$(secs_log "$BUILD/kiosk" --config "$T/sync.conf" --data "$T/syncdata" --sync-from "$T/bundle")
printf '  cat payload > /dev/null                          : %8.3f s\n' "$cat_s"
printf '  kioskdb verify (signature + SHA-256, one read)   : %8.3f s\n' "$verify_s"
printf '  kiosk --sync-from (verify, copy+fsync, quick_check, switch): %8.3f s  (%.1fx cat)\n' \
	"$apply_s" "$(echo "$apply_s / $cat_s" | bc -l)"
steps
if [ $COLD = 1 ]; then
	dropc; ccat_s=$(secs cat "$T/bundle/content.db")
	dropc; cverify_s=$(secs "$BUILD/kioskdb" verify "$T/bundle" --pub "$T/sync.pub")
	dropc; capply_s=$(secs_log "$BUILD/kiosk" --config "$T/sync.conf" --data "$T/colddata" --sync-from "$T/bundle")
	printf '  cold page cache: cat %.3f s, kioskdb verify %.3f s, kiosk --sync-from %.3f s (%.1fx cat)\n' \
		"$ccat_s" "$cverify_s" "$capply_s" "$(echo "$capply_s / $ccat_s" | bc -l)"
	steps
	rm -rf "$T/colddata"
fi
"$BUILD/kiosk" --config "$T/sync.conf" --data "$T/syncdata" --sync-status | sed 's/^/  /'

# --- sync: a delta of 1,000 retitled documents on the same catalogue --------------------------
echo
echo "bench delta: 1,000 documents retitled in the $N-document catalogue, kiosk --sync-from over 1.1"
python3 - "$T/export" <<'PY'
import json, sys
w = sys.argv[1]
lines = open(w + '/documents.jsonl', encoding='utf-8').read().splitlines()
step = max(1, len(lines) // 1000)
for i in range(0, min(len(lines), step * 1000), step):
    d = json.loads(lines[i]); d['title'] = d['title'] + '（修订）'; lines[i] = json.dumps(d, ensure_ascii=False)
open(w + '/documents.jsonl', 'w', encoding='utf-8').write('\n'.join(lines) + '\n')
s = json.load(open(w + '/site.json', encoding='utf-8')); s['version']['seq'] = 2
json.dump(s, open(w + '/site.json', 'w', encoding='utf-8'), ensure_ascii=False)
PY
"$BUILD/kioskdb" build --src "$T/export" --out "$T/big2.db" >/dev/null 2>&1
printf '  kioskdb bundle --base (changeset)                : %8.3f s\n' \
	"$(secs "$BUILD/kioskdb" bundle --db "$T/big2.db" --base "$T/big.db" --key "$T/sync.key" --out "$T/delta" --epoch 1 --seq 2)"
printf '  delta payload size                               : %8s\n' "$(du -h "$T/delta/content.changeset" 2>/dev/null | cut -f1)"
"$BUILD/kioskdb" inspect "$T/delta" 2>/dev/null | grep -E '^(documents|guides):' | sed 's/^/  /'
[ $COLD = 1 ] && cp -a "$T/syncdata" "$T/colddata" # 1.1 installed, for the cold run below
dcat_s=$(secs cat "$T/syncdata/slots/a/content.db")
delta_s=$(secs_log "$BUILD/kiosk" --config "$T/sync.conf" --data "$T/syncdata" --sync-from "$T/delta")
printf '  cat active database > /dev/null                  : %8.3f s\n' "$dcat_s"
printf '  kiosk --sync-from delta (copy+hash base, changeset, search index, quick_check, switch): %8.3f s (goal <= 2 s)\n' "$delta_s"
steps
if [ $COLD = 1 ]; then
	dropc; cdcat_s=$(secs cat "$T/colddata/slots/a/content.db")
	dropc; cdelta_s=$(secs_log "$BUILD/kiosk" --config "$T/sync.conf" --data "$T/colddata" --sync-from "$T/delta")
	printf '  cold page cache: cat active database %.3f s, kiosk --sync-from delta %.3f s\n' \
		"$cdcat_s" "$cdelta_s"
	steps
	rm -rf "$T/colddata"
fi
"$BUILD/kiosk" --config "$T/sync.conf" --data "$T/syncdata" --sync-status | sed 's/^/  /'
# --- network sync: the same bundle published and served by nginx on loopback -----------------
# kiosk --sync-from URL (pointer, manifest, payload download, then the apply above) against
# curl fetching the same payload to /dev/null: the ratio is the cost of writing the download
# and applying it over the bare transfer.
echo
echo "bench fetch: the same bundle from nginx on 127.0.0.1 (kioskdb publish, kiosk --sync-from URL)"
. tests/nginx.sh
chmod 755 "$T"
"$BUILD/kioskdb" publish --bundle "$T/bundle" --key "$T/sync.key" --out "$T/www" >/dev/null 2>&1
if nginx_start "$T/nginx" "$T/www"; then
	url="http://127.0.0.1:$NGINX_PORT"
	curl_s=$(secs curl -sf -o /dev/null "$url/stable/1.1/content.db")
	fetch_s=$(secs_log timeout 600 "$BUILD/kiosk" --config "$T/sync.conf" --data "$T/fetchdata" --sync-from "$url/")
	printf '  curl -o /dev/null of the payload                 : %8.3f s\n' "$curl_s"
	printf '  kiosk --sync-from URL (download + apply)         : %8.3f s  (%.1fx curl)\n' \
		"$fetch_s" "$(echo "$fetch_s / $curl_s" | bc -l)"
	steps
	if [ $COLD = 1 ]; then
		dropc; ccurl_s=$(secs curl -sf -o /dev/null "$url/stable/1.1/content.db")
		dropc; cfetch_s=$(secs_log timeout 600 "$BUILD/kiosk" --config "$T/sync.conf" --data "$T/colddata" --sync-from "$url/")
		printf '  cold page cache: curl %.3f s, kiosk --sync-from URL %.3f s (%.1fx curl)\n' \
			"$ccurl_s" "$cfetch_s" "$(echo "$cfetch_s / $ccurl_s" | bc -l)"
		steps
		rm -rf "$T/colddata"
	fi
	"$BUILD/kiosk" --config "$T/sync.conf" --data "$T/fetchdata" --sync-status | sed 's/^/  /'
else
	echo "  nginx did not start (package nginx-light)"
fi
kill "$NGINX_PID" 2>/dev/null
wait "$NGINX_PID" 2>/dev/null
