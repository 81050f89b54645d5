#!/usr/bin/env bash
# kioskdb.sh — the content tool end to end: build and info on the sample export, validate a
# deliberately broken export, atomic output, hostile input, synthetic exports, the real
# government documents of ../shared/documents.
. "$(dirname "$0")/lib.sh"
SAMPLE="$ROOT/offline-db/sample"

check_exit "build the sample export" 0 "$KIOSKDB" build --src "$SAMPLE" --out "$TMP/sample.db"
"$KIOSKDB" info "$TMP/sample.db" >"$TMP/info" 2>&1
docs=$(sed -n 's/^documents: //p' "$TMP/info")
if [ "${docs:-0}" -ge 60 ]; then ok "sample has at least 60 documents ($docs)"; else fail "sample has $docs documents"; fi
has "惠民一本通 is 8 大项 / 30 小项" "$TMP/info" '^惠民一本通: 8 大项, 30 小项$'
has "惠企一本通 is 12 大项 / 75 小项" "$TMP/info" '^惠企一本通: 12 大项, 75 小项$'
has "one 公开指南" "$TMP/info" '政府信息公开指南 \(guide\): [1-9]'
has "a 年度报告" "$TMP/info" '年度报告 \(annual_report\): [1-9]'
has "several 政策解读" "$TMP/info" '政策解读 \(interpretation\): ([3-9]|[1-9][0-9])'
has "规范性文件 in every validity state" "$TMP/info" '有效 [1-9][0-9]* 失效 [1-9][0-9]* 废止 [1-9][0-9]* 已修订 [1-9]'
has "content version and date" "$TMP/info" '^version: [0-9]+\.[0-9]+$'
check_exit "validate the sample export" 0 "$KIOSKDB" validate --src "$SAMPLE"
has "the sample export has no problem" "$TMP/out" ' 0 problem\(s\)'

# --- a deliberately broken export: every problem listed with its line ----------------------
B="$TMP/broken"
mkdir -p "$B/attachments"
cat >"$B/site.json" <<'J'
{"publisher": "示例县人民政府", "version": {"epoch": 1, "seq": 2}}
J
{
	echo '{"id":"ok-1","title":"正常文件","publisher":"示例县人民政府","published":"2023-01-05","body_text":"正文。"}'
	echo '{"id":"bad-date","title":"日期错误","publisher":"示例县人民政府","published":"2023-02-30","body_text":"正文。"}'
	echo '{"id":"no-title","publisher":"示例县人民政府","published":"2023-01-05","body_text":"正文。"}'
	echo '{"id":"bad-series","title":"系列错误","publisher":"示例县人民政府","published":"2023-01-05","series":"小道消息","body_text":"正文。"}'
	echo '{"id":"dangling","title":"解读","publisher":"示例县人民政府","published":"2023-01-05","series":"政策解读","interprets":"no-such-doc","body_text":"正文。"}'
	echo '{"id":"missing-att","title":"附件缺失","publisher":"示例县人民政府","published":"2023-01-05","body_text":"正文。","attachments":[{"file":"attachments/nope.pdf","title":"附件1"}]}'
	printf '{"id":"bad-utf8","title":"\xff\xfe","publisher":"x","published":"2023-01-05","body_text":"x"}\n'
	echo '{"id":"bad-json","title":"少了括号"'
	echo '{"id":"escape","title":"越界附件","publisher":"示例县人民政府","published":"2023-01-05","body_text":"正文。","attachments":[{"file":"../../etc/passwd","title":"x"}]}'
	echo '{"id":"ok-1","title":"重复","publisher":"示例县人民政府","published":"2023-01-05","body_text":"正文。"}'
	echo '{"id":"bad validity","title":"有效性错误","publisher":"示例县人民政府","published":"2023-01-05","validity":"大概有效","body_text":"正文。"}'
	printf '{"id":"huge","title":"%s","publisher":"示例县人民政府","published":"2023-01-05","body_text":"x"}\n' "$(head -c 600 /dev/zero | tr '\0' 'a')"
} >"$B/documents.jsonl"
echo '{"id":"g-1","book":"惠民","group":"户籍","title":"补领身份证","sections":[]}' >"$B/guides.jsonl"
echo '{"id":"g-2","book":"惠农","group":"x","title":"y","sections":[{"label":"申请材料","text":"1. 身份证"}]}' >>"$B/guides.jsonl"
check_exit "validate a broken export fails" 1 "$KIOSKDB" validate --src "$B"
cp "$TMP/out" "$TMP/broken.out"
has "bad date, with its line" "$TMP/broken.out" '^documents.jsonl:2: published: bad date'
has "missing title, with its line" "$TMP/broken.out" '^documents.jsonl:3: title: missing'
has "unknown series, with its line" "$TMP/broken.out" '^documents.jsonl:4: series: unknown series'
has "dangling interprets, with its line" "$TMP/broken.out" '^documents.jsonl:5: interprets: no document with id "no-such-doc"'
has "missing attachment, with its line" "$TMP/broken.out" '^documents.jsonl:6: attachments: file "attachments/nope.pdf" not found'
has "invalid UTF-8, with its line" "$TMP/broken.out" '^documents.jsonl:7: -: invalid UTF-8'
has "invalid JSON, with its line" "$TMP/broken.out" '^documents.jsonl:8: -: invalid JSON'
has "path escaping the export is refused" "$TMP/broken.out" '^documents.jsonl:9: attachments: path "../../etc/passwd" is not a plain file'
has "duplicate id, with its line and the first use" "$TMP/broken.out" '^documents.jsonl:10: id: "ok-1" is already used by line 1'
has "bad id and unknown validity" "$TMP/broken.out" '^documents.jsonl:11: validity: unknown'
has "huge field is capped" "$TMP/broken.out" '^documents.jsonl:12: title: 600 bytes, over the cap'
has "guide without sections" "$TMP/broken.out" '^guides.jsonl:1: sections:'
has "unknown book" "$TMP/broken.out" '^guides.jsonl:2: book: unknown book "惠农"'

