#!/usr/bin/env bash
# headless.sh — the kiosk without a display: scripted input, screenshots, repeatability,
# idle return, portrait, and every start-up failure a technician can meet.
. "$(dirname "$0")/lib.sh"
DB="$TMP/sample.db"
"$KIOSKDB" build --src "$ROOT/offline-db/sample" --out "$DB" >/dev/null 2>&1 || fail "sample database builds"
CONF="$ROOT/assets/kiosk.conf"
run() { "$KIOSK" --db "$DB" --config "$CONF" --headless "$@"; }

S="$TMP/a"
check_exit "walk the catalogue and a document" 0 run --size 1280x800 --script "$ROOT/tests/integration/walk.script" --shots "$S"
for n in home catalogue document document-scrolled catalogue-again home-again huimin huimin-group guide; do
	[ -s "$S/$n.png" ] && ok "screenshot $n.png written" || fail "screenshot $n.png written"
done
if file "$S/home.png" | grep -q "PNG image data, 1280 x 800"; then ok "screenshots are 1280x800 PNG"; else fail "screenshots are 1280x800 PNG"; fi
# both files must exist: cmp's "missing file" status must never pass a check
differ() { if [ -s "$S/$1.png" ] && [ -s "$S/$2.png" ] && ! cmp -s "$S/$1.png" "$S/$2.png"; then ok "$3"; else fail "$3"; fi; }
same() { if [ -s "$S/$1.png" ] && cmp -s "$S/$1.png" "$S/$2.png"; then ok "$3"; else fail "$3"; fi; }
differ home catalogue "tapping 政府信息公开目录 opens the list"
differ catalogue document "tapping a row opens the document"
differ document document-scrolled "dragging scrolls the document"
same catalogue catalogue-again "Escape goes back to the same list"
same home home-again "首页 returns to the same home screen"
differ home-again huimin "惠民一本通 opens"
differ huimin-group guide "a guide opens"

