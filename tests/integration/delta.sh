#!/usr/bin/env bash
# delta.sh — delta bundles (SQLite changesets, firmware/catalog/delta.h) from `kioskdb bundle
# --base` to `kiosk --sync-from`: the delta of five retitled documents is small, signed (stock
# minisign -V), described by `kioskdb inspect` (5 changed), applied over the full bundle it
# was made from, and the kiosk then finds the new title with its own search (the index is
# rebuilt) with integrity_check passing; a delta whose base version is not the one shown, and
# one whose base has the right version but other bytes, are refused (4) asking for the full
# bundle; a delta bigger than half of the full bundle is made as a full bundle instead; and a
# SIGKILL at every write, fsync, rename and unlink of a delta apply (and at a few random
# moments, inside SQLite's commit too) leaves exactly the old or exactly the new content.
. "$(dirname "$0")/lib.sh"

W="$TMP/w"
"$KIOSKDB" gen --out "$W" --documents 200 --guides 20 --seed 8 >/dev/null 2>&1 &&
	"$KIOSKDB" build --src "$W" --out "$TMP/v1.db" >/dev/null 2>&1 || fail "database 1 builds"
edit() { # edit SEQ FIRST COUNT TAG: retitle COUNT documents from FIRST, set the version seq
	python3 - "$W" "$@" <<'EOF'
import json, sys
w, seq, first, count, tag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
p = w + '/documents.jsonl'
lines = open(p, encoding='utf-8').read().splitlines()
for i in range(first, first + count):
    d = json.loads(lines[i]); d['title'] = '%s第%d号文件' % (tag, i); lines[i] = json.dumps(d, ensure_ascii=False)
open(p, 'w', encoding='utf-8').write('\n'.join(lines) + '\n')
s = json.load(open(w + '/site.json', encoding='utf-8')); s['version']['seq'] = seq
json.dump(s, open(w + '/site.json', 'w', encoding='utf-8'), ensure_ascii=False)
EOF
}
cp -a "$W" "$TMP/w1"
edit 2 10 5 增量更新样例 && "$KIOSKDB" build --src "$W" --out "$TMP/v2.db" >/dev/null 2>&1 || fail "database 2 builds"
edit 3 40 1 第三版改动 && "$KIOSKDB" build --src "$W" --out "$TMP/v3.db" >/dev/null 2>&1 || fail "database 3 builds"
rm -rf "$W"; cp -a "$TMP/w1" "$W"
edit 1 0 1 另一个基础 && "$KIOSKDB" build --src "$W" --out "$TMP/v1x.db" >/dev/null 2>&1 || fail "database 1x builds"
"$KIOSKDB" gen --out "$TMP/other" --documents 200 --guides 20 --seed 9 >/dev/null 2>&1 &&
	"$KIOSKDB" build --src "$TMP/other" --out "$TMP/o.db" >/dev/null 2>&1 || fail "unrelated database builds"
"$KIOSKDB" keygen --out "$TMP/k" >/dev/null || fail "keygen"
{ grep -vE '^(data_dir|sync_)' "$ROOT/assets/kiosk.conf"; echo "sync_pubkey = $TMP/k.pub"; } >"$TMP/conf"
D="$TMP/d"
K() { "$KIOSK" --config "$TMP/conf" --data "$D" "$@"; }
mk() { "$KIOSKDB" bundle --key "$TMP/k.key" --epoch 1 "$@"; }

mk --db "$TMP/v1.db" --seq 1 --out "$TMP/b1" >/dev/null || fail "full bundle 1.1"
check_exit "kioskdb bundle --base makes a delta" 0 mk --db "$TMP/v2.db" --base "$TMP/v1.db" --seq 2 --out "$TMP/d2"
has "the bundle is a delta from 1.1" "$TMP/out" "^base: 1\.1$"
[ -f "$TMP/d2/content.changeset" ] && [ ! -e "$TMP/d2/content.db" ] &&
	[ "$(stat -c %s "$TMP/d2/content.changeset")" -lt $(($(stat -c %s "$TMP/v2.db") / 10)) ] &&
	ok "the delta's payload is a changeset under a tenth of the database" || fail "the delta's payload is a small changeset"
has "manifest: type delta, base_seq 1" "$TMP/d2/manifest" "^type = delta$"
has "manifest: the base's sha256" "$TMP/d2/manifest" "^base_sha256 = $(sha256sum "$TMP/v1.db" | cut -c1-64)$"
check_exit "stock minisign -V checks the delta's manifest" 0 minisign -V -p "$TMP/k.pub" -m "$TMP/d2/manifest"
check_exit "kioskdb inspect a delta" 0 "$KIOSKDB" inspect "$TMP/d2"
has "inspect: five documents changed" "$TMP/out" "^documents: 0 added, 5 changed, 0 removed$"
has "inspect: no guide changed" "$TMP/out" "^guides: 0 added, 0 changed, 0 removed$"
check_exit "kioskdb verify accepts the delta" 0 "$KIOSKDB" verify "$TMP/d2" --pub "$TMP/k.pub"
check_exit "a delta of an unrelated database" 0 mk --db "$TMP/o.db" --base "$TMP/v1.db" --seq 2 --out "$TMP/f2"
has "over half of the full size: a full bundle instead" "$TMP/out" "^type: full$"
has "the fallback's manifest is full" "$TMP/f2/manifest" "^type = full$"

