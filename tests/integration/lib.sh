# lib.sh — helpers for the integration tests (sourced). Each check prints one
# "ok - SUITE: what" or "not ok - SUITE: what" line that tests/run.sh totals.
set -u
SUITE=${SUITE_PREFIX:-}$(basename "$0" .sh)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${KK_BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
KIOSK="$BUILD/kiosk"
KIOSKDB="$BUILD/kioskdb"
TMP=$(mktemp -d /tmp/kk-it-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
FAILS=0

ok() { echo "ok - $SUITE: $1"; }
fail() { echo "not ok - $SUITE: $1"; FAILS=$((FAILS + 1)); }
# check "what" command...: passes when the command exits 0
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else fail "$what"; fi; }
# check_exit "what" STATUS command...: passes when the command exits with STATUS
check_exit() {
	local what=$1 want=$2; shift 2
	"$@" >"$TMP/out" 2>&1; local got=$?
	if [ "$got" -eq "$want" ]; then ok "$what"; else fail "$what (exit $got, want $want)"; sed 's/^/#   /' "$TMP/out" | head -20; fi
}
# has "what" FILE PATTERN: passes when FILE has a line matching the extended regex
has() {
	if grep -qE -- "$3" "$2"; then ok "$1"; else fail "$1 (no line matching '$3')"; sed 's/^/#   /' "$2" | head -20; fi
}
# sync_fixtures: for the sync tests, $TMP/sample.db (the sample export), $TMP/small.db (40
# generated documents, 10 guides) and the key pairs $TMP/k.{pub,key} and $TMP/other.{pub,key}
sync_fixtures() {
	"$KIOSKDB" build --src "$ROOT/offline-db/sample" --out "$TMP/sample.db" >/dev/null 2>&1 ||
		fail "sample database builds"
	"$KIOSKDB" gen --out "$TMP/gen" --documents 40 --guides 10 --seed 3 >/dev/null 2>&1 &&
		"$KIOSKDB" build --src "$TMP/gen" --out "$TMP/small.db" >/dev/null 2>&1 || fail "small database builds"
	"$KIOSKDB" keygen --out "$TMP/k" >/dev/null && "$KIOSKDB" keygen --out "$TMP/other" >/dev/null ||
		fail "keygen"
}
finish() { exit $((FAILS > 0)); }