S2="$TMP/b"
check_exit "the same script again" 0 run --size 1280x800 --script "$ROOT/tests/integration/walk.script" --shots "$S2"
rep=0
for f in "$S"/*.png; do cmp -s "$f" "$S2/$(basename "$f")" || rep=1; done
[ $rep -eq 0 ] && ok "screenshots are repeatable byte for byte" || fail "screenshots are repeatable byte for byte"

# idle: a resident walks away mid-document; the next one finds the home screen
cat >"$TMP/idle.script" <<'S'
shot start
tap 230 295
tap 600 340
idle 60
shot after-60s
idle 100
shot after-160s
S
check_exit "idle script runs" 0 run --size 1280x800 --script "$TMP/idle.script" --shots "$TMP/idle"
if cmp -s "$TMP/idle/after-60s.png" "$TMP/idle/start.png"; then fail "60 s idle keeps the document"; else ok "60 s idle keeps the document"; fi
check "past idle_timeout the kiosk returns home" cmp -s "$TMP/idle/after-160s.png" "$TMP/idle/start.png"

# 长者模式 (large print) keeps the reading position; the idle warning; the reset clears it all
cat >"$TMP/lp.script" <<'L'
tap 230 295
tap 600 340
drag 640 700 640 300 400
wait 200
shot normal
tap 1171 45
shot large
idle 112
shot countdown
tap 640 400
idle 100
shot still-here
idle 30
shot home-reset
L
check_exit "large-print and idle script runs" 0 run --size 1280x800 --script "$TMP/lp.script" --shots "$TMP/lp"
S="$TMP/lp"
differ normal large "大字 lays the document out again in large print"
differ large countdown "a countdown warns before the idle reset"
same large still-here "a touch during the warning keeps the visitor's place"
cp "$TMP/a/home.png" "$TMP/lp/first-home.png"
same first-home home-reset "the idle reset returns home in normal print"
S="$TMP/a"

# browsing the 目录 by 主题分类: chips, the values with counts, the filtered list, and back
printf 'tap 230 295\nshot cat\ntap 120 210\nshot facets\ntap 600 150\nshot filtered\nkey Escape\nshot facets-back\n' >"$TMP/f.script"
check_exit "facet browsing script runs" 0 run --size 1280x800 --script "$TMP/f.script" --shots "$TMP/f"
S="$TMP/f"
differ cat facets "按主题分类浏览 lists the topics"
differ facets filtered "a topic lists its documents"
same facets facets-back "返回 comes back to the same topic list"
S="$TMP/a"

# lists pull past their ends (rubber band) and spring back exactly
printf 'tap 230 295\nshot top\ndrag 640 300 640 700 300\nshot pulled\nwait 150\nshot springing\nwait 1000\nshot back\n' >"$TMP/rb.script"
check_exit "rubber-band script runs" 0 run --size 1280x800 --script "$TMP/rb.script" --shots "$TMP/rb"
S="$TMP/rb"
differ top pulled "pulling past the top moves the list"
differ pulled springing "released, it springs back over time"
same top back "and rests exactly at the top"
S="$TMP/a"

# a 废止 document: the banner says so and links to the document that replaces it
printf 'tap 1048 583\ntype 鼓励大众创业万众创新\nkey Return\ntap 600 380\nshot repealed\ntap 600 177\nshot replacement\n' >"$TMP/e.script"
check_exit "repealed-document script runs" 0 run --size 1280x800 --script "$TMP/e.script" --shots "$TMP/e"
S="$TMP/e"
differ repealed replacement "the banner's link opens the replacement"
S="$TMP/a"

# the scroll cache only saves work: the same scrolling drawn whole every frame looks the same
check_exit "scrolling with the scroll cache" 0 run --size 1920x1080 --script "$ROOT/tests/integration/scroll-cache.script" --shots "$TMP/sc1"
check_exit "scrolling without it" 0 env KK_NO_SCROLL_CACHE=1 "$KIOSK" --db "$DB" --config "$CONF" --headless --size 1920x1080 --script "$ROOT/tests/integration/scroll-cache.script" --shots "$TMP/sc2"
for n in s0 s1 s2 s3 s4 s5 s6 s7 s8; do
	if [ -s "$TMP/sc1/$n.png" ] && cmp -s "$TMP/sc1/$n.png" "$TMP/sc2/$n.png"; then ok "scroll cache: $n.png is the same picture"; else fail "scroll cache: $n.png is the same picture"; fi
done
if [ -s "$TMP/sc1/s1.png" ] && ! cmp -s "$TMP/sc1/s0.png" "$TMP/sc1/s1.png" && ! cmp -s "$TMP/sc1/s2.png" "$TMP/sc1/s3.png"; then ok "scroll cache: the steps did scroll"; else fail "scroll cache: the steps did scroll"; fi

# a table wider than a portrait page in large print moves sideways under the finger
check_exit "wide table: the script runs" 0 run --size 1080x1920 --script "$ROOT/tests/integration/wide-table.script" --shots "$TMP/wt"
check_exit "wide table: the same without the scroll cache" 0 env KK_NO_SCROLL_CACHE=1 "$KIOSK" --db "$DB" --config "$CONF" --headless --size 1080x1920 --script "$ROOT/tests/integration/wide-table.script" --shots "$TMP/wt2"
W="$TMP/wt"
if [ -s "$W/after.png" ] && ! cmp -s "$W/before.png" "$W/after.png"; then ok "wide table: a sideways drag moves it"; else fail "wide table: a sideways drag moves it"; fi
if [ -s "$W/back.png" ] && cmp -s "$W/before.png" "$W/back.png"; then ok "wide table: dragged back, it rests at its left edge (the page did not move)"; else fail "wide table: dragged back, it rests at its left edge (the page did not move)"; fi
if [ -s "$W/vert.png" ] && ! cmp -s "$W/back.png" "$W/vert.png"; then ok "wide table: an upward drag still scrolls the page"; else fail "wide table: an upward drag still scrolls the page"; fi
for n in before after back vert; do
	if [ -s "$W/$n.png" ] && cmp -s "$W/$n.png" "$TMP/wt2/$n.png"; then ok "wide table: $n.png the same without the cache"; else fail "wide table: $n.png the same without the cache"; fi
done

# --- what every screen says: the text of each shot (NAME.txt: "Y SIZE<TAB>text") ------------
# says FILE "what" PATTERN: the shot's text has a line matching PATTERN (spaces are not glyphs)
says() { if [ -s "$1" ] && cut -f2- "$1" | grep -qE "$3"; then ok "$2"; else fail "$2"; sed 's/^/#   /' "$1" 2>/dev/null | head -8; fi; }
# clreq: no line (or table-cell line) starts with a closing mark or ends with an opening one
clreq_ok() {
	local bad
	bad=$(cat "$@" | cut -f2- | sed 's/ | /\n/g' | grep -E '^[，。、；：！？）》」』”’]|[（《「『“‘]$' | head -3)
	if [ -z "$bad" ]; then ok "clreq: no line starts with 。，、；：！？）》 or ends with （《 in ${#@} shots"; else fail "clreq line breaks: $bad"; fi
}
body_size() { # FILE SIZE: body lines set at SIZE px
	if [ -s "$1" ] && [ "$(awk -v s="$2" -F'[ \t]' '$2 == s' "$1" | wc -l)" -ge 3 ]; then ok "$3"; else fail "$3"; fi
}
for run_ in landscape:normal landscape:large portrait:normal portrait:large; do
	orient=${run_%:*} mode=$orient/${run_#*:}
	D="$TMP/screens-${run_/:/-}"
	if [ "$orient" = landscape ]; then SC="$ROOT/tests/integration/screens.script" size=1920x1080 big="tap 1808 60"
	else SC="$ROOT/tests/integration/screens-portrait.script" size=1080x1920 big="tap 968 60"; fi
	if [ "${run_#*:}" = large ]; then sed "3i $big" "$SC" >"$D.script"; SC="$D.script"; fi
	check_exit "$mode print: every screen at $size" 0 run --size "$size" --script "$SC" --shots "$D"
	for t in 政府信息公开目录 惠民事项一本通 惠企事项一本通 政策解读 政府信息公开指南 搜索; do
		says "$D/home.txt" "$mode: home offers $t" "(^| )$t( |\$)"
	done
	says "$D/catalogue.txt" "$mode: the catalogue counts its documents" '^共67件$'
	for t in 按主题分类浏览 按发布机构浏览 按体裁浏览 按年份浏览; do
		says "$D/catalogue.txt" "$mode: the catalogue offers $t" "$t"
	done
	says "$D/facets.txt" "$mode: topics listed with counts" '^[0-9]+件$'
	says "$D/huimin.txt" "$mode: 惠民一本通 lists its 大项" '户籍与身份证'
	says "$D/huimin-group.txt" "$mode: a 大项 lists its 小项" '居民身份证补领、换领'
	says "$D/guide.txt" "$mode: the guide's quick index names 申请材料" '申请材料'
	says "$D/huiqi.txt" "$mode: 惠企一本通 lists its 大项" '企业开办'
	says "$D/guide-doc.txt" "$mode: 公开指南 shows how to apply (office, address, hours, phone)" '咨询电话'
	says "$D/report.txt" "$mode: the document's catalogue card" '^索引号 \| 11000000MB1830048C/2025-00012$'
	says "$D/repealed.txt" "$mode: a 废止 document says so at the top" '^本文件已废止，仅供查阅参考。$'
	says "$D/repealed.txt" "$mode: and links its replacement" '^现行文件：'
	cat "$D/table-doc.txt" "$D/table-doc-2.txt" >"$D/table-both" 2>/dev/null
	says "$D/table-both" "$mode: a table's header cells (first page or the next)" '序号 \| 小区名称'
	says "$D/table-both" "$mode: a table's rows" '粮站宿舍'
	says "$D/expired.txt" "$mode: a 失效 document says so at the top" '^本文件已失效，仅供查阅参考。$'
	says "$D/interp-list.txt" "$mode: 政策解读 lists the interpretations" '解读'
	says "$D/interp.txt" "$mode: a 解读 links the document it interprets" '^解读的文件：'
	says "$D/countdown.txt" "$mode: the idle countdown warns" '秒后返回首页'
	says "$D/reset.txt" "$mode: the idle reset goes home in normal print" '^大字$'
	n=0; for f in "$D"/*.txt; do cut -f2- "$f" | grep -q '数据更新于' && n=$((n + 1)); done
	[ "$n" -eq "$(ls "$D"/*.txt | wc -l)" ] && ok "$mode: every screen shows 数据更新于 (content date)" || fail "$mode: every screen shows 数据更新于 ($n)"
	clreq_ok "$D"/*.txt
	# every touch target at least 80 px both ways (a 1080-px short side: scale 1)
	small=$(for f in "$D"/*.hits; do awk -v f="${f##*/}" '!/clipped/ && ($3 < 80 || $4 < 80) {print f": "$0}' "$f"; done | head -3)
	nh=$(cat "$D"/*.hits | wc -l)
	if [ -z "$small" ] && [ "$nh" -gt 50 ]; then ok "$mode: all $nh touch targets are at least 80 px"; else fail "$mode: touch targets under 80 px: $small"; fi
done
for o in landscape portrait; do
	body_size "$TMP/screens-$o-normal/report.txt" 32 "$o normal print: body text 32 px on a 1080p panel"
	body_size "$TMP/screens-$o-large/report.txt" 48 "$o large print: body text 48 px on a 1080p panel"
	says "$TMP/screens-$o-large/home.txt" "$o large print: the switch then reads 标准字" '标准字'
done
says "$TMP/wt/before.txt" "wide table: its cells are on screen" '申请人情况'
if ! cut -f2- "$TMP/wt/before.txt" | grep -q '总计' && cut -f2- "$TMP/wt/after.txt" | grep -q '总计'; then ok "wide table: the 总计 column comes into view sideways"; else fail "wide table: the 总计 column comes into view sideways"; fi

# --- the on-screen keyboard: pinyin and handwriting, no physical keyboard ---------------------
K="$TMP/kb"
check_exit "keyboard: a query typed on screen" 0 run --size 1920x1080 --script "$ROOT/tests/integration/keyboard.script" --shots "$K"
says "$K/open.txt" "keyboard: shown when search opens" '^q \| w \| e \| r \| t \| y \| u \| i \| o \| p$'
says "$K/pinyin.txt" "keyboard: g-o-n-g-k-a-i composes gong'kai" "^gong'kai$"
says "$K/pinyin.txt" "keyboard: 公开 is the first candidate" '^公开 \| '
says "$K/pinyin-chosen.txt" "keyboard: choosing it puts 公开 in the search box" '^公开$'
says "$K/pinyin-chosen.txt" "keyboard: and the results follow" '^找到[0-9]+条结果'
says "$K/hand.txt" "keyboard: two strokes on the pad read as 十" '^十 \| '
says "$K/hand-chosen.txt" "keyboard: the handwritten 十 finds its documents" '^找到[0-9]+条结果'
says "$K/results.txt" "keyboard: after 搜索, the results fill the screen, the best first" '十项为民办实事'
if ! cut -f2- "$K/results.txt" | grep -qE '^(q \| w \| e|重写)'; then ok "keyboard: 搜索 puts the keyboard away"; else fail "keyboard: 搜索 puts the keyboard away"; fi
says "$K/again.txt" "keyboard: a tap on the search box brings it back (in the mode last used)" '^重写$'
says "$K/results.txt" "keyboard: the results highlight the handwritten 十" '«十»'
says "$K/initials-typed.txt" "keyboard: 首字母 types s f z into the box" '^sfz$'
says "$K/initials.txt" "keyboard: sfz finds 身份证, highlighted" '«身份证»'
small=$(for f in "$K"/*.hits; do awk '!/clipped/ && ($3 < 80 || $4 < 80)' "$f"; done | head -3)
[ -z "$small" ] && ok "keyboard: every key at least 80 px" || fail "keyboard: keys under 80 px: $small"

# --- the search screen: ranked results with highlights, filters, nothing found ---------------
Q="$TMP/sq"
mkdir -p "$TMP/sqdata"
{ echo "data_dir = $TMP/sqdata"; grep -v '^data_dir' "$CONF"; } >"$TMP/sq.conf"
check_exit "search screen script runs" 0 "$KIOSK" --db "$DB" --config "$TMP/sq.conf" --headless --size 1920x1080 --script "$ROOT/tests/integration/search.script" --shots "$Q"
first_title() { awk -F'\t' '{ split($1, a, " ") } a[1] > 300 && a[2] == 34 { print $2; exit }' "$1"; }
[ "$(first_title "$Q/task.txt")" = "居民身份证补领、换领" ] && ok "search: 身份证丢了怎么补办 → the 补领 guide first" || fail "search: the 补领 guide first (got $(first_title "$Q/task.txt"))"
says "$Q/task.txt" "search: a task question puts guides first, and says so" '^找到[0-9]+条结果，办事指南在前$'
says "$Q/task.txt" "search: the snippet highlights what matched" '«补领»'
says "$Q/task.txt" "search: a guide shows its 一本通 path" '^办事指南·惠民›户籍与身份证·'
if cut -f2- "$Q/documents-only.txt" | grep -q '^办事指南·'; then fail "search: 文件 shows no guides"; else ok "search: 文件 shows no guides"; fi
says "$Q/documents-only.txt" "search: 文件 shows documents with their 文号" '^文件·.*〔[0-9]{4}〕[0-9]+号'
if cut -f2- "$Q/guides-only.txt" | grep -qE '^(文件|政策解读)·'; then fail "search: 办事指南 shows only guides"; else ok "search: 办事指南 shows only guides"; fi
says "$Q/valid-only.txt" "search: 只看有效 is marked on" '✓只看有效'
says "$Q/none.txt" "search: nothing found, said plainly" '^没有找到与“宠物狗证”有关的内容。$'
says "$Q/none.txt" "search: nearby terms offered" '^可以试试这些词：$'
says "$Q/none.txt" "search: and the 一本通" '^惠民事项一本通$'
if [ "$(first_title "$Q/nearby.txt")" != "" ] && cut -f2- "$Q/nearby.txt" | grep -q '^物业$'; then ok "search: a nearby term searches for it"; else fail "search: a nearby term searches for it"; fi
if grep -q "$(printf '\t')宠物狗证$" "$TMP/sqdata/search-misses.tsv" 2>/dev/null && [ "$(wc -l <"$TMP/sqdata/search-misses.tsv")" -eq 1 ]; then ok "search: the query that found nothing is counted once, anonymously"; else fail "search: the query that found nothing is counted once"; cat "$TMP/sqdata/search-misses.tsv" 2>/dev/null | head -3; fi

# the same visit on a portrait panel, in large print
check_exit "portrait large-print walk runs" 0 run --size 1080x1920 --script "$ROOT/tests/integration/walk-portrait.script" --shots "$TMP/p"
S="$TMP/p"
if file "$S/catalogue.png" | grep -q "PNG image data, 1080 x 1920"; then ok "portrait screenshots are 1080x1920"; else fail "portrait screenshots are 1080x1920"; fi
differ home home-large "大字 on the home screen"
differ home-large catalogue "portrait: the catalogue opens"
differ catalogue document "portrait: a document opens"
differ document document-scrolled "portrait: the document scrolls"
differ document-scrolled huimin "portrait: 惠民一本通 opens after 首页"
S="$TMP/a"

# a guide's quick index jumps to 申请材料
printf 'tap 639 295\ntap 600 160\ntap 600 160\nshot top\ntap 448 225\nshot materials\n' >"$TMP/gq.script"
check_exit "guide quick-index script runs" 0 run --size 1280x800 --script "$TMP/gq.script" --shots "$TMP/gq"
S="$TMP/gq"
differ top materials "a quick-index chip jumps to its section"
S="$TMP/a"

# search by title or 文号 with typed text
cat >"$TMP/search.script" <<'S'
tap 1048 583
shot empty
type 政务公开
shot typed
key Backspace
key Backspace
shot shorter
S
check_exit "search script runs" 0 run --size 1280x800 --script "$TMP/search.script" --shots "$TMP/search"
S="$TMP/search"
differ empty typed "typing changes the screen"
differ typed shorter "Backspace edits the query"
# the results themselves: the typed words find documents (rows appear below the box)
printf 'tap 1048 583\ntype 示例县人民政府不存在的标题词\nshot none\n' >"$TMP/none.script"
check_exit "a query with no match runs" 0 run --size 1280x800 --script "$TMP/none.script" --shots "$TMP/search"
differ typed none "a query that matches differs from one that does not"
S="$TMP/a"

# orientation and sizes
for size in 1920x1080 1080x1920; do
	echo "shot s" >"$TMP/one.script"
	check_exit "home screen at $size" 0 run --size "$size" --script "$TMP/one.script" --shots "$TMP/$size"
	w=${size%x*}; h=${size#*x}
	if file "$TMP/$size/s.png" | grep -q "PNG image data, $w x $h"; then ok "screenshot is $size"; else fail "screenshot is $size"; fi
done

# failures: every one says what is wrong and what to do
printf 'tap 10 10\nfly 1 2\n' >"$TMP/bad.script"
check_exit "an unknown script command exits 2" 2 run --script "$TMP/bad.script" --shots "$TMP/x"
has "the message names the script line" "$TMP/out" 'bad.script:2: unknown command "fly"'
printf 'tap 5000 10\n' >"$TMP/far.script"
check_exit "a tap outside the screen exits 2" 2 run --size 1280x800 --script "$TMP/far.script"
has "the message names the line" "$TMP/out" 'script line 1: point outside'
check_exit "a missing script exits 2" 2 run --script "$TMP/nope.script"

echo "shot unavailable" >"$TMP/one.script"
check_exit "a missing database still shows a screen" 0 "$KIOSK" --db "$TMP/none.db" --config "$CONF" --headless --size 1280x800 --script "$TMP/one.script" --shots "$TMP/nodb"
has "the log says why" "$TMP/out" 'content database .*none.db unavailable'
head -c 30000 "$DB" >"$TMP/cut.db"
check_exit "a damaged database still shows a screen" 0 "$KIOSK" --db "$TMP/cut.db" --config "$CONF" --headless --size 1280x800 --script "$TMP/one.script" --shots "$TMP/cutdb"
for d in nodb cutdb; do
	if [ -s "$TMP/$d/unavailable.png" ] && ! cmp -s "$TMP/$d/unavailable.png" "$S/home.png"; then ok "$d: the notice is shown, not the home screen"; else fail "$d: the notice is shown, not the home screen"; fi
done

sed 's|^font_path = .*|font_path = /nonexistent/font.ttc|' "$CONF" >"$TMP/nofont.conf"
check_exit "a missing font exits 1" 1 "$KIOSK" --db "$DB" --config "$TMP/nofont.conf" --headless --script "$TMP/one.script" --shots "$TMP/x"
has "the message names the font path" "$TMP/out" '/nonexistent/font.ttc'
printf 'idle_timeout = soon\n' >"$TMP/bad.conf"
check_exit "a bad config refuses to start" 2 "$KIOSK" --db "$DB" --config "$TMP/bad.conf" --headless --script "$TMP/one.script"
has "the message names the config line" "$TMP/out" 'bad.conf:1: idle_timeout: expected a whole number'
check_exit "--check-config on the shipped config" 0 "$KIOSK" --check-config "$CONF"
check_exit "--help" 0 "$KIOSK" --help
check_exit "an unknown option exits 2" 2 "$KIOSK" --frobnicate
finish
