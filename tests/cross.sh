#!/usr/bin/env bash
# cross.sh — the arm64 build (the rpi4 board's) tested on this x86 machine under qemu-user.
#
# Usage: tests/cross.sh CROSS_BUILD HOST_BUILD     (tests/run.sh runs it when make test built
#                                                  CROSS_BUILD with board/cross-build.sh --tests)
#
# 1. Every unit test, cross-compiled, runs under qemu-aarch64 with the arm64 sysroot as its
#    library root: the same checks as on x86, on a CPU whose plain char is unsigned and whose
#    SIMD paths (SDL's blitters, SHA-256, zlib) differ.
# 2. The arm64 kiosk, headless on the sample content, must lay out the home screen and the
#    catalogue exactly as the x86 kiosk does (the same text boxes and touch targets) and draw
#    the same pixels within 2 levels (anti-aliasing rounds differently in NEON and SSE code).
# qemu-user does not map every file name into the sysroot (access(2) is not), so the test runs
# in its own mount namespace with the sysroot's /usr/lib/TRIPLET bound over the host's: the
# pinyin dictionary is found where the arm64 kiosk looks for it on a board.
set -u
CROSS=${1:?usage: cross.sh CROSS_BUILD HOST_BUILD}
HOST=${2:?usage: cross.sh CROSS_BUILD HOST_BUILD}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SYS=$ROOT/build/sysroot-arm64
TRIPLET=aarch64-linux-gnu
FAILS=0
ok() { echo "ok - arm64: $1"; }
fail() { echo "not ok - arm64: $1"; FAILS=$((FAILS + 1)); }

if [ -z "${KK_CROSS_NS:-}" ]; then
	[ -d "$SYS/usr/lib/$TRIPLET" ] || { fail "no arm64 sysroot $SYS (board/cross-build.sh)"; exit 1; }
	bash "$ROOT/board/binfmt.sh" arm64 || { fail "this machine runs arm64 programs through qemu-user"; exit 1; }
	mkdir -p "/usr/lib/$TRIPLET"
	exec unshare --mount --propagation private env KK_CROSS_NS=1 bash -c \
		'mount --bind "$1" "$2" && exec bash "$0" "$3" "$4"' \
		"$0" "$SYS/usr/lib/$TRIPLET" "/usr/lib/$TRIPLET" "$CROSS" "$HOST"
fi
export QEMU_LD_PREFIX=$SYS

# --- 1. unit tests ----------------------------------------------------------------------------
n=0
for t in "$CROSS"/tests/test_*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	name=${t##*/}
	out=$(timeout 600 "$t" 2>&1)
	rc=$?
	echo "$out" | grep -E '^(ok|not ok) - ' | sed -e "s/^ok - /ok - arm64: /" -e "s/^not ok - /not ok - arm64: /"
	echo "$out" | grep -B3 '^not ok - ' | grep '^#' | head -10
	if [ "$rc" -ne 0 ] && ! echo "$out" | grep -q '^not ok'; then
		fail "$name exited with status $rc without reporting a failed test"
		echo "$out" | tail -5 | sed 's/^/#   /'
	fi
done
[ "$n" -gt 0 ] || fail "no arm64 unit tests in $CROSS/tests (board/cross-build.sh --tests)"

# --- 2. the kiosk draws the same screens ------------------------------------------------------
W=$(mktemp -d /tmp/kk-cross-XXXXXX)
trap 'rm -rf "$W"' EXIT
printf 'shot home\ntap 300 300\nshot catalogue\n' >"$W/script"
for b in "$HOST" "$CROSS"; do
	d=$W/$([ "$b" = "$HOST" ] && echo host || echo arm64)
	"$b/kiosk" --db "$HOST/sample.db" --headless --size 1280x800 --script "$W/script" --shots "$d" >"$d.log" 2>&1 ||
		{ fail "$b/kiosk --headless on the sample"; tail -5 "$d.log" | sed 's/^/#   /'; }
done
file -L "$CROSS/kiosk" | grep -q 'ARM aarch64' || fail "$CROSS/kiosk is an arm64 program"
for s in home catalogue; do
	if cmp -s "$W/host/$s.txt" "$W/arm64/$s.txt" && cmp -s "$W/host/$s.hits" "$W/arm64/$s.hits"; then
		ok "the $s screen has the same text boxes and touch targets as on x86"
	else
		fail "the $s screen has the same text boxes and touch targets as on x86"
		diff "$W/host/$s.txt" "$W/arm64/$s.txt" | head -6 | sed 's/^/#   /'
	fi
	d=$(python3 - "$W/host/$s.png" "$W/arm64/$s.png" <<'EOF'
import subprocess, sys
def px(p):
    return subprocess.run(["pngtopnm", p], capture_output=True, check=True).stdout.split(b"\n", 3)[3]
a, b = px(sys.argv[1]), px(sys.argv[2])
print(max((abs(x - y) for x, y in zip(a, b)), default=0) if len(a) == len(b) else 999)
EOF
)
	[ "${d:-999}" -le 2 ] && ok "the $s screen's pixels are within 2 levels of x86's (largest difference $d)" ||
		fail "the $s screen's pixels are within 2 levels of x86's (largest difference ${d:-none})"
done
exit $((FAILS > 0))
