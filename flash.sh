#!/bin/sh
# flash.sh — write a kiosk board image to a disk (technicians).
#
# Not yet implemented: board images come with the "Board images and flash.sh" issue.
# Until then this refuses to do anything, so it can never touch a disk by mistake.
case "${1:-}" in
--help|-h)
	echo "usage: ./flash.sh --board BOARD [--image FILE] [--site site.conf] [--keep-data] DEVICE"
	echo "not yet implemented: board images are not built yet"
	exit 0
	;;
esac
echo "flash.sh: not yet implemented (board images are not built yet); nothing was written" >&2
exit 1