# --- apply -----------------------------------------------------------------------------------
check_exit "a delta on an empty kiosk is refused" 4 K --sync-from "$TMP/d2"
has "no base: the Chinese message" "$TMP/out" "增量更新包与本机内容版本不符，未导入，请使用完整更新包"
K --sync-from "$TMP/b1" >/dev/null 2>&1 || fail "full 1.1 applies"
cp -a "$D" "$TMP/base"
check_exit "the delta applies over 1.1" 0 K --sync-from "$TMP/d2"
has "applied: the Chinese line names the changes" "$TMP/out" "内容已更新到 1\.2 版（增量）：文件新增 0 份、修改 5 份、删除 0 份"
check_exit "--sync-status after the delta" 0 K --sync-status
has "1.2 is active, 200 documents, integrity ok" "$TMP/out" "^active b version 1\.2 floor 1\.2 documents 200 guides 20 integrity ok$"
check_exit "search on the active slot" 0 "$KIOSKDB" search "$D/slots/b/content.db" "增量更新样例第12号文件" --limit 3
has "the kiosk finds the changed title (search index rebuilt)" "$TMP/out" "	增量更新样例第12号文件$"
"$KIOSKDB" search "$D/slots/b/content.db" "增量更新样例" --limit 10 >"$TMP/five" 2>/dev/null
[ "$(grep -c '增量更新样例' "$TMP/five")" = 5 ] && ok "all five changed titles are found" || fail "all five changed titles are found"
mk --db "$TMP/v3.db" --base "$TMP/v2.db" --seq 3 --out "$TMP/d3" >/dev/null 2>&1 || fail "delta 1.3 from 1.2"

rm -rf "$D"; cp -a "$TMP/base" "$D"
check_exit "a delta whose base version is not the one shown (1.3 from 1.2 on 1.1) is refused" 4 K --sync-from "$TMP/d3"
has "wrong base version: the Chinese message" "$TMP/out" "增量更新包与本机内容版本不符，未导入，请使用完整更新包"
mk --db "$TMP/v2.db" --base "$TMP/v1x.db" --seq 2 --out "$TMP/dx" >/dev/null 2>&1 || fail "delta from another 1.1"
check_exit "a delta on a changed base (same version, other bytes) is refused" 4 K --sync-from "$TMP/dx"
has "changed base: the reason" "$TMP/out" "WRONG_BASE.*sha256 differs"
check_exit "after the refusals 1.1 is still shown, intact" 0 K --sync-status
has "still 1.1" "$TMP/out" "^active a version 1\.1 floor 1\.1 documents 200 guides 20 integrity ok$"

# --- crash safety ------------------------------------------------------------------------------
bad=0 n=1 done=0 old=0 new=0
state() { # classify the state after a crash: old, new or bad
	local line
	line=$(K --sync-status 2>/dev/null)
	if [[ "$line" =~ ^active\ a\ version\ 1\.1\ floor\ 1\.1\ documents\ 200\ guides\ 20\ integrity\ ok ]]; then
		old=$((old + 1))
	elif [[ "$line" =~ ^active\ b\ version\ 1\.2\ floor\ 1\.2\ documents\ 200\ guides\ 20\ integrity\ ok ]] &&
		"$KIOSKDB" search "$D/slots/b/content.db" "增量更新样例第12号文件" --limit 1 2>/dev/null | grep -q 增量更新样例; then
		new=$((new + 1))
	else
		bad=$((bad + 1)); echo "#   $1: $line"
	fi
	[ -z "$(ls -A "$D/staging" 2>/dev/null)" ] || { bad=$((bad + 1)); echo "#   $1: staging not empty"; }
}
while [ $done = 0 ] && [ $n -le 400 ]; do
	rm -rf "$D"; cp -a "$TMP/base" "$D"
	{ KK_FAULT_AT=$n timeout 60 "$KIOSK" --config "$TMP/conf" --data "$D" --sync-from "$TMP/d2" >/dev/null 2>&1; rc=$?; } 2>/dev/null
	[ $rc = 0 ] && done=1
	state "kill at step $n (exit $rc)"
	n=$((n + 1))
done
[ $done = 1 ] && [ $n -gt 10 ] && ok "a delta apply killed at each of its $((n - 2)) steps" || fail "the fault steps ran (done=$done, n=$n)"
for i in 1 2 3 4 5 6 7 8; do # kills at moments the steps do not name (inside SQLite too)
	rm -rf "$D"; cp -a "$TMP/base" "$D"
	{ timeout -s KILL "0.$((RANDOM % 9 + 1))" "$KIOSK" --config "$TMP/conf" --data "$D" --sync-from "$TMP/d2" >/dev/null 2>&1; } 2>/dev/null
	state "random kill $i"
done
[ $bad = 0 ] && ok "after every kill: exactly 1.1 or exactly 1.2 ($old old, $new new), integrity ok, staging empty" ||
	fail "crash safety of the delta apply ($bad problems, $old old, $new new)"
K --sync-from "$TMP/d2" >/dev/null 2>&1
rc=$?
[ $rc = 0 ] || [ $rc = 3 ] && ok "after the last kill the delta applies (or is already applied)" || fail "the delta applies after the last kill (exit $rc)"
finish
