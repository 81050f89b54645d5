#!/usr/bin/env bash
# print.sh — printing end to end on `file:` printers (the bytes a printer would get):
#   - `kiosk --print`: every driver's stream, page ranges, copies, exit codes of every refusal;
#   - the limits per visitor and per day, and the journal (a job cut by a restart is never
#     printed again);
#   - the 打印 panel in the headless kiosk: preview (pages, copies, range, checklist or full
#     guide), 开始打印, the result, Back cancelling, and what a resident reads when printing
#     fails or a limit is reached.
# Real printers are in print-ipp.sh (ippeveprinter) and print-usb.sh (libusb under umockdev).
. "$(dirname "$0")/lib.sh"
DB="$TMP/sample.db"
"$KIOSKDB" build --src "$ROOT/offline-db/sample" --out "$DB" >/dev/null 2>&1 || fail "sample database builds"
LONG=doc-2025-0004 # the 2024 annual report: 8 pages of A4 with tables

conf() { # conf FILE PRINTER DATA_DIR [extra lines...]
	local f=$1 p=$2 d=$3
	shift 3
	{
		echo "site_name = 示例县政务服务中心"
		echo "data_dir = $d"
		echo "printer = $p"
		for l in "$@"; do echo "$l"; done
	} >"$f"
}

# ---- kiosk --print --------------------------------------------------------------------------
conf "$TMP/k.conf" "file:$TMP/out.pwg?format=pwg" "$TMP/data"
P() { "$KIOSK" --db "$DB" --config "$TMP/k.conf" "$@"; }
check_exit "--print a document to a PWG file" 0 P --print "$LONG"
has "--print says what it printed" "$TMP/out" "printed 8 sheet\(s\)"
[ "$(head -c 4 "$TMP/out.pwg")" = RaS2 ] && ok "the PWG stream starts with RaS2" || fail "the PWG stream starts with RaS2"
n=$(grep -a -o PwgRaster "$TMP/out.pwg" | wc -l)
[ "$n" -eq 8 ] && ok "8 PWG page headers for 8 pages" || fail "8 PWG page headers for 8 pages (got $n)"
check_exit "--pages 2-3 --copies 2" 0 P --print "$LONG" --pages 2-3 --copies 2
n=$(grep -a -o PwgRaster "$TMP/out.pwg" | wc -l)
[ "$n" -eq 2 ] && ok "two pages sent, copies in the page header" || fail "two pages sent (got $n)"
check_exit "--print to PCL" 0 P --print "$LONG" --pages 1 --printer "file:$TMP/out.pcl?format=pcl"
[ "$(head -c 9 "$TMP/out.pcl" | od -An -c | tr -d ' \n')" = '033%-12345X' ] && ok "PCL job starts with the universal exit" || fail "PCL job starts with the universal exit"
[ "$(grep -a -c -o $'\033\\*t600R' "$TMP/out.pcl")" -ge 1 ] && ok "PCL at 600 dpi" || fail "PCL at 600 dpi"
check_exit "--print a guide checklist to ESC/POS" 0 P --print guide:13 --summary --printer "file:$TMP/out.esc?format=escpos"
[ "$(grep -a -c -o $'\x1dv0' "$TMP/out.esc")" -ge 1 ] && ok "ESC/POS raster bands (GS v 0)" || fail "ESC/POS raster bands (GS v 0)"
check_exit "a page past the end is a usage error" 2 P --print "$LONG" --pages 9
has "  ... naming the page count" "$TMP/out" "has 8 page"
check_exit "an unknown document is a usage error" 2 P --print doc-1999-9999
check_exit "a bad printer URI is a usage error" 2 P --print "$LONG" --printer "lpd://host/queue"
has "  ... saying what a URI looks like" "$TMP/out" "usb://, ipp:// or file:"
check_exit "--pages without --print is a usage error" 2 P --pages 1-2
check_exit "printing switched off: refused" 3 P --print "$LONG" --printer none
has "  ... in Chinese" "$TMP/out" "没有配置打印机"
check_exit "an unwritable printer fails" 1 P --print "$LONG" --printer "file:$TMP/no/dir/x.pwg?format=pwg"
has "  ... telling the resident whom to ask" "$TMP/out" "请联系工作人员"

# ---- limits and the journal ----------------------------------------------------------------
conf "$TMP/lim.conf" "file:$TMP/lim.pwg?format=pwg" "$TMP/limdata" "print_pages_per_session = 3" "print_pages_per_day = 10"
L() { "$KIOSK" --db "$DB" --config "$TMP/lim.conf" "$@"; }
check_exit "4 pages over a limit of 3 per visitor: refused" 3 L --print "$LONG" --pages 1-4
has "  ... with the limit in Chinese" "$TMP/out" "每位读者每次最多打印 3 页"
check_exit "3 copies over print_max_copies (3 by default) is fine, 4 is not" 3 L --print "$LONG" --pages 1 --copies 4
has "  ... naming the copies cap" "$TMP/out" "每次最多打印 3 份"
for i in 1 2 3; do L --print "$LONG" --pages 1-3 >/dev/null 2>&1; done
check_exit "the day's 10 pages: the 4th run of 3 pages is refused" 3 L --print "$LONG" --pages 1-3
has "  ... saying how many are left today" "$TMP/out" "今天还可以打印 1 页"
has "the day counter is on disk" "$TMP/limdata/spool/day" "^[0-9]{4}-[0-9]{2}-[0-9]{2} 9$"
# a job cut by a power failure: closed as interrupted at the next start, never printed again
echo "41 start 1700000000 doc 62 1-8 x1 cut" >>"$TMP/data/spool/journal"
: >"$TMP/out.pwg"
check_exit "the next start after a cut job" 0 P --print "$LONG" --pages 1
has "  ... logs the cut job for staff" "$TMP/out" "job 41 was interrupted"
has "  ... closes it in the journal" "$TMP/data/spool/journal" "^41 interrupted"
has "  ... and gives the new job the next number" "$TMP/data/spool/journal" "^42 done 1 "
n=$(grep -a -o PwgRaster "$TMP/out.pwg" | wc -l)
[ "$n" -eq 1 ] && ok "  ... and prints only the new job" || fail "only the new job printed (got $n pages)"

