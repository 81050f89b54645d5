#!/bin/sh
# check-boundaries.sh — enforce the module boundaries of STYLE.md:
#   SDL only in firmware/ui/, SQL (sqlite3.h) only in firmware/catalog/,
#   libusb only in firmware/print/, curl, libsodium and OpenSSL's libcrypto (SHA-256 with the
#   CPU's SHA instructions) only in firmware/sync/,
#   libgooglepinyin and libzinnia only in firmware/ime/, FreeType (ft2build.h) and libqrencode
#   only in firmware/print/ (the UI draws text through SDL_ttf, which keeps FreeType inside).
set -u
cd "$(dirname "$0")/.."
bad=0
check() { # pattern allowed-dir description
	hits=$(grep -rlE "#include[[:space:]]*<($1)" firmware offline-db/kioskdb 2>/dev/null | grep -v "^$2/" || true)
	if [ -n "$hits" ]; then
		echo "check: $3 outside $2/:" $hits >&2
		bad=1
	fi
}
check 'SDL' firmware/ui 'SDL'
check 'sqlite3' firmware/catalog 'SQLite'
check 'libusb' firmware/print 'libusb'
check 'curl/|sodium|openssl/' firmware/sync 'curl/libsodium/libcrypto'
check 'pinyinime|googlepinyin/|zinnia' firmware/ime 'libgooglepinyin/libzinnia'
check 'ft2build|freetype/|qrencode' firmware/print 'FreeType/libqrencode'
[ $bad -eq 0 ] && echo "check: module include boundaries hold"
exit $bad
