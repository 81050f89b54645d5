#!/usr/bin/env bash
# crash.sh — crash safety of `kiosk --sync-from` by fault injection (KK_FAULT_AT, apply.h):
# the apply of version 1.2 over an installed 1.1 is killed with SIGKILL at every write, fsync,
# rename, mkdir and unlink in turn (N = 1, 2, ... until the apply completes), then at ~100
# random points where the step fails with EIO or ENOSPC instead, or where the next apply is
# killed again during its own recovery. After each: `kiosk --sync-status` (start-up recovery)
# must find exactly the old (1.1, 30 documents) or exactly the new (1.2, 45 documents) content
# passing integrity_check; the floor on disk never names a version the active slot does not
# hold, and after recovery equals it; staging/ is empty; and the older bundle is refused (4)
# once 1.2 is shown, "up to date" (3) while 1.1 is. Finally a clean apply always completes.
. "$(dirname "$0")/lib.sh"

"$KIOSKDB" gen --out "$TMP/g1" --documents 30 --guides 4 --seed 1 >/dev/null 2>&1 &&
	"$KIOSKDB" build --src "$TMP/g1" --out "$TMP/v1.db" >/dev/null 2>&1 || fail "database 1 builds"
"$KIOSKDB" gen --out "$TMP/g2" --documents 45 --guides 6 --seed 2 >/dev/null 2>&1 &&
	"$KIOSKDB" build --src "$TMP/g2" --out "$TMP/v2.db" >/dev/null 2>&1 || fail "database 2 builds"
"$KIOSKDB" keygen --out "$TMP/k" >/dev/null || fail "keygen"
"$KIOSKDB" bundle --db "$TMP/v1.db" --key "$TMP/k.key" --out "$TMP/b1" --epoch 1 --seq 1 >/dev/null &&
	"$KIOSKDB" bundle --db "$TMP/v2.db" --key "$TMP/k.key" --out "$TMP/b2" --epoch 1 --seq 2 >/dev/null ||
	fail "bundles"
{ grep -vE '^(data_dir|sync_)' "$ROOT/assets/kiosk.conf"; echo "sync_pubkey = $TMP/k.pub"; } >"$TMP/conf"
D="$TMP/d"
K() { "$KIOSK" --config "$TMP/conf" --data "$D" "$@"; }
K --sync-from "$TMP/b1" >/dev/null 2>&1 || fail "install 1.1"
cp -a "$D" "$TMP/base"
if [ "$(cat "$D/active" 2>/dev/null)" = a ]; then ok "1.1 installed as the starting state"; else fail "1.1 installed as the starting state"; fi

bad=0 old=0 new=0
# check LABEL: the invariants after a crash or a failure; counts old/new; prints what is wrong
check_state() {
	local why="" f a line v
	f=$(cat "$D/floor" 2>/dev/null || echo none)
	a=$(cat "$D/active" 2>/dev/null || echo none)
	case "$f" in 1.1|1.2) ;; *) why="floor file '$f'" ;; esac
	if [ "$f" = 1.2 ] && ! grep -q '^seq = 2$' "$D/slots/$a/manifest" 2>/dev/null; then
		why="floor 1.2 but active slot '$a' does not hold 1.2"
	fi
	line=$(K --sync-status 2>/dev/null)
	if [[ "$line" =~ ^active\ [ab]\ version\ 1\.1\ floor\ 1\.1\ documents\ 30\ guides\ 4\ integrity\ ok ]]; then
		v=1
	elif [[ "$line" =~ ^active\ [ab]\ version\ 1\.2\ floor\ 1\.2\ documents\ 45\ guides\ 6\ integrity\ ok ]]; then
		v=2
	else
		why="$why; status '$line'"
		v=0
	fi
	[ -z "$(ls -A "$D/staging" 2>/dev/null)" ] || why="$why; staging not empty after recovery"
	K --sync-from "$TMP/b1" >/dev/null 2>&1
	local r=$?
	if [ $v = 2 ] && [ $r -ne 4 ]; then why="$why; 1.1 bundle not refused over 1.2 (exit $r)"; fi
	if [ $v = 1 ] && [ $r -ne 3 ]; then why="$why; 1.1 bundle not up to date (exit $r)"; fi
	if [ -n "$why" ]; then
		bad=$((bad + 1))
		echo "#   $1: $why"
	fi
	[ $v = 1 ] && old=$((old + 1))
	[ $v = 2 ] && new=$((new + 1))
}
fresh() { rm -rf "$D"; cp -a "$TMP/base" "$D"; }