check_exit "build of the broken export lists the same problems" 1 "$KIOSKDB" build --src "$B" --out "$TMP/broken.db"
has "build reports the duplicate id at its line too" "$TMP/out" '^documents.jsonl:10: id: "ok-1" is already used by line 1'
has "build reports problems after the duplicate too" "$TMP/out" '^documents.jsonl:12: title: 600 bytes'

# --- hostile export folders: links out of the folder, devices, FIFOs -----------------------
L="$TMP/links"
mkdir -p "$L" "$TMP/outside"
cp "$B/site.json" "$L/"
: >"$L/guides.jsonl"
cp "$ROOT/offline-db/sample/attachments/"*.png "$TMP/outside/secret.png" 2>/dev/null || printf '\x89PNG\r\n\x1a\n' >"$TMP/outside/secret.png"
ln -s "$TMP/outside" "$L/attachments"
echo '{"id":"l-1","title":"链接","publisher":"示例县人民政府","published":"2023-01-05","body_text":"正文。","attachments":[{"file":"attachments/secret.png","title":"x"}]}' >"$L/documents.jsonl"
check_exit "a symlinked folder cannot pull files from outside the export" 1 "$KIOSKDB" build --src "$L" --out "$TMP/links.db"
has "the symlinked path is named" "$TMP/out" 'attachments: path "attachments/secret.png" is not a plain file inside the export'
rm "$L/documents.jsonl"
ln -s /dev/zero "$L/documents.jsonl"
check_exit "documents.jsonl pointing at /dev/zero is refused at once" 1 timeout 20 "$KIOSKDB" validate --src "$L"
has "the file is named" "$TMP/out" '^documents.jsonl:0: -: not a plain file'
rm "$L/documents.jsonl"
mkfifo "$L/documents.jsonl"
check_exit "a FIFO instead of documents.jsonl is refused at once" 1 timeout 20 "$KIOSKDB" validate --src "$L"
rm "$L/documents.jsonl"
printf '{"id":"n-1","title":"a"}\000{"id":"n-2"}\n' >"$L/documents.jsonl"
check_exit "a NUL byte in a line is a problem" 1 "$KIOSKDB" validate --src "$L"
has "the NUL line is named" "$TMP/out" '^documents.jsonl:1: -: line contains a NUL byte'

# --- atomic output: a failed build leaves the old database untouched ----------------------
cp "$TMP/sample.db" "$TMP/keep.db"
check_exit "build of a broken export fails" 1 "$KIOSKDB" build --src "$B" --out "$TMP/keep.db"
check "the old database is untouched" cmp -s "$TMP/sample.db" "$TMP/keep.db"
if ls "$TMP"/keep.db.tmp-* >/dev/null 2>&1; then fail "no temporary file is left behind"; else ok "no temporary file is left behind"; fi
check_exit "build into a missing folder fails cleanly" 1 "$KIOSKDB" build --src "$SAMPLE" --out "$TMP/no/such/dir/x.db"