# ---- the 打印 panel ------------------------------------------------------------------------
K() { "$KIOSK" --db "$DB" --config "$1" --headless --size 1920x1080 --script "$2" --shots "$3"; }
conf "$TMP/ui.conf" "file:$TMP/ui.pwg?format=pwg" "$TMP/uidata"
cat >"$TMP/ui.script" <<'S'
tap 1576 787
type 2024年政府信息公开工作年度报告
key Return
tap 900 500
shot doc
tap 1596 60
shot preview
tap 1408 414
tap 684 476
tap 684 476
tap 1094 476
tap 1094 476
tap 1094 476
tap 1094 476
tap 684 600
shot range
tap 1296 902
shot done
tap 960 700
shot back
tap 1596 60
key Escape
shot escaped
S
check_exit "print a range from the panel" 0 K "$TMP/ui.conf" "$TMP/ui.script" "$TMP/ui"
U="$TMP/ui"
has "a document has 打印 next to 大字" "$U/doc.txt" "返回 \| 首页 \| 打印 \| 大字"
has "the preview counts the pages" "$U/preview.txt" "共8页"
has "  ... offers all, the page being read and a range" "$U/preview.txt" "全部8页 \| 当前页（第1页） \| 选择页码"
has "  ... says how many sheets and how long" "$U/preview.txt" "将打印8张纸，约"
has "  ... has 开始打印" "$U/preview.txt" "取消 \| 开始打印"
has "the range is pages 3 to 4" "$U/range.txt" "从第 \| － \| 3页 \| ＋ \| 到第 \| － \| 4页 \| ＋"
has "  ... two copies" "$U/range.txt" "份数 \| － \| 2份 \| ＋"
has "  ... four sheets" "$U/range.txt" "将打印4张纸"
has "打印完成 after the job" "$U/done.txt" "打印完成"
has "  ... with the sheets and where to take them" "$U/done.txt" "已打印4张。请在打印机出纸口取走文件。"
n=$(grep -a -o PwgRaster "$TMP/ui.pwg" | wc -l)
[ "$n" -eq 2 ] && ok "the printer got pages 3-4" || fail "the printer got pages 3-4 (got $n pages)"
if grep -q "打印完成" "$U/back.txt"; then fail "好的 closes the panel"; else ok "好的 closes the panel"; fi
has "  ... back on the document" "$U/back.txt" "示例县人民政府2024年政府信息公开工作年度报告"
if grep -q "开始打印" "$U/escaped.txt"; then fail "Back cancels the preview"; else ok "Back cancels the preview"; fi
# every touch target of the panel is at least 80 px (the hits file: X Y W H ACTION)
small=$(awk '$3 < 80 || $4 < 80' "$U/range.hits" | wc -l)
[ "$small" -eq 0 ] && ok "panel buttons are at least 80 px" || fail "panel buttons are at least 80 px ($small smaller)"

# a guide: the one-page checklist
cat >"$TMP/g.script" <<'S'
tap 959 398
tap 900 480
tap 900 480
tap 1596 60
shot full
tap 700 390
shot summary
tap 1296 900
shot done
S
check_exit "print a guide checklist from the panel" 0 K "$TMP/ui.conf" "$TMP/g.script" "$TMP/g"
has "a guide offers the checklist or the full guide" "$TMP/g/full.txt" "要点清单（一页） \| 全文"
has "the checklist is one page" "$TMP/g/summary.txt" "共1页"
has "  ... and prints" "$TMP/g/done.txt" "已打印1张"

# limits and failures as a resident sees them
conf "$TMP/one.conf" "file:$TMP/one.pwg?format=pwg" "$TMP/onedata" "print_pages_per_session = 1"
check_exit "a limit reached in the panel" 0 K "$TMP/one.conf" "$TMP/ui.script" "$TMP/one"
has "  ... explains it and keeps the preview" "$TMP/one/done.txt" "每位读者每次最多打印1页"
conf "$TMP/bad.conf" "file:$TMP/missing/dir/x.pwg?format=pwg" "$TMP/baddata"
printf 'tap 342 398\ntap 900 480\ntap 1596 60\nshot failed\n' >"$TMP/bad.script"
check_exit "a printer that cannot be reached" 0 K "$TMP/bad.conf" "$TMP/bad.script" "$TMP/bad"
has "  ... says 没有打印 and whom to ask" "$TMP/bad/failed.txt" "没有打印"
has "  ... in plain words" "$TMP/bad/failed.txt" "请联系工作人员"
conf "$TMP/off.conf" "none" "$TMP/offdata"
printf 'tap 342 398\ntap 900 480\nshot doc\n' >"$TMP/off.script"
check_exit "printing switched off" 0 K "$TMP/off.conf" "$TMP/off.script" "$TMP/off"
if grep -E "^[0-9]+ [0-9]+	.*首页 \| 打印" "$TMP/off/doc.txt" >/dev/null; then fail "  ... shows no 打印 button"; else ok "  ... shows no 打印 button"; fi
finish