# --- SIGKILL at every step ---------------------------------------------------------------------
n=1 steps=0
while [ $n -le 3000 ]; do
	fresh
	KK_FAULT_AT=$n K --sync-from "$TMP/b2" >/dev/null 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then steps=$((n - 1)); break; fi
	[ $rc -eq 137 ] || { bad=$((bad + 1)); echo "#   kill at $n: exit $rc, not killed"; }
	check_state "kill at step $n"
	n=$((n + 1))
done
[ $steps -gt 10 ] && ok "the apply has $steps fault points; killed at each of them" ||
	fail "the apply completes past its last fault point (steps $steps)"
[ $bad -eq 0 ] && ok "after SIGKILL at each step: exactly old or new, integrity ok, floor consistent, rollback refused" ||
	fail "after SIGKILL at each step: $bad bad states"
[ $old -gt 0 ] && [ $new -gt 0 ] && ok "kills before the switch keep 1.1 ($old), after it show 1.2 ($new)" ||
	fail "both outcomes seen (old $old, new $new)"

# --- random points: EIO / ENOSPC instead of a kill; a second kill during recovery -----------
bad=0 old=0 new=0 failed_ok=0
case "$BUILD" in *asan*) rounds=30 ;; *) rounds=100 ;; esac
RANDOM=7
for i in $(seq 1 $rounds); do
	fresh
	at=$((RANDOM % steps + 1))
	case $((i % 3)) in
	0) # the step fails: the apply reports failure (5) or, past the switch, success
		mode=eio; [ $((i % 2)) -eq 0 ] && mode=enospc
		KK_FAULT_AT=$at KK_FAULT_MODE=$mode K --sync-from "$TMP/b2" >"$TMP/out" 2>&1
		rc=$?
		if [ $rc -eq 5 ] || [ $rc -eq 0 ]; then failed_ok=$((failed_ok + 1)); else
			bad=$((bad + 1)); echo "#   $mode at $at: exit $rc"; fi
		;;
	*) # killed, then the next apply killed too (early on: in its recovery), then state checked
		KK_FAULT_AT=$at K --sync-from "$TMP/b2" >/dev/null 2>&1
		KK_FAULT_AT=$((RANDOM % 12 + 1)) K --sync-from "$TMP/b2" >/dev/null 2>&1
		;;
	esac
	check_state "round $i (step $at)"
done
[ $bad -eq 0 ] && ok "$rounds random faults (EIO, ENOSPC, kill twice): exactly old or new every time" ||
	fail "random faults: $bad bad states"
[ $failed_ok -gt 0 ] && ok "an injected EIO/ENOSPC is reported as failed (5) or, after the switch, applied" ||
	fail "injected errors reported"

# --- and a clean apply after all that always gets there ------------------------------------
fresh
KK_FAULT_AT=$((steps / 2)) K --sync-from "$TMP/b2" >/dev/null 2>&1
K --sync-from "$TMP/b2" >"$TMP/out" 2>&1
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] && ok "after a crash, applying again completes (exit $rc)" || fail "apply after a crash (exit $rc)"
line=$(K --sync-status 2>/dev/null)
[[ "$line" =~ ^active\ [ab]\ version\ 1\.2\ floor\ 1\.2\ documents\ 45 ]] && ok "1.2 shown" || fail "1.2 shown ($line)"
finish