# --- hostile HTML is sanitised in the database ---------------------------------------------
H="$TMP/hostile"
mkdir -p "$H"
cp "$B/site.json" "$H/"
: >"$H/guides.jsonl"
cat >"$H/documents.jsonl" <<'J'
{"id":"h-1","title":"带脚本的页面","publisher":"示例县人民政府","published":"2023-01-05","body_html":"<p onclick=\"steal()\">正文第一段</p><script>alert('xss')</script><style>p{color:red}</style><iframe src=\"http://evil.example/\"></iframe><img src=\"http://tracker.example/t.gif\"><p><a href=\"javascript:alert(1)\">链接文字</a></p>"}
J
check_exit "build an export with hostile HTML" 0 "$KIOSKDB" build --src "$H" --out "$TMP/hostile.db"
[ -s "$TMP/hostile.db" ] && ok "the hostile-HTML database exists" || fail "the hostile-HTML database exists"
has "dropped parts are reported as warnings" "$TMP/out" 'documents.jsonl:1: body_html: warning: .*script'
if sqlite3 "$TMP/hostile.db" "SELECT text FROM block" | grep -qE "alert|steal|color:red|evil|tracker|javascript"; then
	fail "no script, style, handler or remote URL reaches the database"
else ok "no script, style, handler or remote URL reaches the database"; fi
if sqlite3 "$TMP/hostile.db" "SELECT text FROM block" | grep -q "链接文字"; then ok "the text of the page is kept"; else fail "the text of the page is kept"; fi

# --- a corrupt database is refused by info -------------------------------------------------
head -c 20000 "$TMP/sample.db" >"$TMP/cut.db"
check_exit "info on a truncated database fails with a message" 1 "$KIOSKDB" info "$TMP/cut.db"
check_exit "info on a missing database fails with a message" 1 "$KIOSKDB" info "$TMP/none.db"

# --- synthetic exports for benchmarks ------------------------------------------------------
check_exit "gen a synthetic export" 0 "$KIOSKDB" gen --out "$TMP/gen" --documents 3000 --guides 200 --seed 7
check_exit "build the synthetic export" 0 "$KIOSKDB" build --src "$TMP/gen" --out "$TMP/gen.db"
"$KIOSKDB" info "$TMP/gen.db" >"$TMP/info" 2>&1
has "synthetic database has 3000 documents" "$TMP/info" '^documents: 3000$'

