#!/usr/bin/env bash
# binfmt.sh — make sure this machine runs programs of a Debian architecture through qemu-user
# (binfmt_misc), for mmdebstrap's maintainer scripts (board/build-image.sh) and the arm64 tests
# (tests/cross.sh). binfmt-support registers qemu-user-static's interpreters when it is
# installed; a container may need binfmt_misc mounted and the entry enabled first.
#
# Usage: board/binfmt.sh ARCH     (exit 0: ARCH programs run here; 1: they cannot, and why)
set -u
case "${1:?usage: binfmt.sh ARCH}" in
arm64) q=aarch64 ;;
armhf) q=arm ;;
*) q=$1 ;;
esac
f=/proc/sys/fs/binfmt_misc/qemu-$q
if [ ! -e "$f" ]; then
	mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null
	update-binfmts --enable "qemu-$q" >/dev/null 2>&1
fi
if [ ! -e "$f" ]; then
	echo "binfmt: this machine cannot run $1 programs: install qemu-user-static and binfmt-support," >&2
	echo "binfmt: and make sure binfmt_misc is mounted (mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc)" >&2
	exit 1
fi
