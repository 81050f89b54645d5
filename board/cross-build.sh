#!/usr/bin/env bash
# cross-build.sh — build the kiosk for another Debian architecture (arm64 for the rpi4 board)
# on an x86 machine, with Debian's cross compiler and a sysroot of the target's -dev packages.
#
# Usage: board/cross-build.sh [--tests] ARCH OUTDIR   (make image BOARD=rpi4 calls this, and
#                                                     make test with --tests; needs root for
#                                                     mmdebstrap)
#   --tests   also build the unit tests (OUTDIR/tests/test_*), which tests/cross.sh runs under
#             qemu-user
#
# 1. sysroot: mmdebstrap --variant=extract unpacks Debian 12's ARCH -dev packages (and what they
#    depend on) into build/sysroot-ARCH, without running a single maintainer script, so it
#    needs no emulation. Merged /usr (bookworm's layout) comes from mmdebstrap's merged-usr
#    hook; absolute symbolic links inside the sysroot are made relative, so that libfoo.so
#    points into the sysroot rather than at the build machine's own libraries. Cached as
#    build/images/cache/sysroot-ARCH-HASH.tar (HASH over the package list and the mirror).
# 2. build: `make OUTDIR/kiosk` with CC=TRIPLET-gcc --sysroot, pkg-config reading only the
#    sysroot's .pc files (PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR), and the paths the kiosk
#    looks up at run time (the pinyin dictionary) set to where they are on the board.
# 3. check: OUTDIR/kiosk must be an ELF for ARCH whose every needed library is in the sysroot.
#
# Environment: MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

tests=
[ "${1:-}" != --tests ] || { tests=1; shift; }
[ $# -eq 2 ] || { echo "usage: $0 [--tests] ARCH OUTDIR" >&2; exit 2; }
ARCH=$1 OUT=${2%/}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
case "$OUT" in /* | *..*) echo "cross-build: OUTDIR is a folder inside the repository, such as build/arm64" >&2; exit 2 ;; esac
cd "$ROOT"
case "$ARCH" in
arm64) TRIPLET=aarch64-linux-gnu ELF="ARM aarch64" ;;
armhf) TRIPLET=arm-linux-gnueabihf ELF="ARM, EABI5" ;;
*) echo "cross-build: no cross compiler known for '$ARCH' (arm64, armhf)" >&2; exit 2 ;;
esac
[ "$ARCH" != "$(dpkg --print-architecture)" ] ||
	{ echo "cross-build: $ARCH is this machine's own architecture: use make" >&2; exit 2; }
for t in mmdebstrap "$TRIPLET-gcc" "$TRIPLET-g++" file; do
	command -v "$t" >/dev/null || { echo "cross-build: missing $t (make image BOARD=rpi4 installs it)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "cross-build: needs root (mmdebstrap unpacks files owned by root)" >&2; exit 1; }

MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
# the -dev packages of the Makefile's PKGS and IME libraries, for the target architecture
DEV="libc6-dev libstdc++-12-dev libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libsqlite3-dev
libusb-1.0-0-dev libjansson-dev libxml2-dev libsodium-dev libssl-dev libcurl4-openssl-dev
libfreetype-dev libqrencode-dev libgooglepinyin0-dev libzinnia-dev"
pkgs=$(echo $DEV | tr ' ' ',')
cache="$ROOT/build/images/cache"
key=$(printf '%s\n' "$SUITE" "$ARCH" "$MIRROR" "$pkgs" | sha256sum | cut -c1-16)
tarball="$cache/sysroot-$ARCH-$key.tar"
SYS="$ROOT/build/sysroot-$ARCH"
mkdir -p "$cache"

# --- 1. sysroot ---------------------------------------------------------------------------------
if [ ! -s "$tarball" ]; then
	echo "cross-build: mmdebstrap --variant=extract $SUITE $ARCH (the -dev packages; cached as $tarball)"
	mmdebstrap --mode=root --variant=extract --format=tar --arch="$ARCH" --include="$pkgs" \
		--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
		"$SUITE" "$tarball.part" "$MIRROR"
	mv "$tarball.part" "$tarball"
fi
if [ ! -f "$SYS/.key" ] || [ "$(cat "$SYS/.key")" != "$key" ]; then
	rm -rf "$SYS"
	mkdir -p "$SYS"
	tar -C "$SYS" --numeric-owner -xf "$tarball"
	# absolute links (e.g. usr/lib/TRIPLET/libfoo.so -> /lib/TRIPLET/libfoo.so.1) made relative
	find "$SYS" -type l -lname '/*' -print0 | while IFS= read -r -d '' l; do
		t=$(readlink "$l")
		ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$SYS$t")" "$l"
	done
	echo "$key" >"$SYS/.key"
fi

# --- 2. build -------------------------------------------------------------------------------------
libdir=/usr/lib/$TRIPLET
targets=("$OUT/kiosk")
if [ -n "$tests" ]; then
	for t in "$ROOT"/tests/unit/test_*.c; do
		t=${t##*/}
		targets+=("$OUT/tests/${t%.c}")
	done
fi
mkdir -p "$OUT"
echo "cross-build: make ${#targets[@]} targets for $ARCH (log: $OUT/cross-build.log)"
env PKG_CONFIG_LIBDIR="$SYS$libdir/pkgconfig:$SYS/usr/share/pkgconfig" PKG_CONFIG_PATH= \
	PKG_CONFIG_SYSROOT_DIR="$SYS" \
	make --no-print-directory -j"$(nproc)" BUILD="$OUT" \
	CC="$TRIPLET-gcc --sysroot=$SYS" CXX="$TRIPLET-g++ --sysroot=$SYS" \
	PINYIN_DICT="$libdir/googlepinyin/data/dict_pinyin.dat" "${targets[@]}" >"$OUT/cross-build.log" 2>&1 ||
	{ grep -E 'error|Error' "$OUT/cross-build.log" | head -20 >&2; echo "cross-build: the $ARCH build failed" >&2; exit 1; }

# --- 3. check -------------------------------------------------------------------------------------
file -L "$OUT/kiosk" | grep -q "$ELF" || { echo "cross-build: $OUT/kiosk is not an $ARCH binary" >&2; exit 1; }
for lib in $("$TRIPLET-readelf" -d "$OUT/kiosk" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
	[ -e "$SYS$libdir/$lib" ] || [ -e "$SYS/lib/$TRIPLET/$lib" ] || [ "$lib" = "ld-linux-aarch64.so.1" ] ||
		{ echo "cross-build: $OUT/kiosk needs $lib, which no $ARCH package in the sysroot has" >&2; exit 1; }
done
echo "cross-build: $OUT/kiosk: $(file -bL "$OUT/kiosk" | cut -d, -f1-2)"