# --- the real government documents, as plain-text bodies -----------------------------------
DOCS="$ROOT/../shared/documents"
if [ -d "$DOCS" ]; then
	R="$TMP/real"
	mkdir -p "$R"
	cp "$B/site.json" "$R/"
	: >"$R/guides.jsonl"
	n=0
	for f in "$DOCS"/*.txt; do
		n=$((n + 1))
		# JSON-escape the text with awk (no python or jq on a fresh board build machine)
		body=$(awk 'BEGIN{ORS=""} {gsub(/\\/,"\\\\"); gsub(/"/,"\\\""); gsub(/\t/," "); gsub(/\r/,""); print $0 "\\n"}' "$f")
		printf '{"id":"real-%s","title":"政务公开文件%s","publisher":"示例县人民政府","published":"2023-07-14","body_text":"%s"}\n' "$n" "$n" "$body" >>"$R/documents.jsonl"
	done
	check_exit "import the real documents of shared/documents" 0 "$KIOSKDB" build --src "$R" --out "$TMP/real.db"
	"$KIOSKDB" info "$TMP/real.db" >"$TMP/info" 2>&1
	has "every real document is in the database" "$TMP/info" "^documents: $n\$"
else
	echo "# shared/documents not found: real-document import skipped"
fi

# --- a document as an HTML page (the benchmark's Chromium side) ------------------------------
check_exit "html of the 2024 annual report" 0 "$KIOSKDB" html "$TMP/sample.db" doc-2025-0004
"$KIOSKDB" html "$TMP/sample.db" doc-2025-0004 >"$TMP/report.html" 2>&1
has "html: a complete page" "$TMP/report.html" '^</main>$'
has "html: the title" "$TMP/report.html" '<h1>示例县人民政府2024年政府信息公开工作年度报告</h1>'
has "html: the catalogue card" "$TMP/report.html" '<tr><th>索引号</th><td>'
has "html: the statistics tables, with merged cells" "$TMP/report.html" '<t[dh] (rowspan|colspan)="[0-9]+"'
if grep -qiE '<(script|style|iframe)[ >]' <(sed -n '/<\/style>/,$p' "$TMP/report.html"); then fail "html: no markup from the content"; else ok "html: no markup from the content"; fi
"$KIOSKDB" html "$TMP/sample.db" >"$TMP/newest.html" 2>&1
has "html without an id: the newest document" "$TMP/newest.html" '<h1>示例县人民政府关于同意实施白沙镇'
check_exit "html of an unknown id fails" 1 "$KIOSKDB" html "$TMP/sample.db" no-such-doc
has "and says so" "$TMP/out" 'no such document no-such-doc'
check_exit "html with too many arguments is a usage error" 2 "$KIOSKDB" html "$TMP/sample.db" a b

# --- search ----------------------------------------------------------------------------------
S="$TMP/sample.db"
check_exit "search: a task question" 0 "$KIOSKDB" search "$S" "身份证丢了怎么补办"
first=$(head -1 "$TMP/out")
if [ "$first" = "$(printf 'guide\thm-01-02\t居民身份证补领、换领')" ]; then ok "search: the 补领 guide comes first, as kind<TAB>id<TAB>title"; else fail "search: first line is '$first'"; fi
check_exit "search: initials" 0 "$KIOSKDB" search "$S" sfz --limit 3
has "search: sfz finds a 身份证 guide" "$TMP/out" '^guide	hm-01-0[12]	居民身份证'
lines=$(grep -c . "$TMP/out")
if [ "$lines" -le 3 ]; then ok "search: --limit 3 prints at most 3 lines ($lines)"; else fail "search: --limit 3 printed $lines lines"; fi
check_exit "search: a loose 文号" 0 "$KIOSKDB" search "$S" "示建2023 37" --limit 1
has "search: the 文号 finds its document" "$TMP/out" '^document	doc-2023-0018	'
check_exit "search: a query that starts with a dash" 0 "$KIOSKDB" search "$S" "-身份证"
check_exit "search: FTS5 syntax is plain text" 0 "$KIOSKDB" search "$S" '" * ( ) : ^ - AND OR NEAR'
check_exit "search: only punctuation finds nothing, without failing" 0 "$KIOSKDB" search "$S" '，。！？'
has "search: says there are no results" "$TMP/out" '^kioskdb: no results$'
check_exit "search: invalid UTF-8" 0 "$KIOSKDB" search "$S" "$(printf '\xff\xfe')"
check_exit "search: --explain shows the expression" 0 "$KIOSKDB" search "$S" "过户" --explain
has "search: synonyms in the expression" "$TMP/out" '^expr: .*"转移登记"'
check_exit "search: a missing database" 1 "$KIOSKDB" search "$TMP/nope.db" "x"
check_exit "search: no query is a usage error" 2 "$KIOSKDB" search "$S"
check_exit "search: a bad --limit is a usage error" 2 "$KIOSKDB" search "$S" x --limit 0
check_exit "search: an unknown option is a usage error" 2 "$KIOSKDB" search "$S" x --fast
check_exit "search: three positional arguments are a usage error" 2 "$KIOSKDB" search "$S" x y
# a version-1 database (no search tables; the sqlite3 shell cannot load our tokenizer, so the
# FTS5 table is unlinked from the schema and its shadow tables dropped)
cp "$S" "$TMP/v1.db"
sqlite3 "$TMP/v1.db" "PRAGMA writable_schema = ON; DELETE FROM sqlite_master WHERE name = 'search';"
sqlite3 "$TMP/v1.db" "DROP TABLE search_data; DROP TABLE search_idx; DROP TABLE search_content;
	DROP TABLE search_docsize; DROP TABLE search_config; DROP TABLE search_doc; PRAGMA user_version = 1;"
check_exit "search: a version-1 database is refused" 1 "$KIOSKDB" search "$TMP/v1.db" x
check_exit "migrate: version 1 to 2 adds the search index" 0 "$KIOSKDB" migrate "$TMP/v1.db"
has "migrate: says 1 -> 2" "$TMP/out" 'schema 1 -> 2$'
check_exit "search: the migrated database" 0 "$KIOSKDB" search "$TMP/v1.db" sfz --limit 1
has "search: the migrated index finds 身份证 by initials" "$TMP/out" '^guide	hm-01-0[12]	居民身份证'

# --- command line --------------------------------------------------------------------------
check_exit "no command is a usage error" 2 "$KIOSKDB"
check_exit "an unknown option is a usage error" 2 "$KIOSKDB" build --src "$SAMPLE" --out "$TMP/x.db" --fast
check_exit "--help works" 0 "$KIOSKDB" --help
finish
