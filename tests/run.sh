#!/usr/bin/env bash
# tests/run.sh — runs every test suite and prints one closing line "N passed, N failed".
#
# Usage: tests/run.sh BUILD_DIR [ASAN_BUILD_DIR [ARM64_BUILD_DIR]]
#   unit tests:        BUILD_DIR/tests/test_*          (and ASAN_BUILD_DIR/tests/test_*)
#   integration tests: tests/integration/*.sh          (on BUILD_DIR, then on ASAN_BUILD_DIR)
#   arm64:             tests/cross.sh ARM64_BUILD_DIR  (unit tests and screens under qemu-user)
# Each test prints "ok - …" or "not ok - …"; this script totals them. A suite that exits
# non-zero without reporting a failed test (a crash), or whose output shows a sanitizer report,
# counts as one more failure: nothing can pass by dying quietly.
set -u
build=${1:-build}
asan=${2:-}
arm64=${3:-}
here=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp)
out=$(mktemp)
trap 'rm -f "$log" "$out"' EXIT
export ASAN_OPTIONS=exitcode=86:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87

run_suite() {
	local name=$1 rc
	shift
	echo "# suite: $name"
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out" >>"$log"
	grep -E '^(not ok|ok|#)' "$out"
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$out"; then
		grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$out" | head -5 | sed 's/^/#   /'
		echo "not ok - $name: sanitizer report" | tee -a "$log"
	fi
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$out"; then
		tail -5 "$out" | sed 's/^/#   /'
		echo "not ok - $name: exited with status $rc without reporting a failed test" | tee -a "$log"
	fi
}

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	run_suite "$(basename "$t")" "$t"
done
if [ -n "$asan" ]; then
	for t in "$asan"/tests/test_*; do
		[ -x "$t" ] || continue
		run_suite "asan/$(basename "$t")" "$t"
	done
fi
# fuzz corpora replayed on the ASan+UBSan build: every saved input stays a regression test
if [ -n "$asan" ]; then
	for t in "$asan"/tests/replay_fuzz_*; do
		[ -x "$t" ] || continue
		target=${t##*/replay_fuzz_}
		run_suite "replay/$target" "$t" "$here"/tests/fuzz/corpus/"$target"/*
	done
fi
for t in "$here"/tests/integration/*.sh; do
	[ "$(basename "$t")" = lib.sh ] && continue
	run_suite "$(basename "$t")" env KK_BUILD="$build" bash "$t"
	# the same end-to-end flows again on the ASan+UBSan binaries
	if [ -n "$asan" ] && [ -x "$asan/kiosk" ]; then
		run_suite "asan/$(basename "$t")" env KK_BUILD="$asan" SUITE_PREFIX=asan/ bash "$t"
	fi
done
if [ -n "$arm64" ]; then
	run_suite cross.sh bash "$here/tests/cross.sh" "$arm64" "$build"
fi

passed=$(grep -c '^ok - ' "$log")
failed=$(grep -c '^not ok - ' "$log")
echo
grep '^not ok - ' "$log" | sed 's/^/FAILED: /'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
