#!/usr/bin/env bash
# tests/run.sh — runs every test suite and prints one closing line "N passed, N failed".
#
# Usage: tests/run.sh BUILD_DIR [ASAN_BUILD_DIR]
#   unit tests:        BUILD_DIR/tests/test_*          (and ASAN_BUILD_DIR/tests/test_*)
#   integration tests: tests/integration/*.sh          (get BUILD_DIR in $KK_BUILD)
# Each test prints "ok - …" or "not ok - …"; this script totals them.
set -u
build=${1:-build}
asan=${2:-}
here=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
suites_failed=0

run_suite() {
	local name=$1; shift
	echo "# suite: $name"
	if ! "$@" 2>&1 | tee -a "$log" | grep -E '^(not ok|ok|#)' ; then :; fi
	local rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ] && ! grep -q "^not ok - $name" "$log"; then
		# a crash or a failure the suite did not report as a test line
		if [ "$rc" -gt 1 ]; then
			echo "not ok - $name: exited with status $rc" | tee -a "$log"
		fi
	fi
}

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	run_suite "$(basename "$t")" "$t"
done
if [ -n "$asan" ]; then
	for t in "$asan"/tests/test_*; do
		[ -x "$t" ] || continue
		run_suite "asan/$(basename "$t")" env ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 \
			UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$t"
	done
fi
for t in "$here"/tests/integration/*.sh; do
	[ -f "$t" ] || continue
	run_suite "$(basename "$t")" env KK_BUILD="$build" bash "$t"
	# the same end-to-end flows again on the ASan+UBSan binaries
	if [ -n "$asan" ] && [ -x "$asan/kiosk" ]; then
		run_suite "asan/$(basename "$t")" env KK_BUILD="$asan" SUITE_PREFIX=asan/ \
			UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 bash "$t"
	fi
done

passed=$(grep -c '^ok - ' "$log")
failed=$(grep -c '^not ok - ' "$log")
echo
grep '^not ok - ' "$log" | sed 's/^/FAILED: /'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
