#!/usr/bin/env bash
# bench.sh — benchmarks for `make bench`. Prints figures only; never fails on timing.
#   1. text: our layout + atlas against SDL_ttf's wrapped renderer
#   2. content: generate and build a 100,000-document export; open, list and read it
#   3. search: latency per query class on that database, against LIKE and trigram; index size
#      and build rate
set -u
BUILD=${1:-build}
N=${KK_BENCH_DOCS:-100000}
T=$(mktemp -d /tmp/kk-bench-XXXXXX)
trap 'rm -rf "$T"' EXIT
FONT=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
secs() { local s=$(date +%s.%N); "$@" >/dev/null 2>&1; local e=$(date +%s.%N); echo "$e - $s" | bc; }

"$BUILD/bench_text" "$FONT" 2
echo
echo "bench content: $N synthetic documents + 2000 guides"
printf '  kioskdb gen                                      : %8.2f s\n' "$(secs "$BUILD/kioskdb" gen --out "$T/export" --documents "$N" --guides 2000 --seed 1)"
printf '  export size (JSON)                               : %8s\n' "$(du -sh "$T/export" | cut -f1)"
printf '  kioskdb build                                    : %8.2f s\n' "$(secs "$BUILD/kioskdb" build --src "$T/export" --out "$T/big.db")"
printf '  database size                                    : %8s\n' "$(du -h "$T/big.db" | cut -f1)"
printf '  kioskdb info (open + counts)                     : %8.3f s\n' "$(secs "$BUILD/kioskdb" info "$T/big.db")"
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
printf '  '
KK_FRAME_STATS=1 "$BUILD/kiosk" --db "$BUILD/sample.db" --config assets/kiosk.conf --headless \
	--size 1920x1080 --script tests/bench/scroll.script 2>/dev/null
